"""The hotspot batch job: hexagon grid, filter cube, hotspots by Kulldorff's spatial scan
statistic over the county as one surface, and DBSCAN clusters, stored per run. Pages and APIs
only read what a finished run stored."""
from __future__ import annotations

import datetime as dt
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from ..config import DEFAULT_SETTINGS
from ..db import copy_columns_in, fetch_columns, sql
from ..geo import cell_centre, hex_cell_of, shape_to_wkb
from ..vocabulary import AGE_BANDS, CATEGORIES, DIMENSION_BITS, PIN_SOURCES, YEARS_HERE
from . import dense_clusters, filter_cube, scan

log = logging.getLogger(__name__)

# Hotspots are sought for all pins and for each category on its own.
ALL_PINS = "all"
VARIANTS = (ALL_PINS, *(f"category:{code}" for code in CATEGORIES))

# A window is a hotspot at p < 0.05: the chance that pins spread by the baseline alone show any
# hotspot anywhere in the county is 5 % (per variant). 99 % where p < 0.01.
SIGNIFICANCE = 0.05
CONFIDENCE_LEVELS = ((0.01, 99), (0.05, 95))
RUNS_KEPT = 3

# With a population grid, pins are expected where people live: a cell's share of the
# municipality's inhabitants, for 90 % of its pins; the other 10 % are expected by area alone
# (the bus stop on the road between villages, the field path a resident marks), so a pin in an
# uninhabited cell is not by itself an infinite excess.
POPULATION_SHARE_BY_AREA = 0.1

# What pg_export_snapshot() returns, e.g. 00000003-0000001B-1.
SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+-[0-9]+")

BASELINE_UNIFORM = "uniform"
BASELINE_POPULATION = "population"

# The refresh reads its pins as these numbers (sql/hotspots/pins_of_run.sql, unpack_pins), with
# categories, age bands and years here as 1-based positions in the vocabulary's lists, packed
# into 4 bits each.
PIN_COLUMNS = {"place": "int64", "attributes": "int32", "created_at": "timestamptz", "metric_x": "float64",
               "metric_y": "float64", "record_key": "int32"}
VOCABULARY_LISTS = {"categories": list(CATEGORIES), "age_bands": list(AGE_BANDS), "years_here_values": list(YEARS_HERE),
                    "sources": list(PIN_SOURCES)}
if max(len(values) for values in VOCABULARY_LISTS.values()) >= 16 or len(PIN_SOURCES) >= 4:
    raise RuntimeError("pins_of_run packs a vocabulary position into 4 bits (a source into 2): at most 15 "
                       "values per list, 3 sources")


@dataclass(frozen=True)
class HotspotSettings:
    """The hotspot job's settings; the defaults are the deployment's (config.Settings)."""
    cell_size_m: float = DEFAULT_SETTINGS.HOTSPOT_CELL_SIZE_M  # hexagon edge length in metres
    max_radius_m: float = DEFAULT_SETTINGS.HOTSPOT_MAX_RADIUS_M  # the largest circle the scan tries (a village core)
    replications: int = DEFAULT_SETTINGS.HOTSPOT_REPLICATIONS  # Monte Carlo replications of the scan statistic
    # a hotspot holds at least this many pins (no "hotspot" of 3 pins in an empty municipality)
    min_pins: int = DEFAULT_SETTINGS.HOTSPOT_MIN_PINS
    dbscan_eps_m: float = DEFAULT_SETTINGS.DBSCAN_EPS_M
    dbscan_min_pins: int = DEFAULT_SETTINGS.DBSCAN_MIN_PINS
    seed: int = 20261124  # the Monte Carlo inference is reproducible from run to run
    time_zone: str = DEFAULT_SETTINGS.TIME_ZONE
    # a run is public only with this many more pins than the last public one (default: k)
    release_min_new_pins: int = DEFAULT_SETTINGS.PUBLIC_RELEASE_MIN_NEW_PINS or DEFAULT_SETTINGS.PRIVACY_K
    release_min_hours: float = DEFAULT_SETTINGS.PUBLIC_RELEASE_MIN_HOURS  # and only this long after it

    @classmethod
    def from_config(cls, config) -> "HotspotSettings":
        return cls(cell_size_m=config["HOTSPOT_CELL_SIZE_M"], max_radius_m=config["HOTSPOT_MAX_RADIUS_M"],
                   replications=config["HOTSPOT_REPLICATIONS"], min_pins=config["HOTSPOT_MIN_PINS"], dbscan_eps_m=config["DBSCAN_EPS_M"],
                   dbscan_min_pins=config["DBSCAN_MIN_PINS"], time_zone=config["TIME_ZONE"],
                   release_min_new_pins=config["PUBLIC_RELEASE_MIN_NEW_PINS"],
                   release_min_hours=config["PUBLIC_RELEASE_MIN_HOURS"])


@dataclass
class RefreshReport:
    run_id: int
    pin_count: int
    baseline: str = BASELINE_UNIFORM
    cells: int = 0
    hotspots: int = 0
    coldspots: int = 0
    clusters: int = 0
    released: bool = False  # public from now on (services/disclosure.py: enough new pins)
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        timing = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in self.seconds.items())
        baseline = "Einwohner" if self.baseline == BASELINE_POPULATION else "Fläche"
        return (f"Auswertung {self.run_id}: {self.pin_count} Pins, {self.cells} Zellen, "
                f"{self.hotspots} Hotspots und {self.coldspots} Coldspots (alle Pins, p < 0,05; erwartet nach {baseline}), "
                f"{self.clusters} dichte Cluster; "
                + ("öffentlich freigegeben" if self.released else "noch nicht öffentlich (zu wenige neue Pins)")
                + f". ({timing})")


@dataclass
class Surface:
    """The county's cells as one surface. A cell on a municipal border has a part in each
    municipality (a hex_cell row each, at the same place): windows take all parts of a cell
    together, so a cluster across the border is one hotspot, while the null spreads each
    municipality's pins over its own parts (a municipality where more residents took part is
    not a hotspot for that)."""

    cell_ids: np.ndarray  # hex_cell id of each part
    positions: list[tuple[int, int]]  # (i, j) of each part
    x: np.ndarray
    y: np.ndarray
    area_share: np.ndarray  # of the cell's area inside the part's municipality
    municipality: np.ndarray  # stratum number of each part
    counts: dict[str, np.ndarray]  # pins per part, per variant
    weight: np.ndarray  # the null's weight of each part within its municipality
    stratum_numbers: dict[str, int] = field(default_factory=dict)  # municipality AGS -> stratum
    population_known: np.ndarray | None = None  # parts whose municipality has inhabitants on the grid

    @classmethod
    def from_rows(cls, cells, cell_size_m: float) -> "Surface":
        """From rows of (id, municipality_ags, i, j, area_share, category, pin_count), one per
        part and category (a part without pins once, with category None), ordered by id."""
        rows = list(cells)
        row_ids = np.array([r.id for r in rows], dtype=np.int64)
        _, first_row, part_of_row = np.unique(row_ids, return_index=True, return_inverse=True)
        pins = np.array([r.pin_count for r in rows], dtype=float)
        categories = np.array([r.category or "" for r in rows])
        counts = {code: np.bincount(part_of_row[categories == code], weights=pins[categories == code],
                                    minlength=first_row.size) for code in CATEGORIES}
        return cls.from_parts([rows[n] for n in first_row], counts, cell_size_m)

    @classmethod
    def from_pins(cls, parts, pins: dict[str, np.ndarray], part_of_pin: np.ndarray, cell_size_m: float) -> "Surface":
        """From the run's cell parts (rows of id, municipality_ags, i, j, area_share, by id), its
        pins (pins_of_run's columns: category as a 1-based position in CATEGORIES) and each
        pin's part (cell_parts_of_pins)."""
        counts = {code: np.bincount(part_of_pin[(part_of_pin >= 0) & (pins["category"] == n)],
                                    minlength=len(parts)).astype(float)
                  for n, code in enumerate(CATEGORIES, start=1)}
        return cls.from_parts(list(parts), counts, cell_size_m)

    @classmethod
    def from_parts(cls, parts: list, counts_by_category: dict[str, np.ndarray], cell_size_m: float) -> "Surface":
        """From cell parts (rows of id, municipality_ags, i, j, area_share, by id) and each
        category's pins per part."""
        stratum_of: dict[str, int] = {}
        for part in parts:
            stratum_of.setdefault(part.municipality_ags, len(stratum_of))
        strata = np.array([stratum_of[p.municipality_ags] for p in parts], dtype=int)
        positions = [(p.i, p.j) for p in parts]
        share = np.array([p.area_share for p in parts], dtype=float)
        counts = {f"category:{code}": counts_by_category[code] for code in CATEGORIES}
        counts[ALL_PINS] = np.sum([counts[f"category:{code}"] for code in CATEGORIES], axis=0) if parts else np.zeros(0)
        centres = np.array([cell_centre(i, j, cell_size_m) for i, j in positions]).reshape(-1, 2)
        return cls(np.array([p.id for p in parts], dtype=int), positions, centres[:, 0], centres[:, 1], share, strata,
                   counts, weight=share.copy(), stratum_numbers=stratum_of)

    def use_population(self, inhabitants: dict[tuple[str, int, int], float]) -> None:
        """Expect pins where people live: a part's weight becomes the inhabitants of the grid
        points it covers (90 %), plus its area within the municipality (10 %). Municipalities the
        grid does not cover keep the area alone, and no coldspot is sought there."""
        ags_of = {n: a for a, n in self.stratum_numbers.items()}
        by_people = np.array([inhabitants.get((ags_of[m], i, j), 0.0)
                              for m, (i, j) in zip(self.municipality, self.positions)])
        by_area = self.area_share
        weight = by_area.copy()
        covered = np.zeros(by_area.size, dtype=bool)
        for stratum in np.unique(self.municipality):
            own = self.municipality == stratum
            people_total = by_people[own].sum()
            if people_total <= 0:
                continue
            covered |= own
            weight[own] = ((1 - POPULATION_SHARE_BY_AREA) * by_people[own] / people_total
                           + POPULATION_SHARE_BY_AREA * by_area[own] / by_area[own].sum())
        self.weight = weight
        self.population_known = covered

    @property
    def null(self) -> scan.Null:
        return scan.Null(stratum=self.municipality, weight=self.weight)


def confidence_of(p_value: float) -> int:
    return next(level for alpha, level in CONFIDENCE_LEVELS if p_value < alpha)


def find_hotspots(surface: Surface, settings: HotspotSettings, baseline: str) -> dict[str, list[scan.Cluster]]:
    """The significant windows of every variant: hotspots always, coldspots only where the
    baseline is where people live (by area alone, every forest would be a coldspot)."""
    windows = {scan.HIGH: scan.build_windows(surface.x, surface.y, surface.weight > 0, settings.max_radius_m)}
    if baseline == BASELINE_POPULATION and surface.population_known is not None and surface.population_known.any():
        # Coldspots only where people are known to live: by area alone every forest would be one.
        windows[scan.LOW] = scan.build_windows(surface.x, surface.y, (surface.weight > 0) & surface.population_known,
                                               settings.max_radius_m)
    # One Monte Carlo for every variant and direction: each category's pins are simulated, all
    # pins are their sum (exact, see scan.null_maxima_of_parts).
    categories = [variant for variant in VARIANTS if variant != ALL_PINS]
    maxima = scan.null_maxima_of_parts(windows, surface.null, {v: surface.counts[v] for v in categories}, ALL_PINS,
                                       settings.replications, settings.seed, settings.min_pins)
    found: dict[str, list[scan.Cluster]] = {variant: [] for variant in VARIANTS}
    for variant in VARIANTS:
        for direction, direction_windows in windows.items():
            found[variant].extend(scan.scan(surface.counts[variant], direction_windows, surface.null,
                                            direction=direction, alpha=SIGNIFICANCE, min_pins=settings.min_pins,
                                            maxima=maxima[(variant, direction)]))
    return found


def statistic_rows(run_id: int, surface: Surface, found: dict[str, list[scan.Cluster]]) -> tuple[list[dict], dict]:
    """Rows for hotspot (each significant window once) and the columns of cell_statistic (each
    cell part, a municipality's hex_cell row, per variant: its pins, the pins expected there
    and its hotspot), as insert_cell_statistic takes them."""
    hotspot_rows: list[dict] = []
    columns: dict[str, list] = {name: [] for name in (
        "cell_ids", "variants", "pin_counts", "expected_pins", "hotspot_classes", "confidences", "hotspot_ids")}
    null = surface.null
    for variant in VARIANTS:
        counts = surface.counts[variant]
        member_of = np.full(counts.size, -1)  # the variant's hotspot row of each part
        rank = {scan.HIGH: 0, scan.LOW: 0}
        for cluster in sorted(found[variant], key=lambda c: (c.direction != scan.HIGH, -c.log_likelihood_ratio)):
            rank[cluster.direction] += 1
            hotspot_rows.append({
                "run_id": run_id, "id": len(hotspot_rows) + 1, "variant": variant,
                "hotspot_class": "hot" if cluster.direction == scan.HIGH else "cold",
                "rank": rank[cluster.direction], "pin_count": cluster.observed,
                "expected_pins": round(cluster.expected, 3), "log_likelihood_ratio": round(cluster.log_likelihood_ratio, 4),
                "p_value": cluster.p_value, "confidence": confidence_of(cluster.p_value), "radius_m": cluster.radius_m,
                "centre_cell_id": int(surface.cell_ids[cluster.centre]),
                "cell_ids": [int(c) for c in surface.cell_ids[cluster.cells]]})
            # A cell in a hotspot and in a larger coldspot around it counts as the hotspot.
            free = cluster.cells[member_of[cluster.cells] < 0]
            member_of[free] = len(hotspot_rows) - 1
        inside = member_of >= 0
        classes = np.array(["none"] + [h["hotspot_class"] for h in hotspot_rows], dtype=object)
        confidences = np.array([None] + [h["confidence"] for h in hotspot_rows], dtype=object)
        ids = np.array([None] + [h["id"] for h in hotspot_rows], dtype=object)
        row = np.where(inside, member_of + 1, 0)
        columns["cell_ids"] += surface.cell_ids.tolist()
        columns["variants"] += [variant] * counts.size
        columns["pin_counts"] += counts.astype(int).tolist()
        columns["expected_pins"] += np.round(null.expected(counts), 4).tolist()
        columns["hotspot_classes"] += classes[row].tolist()
        columns["confidences"] += confidences[row].tolist()
        columns["hotspot_ids"] += ids[row].tolist()
    return hotspot_rows, columns


def surface_statistics(run_id: int, surface: Surface, settings: HotspotSettings, baseline: str = BASELINE_UNIFORM,
                       inhabitants: dict[tuple[str, int, int], float] | None = None) -> tuple[list[dict], dict, Surface]:
    """The scan's results on a surface: hotspot rows, the columns of the cell statistic, the surface."""
    if not surface.positions:
        return statistic_rows(run_id, surface, {variant: [] for variant in VARIANTS}) + (surface,)
    if baseline == BASELINE_POPULATION and inhabitants:
        surface.use_population(inhabitants)
    found = find_hotspots(surface, settings, baseline)
    hotspot_rows, cell_columns = statistic_rows(run_id, surface, found)
    return hotspot_rows, cell_columns, surface


def refresh(engine: Engine, county_key: str, settings: HotspotSettings) -> RefreshReport:
    """Compute and store a new run for the county, then prune old runs.

    Pages read only finished runs, so the steps may commit one by one: the grid and the run's
    empty cube partition; then, in one exported snapshot of the pins up to the run's last pin,
    the pins are read once as numbers (two halves at once), and from that read the filter cube
    (grouped in numpy, copied into its partition and indexed, on a connection of its own) and
    DBSCAN's clusters (dense_clusters) are stored in threads while the scan statistic runs (its
    Monte Carlo on both cores); last the hotspots and cell statistics, the run finished, old
    runs pruned and their cube partitions dropped. The new cube is not analysed here:
    autovacuum analyses it within its next minute. One refresh at a time per county (an
    advisory lock); a failed run is removed, its cube partition with it."""
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def lap(step: str):
        nonlocal started
        now = time.perf_counter()
        timings[step] = now - started
        started = now

    with engine.connect() as conn:
        conn.execute(sql("hotspots/refresh_lock"), {"county_key": county_key})
        conn.commit()
        run = None
        try:
            with conn.begin():
                params = {"county_key": county_key, "cell_size_m": settings.cell_size_m,
                          "dbscan_eps_m": settings.dbscan_eps_m, "dbscan_min_pins": settings.dbscan_min_pins,
                          "replications": settings.replications, "max_radius_m": settings.max_radius_m}
                run = conn.execute(sql("hotspots/run_create"), params).one()
                params |= {"run_id": run.id, "last_pin_id": run.last_pin_id}
                earlier = conn.execute(sql("hotspots/grid_of_earlier_run"), {
                    "county_key": county_key, "cell_size_m": settings.cell_size_m, "run_id": run.id,
                    "boundaries_digest": run.boundaries_digest}).scalar()
                copied = 0
                if earlier is not None:
                    copied = conn.execute(sql("hotspots/hex_cells_copy"), {"run_id": run.id, "earlier_run_id": earlier}).rowcount
                if not copied:  # none to copy, or it was removed in the meantime
                    conn.execute(sql("hotspots/hex_cells_insert"), params)
                conn.execute(sql("hotspots/grid_analyze"))
                conn.execute(sql("hotspots/pin_cube_partition_create"), {"run_id": run.id})
            lap("Raster")
            with engine.connect().execution_options(isolation_level="REPEATABLE READ") as holder, holder.begin():
                snapshot = holder.execute(sql("hotspots/snapshot_export")).scalar_one()
                hotspot_rows, cell_columns, clusters, pin_count, key_sum = _read_count_and_scan(
                    engine, snapshot, run, settings, params, lap)
            with conn.begin():
                if hotspot_rows:
                    conn.execute(sql("hotspots/hotspot_insert"), hotspot_rows)
                conn.execute(sql("hotspots/cell_statistic_insert"), {"run_id": run.id, **cell_columns})
                conn.execute(sql("hotspots/run_finish"), {"run_id": run.id, "pin_count": pin_count, "key_sum": key_sum})
                released = release_if_due(conn, county_key, settings)
                conn.execute(sql("hotspots/runs_prune"), {"county_key": county_key, "keep": RUNS_KEPT})
                report = _report(run, pin_count, hotspot_rows, cell_columns, clusters)
                report.released = released == run.id
            drop_orphan_cubes(conn)
            lap("Speichern")
        except BaseException:
            if conn.in_transaction():
                conn.rollback()
            if run is not None:
                with conn.begin():
                    conn.execute(sql("hotspots/run_delete"), {"run_id": run.id})
                drop_orphan_cubes(conn)
            raise
        finally:
            conn.execute(sql("hotspots/refresh_unlock"), {"county_key": county_key})
            conn.commit()
    report.seconds = timings
    return report


def release_if_due(conn: Connection, county_key: str, settings: HotspotSettings) -> int | None:
    """Release the latest run to the public if it is due (sql/hotspots/run_release_if_due.sql says when);
    the id of the run released, or None."""
    return conn.execute(sql("hotspots/run_release_if_due"), {
        "county_key": county_key, "release_min_new_pins": settings.release_min_new_pins,
        "release_min_hours": settings.release_min_hours}).scalar()


def drop_orphan_cubes(conn: Connection) -> None:
    """Drop the cube partitions of removed runs in a transaction of its own (dropping one locks
    pin_cube for readers until commit). Where readers hold it longer than 2 s, the partitions stay
    until the next refresh: an orphan holds rows no page reads."""
    try:
        with conn.begin():
            conn.execute(sql("hotspots/orphan_pin_cubes_drop"))
    except OperationalError as error:
        log.warning("Würfel entfernter Auswertungen bleiben bis zur nächsten: %s", error.orig)


@contextmanager
def _in_snapshot(engine: Engine, snapshot: str):
    """A transaction on a connection of its own that sees exactly the refresh's snapshot."""
    if not SNAPSHOT_ID.fullmatch(snapshot):
        raise ValueError(f"unexpected snapshot id {snapshot!r}")
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        # A utility statement takes no bound parameters; the id comes from the server, checked above.
        conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        yield conn


def cell_parts_of_pins(parts, pins: dict[str, np.ndarray], cell_size_m: float) -> np.ndarray:
    """The index in `parts` (rows of id, municipality_ags, i, j) of each pin's cell part: its
    municipality's part of the hexagon cell holding it, by the arithmetic of
    sql/fragments/hex_cell.sql (geo.hex_cell_of); -1 for a pin at its district's centre."""  # in_cells 0
    if not parts:
        return np.full(pins["in_cells"].size, -1, dtype=np.int64)
    i, j = hex_cell_of(pins["metric_x"], pins["metric_y"], cell_size_m)
    part_cells = np.array([(int(p.municipality_ags), p.i, p.j) for p in parts], dtype=np.int64)
    part_keys, pin_keys = _cell_keys(part_cells, np.column_stack([pins["municipality"], i, j]))
    order = np.argsort(part_keys)
    found = np.minimum(np.searchsorted(part_keys[order], pin_keys), part_keys.size - 1)
    # A pin whose cell the grid lacks (none, unless the boundaries changed since) is in no cell,
    # like the cube's LEFT JOIN once did.
    placed = (pins["in_cells"] == 1) & (part_keys[order][found] == pin_keys)
    return np.where(placed, order[found], -1)


def _cell_keys(*cells: np.ndarray) -> list[np.ndarray]:
    """One integer per (municipality, i, j) row, the same for the same row in every array: each
    column shifted to start at 0 over all of them, then mixed radix."""
    stacked = np.concatenate(cells)
    low, span = stacked.min(axis=0), stacked.max(axis=0) - stacked.min(axis=0) + 1
    if np.prod(span.astype(float)) >= 2.0 ** 62:
        raise ValueError("cell numbers beyond 62 bits")
    keys = ((stacked[:, 0] - low[0]) * span[1] + (stacked[:, 1] - low[1])) * span[2] + (stacked[:, 2] - low[2])
    return np.split(keys, np.cumsum([len(c) for c in cells])[:-1])


def _cube(engine: Engine, run_id: int, cube: dict[str, np.ndarray]) -> None:
    """Store the run's filter cube in its partition (COPY into pin_cube routes the rows there),
    then index it (a thread of the pool)."""
    with engine.begin() as conn:
        copy_columns_in(conn, "pin_cube", filter_cube.rows(cube, run_id))
        conn.execute(sql("hotspots/pin_cube_partition_index"), {"run_id": run_id})


def _read_count_and_scan(engine: Engine, snapshot: str, run, settings: HotspotSettings, params: dict, lap):
    """In the refresh's snapshot: the run's pins as numbers, read once (in two halves, one a
    core); from them the filter cube and DBSCAN's clusters (each stored on a connection of its
    own, in threads) while the scan statistic runs on the cell counts. (hotspot rows, cell
    columns, number of clusters, number of pins, sum of their record keys)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        halves = [pool.submit(_read_pins, engine, snapshot, params | {"halves": 2, "half": half}) for half in (0, 1)]
        with _in_snapshot(engine, snapshot) as conn:
            parts = conn.execute(sql("hotspots/cell_parts_of_run"), params).all()
            inhabitants = None
            if run.baseline == BASELINE_POPULATION:
                inhabitants = {(r.ags, r.i, r.j): float(r.inhabitants) for r in conn.execute(
                    sql("population/by_cell"), {"county_key": params["county_key"], "cell_size_m": settings.cell_size_m})}
        pins = unpack_pins({name: np.concatenate([half.result()[name] for half in halves]) for name in PIN_COLUMNS},
                           settings.time_zone)
        lap("Pins lesen")
        part_of_pin = cell_parts_of_pins(parts, pins, settings.cell_size_m)
        cell_ids = np.array([p.id for p in parts] + [0], dtype=np.int64)[part_of_pin]  # -1 picks the 0
        stored = pool.submit(_cube, engine, run.id, filter_cube.count(pins, cell_ids))
        exact = pins["exact"] == 1
        clusters = pool.submit(_dense_clusters, engine, {name: values[exact] for name, values in pins.items()},
                               settings, run.id)
        surface = Surface.from_pins(parts, pins, part_of_pin, settings.cell_size_m)
        hotspot_rows, cell_columns, _ = surface_statistics(run.id, surface, settings, run.baseline, inhabitants)
        lap("Scan-Statistik")
        cluster_count = clusters.result()
        lap("DBSCAN (Rest)")
        stored.result()
        lap("Würfel (Rest)")
    return hotspot_rows, cell_columns, cluster_count, len(pins["in_cells"]), int(pins["record_key"].sum(dtype=np.int64))


def _read_pins(engine: Engine, snapshot: str, params: dict) -> dict[str, np.ndarray]:
    """The run's pins with ids of remainder `half` (of `halves`) as numbers, in the snapshot."""
    with _in_snapshot(engine, snapshot) as conn:
        return fetch_columns(conn, "hotspots/pins_of_run", params | VOCABULARY_LISTS, PIN_COLUMNS)


def unpack_pins(read: dict[str, np.ndarray], time_zone: str) -> dict[str, np.ndarray]:
    """pins_of_run's packed columns as one column each (see there): municipality (the AGS as an
    integer), district_id, category, age_band, years_here (positions, 0 for none), in_cells,
    dimension_mask, source (position), exact, created_on (the local day, days since 2000-01-01), metric_x, metric_y and the
    record key of the cell key method (services/disclosure.py)."""
    place, attributes = read["place"], read["attributes"]
    return {"municipality": (place >> 32).astype(np.int32), "district_id": (place & 0xFFFFFFFF).astype(np.int32),
            "category": attributes & 15, "age_band": (attributes >> 4) & 15, "years_here": (attributes >> 8) & 15,
            "in_cells": (attributes >> 12) & 1, "dimension_mask": (attributes >> 13) & 63,
            "source": (attributes >> 19) & 3, "exact": (attributes >> 21) & 1,
            "created_on": filter_cube.local_days(read["created_at"], time_zone),
            "metric_x": read["metric_x"], "metric_y": read["metric_y"], "record_key": read["record_key"]}


def _dense_clusters(engine: Engine, pins: dict[str, np.ndarray], settings: HotspotSettings, run_id: int) -> int:
    """DBSCAN of the run's pins set on the map, per municipality (dense_clusters: exact, by
    grid), stored as the run's clusters on a connection of its own; their number."""
    x, y, municipality = pins["metric_x"], pins["metric_y"], pins["municipality"]
    labels = dense_clusters.dbscan(x, y, settings.dbscan_eps_m, settings.dbscan_min_pins, partition=municipality)
    found = dense_clusters.describe(labels, x, y, municipality, pins["category"] - 1, list(CATEGORIES),
                                    pins["dimension_mask"], DIMENSION_BITS, settings.dbscan_eps_m)
    if found:
        with engine.begin() as conn:
            conn.execute(sql("hotspots/pin_clusters_insert"), [
                {"run_id": run_id, "id": number, "municipality_ags": filter_cube.ags_of(cluster.partition),
                 "pin_count": cluster.pin_count, "main_category": cluster.main_category,
                 "main_dimension": cluster.main_dimension, "outline": shape_to_wkb(cluster.outline),
                 "centre": shape_to_wkb(cluster.centre), "key_sum": key_sum}
                for number, (cluster, key_sum) in enumerate(zip(found, _key_sums(labels, pins["record_key"], found)),
                                                            start=1)])
    return len(found)


def _key_sums(labels: np.ndarray, record_keys: np.ndarray, found: list) -> list[int]:
    """The sum of the record keys of each described cluster's pins."""
    if not found:
        return []
    clustered = labels >= 0
    sums = np.bincount(labels[clustered], weights=record_keys[clustered].astype(np.float64))  # exact below 2**53
    return [int(sums[cluster.label]) for cluster in found]


def _report(run, pin_count: int, hotspot_rows: list[dict], cell_columns: dict, clusters: int) -> RefreshReport:
    overall = [h for h in hotspot_rows if h["variant"] == ALL_PINS]
    return RefreshReport(
        run_id=run.id, pin_count=pin_count, baseline=run.baseline,
        cells=sum(variant == ALL_PINS for variant in cell_columns["variants"]),
        hotspots=sum(h["hotspot_class"] == "hot" for h in overall),
        coldspots=sum(h["hotspot_class"] == "cold" for h in overall),
        clusters=clusters,
    )


def pins_since_last_run(conn: Connection, county_key: str) -> int:
    """New pins of the county that the latest finished run does not include."""
    return conn.execute(sql("hotspots/pins_since_run"), {"county_key": county_key}).scalar_one()


def latest_run(conn: Connection, county_key: str, released_only: bool = False):
    """The latest finished run (a row), or None before the first refresh; with released_only the
    latest one released to the public (services/disclosure.py reads that one)."""
    return conn.execute(sql("hotspots/run_latest"), {"county_key": county_key, "released_only": released_only}).first()


def run_age(run) -> dt.timedelta | None:
    return None if run is None else dt.datetime.now(dt.timezone.utc) - run.finished_at
