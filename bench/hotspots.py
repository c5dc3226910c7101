"""Hotspot benchmarks (issues 3 and 10), each against a baseline measured in the same run.

For 10,000, 100,000 and 1,000,000 synthetic pins clustered around the Ortsteile (plus a uniform
background), in a database of its own (glaswaende_bench_hotspots):
  1. hexagon x category counts for all municipalities: PostGIS (hex_cell_index + GROUP BY)
     against geopandas doing the same (grid, sjoin, groupby) on pins already in memory;
  2. the planner's municipality page (page + map) from stored aggregates against computing the
     aggregates in the request (a refresh, then the page);
  3. `hotspots refresh` for the whole county (scan statistic, 999 replications, all pins and each
     category) against today's method before issue 10 on the same run: the same grid, cube and
     DBSCAN steps, then Getis-Ord Gi* with 999 permutations per municipality and variant
     (bench/baseline_gi_star.py) instead of the scan (goals: < 3 s at 100,000, < 10 s at 1,000,000);
  4. the planner map page's HTML size (goal at 100,000 pins: < 1.5 MB).
Run: `make bench-hotspots` (or python bench/hotspots.py --sizes 10000,100000).
"""
from __future__ import annotations

import argparse
import math
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import numpy as np
import psycopg
from shapely import from_wkb
from shapely.geometry import Polygon
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import fresh_database, psycopg_url, server_url  # noqa: E402  (bench/ is the script's folder)
from mapserver import create_app  # noqa: E402
from mapserver.db import SRID_PARAMETERS, sql, with_fragments  # noqa: E402
from mapserver.services import accounts, hotspots  # noqa: E402
from mapserver.vocabulary import DIMENSION_BITS  # noqa: E402
import baseline_gi_star  # noqa: E402  (today's method before issue 10)

BENCH_DB = "glaswaende_bench_hotspots"
CELL = 250.0

SYNTHETIC_PINS = """
-- 70 percent of the pins fall around the Ortsteil centres (normal, sigma 600 m), 30 percent
-- anywhere in the county's bounding box; only points inside a municipality are kept.
WITH params AS (SELECT setseed(0.42)),
centres AS (SELECT row_number() OVER (ORDER BY id) AS n, ST_Transform(centre, 25832) AS c
            FROM district WHERE centre IS NOT NULL),
box AS (SELECT ST_Transform(geom, 25832) AS g, (SELECT count(*) FROM centres) AS centre_count FROM county),
draws AS (
    SELECT s, 1 + floor(random() * box.centre_count)::int AS k, random() AS u,
           random() AS r1, random() AS r2, random() AS r3, random() AS r4, box.g
    FROM params, box, generate_series(1, %(n)s * 2) AS s
), candidates AS (
    SELECT d.s, CASE WHEN d.u < 0.7 THEN
               ST_Translate(c.c, sqrt(-2 * ln(d.r1)) * cos(2 * pi() * d.r2) * 600,
                                 sqrt(-2 * ln(d.r1)) * sin(2 * pi() * d.r2) * 600)
           ELSE ST_SetSRID(ST_MakePoint(ST_XMin(d.g) + d.r3 * (ST_XMax(d.g) - ST_XMin(d.g)),
                                        ST_YMin(d.g) + d.r4 * (ST_YMax(d.g) - ST_YMin(d.g))), 25832) END AS geom
    FROM draws d JOIN centres c ON c.n = d.k
), placed AS (
    SELECT ST_Transform(geom, 4326) AS geom FROM candidates
)
INSERT INTO pin (client_id, geom, category, dimensions, age_band, municipality_ags, district_id, created_at)
SELECT gen_random_uuid(), p.geom,
       (ARRAY['divided', 'missing_meeting_place', 'meeting_place'])[1 + floor(random() * 3)::int],
       CASE floor(random() * 4)::int WHEN 0 THEN ARRAY['social'] WHEN 1 THEN ARRAY['generations']
                                     WHEN 2 THEN ARRAY['origin', 'income'] ELSE ARRAY[]::text[] END,
       (ARRAY['18_29', '30_49', '65_plus'])[1 + floor(random() * 3)::int],
       m.ags, district_for_point(m.ags, p.geom), now() - floor(random() * 60) * INTERVAL '1 day'
FROM (SELECT p.geom, m.ags FROM placed p JOIN municipality m ON ST_Covers(m.geom, p.geom) LIMIT %(n)s) AS p
JOIN municipality m ON m.ags = p.ags
"""

# The SQL cell arithmetic (mapserver/sql/fragments/hex_cell.sql) on the pins' stored metric
# place (generated columns, migration 0008; geopandas gets its pins projected too), by category.
POSTGIS_HEX_COUNTS = with_fragments("""
SELECT p.municipality_ags, cell.i, cell.j, p.category, count(*)
FROM pin p CROSS JOIN LATERAL (SELECT p.metric_x AS x, p.metric_y AS y) AS metric
{{hex_cell}}
GROUP BY 1, 2, 3, 4
""").replace(":cell_size_m", "%(cell)s")


def prepare(server_url: str) -> str:
    bench_url = fresh_database(server_url, BENCH_DB)
    engine = create_engine(bench_url)
    with engine.begin() as conn:
        accounts.create_account(conn, "bench", "bench-passwort-lang", ["planner"])
    engine.dispose()
    return bench_url


def fill(dsn: str, n: int) -> float:
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True, options="-c jit=off") as conn:
        conn.execute("TRUNCATE pin, aggregate_run, pin_cube CASCADE")
        conn.execute("SELECT drop_orphan_pin_cubes()")
        conn.execute(SYNTHETIC_PINS, {"n": n})
        conn.execute("VACUUM ANALYZE pin")
    return time.perf_counter() - started


def timed(function, repeat: int = 1):
    best, result = math.inf, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def postgis_hex_counts(dsn: str):
    with psycopg.connect(dsn, options="-c jit=off") as conn:
        return conn.execute(POSTGIS_HEX_COUNTS, {"cell": CELL}).fetchall()


def load_for_geopandas(dsn: str):
    with psycopg.connect(dsn, options="-c jit=off") as conn:
        pins = conn.execute("SELECT municipality_ags, category, ST_AsBinary(ST_Transform(geom, 25832)) FROM pin").fetchall()
        municipalities = conn.execute("SELECT ags, ST_AsBinary(ST_Transform(geom, 25832)) FROM municipality").fetchall()
    frame = gpd.GeoDataFrame({"ags": [p[0] for p in pins], "category": [p[1] for p in pins]},
                             geometry=gpd.GeoSeries.from_wkb([bytes(p[2]) for p in pins]), crs=25832)
    boundaries = gpd.GeoDataFrame({"ags": [m[0] for m in municipalities]},
                                  geometry=[from_wkb(bytes(m[1])) for m in municipalities], crs=25832)
    return frame, boundaries


def geopandas_hex_counts(pins: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame):
    """The same counts the geopandas way: a hexagon grid per municipality, sjoin, groupby."""
    results = []
    h = math.sqrt(3) * CELL
    for row in municipalities.itertuples():
        west, south, east, north = row.geometry.bounds
        cells, ids = [], []
        for i in range(math.floor(west / (1.5 * CELL)) - 1, math.ceil(east / (1.5 * CELL)) + 2):
            cx = 1.5 * CELL * i
            for j in range(math.floor(south / h) - 1, math.ceil(north / h) + 2):
                cy = h * (j + (0.5 if i % 2 else 0.0))
                cells.append(Polygon([(cx + CELL * math.cos(a), cy + CELL * math.sin(a))
                                      for a in np.radians([180, 240, 300, 0, 60, 120])]))
                ids.append((i, j))
        grid = gpd.GeoDataFrame({"cell": range(len(ids))}, geometry=cells, crs=25832)
        grid = grid[grid.intersects(row.geometry)]
        own = pins[pins["ags"] == row.ags]
        joined = gpd.sjoin(own, grid, predicate="within", how="inner")
        results.append(joined.groupby(["cell", "category"]).size())
    return results


def sign_in(client, name: str, password: str) -> None:
    """Sign in through the form as a browser would: with the form's CSRF token."""
    form = client.get("/anmelden").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post("/anmelden", data={"name": name, "password": password, "csrf_token": token})
    assert response.status_code == 302, ("sign-in failed", response.status_code)


# Today's refresh ran its steps with 256 MB of work_mem (the cube's GROUP BY spilled to disk at
# the default 4 MB) and without JIT (compiling the big spatial statements cost more than it saved).
TODAYS_WORK_MEMORY = "SELECT set_config('work_mem', '256MB', true), set_config('jit', 'off', true)"


def todays_refresh(engine, settings) -> tuple[float, float]:
    """Today's refresh before issue 10, timed on the same pins: the same grid step, then today's
    cube and DBSCAN statements (baseline_gi_star: every pin projected and grouped in SQL per
    refresh, into an indexed table; ST_ClusterDBSCAN) on two connections at once, the cube
    returning the cell counts, then
    Getis-Ord Gi* for all pins and each category, per municipality. Its cell rows are not stored
    (the table has no columns for them any more), which favours today's method by the storing
    time. The run is removed afterwards. (total seconds, seconds of the Gi* step)."""
    started = time.perf_counter()
    with engine.connect() as conn:
        with conn.begin():
            params = {"county_key": "03252", "cell_size_m": settings.cell_size_m, "dbscan_eps_m": settings.dbscan_eps_m,
                      "dbscan_min_pins": settings.dbscan_min_pins, "replications": settings.replications,
                      "max_radius_m": settings.max_radius_m}
            run = conn.execute(sql("hotspots/run_create"), params).one()
            params |= {"run_id": run.id, "last_pin_id": run.last_pin_id, "time_zone": settings.time_zone,
                       "dimension_codes": list(DIMENSION_BITS), "dimension_bits": list(DIMENSION_BITS.values()),
                       **SRID_PARAMETERS}
            conn.execute(sql("hotspots/hex_cells_insert"), params)
            conn.execute(sql("hotspots/grid_analyze"))
            # Today's cube went into one table with its index: the partition is indexed before it is filled.
            conn.execute(sql("hotspots/pin_cube_partition_create"), {"run_id": run.id})
            conn.execute(sql("hotspots/pin_cube_partition_index"), {"run_id": run.id})

        def step(statement):
            with engine.begin() as c:
                c.execute(text(TODAYS_WORK_MEMORY))
                result = c.execute(text(with_fragments(statement)), params)
                return result.all() if result.returns_rows else None

        with ThreadPoolExecutor(max_workers=2) as pool:
            cube = pool.submit(step, baseline_gi_star.TODAYS_CUBE_SQL)
            clusters = pool.submit(step, baseline_gi_star.TODAYS_DBSCAN_SQL)
            cells = cube.result()
            clusters.result()
        gi_started = time.perf_counter()
        baseline_gi_star.cell_statistics(run.id, cells, baseline_gi_star.GiStarSettings(), hotspots.VARIANTS)
        gi_s = time.perf_counter() - gi_started
        total = time.perf_counter() - started
        with conn.begin():
            conn.execute(sql("hotspots/run_delete"), {"run_id": run.id})
            conn.execute(sql("hotspots/orphan_pin_cubes_drop"))
    return total, gi_s


def page(client, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return time.perf_counter() - started, len(response.data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    args = parser.parse_args()
    server = server_url("bench-hotspots")
    bench_url = prepare(server)
    dsn = psycopg_url(bench_url)
    app = create_app({"DATABASE_URL": bench_url, "TILE_URL": ""})
    client = app.test_client()
    sign_in(client, "bench", "bench-passwort-lang")
    settings = hotspots.HotspotSettings()
    engine = app.extensions["glaswaende.engine"]
    print(f"{os.cpu_count()} cores; cells {CELL:.0f} m; scan statistic {settings.replications} replications, "
          f"circles up to {settings.max_radius_m:.0f} m; baseline Gi* {baseline_gi_star.GiStarSettings().permutations} permutations")
    for n in (int(s) for s in args.sizes.split(",")):
        fill_s = fill(dsn, n)
        print(f"\n== {n:,} pins (generated in {fill_s:.1f} s)")
        postgis_s, _ = timed(lambda: postgis_hex_counts(dsn), repeat=2)
        load_s, (pins, municipalities) = timed(lambda: load_for_geopandas(dsn))
        geopandas_s, _ = timed(lambda: geopandas_hex_counts(pins, municipalities))
        print(f"1. hexagon x category counts: PostGIS {postgis_s:.2f} s, geopandas {geopandas_s:.2f} s "
              f"(+ {load_s:.2f} s loading the pins) -> PostGIS/geopandas {postgis_s / geopandas_s:.2f} "
              f"(goal <= 1.00: {'met' if postgis_s <= geopandas_s else 'NOT met'})")
        refresh_s, report = timed(lambda: hotspots.refresh(engine, "03252", settings))
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
        # Then as every later refresh runs: the grid copied from this run, and (from the fourth
        # run on, here forced by pruning to one kept run) the oldest run removed.
        kept, hotspots.RUNS_KEPT = hotspots.RUNS_KEPT, 1
        try:
            again_s, again = timed(lambda: hotspots.refresh(engine, "03252", settings))
        finally:
            hotspots.RUNS_KEPT = kept
        again_steps = ", ".join(f"{k} {v:.1f} s" for k, v in again.seconds.items())
        todays_s, gi_s = todays_refresh(engine, settings)
        goal = 10 if n >= 1_000_000 else 3 if n >= 100_000 else None
        slowest = max(refresh_s, again_s)
        print(f"3. hotspots refresh (county): first {refresh_s:.2f} s ({steps}); again {again_s:.2f} s "
              f"({again_steps}); {report.hotspots} hotspots, {report.clusters} clusters. Today's refresh on the same "
              f"pins: {todays_s:.2f} s (of it Gi* {gi_s:.2f} s, the scan statistic's "
              f"{report.seconds.get('Scan-Statistik', 0):.2f} s) -> new/today {refresh_s / todays_s:.2f}"
              + (f" (goal < {goal} s: {'met' if slowest < goal else 'NOT met'})" if goal else ""), flush=True)
        path = "/planung/gemeinde/03252008"
        page(client, path)  # warm caches
        stored_s = min(page(client, path)[0] + page(client, path + "/karte")[0] for _ in range(3))
        in_request_s = refresh_s + stored_s
        print(f"2. planner page from stored aggregates {stored_s:.3f} s, computed in the request {in_request_s:.2f} s "
              f"-> stored/in-request {stored_s / in_request_s:.3f} (goal <= 0.10: "
              f"{'met' if stored_s / in_request_s <= 0.1 else 'NOT met'})")
        _, municipality_size = page(client, path + "/karte")
        _, county_size = page(client, "/planung/karte")
        print(f"4. planner map HTML: municipality {municipality_size / 1e6:.2f} MB, county {county_size / 1e6:.2f} MB"
              + (f" (goal < 1.5 MB at 100,000: {'met' if max(municipality_size, county_size) < 1.5e6 else 'NOT met'})"
                 if n == 100_000 else ""))
    engine.dispose()


if __name__ == "__main__":
    main()
