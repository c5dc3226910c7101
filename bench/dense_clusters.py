"""DBSCAN benchmark: the refresh's grid DBSCAN (mapserver/services/dense_clusters.py) against the
field's two DBSCANs on the same points in the same run: PostGIS's ST_ClusterDBSCAN (today's
method before issue 10) and scikit-learn's DBSCAN (k-d tree, both cores), with eps 150 m and
5 pins as the refresh uses them. Points like the hotspot benchmark's: 70 % around 150 village
centres (normal, sigma 600 m), 30 % anywhere in a 40 km square, in 8 partitions (municipalities).
In a database of its own (glaswaende_bench_dbscan). Prints seconds and ratios, and checks that all three find the same core pins, clusters and
noise. scikit-learn is left out above 300,000 points (its neighbour lists grow with the points
times their neighbours: gigabytes at a million).
Run: `make bench-dbscan` (or python bench/dense_clusters.py --sizes 100000,1000000).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import fresh_database, psycopg_url, server_url  # noqa: E402  (bench/ is the script's folder)
from mapserver.services import dense_clusters  # noqa: E402

BENCH_DB = "glaswaende_bench_dbscan"

EPS, MIN_PINS = 150.0, 5
SKLEARN_LIMIT = 300_000


def points(n: int, seed: int):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 40_000, (150, 2))
    near = rng.random(n) < 0.7
    xy = np.where(near[:, None], centres[rng.integers(0, 150, n)] + rng.normal(0, 600, (n, 2)),
                  rng.uniform(0, 40_000, (n, 2))) + (500_000, 5_760_000)
    quarter = np.clip((xy[:, 0] - 500_000) // 10_000, 0, 3) + 4 * np.clip((xy[:, 1] - 5_760_000) // 20_000, 0, 1)
    return xy, quarter.astype(np.int64)  # 0 … 7, so that part * 1,000,000 + cluster numbers them apart


def same_clusters(labels: np.ndarray, reference: np.ndarray, core: np.ndarray) -> bool:
    pairs = set(zip(labels[core].tolist(), reference[core].tolist()))
    return (len(pairs) == len(set(labels[core].tolist())) == len(set(reference[core].tolist()))
            and np.array_equal(labels < 0, reference < 0))


def postgis(dsn: str, xy: np.ndarray, partition: np.ndarray):
    """ST_ClusterDBSCAN per partition (timed: the window function alone)."""
    with psycopg.connect(dsn, options="-c jit=off -c work_mem=256MB") as conn:
        conn.execute("CREATE TEMPORARY TABLE points (n integer, part integer, geom geometry(Point, 25832))")
        with conn.cursor().copy("COPY points (n, part, geom) FROM STDIN") as copy:
            for n, ((x, y), part) in enumerate(zip(xy, partition)):
                copy.write_row((n, int(part), f"SRID=25832;POINT({float(x)!r} {float(y)!r})"))
        conn.execute("CREATE INDEX ON points USING gist (geom)")
        conn.execute("ANALYZE points")
        started = time.perf_counter()
        rows = conn.execute("""SELECT n, part, ST_ClusterDBSCAN(geom, eps => %s, minpoints => %s)
                                              OVER (PARTITION BY part) FROM points""", (EPS, MIN_PINS)).fetchall()
        seconds = time.perf_counter() - started
    labels = np.full(len(xy), -1, dtype=np.int64)
    for n, part, cluster in rows:
        if cluster is not None:
            labels[n] = part * 1_000_000 + cluster
    return seconds, labels


def core_points(xy: np.ndarray, partition: np.ndarray) -> np.ndarray:
    """Points with at least MIN_PINS points within EPS in their partition (scipy's k-d tree)."""
    from scipy.spatial import cKDTree

    core = np.zeros(len(xy), dtype=bool)
    for part in np.unique(partition):
        own = np.flatnonzero(partition == part)
        core[own] = cKDTree(xy[own]).query_ball_point(xy[own], r=EPS, return_length=True) >= MIN_PINS
    return core


def scikit_learn(xy: np.ndarray, partition: np.ndarray):
    from sklearn.cluster import DBSCAN

    labels = np.full(len(xy), -1, dtype=np.int64)
    started = time.perf_counter()
    for part in np.unique(partition):
        own = np.flatnonzero(partition == part)
        found = DBSCAN(eps=EPS, min_samples=MIN_PINS, algorithm="kd_tree", n_jobs=2).fit(xy[own]).labels_
        labels[own] = np.where(found >= 0, part * 1_000_000 + found, -1)
    return time.perf_counter() - started, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    args = parser.parse_args()
    server = server_url("bench-dbscan")
    dsn = psycopg_url(fresh_database(server, BENCH_DB))
    print(f"{os.cpu_count()} cores; eps {EPS:.0f} m, {MIN_PINS} pins; 8 partitions")
    for n in (int(s) for s in args.sizes.split(",")):
        xy, partition = points(n, seed=n)
        started = time.perf_counter()
        labels = dense_clusters.dbscan(xy[:, 0], xy[:, 1], EPS, MIN_PINS, partition)
        grid_s = time.perf_counter() - started
        postgis_s, postgis_labels = postgis(dsn, xy, partition)
        core = core_points(xy, partition)
        line = (f"{n:>9,} points: grid {grid_s:.2f} s, ST_ClusterDBSCAN {postgis_s:.2f} s "
                f"-> grid/PostGIS {grid_s / postgis_s:.2f}; same as PostGIS: {same_clusters(labels, postgis_labels, core)}")
        if n <= SKLEARN_LIMIT:
            sklearn_s, sklearn_labels = scikit_learn(xy, partition)
            line += (f"; scikit-learn {sklearn_s:.2f} s -> grid/scikit-learn {grid_s / sklearn_s:.2f}, "
                     f"same: {same_clusters(labels, sklearn_labels, core)}")
        print(line + f"; {labels.max() + 1} clusters, {(labels < 0).sum():,} noise", flush=True)


if __name__ == "__main__":
    main()
