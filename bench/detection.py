"""Detection power and false alarms of the hotspot method (issue 10), against today's method
(Getis-Ord Gi* per municipality, bench/baseline_gi_star.py) on the same data in the same run.

Scenarios on the real county grid (bench/scenarios.py): a uniform background of 2, 5 or 10 pins
per km² over every municipality, plus one planted cluster of 15, 25, 40, 60 or 100 pins, normal
with sigma 50, 100, 200 or 400 m around a random place in the county (or, for "Grenze", on a
random point of a border between two municipalities); and background-only runs. Each scenario
is drawn with --seeds seeds (default 20), each background-only one with --background-seeds
(default 700, 2,100 runs in all: the method's size is 4.9 % by construction, and a rate near 5 %
measured in 600 runs still scatters from 3 % to 7 %, in 2,100 from 4 % to 6 %).

  detection rate: share of runs with a reported hotspot within 300 m of the planted centre;
  false alarms:   share of runs with any hotspot more than 1 km from the planted centre
                  (background only: share of runs with any hotspot at all).

A reported hotspot is, for the scan statistic, a significant window (its cells); for Gi*, an
area of touching hot cells, as the planner page showed them. Distances are to the nearest
hexagon of the hotspot. All pins, one variant, as on the planner page.

Run: `make bench-detection` (or python bench/detection.py --seeds 5 --densities 5).
Goals: detection >= 90 % for clusters of >= 25 pins with sigma <= 200 m at 5 pins per km²;
background-only runs with any hotspot <= 5 %.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import fresh_database, server_url  # noqa: E402
import baseline_gi_star  # noqa: E402
from scenarios import (border_place, background, distance_m, gaussian_cluster, load_county_grid,  # noqa: E402
                       part_hexagons, random_place, scan_hotspots, surface)
from sqlalchemy import create_engine  # noqa: E402

from mapserver.services import hotspots  # noqa: E402

BENCH_DB = "glaswaende_bench_detection"
SETTINGS = hotspots.HotspotSettings()
GI_SETTINGS = baseline_gi_star.GiStarSettings()

_grid = _hexagons = None


_neighbours: list[tuple[str, str]] = []


def _init(database_url: str) -> None:
    global _grid, _hexagons, _neighbours
    engine = create_engine(database_url)
    _grid = load_county_grid(engine, "03252", SETTINGS.cell_size_m)
    engine.dispose()
    _hexagons = part_hexagons(_grid)
    # Pairs of municipalities that share at least 2 km of border: where a border cluster can sit.
    codes = sorted(_grid.municipalities)
    _neighbours = [(a, b) for n, a in enumerate(codes) for b in codes[n + 1:]
                   if _grid.municipalities[a].boundary.intersection(_grid.municipalities[b].boundary).length > 2000]


def _gi_star_areas(rows) -> list[list[int]]:
    """Today's hotspots: Gi* hot cells (all pins), touching ones merged into areas."""
    statistics = baseline_gi_star.cell_statistics(0, rows, GI_SETTINGS)
    hot = [s["cell_id"] for s in statistics if s["hotspot_class"] == "hot"]
    centres = {r.id: baseline_gi_star.cell_centre(r.i, r.j, GI_SETTINGS.cell_size_m) for r in rows if r.id in set(hot)}
    areas, seen = [], set()
    touching = math.sqrt(3) * GI_SETTINGS.cell_size_m * 1.01
    for start in hot:
        if start in seen:
            continue
        area, queue = [], [start]
        seen.add(start)
        while queue:
            cell = queue.pop()
            area.append(cell)
            for other in hot:
                if other not in seen and math.dist(centres[cell], centres[other]) <= touching:
                    seen.add(other)
                    queue.append(other)
        areas.append(area)
    return areas


def run_once(job: tuple) -> dict:
    """One draw: both methods on the same pins; hits and false alarms of each, and their time.
    A draw that fails is reported as failed (and counted), not allowed to end an hour's run."""
    try:
        return _run_once(job)
    except Exception as error:  # noqa: BLE001 - reported in the summary
        return {"error": f"{type(error).__name__}: {error}"}


def _run_once(job: tuple) -> dict:
    density, size, sigma, border, seed = job
    rng = np.random.default_rng(seed)
    points = [background(_grid, density, rng)]
    place = None
    if size:
        if border:
            first, second = _neighbours[int(rng.integers(len(_neighbours)))]
            place = border_place(_grid, first, second, rng)
        else:
            place = random_place(_grid, rng, margin_m=300)
        points.append(gaussian_cluster(place, size, sigma, rng))
    grid_surface, rows = surface(_grid, np.concatenate(points))
    started = time.perf_counter()
    # The Monte Carlo gets a stream of its own: drawn from the same seed as the pins, the
    # simulated data sets would echo the observed one.
    clusters = scan_hotspots(grid_surface, hotspots.HotspotSettings(seed=int(np.random.SeedSequence([seed, 1]).generate_state(1)[0])))
    scan_s = time.perf_counter() - started
    scan_areas = [[int(grid_surface.cell_ids[p]) for p in c.cells] for c in clusters]
    started = time.perf_counter()
    gi_areas = _gi_star_areas(rows)
    gi_s = time.perf_counter() - started
    out = {"scan_s": scan_s, "gi_s": gi_s}
    for name, found in (("scan", scan_areas), ("gi", gi_areas)):
        if place is None:
            out[f"{name}_hit"], out[f"{name}_false"] = False, bool(found)
            continue
        distances = [distance_m([_hexagons[c] for c in area], place) for area in found]
        out[f"{name}_hit"] = any(d <= 300 for d in distances)
        out[f"{name}_false"] = any(d > 1000 for d in distances)
    return out


def wilson_interval(successes: int, runs: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a share (how far a rate measured in `runs` draws may be off)."""
    if runs == 0:
        return math.nan, math.nan
    share = successes / runs
    centre = (share + z * z / (2 * runs)) / (1 + z * z / runs)
    half = z * math.sqrt(share * (1 - share) / runs + z * z / (4 * runs * runs)) / (1 + z * z / runs)
    return centre - half, centre + half


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--background-seeds", type=int, default=700,
                        help="seeds of each background-only scenario (a rate near 5 %% needs hundreds of runs)")
    parser.add_argument("--densities", default="2,5,10")
    parser.add_argument("--sizes", default="15,25,40,60,100")
    parser.add_argument("--sigmas", default="50,100,200,400")
    parser.add_argument("--no-border", action="store_true", help="without the clusters across a municipal border")
    parser.add_argument("--background-only", action="store_true", help="only the runs without a planted cluster")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    server = server_url("bench-detection")
    database_url = fresh_database(server, BENCH_DB)
    densities = [float(d) for d in args.densities.split(",")]
    sizes = [int(n) for n in args.sizes.split(",")]
    sigmas = [float(s) for s in args.sigmas.split(",")]
    scenarios = [(d, 0, 0.0, False) for d in densities]
    if not args.background_only:
        scenarios += [(d, n, s, False) for d in densities for n in sizes for s in sigmas]
    if not args.no_border and not args.background_only:
        scenarios += [(5.0, n, s, True) for n in sizes for s in sigmas]
    jobs = [(*scenario, 1000 * number + seed) for number, scenario in enumerate(scenarios)
            for seed in range(args.background_seeds if scenario[1] == 0 else args.seeds)]
    print(f"{len(scenarios)} scenarios x {args.seeds} seeds ({args.background_seeds} without a cluster) = {len(jobs)} runs "
          f"on {args.workers} processes; "
          f"scan statistic: circles up to {SETTINGS.max_radius_m:.0f} m, {SETTINGS.replications} replications, "
          f"at least {SETTINGS.min_pins} pins; baseline: Gi* {GI_SETTINGS.permutations} permutations + FDR, per municipality.",
          flush=True)
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers, initializer=_init, initargs=(database_url,)) as pool:
        results = list(pool.map(run_once, jobs, chunksize=4))
    failed = [(job, r["error"]) for job, r in zip(jobs, results) if "error" in r]
    print(f"({time.perf_counter() - started:.0f} s)" + (f"; {len(failed)} draws FAILED, first: {failed[0]}" if failed else "") + "\n")
    jobs, results = zip(*[(job, r) for job, r in zip(jobs, results) if "error" not in r]) if len(failed) < len(jobs) else ((), ())
    print(f"{'pins/km²':>8} {'cluster':>8} {'sigma':>6} {'where':>7} | {'detected: scan':>14} {'Gi*':>5} | "
          f"{'false alarms: scan':>18} {'Gi*':>5}")
    by_scenario: dict[tuple, list[dict]] = {}
    for job, result in zip(jobs, results):
        by_scenario.setdefault(job[:4], []).append(result)

    def share(items, key):
        return sum(r[key] for r in items) / len(items) if items else float("nan")

    for (density, size, sigma, border), items in by_scenario.items():
        where = "Grenze" if border else ("–" if not size else "Kreis")
        detected = f"{share(items, 'scan_hit'):>14.0%} {share(items, 'gi_hit'):>5.0%}" if size else f"{'':>14} {'':>5}"
        print(f"{density:>8.0f} {size or '–':>8} {sigma or '–':>6} {where:>7} | {detected} | "
              f"{share(items, 'scan_false'):>18.0%} {share(items, 'gi_false'):>5.0%}")
    goal = [r for (d, n, s, b), items in by_scenario.items() for r in items if d == 5 and n >= 25 and s <= 200]
    empty = [r for (d, n, s, b), items in by_scenario.items() for r in items if n == 0]
    if goal:
        print(f"\nGoal 1, detection >= 90 % for >= 25 pins, sigma <= 200 m at 5 per km² (all such runs, both places): "
              f"scan {share(goal, 'scan_hit'):.1%}, Gi* {share(goal, 'gi_hit'):.1%} "
              f"-> {'met' if share(goal, 'scan_hit') >= 0.9 else 'NOT met'}")
    low, high = wilson_interval(sum(r["scan_false"] for r in empty), len(empty))
    print(f"Goal 2, background-only runs with any hotspot <= 5 %: scan {share(empty, 'scan_false'):.1%} "
          f"(95 % interval {low:.1%}-{high:.1%}, {len(empty)} runs), Gi* {share(empty, 'gi_false'):.1%} "
          f"-> {'met' if empty and share(empty, 'scan_false') <= 0.05 else 'NOT met'}")
    scan_s = np.median([r["scan_s"] for r in results])
    gi_s = np.median([r["gi_s"] for r in results])
    print(f"Time per run (median, one variant): scan {scan_s:.2f} s, Gi* {gi_s:.2f} s -> scan/Gi* {scan_s / gi_s:.2f}")


if __name__ == "__main__":
    main()
