"""What planners compare: the same numbers by age band and by years lived here side by side,
pins per week and category, the districts ranked, the dense clusters as a table. Staff numbers
(true counts), but a group of fewer than k pins is not shown: its answers would point at the few
residents who gave them (the self-description is voluntary and the groups are small)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import Connection

from ..db import sql
from .. import vocabulary
from ..vocabulary import AGE_BANDS, CATEGORIES, PIN_SOURCES, YEARS_HERE
from . import statistics
from .statistics import Counts, PinFilter

# Column headings: vocabulary's short labels (eleven columns on A4; the full labels in the legend).
SHORT_CATEGORIES, SHORT_DIMENSIONS = vocabulary.SHORT_CATEGORIES, vocabulary.SHORT_DIMENSIONS

# The two ways residents describe themselves, and where the pins came from (online, workshop,
# paper), each a filter attribute of PinFilter.
GROUPINGS = {"age_band": ("age_bands", AGE_BANDS), "years_here": ("years_here", YEARS_HERE),
             "source": ("sources", PIN_SOURCES)}


@dataclass
class Group:
    """One group's pins (None: not shown) and its share of the municipality's pins."""
    code: str
    label: str
    counts: Counts | None
    share: float | None = None


@dataclass
class Comparison:
    grouping: str              # "age_band" or "years_here"
    groups: list[Group]
    remainder: int | None      # pins without an answer or in groups not shown (None: 1 to k-1, not shown)
    some_hidden: bool          # a group of 1 to k-1 pins is not shown (then neither is the smallest next to it)
    k: int


def by_group(conn: Connection, run, county_key: str, ags: str, pin_filter: PinFilter, grouping: str,
             k: int) -> Comparison:
    """The municipality's numbers for each group of `grouping`, side by side, within the filter
    (a filter on the same attribute narrows the groups shown). A group of 1 to k-1 pins is not
    shown; the pins without an answer and those of groups not shown are one number, and while
    that number would be below k too, the smallest shown group joins it (so no group is
    the difference of the numbers shown, the total being the filter's own, as the page heads
    it); a remainder still below k is not shown either (None)."""
    attribute, labels = GROUPINGS[grouping]
    everyone = statistics.municipality_counts(conn, run, county_key, pin_filter, ags=ags)
    all_pins = everyone[0].total if everyone else 0
    chosen = getattr(pin_filter, attribute) or tuple(labels)
    found = []
    for code in chosen:
        counts = statistics.municipality_counts(conn, run, county_key, replace(pin_filter, **{attribute: (code,)}), ags=ags)
        found.append((code, counts[0] if counts else Counts(key=ags)))
    shown = {code: counts for code, counts in found if not 0 < counts.total < k}
    some_hidden = len(shown) < len(found)
    def remainder() -> int:
        return all_pins - sum(c.total for c in shown.values())
    while 0 < remainder() < k and any(c.total for c in shown.values()):
        smallest = min((code for code, c in shown.items() if c.total), key=lambda code: shown[code].total)
        del shown[smallest]
        some_hidden = True
    groups = [Group(code, str(labels[code]), shown.get(code),
                    round(shown[code].total * 100 / all_pins, 1) if code in shown and all_pins else None)
              for code, _ in found]
    rest = remainder()
    return Comparison(grouping, groups, None if 0 < rest < k else rest, some_hidden or 0 < rest < k, k)


@dataclass
class Week:
    start: dt.date
    by_category: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_category.values())


def pins_per_week(conn: Connection, run, ags: str, pin_filter: PinFilter) -> list[Week]:
    """Every calendar week from the first pin to the last (weeks without pins included, so a
    chart does not skip them), its pins per category."""
    rows = conn.execute(sql("statistics/pins_per_week"), {"run_id": run.id, "ags": ags, **pin_filter.parameters()}).all()
    if not rows:
        return []
    by_week: dict[dt.date, dict[str, int]] = {}
    for row in rows:
        by_week.setdefault(row.week, {c: 0 for c in CATEGORIES})[row.category] = int(row.pins)
    weeks, day, last = [], min(by_week), max(by_week)
    while day <= last:
        weeks.append(Week(day, by_week.get(day, {c: 0 for c in CATEGORIES})))
        day += dt.timedelta(days=7)
    return weeks


def ranked_districts(counts: list[Counts]) -> list[Counts]:
    """Districts by pins per 1,000 inhabitants where known, else by pins; most first."""
    return sorted(counts, key=lambda c: (c.pins_per_1000_inhabitants is not None,
                                         c.pins_per_1000_inhabitants or 0, c.total), reverse=True)
