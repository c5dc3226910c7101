"""Today's disclosure method before issue 11, kept for the benchmark's same-run comparison:
plain suppression. Counts below k are left out (municipalities, districts, cells) or shown as
null (sub-counts), with complementary suppression so that no hidden count below k follows by
subtraction within one table (issue 11 showed that it follows across tables)."""
from __future__ import annotations


def suppress_small(counts: dict[str, int], k: int, total: int, additive: bool = True) -> dict[str, int | None]:
    """A sub-count v is null if 0 < v < k or 0 < total - v < k; for additive breakdowns more are
    hidden until the hidden ones come to 0 or at least k."""
    def small(n: int) -> bool:
        return 0 < n < k

    shown = {code: n for code, n in counts.items() if not small(n) and not small(total - n)}
    if additive:
        while 0 < total - sum(shown.values()) < k and any(shown.values()):
            del shown[min((code for code, n in shown.items() if n), key=lambda code: shown[code])]
    return {code: shown.get(code) for code in counts}


def suppress_remainder(items: list, total: int, k: int, size) -> list:
    """A list whose total is published: what it leaves out must come to 0 or at least k."""
    kept = sorted(items, key=size, reverse=True)
    while kept and 0 < total - sum(size(i) for i in kept) < k:
        kept.pop()
    return [i for i in items if i in kept]


def public_areas(counts: list, k: int, municipality_total: int | None = None) -> dict:
    """Areas (statistics.Counts) as plain suppression published them: {key: {pins, by_category,
    by_dimension}} for the areas shown; an area left out is absent. With municipality_total, the
    list is a municipality's districts or cells and the remainder rule applies."""
    shown = [c for c in counts if c.total >= k]
    if municipality_total is not None:
        shown = suppress_remainder(shown, municipality_total, k, size=lambda c: c.total)
    return {c.key: {"pins": c.total, "by_category": suppress_small(c.by_category, k, c.total),
                    "by_dimension": suppress_small(c.by_dimension, k, c.total, additive=False)} for c in shown}
