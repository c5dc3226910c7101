"""The refresh reads the pins once as numbers and counts the filter cube, the scan's cells and
DBSCAN in Python: each checked here against what PostgreSQL/PostGIS computes from the same
pins, on pins drawn at random (attributes, district-precision pins, moments around the
changes of daylight saving time, pins on municipal borders)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from mapserver.db import Coded, Nullable, copy_columns_in, query_columns, with_fragments
from mapserver.services import filter_cube, hotspots
from tests.helpers import insert_cluster_around

SETTINGS = hotspots.HotspotSettings()

# The cube as SQL would count it, straight from the pins: the reference the numpy cube must equal
# (the hexagon cell by the SQL fragment, joined to the run's cell parts).
CUBE_IN_SQL = with_fragments("""
    SELECT p.municipality_ags, p.district_id, c.id AS cell_id, p.category, p.dimension_mask, p.age_band, p.years_here,
           CAST(p.created_at AT TIME ZONE :time_zone AS date) AS created_on, count(*) AS pin_count,
           sum(p.record_key) AS key_sum
    FROM pin p
    CROSS JOIN LATERAL (SELECT p.metric_x AS x, p.metric_y AS y) AS metric
    {{hex_cell}}
    LEFT JOIN hex_cell c ON c.run_id = :run_id AND c.municipality_ags = p.municipality_ags
                        AND c.i = cell.i AND c.j = cell.j AND p.location_precision = 'exact'
    WHERE p.id <= :last_pin_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8""")
CUBE_STORED = """
    SELECT municipality_ags, district_id, cell_id, category, dimension_mask, age_band, years_here, created_on,
           sum(pin_count) AS pin_count, sum(key_sum) AS key_sum
    FROM pin_cube WHERE run_id = :run_id GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"""


@pytest.fixture(scope="module")
def random_pins(module_db_url):
    engine = create_engine(module_db_url)
    with engine.begin() as conn:
        # 4,000 pins over the whole county (so on every border), every attribute drawn, moments
        # spread over two years and crowded around the nights the clocks change.
        conn.execute(text("""
            WITH drawn AS (
                SELECT d.geom, d.path[1] AS n
                FROM (SELECT ST_Union(geom) AS geom FROM municipality WHERE county_key = '03252') AS county,
                     LATERAL ST_Dump(ST_GeneratePoints(county.geom, 4000, 77)) AS d
            ), placed AS (  -- attributes drawn by a hash of the point's number, independent of its place
                SELECT d.geom, m.ags, (abs(hashtext('1' || d.n)) % 100000) / 100000.0 AS r1,
                       (abs(hashtext('2' || d.n)) % 100000) / 100000.0 AS r2, (abs(hashtext('3' || d.n)) % 100000) / 100000.0 AS r3,
                       (abs(hashtext('4' || d.n)) % 100000) / 100000.0 AS r4, (abs(hashtext('5' || d.n)) % 100000) / 100000.0 AS r5,
                       (abs(hashtext('6' || d.n)) % 100000) / 100000.0 AS r6
                FROM drawn d JOIN municipality m ON ST_Covers(m.geom, d.geom)
            )
            INSERT INTO pin (client_id, geom, category, dimensions, age_band, years_here, created_at,
                             municipality_ags, district_id, location_precision)
            SELECT gen_random_uuid(), p.geom,
                   (ARRAY['divided', 'missing_meeting_place', 'meeting_place'])[1 + floor(p.r1 * 3)::int],
                   CASE floor(p.r2 * 4)::int WHEN 0 THEN ARRAY[]::text[] WHEN 1 THEN ARRAY['social']
                        WHEN 2 THEN ARRAY['income', 'other'] ELSE ARRAY['origin', 'generations'] END,
                   (ARRAY['18_29', '30_49', '65_plus', NULL])[1 + floor(p.r3 * 4)::int],
                   (ARRAY['under_2', 'over_10', NULL])[1 + floor(p.r4 * 3)::int],
                   CASE WHEN p.r5 < 0.5 THEN TIMESTAMPTZ '2025-03-30 01:00Z' + (p.r6 - 0.5) * INTERVAL '6 hours'
                        WHEN p.r5 < 0.7 THEN TIMESTAMPTZ '2026-10-25 01:00Z' + (p.r6 - 0.5) * INTERVAL '6 hours'
                        ELSE TIMESTAMPTZ '2025-01-01 00:00Z' + p.r6 * INTERVAL '730 days' END,
                   p.ags, district_for_point(p.ags, p.geom), CASE WHEN p.r6 < 0.1 THEN 'district' ELSE 'exact' END
            FROM placed p"""))
        insert_cluster_around(conn, "03252008", "Lauenstein", 40, radius_m=250, seed=3)
        insert_cluster_around(conn, "03252002", "Bakede", 25, radius_m=150, seed=4)
        insert_cluster_around(conn, "03252004", "Marienau", 12, radius_m=100, seed=5)
    report = hotspots.refresh(engine, "03252", SETTINGS)
    yield engine, report
    engine.dispose()


def test_the_cube_counts_what_sql_counts(random_pins):
    engine, report = random_pins
    with engine.connect() as conn:
        run = conn.execute(text("SELECT id, last_pin_id FROM aggregate_run WHERE id = :id"), {"id": report.run_id}).one()
        params = {"run_id": run.id, "last_pin_id": run.last_pin_id, "time_zone": SETTINGS.time_zone,
                  "cell_size_m": SETTINGS.cell_size_m}
        expected = sorted((tuple(r) for r in conn.execute(text(CUBE_IN_SQL), params)), key=repr)
        stored = sorted((tuple(r) for r in conn.execute(text(CUBE_STORED), params)), key=repr)
        assert conn.execute(text("SELECT count(*) FROM pin WHERE location_precision = 'district'")).scalar_one() > 100
    assert stored == expected  # the record keys' sums too (services/disclosure.py)
    assert sum(r[-2] for r in stored) == report.pin_count
    with engine.connect() as conn:
        run_keys = conn.execute(text("SELECT key_sum FROM aggregate_run WHERE id = :id"), {"id": report.run_id}).scalar_one()
    assert run_keys == sum(r[-1] for r in stored)


def test_the_scans_cells_and_the_clusters_count_what_postgis_counts(random_pins):
    engine, report = random_pins
    with engine.connect() as conn:
        # Each cell part's pins per category, as the stored statistic has them, against SQL.
        by_sql = dict(((r.cell_id, r.category), r.pin_count) for r in conn.execute(text(
            "SELECT cell_id, category, sum(pin_count) AS pin_count FROM pin_cube WHERE run_id = :run AND cell_id IS NOT NULL "
            "GROUP BY 1, 2"), {"run": report.run_id}))
        statistic = conn.execute(text(
            "SELECT cell_id, variant, pin_count FROM cell_statistic WHERE run_id = :run AND variant LIKE 'category:%'"),
            {"run": report.run_id}).all()
        for row in statistic:
            assert row.pin_count == by_sql.get((row.cell_id, row.variant.removeprefix("category:")), 0)
        # DBSCAN's clusters: the same as ST_ClusterDBSCAN's, per municipality, of the pins set on the map.
        clusters = sorted((r.municipality_ags, r.pin_count, r.key_sum) for r in conn.execute(text(
            "SELECT municipality_ags, pin_count, key_sum FROM pin_cluster WHERE run_id = :run"), {"run": report.run_id}))
        reference = sorted((r.municipality_ags, r.n, r.key_sum) for r in conn.execute(text("""
            SELECT municipality_ags, count(*) AS n, sum(record_key) AS key_sum FROM (
                SELECT municipality_ags, record_key,
                       ST_ClusterDBSCAN(ST_Transform(geom, 25832), eps => :eps, minpoints => :m)
                           OVER (PARTITION BY municipality_ags) AS c
                FROM pin WHERE location_precision = 'exact') x
            WHERE c IS NOT NULL GROUP BY municipality_ags, c"""), {"eps": SETTINGS.dbscan_eps_m, "m": SETTINGS.dbscan_min_pins}))
    assert clusters == reference and len(clusters) >= 3


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/St_Johns", "Australia/Lord_Howe", "UTC"])
def test_local_days_are_postgresqls(random_pins, zone):
    engine, _ = random_pins
    rng = np.random.default_rng(5)
    # Moments within hours of every transition between 2024 and 2027, and any moment.
    base = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    moments = [base + dt.timedelta(seconds=float(s)) for s in rng.uniform(0, 4 * 365 * 86400, 3000)]
    for year in (2024, 2025, 2026, 2027):
        for month, day in ((3, 10), (3, 31), (4, 7), (9, 29), (10, 6), (10, 27), (11, 3)):
            centre = dt.datetime(year, month, day, tzinfo=dt.timezone.utc)
            moments += [centre + dt.timedelta(seconds=float(s)) for s in rng.uniform(-2 * 86400, 2 * 86400, 60)]
    for sets in (moments, [dt.datetime(2024, 3, 31, 1, tzinfo=dt.timezone.utc), dt.datetime(2024, 4, 1, 22, 30, tzinfo=dt.timezone.utc)],
                 [dt.datetime(2024, 10, 27, 1, tzinfo=dt.timezone.utc), dt.datetime(2024, 10, 27, 23, 30, tzinfo=dt.timezone.utc)]):
        _assert_local_days(engine, sets, zone)


def _assert_local_days(engine, moments, zone):
    """The first moment exactly at a change of the clocks, or anywhere: PostgreSQL's days."""
    with engine.connect() as conn:
        expected = [r[0] for r in conn.execute(text(
            "SELECT CAST(m AT TIME ZONE :zone AS date) - DATE '2000-01-01' FROM unnest(CAST(:moments AS timestamptz[])) "
            "WITH ORDINALITY AS t(m, n) ORDER BY n"), {"zone": zone, "moments": moments})]
    microseconds = np.array([(m - filter_cube.MILLENNIUM) // dt.timedelta(microseconds=1) for m in moments])
    assert filter_cube.local_days(microseconds, zone).tolist() == expected


def test_numbers_in_and_out_by_copy_and_string_agg(random_pins):
    engine, _ = random_pins
    rng = np.random.default_rng(3)
    columns = {"a": rng.integers(-2**31, 2**31 - 1, 500).astype(np.int32), "b": rng.normal(0, 1e6, 500)}
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE numbers (a integer, b double precision, n serial) ON COMMIT DROP"))
        copy_columns_in(conn, "numbers", columns)
        back = conn.execute(text("SELECT a, b FROM numbers ORDER BY n")).all()
        assert [r.a for r in back] == columns["a"].tolist() and [r.b for r in back] == columns["b"].tolist()
        assert query_columns(conn, "SELECT a, b FROM numbers ORDER BY n", {}, {"a": "int32", "b": "float64"})["b"].tolist() \
            == columns["b"].tolist()
        conn.execute(text("UPDATE numbers SET a = NULL WHERE n = 7"))
        with pytest.raises(ValueError, match="NULL"):
            query_columns(conn, "SELECT a FROM numbers", {}, {"a": "int32"})


def test_text_and_nulls_in_by_copy(random_pins):
    engine, _ = random_pins
    rng = np.random.default_rng(9)
    n = 300
    values = ["Glaswand", "Begegnung fehlt – Übergang", None]
    codes = rng.integers(0, 3, n)
    numbers = rng.integers(-1000, 1000, n).astype(np.int32)
    present = rng.random(n) < 0.7
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE mixed (label text, i integer, d date, n serial) ON COMMIT DROP"))
        copy_columns_in(conn, "mixed", {"label": Coded(codes, values), "i": Nullable(numbers, present),
                                        "d": np.arange(n, dtype=np.int32) + 9800})
        back = conn.execute(text("SELECT label, i, d FROM mixed ORDER BY n")).all()
    assert [r.label for r in back] == [values[c] for c in codes]
    assert [r.i for r in back] == [int(v) if p else None for v, p in zip(numbers, present)]
    assert [r.d for r in back] == [dt.date(2000, 1, 1) + dt.timedelta(days=9800 + k) for k in range(n)]


def test_the_migration_moves_every_runs_cube_into_its_partition_and_back(fresh_db_url):
    """From 0007 (one cube table) to 0008 (a partition a run) and back, with two runs' cubes."""
    from alembic import command

    from mapserver.db import alembic_config, upgrade

    config = alembic_config(fresh_db_url)
    command.downgrade(config, "0007")
    engine = create_engine(fresh_db_url)
    with engine.begin() as conn:
        runs = [conn.execute(text("""INSERT INTO aggregate_run (county_key, cell_size_m, dbscan_eps_m, dbscan_min_pins,
                                      replications, max_radius_m, baseline, boundaries_digest, last_pin_id, pin_count,
                                      finished_at)
                                      VALUES ('03252', 250, 150, 5, 999, 1200, 'uniform', 'x', 0, 0, now()) RETURNING id""")
                             ).scalar_one() for _ in range(2)]
        for run, rows in zip(runs, (3, 5)):
            for k in range(rows):
                conn.execute(text("""INSERT INTO pin_cube (run_id, municipality_ags, district_id, cell_id, category,
                                     dimension_mask, age_band, years_here, created_on, pin_count)
                                     VALUES (:run, '03252008', NULL, :k, 'divided', 1, NULL, 'over_10', DATE '2026-11-01', :k)"""),
                             {"run": run, "k": k + 1})
    engine.dispose()
    upgrade(fresh_db_url)
    engine = create_engine(fresh_db_url)
    with engine.connect() as conn:
        counts = dict(conn.execute(text("SELECT run_id, sum(pin_count) FROM pin_cube GROUP BY 1")).all())
        partitions = conn.execute(text("SELECT count(*) FROM pg_inherits WHERE inhparent = 'pin_cube'::regclass")).scalar_one()
        assert conn.execute(text("SELECT count(*) FROM pin WHERE metric_x IS NULL")).scalar_one() == 0
    assert counts == {runs[0]: 6, runs[1]: 15} and partitions == 2
    engine.dispose()
    command.downgrade(config, "0007")
    engine = create_engine(fresh_db_url)
    with engine.connect() as conn:
        assert dict(conn.execute(text("SELECT run_id, sum(pin_count) FROM pin_cube GROUP BY 1")).all()) == counts
        assert conn.execute(text("SELECT count(*) FROM pg_class WHERE relname ~ '^pin_cube_[0-9]+$'")).scalar_one() == 0
    engine.dispose()
    upgrade(fresh_db_url)


@pytest.mark.parametrize("cell_size_m", [10.0, 250.0, 5000.0])
def test_each_pin_finds_its_cell_part_at_any_cell_size(cell_size_m):
    """Pins at random across Lower Saxony's northings (UTM 32N, up to 6 million metres), in
    random municipalities: each finds the part of its municipality holding its cell, as a plain
    dictionary lookup does, or none where the grid has no such part."""
    from types import SimpleNamespace

    from mapserver.geo import hex_cell_of

    rng = np.random.default_rng(int(cell_size_m))
    n = 5000
    x, y = rng.uniform(350_000, 650_000, n), rng.uniform(5_700_000, 5_950_000, n)
    municipality = rng.choice([3252001, 3252008, 3241001], n)
    i, j = hex_cell_of(x, y, cell_size_m)
    cells = sorted({(int(m), int(a), int(b)) for m, a, b in zip(municipality, i, j)})
    kept = [c for c in cells if rng.random() < 0.8]  # some cells without a part
    parts = [SimpleNamespace(id=k + 1, municipality_ags=f"{m:08d}", i=a, j=b) for k, (m, a, b) in enumerate(kept)]
    exact = (rng.random(n) < 0.9).astype(np.int16)
    found = hotspots.cell_parts_of_pins(parts, {"metric_x": x, "metric_y": y, "municipality": municipality,
                                                "in_cells": exact}, cell_size_m)
    index = {(int(p.municipality_ags), p.i, p.j): k for k, p in enumerate(parts)}
    expected = [index.get((int(m), int(a), int(b)), -1) if e else -1 for m, a, b, e in zip(municipality, i, j, exact)]
    assert found.tolist() == expected
