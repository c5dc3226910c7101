"""The hotspot batch job: hexagon grid, filter cube, Getis-Ord Gi* (PySAL) and DBSCAN clusters,
stored per run. Pages and APIs only read what a finished run stored."""
from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from esda import fdr
from esda.getisord import G_Local
from libpysal.weights import DistanceBand
from sqlalchemy import Connection, Engine

from ..db import sql
from ..vocabulary import CATEGORIES, DIMENSION_BITS

# Gi* is computed for all pins and for each category on its own.
ALL_PINS = "all"
VARIANTS = (ALL_PINS, *(f"category:{code}" for code in CATEGORIES))

# A cell is a hotspot (coldspot) at p < 0.05 after the false discovery rate correction
# (Benjamini–Hochberg) across the municipality's cells: without it, hundreds of cells tested at
# once would show "hotspots" in pins spread purely at random. Confidence levels kept: 99/95/90 %.
SIGNIFICANCE = 0.05
CONFIDENCE_LEVELS = ((0.01, 99), (0.05, 95), (0.10, 90))
RUNS_KEPT = 3


@dataclass(frozen=True)
class HotspotSettings:
    cell_size_m: float = 250.0  # hexagon edge length in metres
    dbscan_eps_m: float = 150.0
    dbscan_min_pins: int = 5
    permutations: int = 999
    seed: int = 20261124  # permutation inference is reproducible from run to run
    time_zone: str = "Europe/Berlin"

    @classmethod
    def from_config(cls, config) -> "HotspotSettings":
        return cls(cell_size_m=config["HOTSPOT_CELL_SIZE_M"], dbscan_eps_m=config["DBSCAN_EPS_M"],
                   dbscan_min_pins=config["DBSCAN_MIN_PINS"], permutations=config["GI_PERMUTATIONS"],
                   time_zone=config["TIME_ZONE"])


@dataclass
class RefreshReport:
    run_id: int
    pin_count: int
    cells: int = 0
    hotspots: int = 0
    coldspots: int = 0
    clusters: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        timing = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in self.seconds.items())
        return (f"Auswertung {self.run_id}: {self.pin_count} Pins, {self.cells} Zellen, "
                f"{self.hotspots} Hotspot- und {self.coldspots} Coldspot-Zellen (alle Pins, p < 0,05), "
                f"{self.clusters} Cluster. ({timing})")


def cell_centre(i: int, j: int, size: float) -> tuple[float, float]:
    """Metric centre of ST_HexagonGrid's cell (i, j): flat-topped, odd columns half a row up."""
    return 1.5 * size * i, math.sqrt(3) * size * (j + (0.5 if i % 2 else 0.0))


def classify(z: np.ndarray, p: np.ndarray) -> list[tuple[str, int | None]]:
    """(hotspot_class, confidence) per cell, with FDR-corrected thresholds for each level."""
    thresholds = {level: fdr(p, alpha) for alpha, level in CONFIDENCE_LEVELS}
    significant = thresholds[95]
    out = []
    for zi, pi in zip(z, p):
        confidence = next((level for _, level in CONFIDENCE_LEVELS if pi <= thresholds[level]), None)
        if pi <= significant:
            out.append(("hot" if zi > 0 else "cold", confidence))
        else:
            out.append(("none", confidence))
    return out


# Candidates are refined in stages, each only for the cells still at the previous floor.
REFINEMENT_STAGES = ((0.01, 9_999), (0.001, 99_999))


def refine_p_values(counts: np.ndarray, weights: DistanceBand, p: np.ndarray, z: np.ndarray,
                    seed: int) -> np.ndarray:
    """Sharper pseudo p-values for the candidate cells (p <= 0.01 after 999 permutations).

    999 permutations cannot show a p-value below 0.001, but the false discovery rate correction
    over hundreds of cells needs thresholds far below that. For the candidates the conditional
    randomisation is repeated 9,999 and, where still needed, 99,999 times: the cell's own count
    fixed, its k neighbours drawn at random from the municipality's cells (with replacement:
    k is at most 6 among hundreds of cells). Gi* rises with the neighbourhood sum, so one sorted
    set of simulated sums per neighbour count serves every candidate."""
    refined = p.copy()
    rng = np.random.default_rng(seed)
    neighbour_index = [np.array([weights.id2i[j] for j in weights.neighbors[weights.id_order[i]]], dtype=int)
                       for i in range(counts.size)]
    for stage, (floor, permutations) in enumerate(REFINEMENT_STAGES):
        # After the first refinement the p-values are sound (PySAL's folded p_sim counts ties
        # with the observed value on one side only, which makes empty cells among empty
        # neighbours look like coldspots), so from then on a cell already below the strictest
        # threshold (99 %) is decided, and only cells at the floor above it are refined again.
        decided = fdr(refined, CONFIDENCE_LEVELS[0][0]) if stage else -1.0
        candidates = np.flatnonzero((refined <= floor) & (refined > decided))
        simulated: dict[int, np.ndarray] = {}
        for i in candidates:
            k = neighbour_index[i].size
            if k not in simulated:
                simulated[k] = np.sort(counts[rng.integers(0, counts.size, size=(permutations, k))].sum(axis=1))
            sums = simulated[k]
            needed = counts[neighbour_index[i]].sum()  # the observed neighbourhood sum, own count aside
            if z[i] > 0:
                extreme = sums.size - np.searchsorted(sums, needed, side="left")
            else:
                extreme = np.searchsorted(sums, needed, side="right")
            refined[i] = (extreme + 1) / (permutations + 1)
    return refined


def gi_star(counts: np.ndarray, weights: DistanceBand, settings: HotspotSettings) -> list[tuple]:
    """Gi* of each cell: (z, p, class, confidence); no statistic where every count is equal.

    z is the cell's z-score against its permutation distribution (its sign: hot or cold); p is
    the pseudo p-value of the 999 conditional permutations (PySAL's p_sim), refined for the
    candidate cells, then judged with the false discovery rate correction."""
    if counts.size < 3 or np.all(counts == counts[0]):
        return [(None, None, "none", None)] * counts.size
    result = G_Local(counts.astype(float), weights, transform="B", permutations=settings.permutations,
                     star=True, seed=settings.seed, keep_simulations=True, n_jobs=1)
    spread = result.rGs.std(axis=1)
    z = np.where(spread > 0, (result.Gs - result.rGs.mean(axis=1)) / np.where(spread > 0, spread, 1.0), 0.0)
    p = refine_p_values(counts, weights, np.asarray(result.p_sim, dtype=float), z, settings.seed)
    return [(float(zi), float(pi), *cls) for zi, pi, cls in zip(z, p, classify(z, p))]


def cell_statistics(run_id: int, cells, settings: HotspotSettings) -> list[dict]:
    """Rows for cell_statistic from the per-category cell counts of one run."""
    by_municipality: dict[str, dict[int, dict]] = defaultdict(dict)
    for row in cells:
        cell = by_municipality[row.municipality_ags].setdefault(
            row.id, {"i": row.i, "j": row.j, "counts": defaultdict(int)})
        if row.category is not None:
            cell["counts"][f"category:{row.category}"] += row.pin_count
            cell["counts"][ALL_PINS] += row.pin_count
    rows = []
    neighbour_distance = math.sqrt(3) * settings.cell_size_m * 1.01
    for ags, municipality_cells in sorted(by_municipality.items()):
        ids = list(municipality_cells)
        centres = np.array([cell_centre(c["i"], c["j"], settings.cell_size_m) for c in municipality_cells.values()])
        weights = DistanceBand(centres, threshold=neighbour_distance, binary=True, silence_warnings=True)
        for variant in VARIANTS:
            counts = np.array([municipality_cells[i]["counts"][variant] for i in ids])
            for cell_id, count, (z, p, hotspot_class, confidence) in zip(ids, counts, gi_star(counts, weights, settings)):
                rows.append({"run_id": run_id, "cell_id": cell_id, "variant": variant, "pin_count": int(count),
                             "gi_z": z, "gi_p": p, "hotspot_class": hotspot_class, "confidence": confidence})
    return rows


def refresh(engine: Engine, county_key: str, settings: HotspotSettings) -> RefreshReport:
    """Compute and store a new run for the county, then prune old runs.

    Pages read only finished runs, so the steps may commit one by one: the filter cube and the
    DBSCAN clusters are built at the same time on two connections (two cores), both over the
    pins up to the run's last pin id. One refresh at a time per county (an advisory lock); a
    failed run is removed."""
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def lap(step: str):
        nonlocal started
        now = time.perf_counter()
        timings[step] = now - started
        started = now

    with engine.connect() as conn:
        conn.execute(sql("lock_refresh"), {"county_key": county_key})
        conn.commit()
        run = None
        try:
            with conn.begin():
                params = {"county_key": county_key, "cell_size_m": settings.cell_size_m,
                          "dbscan_eps_m": settings.dbscan_eps_m, "dbscan_min_pins": settings.dbscan_min_pins,
                          "permutations": settings.permutations}
                run = conn.execute(sql("create_aggregate_run"), params).one()
                params |= {"run_id": run.id, "last_pin_id": run.last_pin_id, "time_zone": settings.time_zone,
                           "dimension_codes": list(DIMENSION_BITS), "dimension_bits": list(DIMENSION_BITS.values())}
                conn.execute(sql("insert_hex_cells"), params)
                conn.execute(sql("analyze_aggregates"))
            lap("Raster")
            with ThreadPoolExecutor(max_workers=2) as pool:
                steps = [pool.submit(_in_transaction, engine, ["insert_pin_cube", "analyze_aggregates"], params),
                         pool.submit(_in_transaction, engine, ["insert_pin_clusters"], params)]
                for step in steps:
                    step.result()
            lap("Würfel und DBSCAN")
            with conn.begin():
                cells = conn.execute(sql("cell_counts_by_variant"), {"run_id": run.id}).all()
                statistics = cell_statistics(run.id, cells, settings)
                conn.execute(sql("insert_cell_statistic"), statistics)
                conn.execute(sql("finish_aggregate_run"), {"run_id": run.id})
                conn.execute(sql("prune_aggregate_runs"), {"county_key": county_key, "keep": RUNS_KEPT})
                report = _report(conn, run, statistics)
            lap("Gi*")
        except BaseException:
            if conn.in_transaction():
                conn.rollback()
            if run is not None:
                with conn.begin():
                    conn.execute(sql("delete_aggregate_run"), {"run_id": run.id})
            raise
        finally:
            conn.execute(sql("unlock_refresh"), {"county_key": county_key})
            conn.commit()
    report.seconds = timings
    return report


def _in_transaction(engine: Engine, statements: list[str], params: dict) -> None:
    """One step of a refresh on a connection of its own (a thread of the pool)."""
    with engine.begin() as conn:
        for name in statements:
            conn.execute(sql(name), params)


def _report(conn: Connection, run, statistics: list[dict]) -> RefreshReport:
    overall = [s for s in statistics if s["variant"] == ALL_PINS]
    return RefreshReport(
        run_id=run.id, pin_count=run.pin_count, cells=len(overall),
        hotspots=sum(s["hotspot_class"] == "hot" for s in overall),
        coldspots=sum(s["hotspot_class"] == "cold" for s in overall),
        clusters=conn.execute(sql("count_pin_clusters"), {"run_id": run.id}).scalar_one(),
    )


def pins_since_last_run(conn: Connection, county_key: str) -> int:
    """New pins of the county that the latest finished run does not include."""
    return conn.execute(sql("pins_since_run"), {"county_key": county_key}).scalar_one()


def latest_run(conn: Connection, county_key: str):
    """The latest finished run (a row), or None before the first refresh."""
    return conn.execute(sql("latest_aggregate_run"), {"county_key": county_key}).first()


def run_age(run) -> dt.timedelta | None:
    return None if run is None else dt.datetime.now(dt.timezone.utc) - run.finished_at
