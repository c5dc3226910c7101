"""Today's hotspot method before issue 10, kept only as the baseline the benchmarks measure the
new one against (bench/detection.py, bench/hotspots.py): Getis-Ord Gi* (PySAL esda.G_Local,
star, binary weights of the six neighbours, 999 conditional permutations) on each
municipality's hexagon cells on its own, candidates refined with 9,999/99,999 more draws,
Benjamini-Hochberg across the municipality's cells, hot/cold at p < 0.05.

Not used by the application. Its flaws are why it was replaced (README, "Wie Hotspots gefunden
werden"): the conditional randomisation holds a cell's own count fixed, so a cluster inside one
or two cells can never be significant; the refinement draws the cell under test among its own
neighbours; the FDR step makes one cluster's verdict depend on the others.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from esda import fdr
from esda.getisord import G_Local
from libpysal.weights import DistanceBand

ALL_PINS = "all"
SIGNIFICANCE = 0.05
CONFIDENCE_LEVELS = ((0.01, 99), (0.05, 95), (0.10, 90))


# Today's cube and DBSCAN steps (the statements of mapserver/sql/ before the pins carried their
# metric place and dimension mask, migration 0008): every pin projected and its mask summed per
# refresh; ST_ClusterDBSCAN per municipality. They read :dimension_codes and :dimension_bits.
TODAYS_CUBE_SQL = """
WITH bits AS (
    SELECT code, bit FROM unnest(CAST(:dimension_codes AS text[]), CAST(:dimension_bits AS integer[])) AS b(code, bit)
), pins AS (
    SELECT p.municipality_ags, p.district_id, p.category, p.age_band, p.years_here,
           CAST(p.created_at AT TIME ZONE :time_zone AS date) AS created_on,
           (SELECT coalesce(sum(b.bit), 0) FROM bits b WHERE b.code = ANY(p.dimensions)) AS dimension_mask,
           CASE WHEN p.location_precision = 'exact' THEN cell.i END AS i,
           CASE WHEN p.location_precision = 'exact' THEN cell.j END AS j
    FROM pin p
    JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
    CROSS JOIN LATERAL (SELECT ST_X(t.geom) AS x, ST_Y(t.geom) AS y
                        FROM (SELECT ST_Transform(p.geom, :metric_srid) AS geom) AS t OFFSET 0) AS metric
    {{hex_cell}}
    WHERE p.id <= :last_pin_id
), inserted AS (
    INSERT INTO pin_cube (run_id, municipality_ags, district_id, cell_id, category, dimension_mask,
                          age_band, years_here, created_on, pin_count)
    SELECT :run_id, pins.municipality_ags, pins.district_id, c.id, pins.category, pins.dimension_mask,
           pins.age_band, pins.years_here, pins.created_on, count(*)
    FROM pins
    LEFT JOIN hex_cell c ON c.run_id = :run_id AND c.municipality_ags = pins.municipality_ags
                        AND c.i = pins.i AND c.j = pins.j
    GROUP BY 2, 3, 4, 5, 6, 7, 8, 9
    RETURNING cell_id, category, pin_count
), cell_counts AS (
    SELECT cell_id, category, sum(pin_count) AS pin_count FROM inserted WHERE cell_id IS NOT NULL GROUP BY 1, 2
)
SELECT c.id, c.municipality_ags, c.i, c.j, c.area_share, cell_counts.category,
       coalesce(cell_counts.pin_count, 0) AS pin_count
FROM hex_cell c
LEFT JOIN cell_counts ON cell_counts.cell_id = c.id
WHERE c.run_id = :run_id
ORDER BY c.id
"""

TODAYS_DBSCAN_SQL = """
WITH clustered AS (
    SELECT p.id, p.municipality_ags, p.category, p.dimensions, metric.geom,
           ST_ClusterDBSCAN(metric.geom, eps => :dbscan_eps_m, minpoints => :dbscan_min_pins)
               OVER (PARTITION BY p.municipality_ags) AS cluster_no
    FROM pin p
    JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
    CROSS JOIN LATERAL (SELECT ST_Transform(p.geom, :metric_srid) AS geom) metric
    WHERE p.id <= :last_pin_id AND p.location_precision = 'exact'
), clusters AS (
    SELECT municipality_ags, cluster_no, count(*) AS pin_count,
           mode() WITHIN GROUP (ORDER BY category) AS main_category,
           ST_Buffer(ST_ConvexHull(ST_Collect(geom)), :dbscan_eps_m / 4.0, 'quad_segs=2') AS outline
    FROM clustered WHERE cluster_no IS NOT NULL
    GROUP BY municipality_ags, cluster_no
), dimensions AS (
    SELECT municipality_ags, cluster_no, mode() WITHIN GROUP (ORDER BY dimension) AS main_dimension
    FROM clustered, unnest(dimensions) AS dimension
    WHERE cluster_no IS NOT NULL
    GROUP BY municipality_ags, cluster_no
)
INSERT INTO pin_cluster (run_id, id, variant, municipality_ags, pin_count, main_category, main_dimension,
                         outline, centre)
SELECT :run_id, row_number() OVER (ORDER BY c.municipality_ags, c.pin_count DESC, c.cluster_no), 'all',
       c.municipality_ags, c.pin_count, c.main_category, d.main_dimension,
       ST_Transform(c.outline, :storage_srid), ST_Transform(ST_Centroid(c.outline), :storage_srid)
FROM clusters c
LEFT JOIN dimensions d USING (municipality_ags, cluster_no)
"""

@dataclass(frozen=True)
class GiStarSettings:
    cell_size_m: float = 250.0
    permutations: int = 999
    seed: int = 20261124


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


def gi_star(counts: np.ndarray, weights: DistanceBand, settings: GiStarSettings) -> list[tuple]:
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


def cell_statistics(run_id: int, cells, settings: GiStarSettings, variants=(ALL_PINS,)) -> list[dict]:
    """Rows for cell_statistic from the per-category cell counts of one run (as today's refresh
    computed them, for the given variants; today's refresh ran all pins and each category)."""
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
        for variant in variants:
            counts = np.array([municipality_cells[i]["counts"][variant] for i in ids])
            for cell_id, count, (z, p, hotspot_class, confidence) in zip(ids, counts, gi_star(counts, weights, settings)):
                rows.append({"run_id": run_id, "cell_id": cell_id, "variant": variant, "pin_count": int(count),
                             "gi_z": z, "gi_p": p, "hotspot_class": hotspot_class, "confidence": confidence})
    return rows


