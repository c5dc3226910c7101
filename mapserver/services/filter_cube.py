"""The filter cube of a run, counted in numpy from the pins the refresh reads once.

The cube counts the run's pins by municipality, district, cell part and every attribute a
filter selects (category, dimension mask, age band, years here, day, source); filtered counts on the
pages are sums over it (sql/counts_by_*.sql). The refresh reads every pin once as numbers
(sql/hotspots/pins_of_run.sql) for the scan statistic and DBSCAN; grouping those same numbers here and
copying the groups into the run's partition by binary COPY (rows) costs a fraction of grouping
a million pins again in SQL (3.5 s of server time, the statement with its insert).
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np

from ..db import Coded, Nullable
from ..vocabulary import AGE_BANDS, CATEGORIES, PIN_SOURCES, YEARS_HERE

# The cube's key columns as numbers (pins_of_run's); 0 stands for NULL in district_id, cell_id,
# age_band and years_here (ids and 1-based positions in the vocabulary's lists start at 1).
KEY_COLUMNS = ("municipality", "district_id", "cell_id", "category", "dimension_mask", "age_band", "years_here",
               "created_on", "source")


def count(pins: dict[str, np.ndarray], cell_ids: np.ndarray) -> dict[str, np.ndarray]:
    """Groups of equal keys among the pins, their pin_count and key_sum (the sum of their record
    keys, for the cell key method of services/disclosure.py). `pins` holds the key columns
    (cell_id aside) and record_key as integers, `cell_ids` each pin's cell part (hex_cell id) or 0
    for a pin in no cell (one at its district's centre)."""
    keys = {name: np.asarray(pins[name], dtype=np.int64) for name in KEY_COLUMNS if name != "cell_id"}
    keys["cell_id"] = np.asarray(cell_ids, dtype=np.int64)
    if keys["cell_id"].size == 0:
        return {name: np.zeros(0, dtype=np.int32) for name in (*KEY_COLUMNS, "pin_count")} | {
            "key_sum": np.zeros(0, dtype=np.int64)}
    record_keys = np.asarray(pins["record_key"], dtype=np.float64)  # sums exact below 2**53
    # Mixed radix: each column's values shifted to start at 0, then one integer per key (a county:
    # about 10^13 keys); where the ranges multiply beyond 62 bits, a lexsort instead.
    columns = [keys[name] for name in KEY_COLUMNS]
    low = [c.min() for c in columns]
    span = [int(c.max() - m) + 1 for c, m in zip(columns, low)]
    if np.prod([float(s) for s in span]) < 2.0 ** 62:
        combined = np.zeros(columns[0].size, dtype=np.int64)
        for c, m, s in zip(columns, low, span):
            combined = combined * s + (c - m)
        _, first, group, pin_count = np.unique(combined, return_index=True, return_inverse=True, return_counts=True)
        key_sum = np.bincount(group.ravel(), weights=record_keys, minlength=first.size)
    else:
        order = np.lexsort(columns[::-1])
        sorted_columns = [c[order] for c in columns]
        changes = np.zeros(order.size, dtype=bool)
        changes[0] = True
        for c in sorted_columns:
            changes[1:] |= c[1:] != c[:-1]
        starts = np.flatnonzero(changes)
        first = order[starts]
        pin_count = np.diff(np.append(starts, order.size))
        key_sum = np.add.reduceat(record_keys[order], starts)
    result = {name: keys[name][first].astype(np.int32) for name in KEY_COLUMNS}
    result["pin_count"] = pin_count.astype(np.int32)
    result["key_sum"] = key_sum.astype(np.int64)
    return result


def ags_of(number: int) -> str:
    """The AGS of a municipality from the integer pins_of_run reads it as (8 digits)."""
    return f"{int(number):08d}"


def rows(cube: dict[str, np.ndarray], run_id: int) -> dict:
    """The counted cube as pin_cube's columns for db.copy_columns_in: the AGS, the vocabulary's
    codes and NULLs again."""
    municipalities, municipality_code = np.unique(cube["municipality"], return_inverse=True)
    return {
        "run_id": np.full(cube["pin_count"].size, run_id, dtype=np.int32),
        "municipality_ags": Coded(municipality_code, [ags_of(m) for m in municipalities]),
        "district_id": Nullable(cube["district_id"], cube["district_id"] != 0),
        "cell_id": Nullable(cube["cell_id"], cube["cell_id"] != 0),
        "category": Coded(cube["category"] - 1, list(CATEGORIES)),
        "dimension_mask": cube["dimension_mask"],
        "age_band": Coded(cube["age_band"], [None, *AGE_BANDS]),
        "years_here": Coded(cube["years_here"], [None, *YEARS_HERE]),
        "created_on": cube["created_on"],  # a date's binary form: days since 2000-01-01
        "source": Coded(cube["source"] - 1, list(PIN_SOURCES)),
        "pin_count": cube["pin_count"],
        "key_sum": cube["key_sum"],
    }


MILLENNIUM = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)  # PostgreSQL's epoch for dates and timestamps


def local_days(moments: np.ndarray, time_zone: str) -> np.ndarray:
    """The local day of each moment (microseconds since 2000-01-01 UTC, a timestamptz's binary
    form) in `time_zone`, as days since 2000-01-01: what CAST(created_at AT TIME ZONE zone AS
    date) - DATE '2000-01-01' gives. The zone's offset is looked up once an hour across the
    moments' span; where it changes, the transition's exact second is found by bisection."""
    moments = np.asarray(moments, dtype=np.int64)
    if moments.size == 0:
        return np.zeros(0, dtype=np.int32)
    zone = ZoneInfo(time_zone)
    seconds = moments // 1_000_000

    def offset(second: int) -> int:
        return int((MILLENNIUM + dt.timedelta(seconds=int(second))).astimezone(zone).utcoffset().total_seconds())

    first, last = int(seconds.min()), int(seconds.max())
    # Sampled from the second before the first moment (so a change exactly at the first moment is
    # seen), then every whole hour up to past the last.
    samples = [first - 1, *range(first - first % 3600 + 3600, last + 3600, 3600)]
    offsets = [offset(second) for second in samples]
    starts, values = [first - 1], [offsets[0]]  # from each start on, its offset holds
    for n in range(1, len(samples)):
        if offsets[n] != offsets[n - 1]:
            low, high = samples[n - 1], samples[n]  # offset(low) is the old one, offset(high) the new
            while high - low > 1:
                mid = (low + high) // 2
                low, high = (mid, high) if offset(mid) == offsets[n - 1] else (low, mid)
            starts.append(high)
            values.append(offsets[n])
    at = np.searchsorted(np.array(starts), seconds, side="right") - 1
    return ((seconds + np.array(values)[at]) // 86_400).astype(np.int32)
