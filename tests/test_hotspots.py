"""The hotspot batch job and the statistics read from it, against a real PostGIS."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from mapserver.db import with_fragments
from mapserver.services import hotspots, statistics
from mapserver.services.statistics import PinFilter
from tests.helpers import seeded_app
from tests.helpers import insert_cluster_around, insert_uniform

SALZHEMMENDORF = "03252008"
BAD_MUENDER = "03252002"
COPPENBRUEGGE = "03252004"
SETTINGS = hotspots.HotspotSettings()  # 250 m cells, circles up to 1,200 m, 999 replications, DBSCAN 150 m / 5


@pytest.fixture(scope="module")
def planted(module_db_url):
    """Uniform background pins in Salzhemmendorf plus a cluster around Lauenstein; a few pins
    in Bad Münder and Coppenbrügge for the privacy threshold; one refresh."""
    engine = create_engine(module_db_url)
    with engine.begin() as conn:
        insert_uniform(conn, SALZHEMMENDORF, 600, seed=11)
        insert_cluster_around(conn, SALZHEMMENDORF, "Lauenstein", 60, radius_m=300, seed=12)
        # Bad Münder: 7 pins near Bakede, 3 near Hasperde; Coppenbrügge: 3 pins in all.
        insert_cluster_around(conn, BAD_MUENDER, "Bakede", 7, radius_m=100, seed=13)
        insert_cluster_around(conn, BAD_MUENDER, "Hasperde", 3, radius_m=100, seed=14)
        insert_cluster_around(conn, COPPENBRUEGGE, "Marienau", 3, radius_m=100, seed=15)
    report = hotspots.refresh(engine, "03252", SETTINGS)
    yield engine, report
    engine.dispose()


def _hot_cells(conn, run_id: int, ags: str, variant: str = "all"):
    return conn.execute(text("""
        SELECT c.id, s.confidence, s.hotspot_id, ST_Distance(ST_Transform(c.centre, 25832), ST_Transform(d.centre, 25832)) AS m
        FROM cell_statistic s JOIN hex_cell c ON c.run_id = s.run_id AND c.id = s.cell_id
        CROSS JOIN (SELECT centre FROM district WHERE name = 'Lauenstein') d
        WHERE s.run_id = :run AND c.municipality_ags = :ags AND s.variant = :variant AND s.hotspot_class = 'hot'"""),
        {"run": run_id, "ags": ags, "variant": variant}).all()


def test_hex_cell_arithmetic_matches_st_hexagongrid(planted):
    engine, _ = planted
    query = with_fragments("""
        WITH points AS (
            SELECT (ST_Dump(ST_GeneratePoints(ST_Transform(geom, 25832), 3000, 5))).geom AS g
            FROM municipality WHERE ags = :ags)
        SELECT count(*) FROM points p
        CROSS JOIN LATERAL (SELECT ST_X(p.g) AS x, ST_Y(p.g) AS y OFFSET 0) AS metric
        {{hex_cell}}
        WHERE NOT EXISTS (SELECT 1 FROM ST_HexagonGrid(:cell_size_m, ST_Expand(p.g, 1)) h
                          WHERE h.i = cell.i AND h.j = cell.j AND ST_Covers(h.geom, p.g))""")
    with engine.connect() as conn:
        for size in (250.0, 100.0, 333.0):
            assert conn.execute(text(query), {"ags": SALZHEMMENDORF, "cell_size_m": size}).scalar_one() == 0


def test_planted_cluster_is_one_hotspot_at_95_percent(planted):
    engine, report = planted
    with engine.connect() as conn:
        hot = _hot_cells(conn, report.run_id, SALZHEMMENDORF)
        hotspot = [h for h in statistics.hotspot_areas(conn, statistics.require_run(conn, "03252"), SALZHEMMENDORF,
                                                       PinFilter()) if h["hotspot_class"] == "hot"]
    assert hot, "the planted cluster must be found"
    assert all(cell.confidence >= 95 for cell in hot)
    # One hotspot, at the planted cluster (circles reach 1,200 m), none elsewhere in the background.
    assert len({cell.hotspot_id for cell in hot}) == 1 and len(hotspot) == 1
    assert max(cell.m for cell in hot) < 1600
    assert min(cell.m for cell in hot) < 300
    (row,) = hotspot
    assert row["p_value"] < 0.05 and row["pins"] > row["expected_pins"] * 3 and row["pins"] >= 55
    assert "Lauenstein" in row["districts"] and row["municipalities"] == ["Salzhemmendorf"]


def test_planted_cluster_is_one_dbscan_cluster(planted):
    engine, report = planted
    with engine.connect() as conn:
        clusters = conn.execute(text("""
            SELECT c.pin_count, c.main_category, c.main_dimension,
                   ST_Distance(ST_Transform(c.centre, 25832), ST_Transform(d.centre, 25832)) AS m
            FROM pin_cluster c CROSS JOIN (SELECT centre FROM district WHERE name = 'Lauenstein') d
            WHERE c.run_id = :run AND c.municipality_ags = :ags"""), {"run": report.run_id, "ags": SALZHEMMENDORF}).all()
    at_lauenstein = [c for c in clusters if c.m < 500]
    assert len(at_lauenstein) == 1
    cluster = at_lauenstein[0]
    assert cluster.pin_count >= 55 and cluster.main_category == "divided" and cluster.main_dimension == "origin"


def test_uniform_pins_alone_give_no_hotspot(pg_server):
    from tests.helpers import make_database
    for url in make_database(pg_server, "03252"):
        engine = create_engine(url)
        with engine.begin() as conn:
            insert_uniform(conn, SALZHEMMENDORF, 600, seed=11)
            insert_uniform(conn, BAD_MUENDER, 800, seed=21)
        report = hotspots.refresh(engine, "03252", SETTINGS)
        with engine.connect() as conn:
            classes = conn.execute(text("""
                SELECT s.variant, s.hotspot_class, count(*) FROM cell_statistic s
                WHERE s.run_id = :run AND s.hotspot_class <> 'none' GROUP BY 1, 2"""), {"run": report.run_id}).all()
            # No cell is "none" with a confidence, or in a hotspot without one.
            mixed = conn.execute(text("""SELECT count(*) FROM cell_statistic WHERE run_id = :run
                                         AND (hotspot_class = 'none') <> (confidence IS NULL)"""),
                                 {"run": report.run_id}).scalar_one()
        assert report.hotspots == 0
        assert [c for c in classes if c.variant == "all"] == []
        assert mixed == 0
        engine.dispose()


def test_a_cluster_across_a_municipal_border_is_one_hotspot_on_both_pages(pg_server):
    """40 pins around a point on the Salzhemmendorf/Coppenbrügge border: one hotspot, listed
    for both municipalities with the same pins, and the planner page says where it reaches."""
    from tests.helpers import make_database
    for url in make_database(pg_server, "03252"):
        engine = create_engine(url)
        with engine.begin() as conn:
            insert_uniform(conn, SALZHEMMENDORF, 470, seed=41)
            insert_uniform(conn, COPPENBRUEGGE, 450, seed=42)
            # The middle of the longest stretch of the border the two municipalities share.
            border = conn.execute(text("""
                SELECT ST_X(p), ST_Y(p) FROM (
                    SELECT ST_Transform(ST_LineInterpolatePoint(d.geom, 0.5), 4326) AS p
                    FROM municipality a, municipality b,
                         ST_Dump(ST_LineMerge(ST_Intersection(ST_Boundary(ST_Transform(a.geom, 25832)),
                                                              ST_Boundary(ST_Transform(b.geom, 25832))))) d
                    WHERE a.ags = :a AND b.ags = :b AND GeometryType(d.geom) = 'LINESTRING'
                    ORDER BY ST_Length(d.geom) DESC LIMIT 1) q"""),
                {"a": SALZHEMMENDORF, "b": COPPENBRUEGGE}).one()
            conn.execute(text("""
                INSERT INTO pin (client_id, geom, category, dimensions, municipality_ags, district_id)
                SELECT gen_random_uuid(), g.geom, 'divided', ARRAY['social'], m.ags, district_for_point(m.ags, g.geom)
                FROM ST_Dump(ST_Transform(ST_GeneratePoints(ST_Buffer(ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326),
                     25832), 250), 40, 7), 4326)) g
                JOIN municipality m ON ST_Covers(m.geom, g.geom)"""), {"lon": border[0], "lat": border[1]})
            sides = conn.execute(text("SELECT count(DISTINCT municipality_ags) FROM pin WHERE category = 'divided' "
                                      "AND dimensions = ARRAY['social']")).scalar_one()
        assert sides >= 2
        report = hotspots.refresh(engine, "03252", SETTINGS)
        assert report.hotspots == 1
        with engine.connect() as conn:
            run = statistics.require_run(conn, "03252")
            first = statistics.hotspot_areas(conn, run, SALZHEMMENDORF, PinFilter())
            second = statistics.hotspot_areas(conn, run, COPPENBRUEGGE, PinFilter())
        assert len(first) == len(second) == 1
        assert first[0]["id"] == second[0]["id"] and first[0]["pins"] == second[0]["pins"] >= 40
        assert sorted(first[0]["municipalities"]) == ["Coppenbrügge", "Salzhemmendorf"]
        engine.dispose()


def _direct_counts(conn, level: str, where: str = "TRUE", params: dict | None = None) -> dict:
    column = {"municipality": "municipality_ags", "district": "district_id"}[level]
    rows = conn.execute(text(f"SELECT {column} AS key, count(*) FROM pin WHERE {where} GROUP BY 1"), params or {}).all()
    return {r.key: r.count for r in rows}


def test_district_and_municipality_counts_equal_a_direct_group_by(planted):
    engine, report = planted
    with engine.connect() as conn:
        run = statistics.require_run(conn, "03252")
        municipalities = {c.key: c.total for c in statistics.municipality_counts(conn, run, "03252", PinFilter()) if c.total}
        assert municipalities == _direct_counts(conn, "municipality")
        districts = {}
        for ags in (SALZHEMMENDORF, BAD_MUENDER, COPPENBRUEGGE):
            districts |= {c.key: c.total for c in statistics.district_counts(conn, run, ags, PinFilter()) if c.total}
        assert districts == _direct_counts(conn, "district")
        # Per category and per dimension too (a pin naming two dimensions counts under each).
        (salzhemmendorf,) = [c for c in statistics.municipality_counts(conn, run, "03252", PinFilter())
                             if c.key == SALZHEMMENDORF]
        direct = dict(conn.execute(text("""SELECT category, count(*) FROM pin WHERE municipality_ags = :ags
                                           GROUP BY 1"""), {"ags": SALZHEMMENDORF}).all())
        assert {k: v for k, v in salzhemmendorf.by_category.items() if v} == direct
        direct = dict(conn.execute(text("""SELECT d, count(*) FROM pin, unnest(dimensions) d
                                           WHERE municipality_ags = :ags GROUP BY 1"""), {"ags": SALZHEMMENDORF}).all())
        assert {k: v for k, v in salzhemmendorf.by_dimension.items() if v} == direct
        assert salzhemmendorf.population == 9279
        assert salzhemmendorf.pins_per_1000_inhabitants == round(salzhemmendorf.total * 1000 / 9279, 2)


FILTERS = [
    ({"category": ["divided"]}, "category = 'divided'"),
    ({"category": ["divided,meeting_place"]}, "category IN ('divided', 'meeting_place')"),
    ({"dimension": ["mobility"]}, "'mobility' = ANY(dimensions)"),
    ({"dimension": ["social", "origin"]}, "dimensions && ARRAY['social', 'origin']"),
    ({"age_band": ["65_plus"]}, "age_band = '65_plus'"),
    ({"years_here": ["under_2"], "category": ["missing_meeting_place"]},
     "years_here = 'under_2' AND category = 'missing_meeting_place'"),
    ({"from": ["2026-10-10"], "to": ["2026-10-20"]},
     "CAST(created_at AT TIME ZONE 'Europe/Berlin' AS date) BETWEEN '2026-10-10' AND '2026-10-20'"),
]


@pytest.mark.parametrize("query, where", FILTERS, ids=[w for _, w in FILTERS])
def test_filters_narrow_counts_exactly_as_a_direct_query(planted, query, where):
    engine, _ = planted

    class Args(dict):
        def getlist(self, key):
            return self.get(key, [])

    pin_filter = PinFilter.from_query(Args(query))
    with engine.connect() as conn:
        run = statistics.require_run(conn, "03252")
        municipalities = {c.key: c.total for c in statistics.municipality_counts(conn, run, "03252", pin_filter) if c.total}
        districts = {c.key: c.total for c in statistics.district_counts(conn, run, SALZHEMMENDORF, pin_filter) if c.total}
        expected_municipalities = _direct_counts(conn, "municipality", where)
        expected_districts = _direct_counts(conn, "district", f"{where} AND municipality_ags = '{SALZHEMMENDORF}'")
    assert municipalities == expected_municipalities
    assert districts == expected_districts
    assert sum(municipalities.values()) < sum(_direct_counts(engine.connect(), "municipality").values())


def test_public_hotspots_name_the_planted_cluster(planted):
    engine, _ = planted
    with seeded_app(engine.url.render_as_string(hide_password=False)) as app:
        response = app.test_client().get(f"/api/hotspots?municipality={SALZHEMMENDORF}")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    hot = [f for f in response.json["features"] if f["properties"]["hotspot_class"] == "hot"]
    assert hot and all(f["properties"]["confidence"] in (95, 99) for f in hot)
    # Every cell of a hotspot is shown, those with fewer than k pins without a number: no holes.
    with engine.connect() as conn:
        cells = conn.execute(text("""SELECT s.cell_id FROM cell_statistic s JOIN hex_cell c ON c.id = s.cell_id
                                     WHERE s.run_id = :run AND s.variant = 'all' AND s.hotspot_class = 'hot'
                                       AND c.municipality_ags = :ags"""),
                             {"run": response.json["run"]["id"], "ags": SALZHEMMENDORF}).scalars().all()
    assert sorted(f["properties"]["cell"] for f in hot) == sorted(cells)
    assert all(f["properties"]["pins"] is None or f["properties"]["pins"] >= 5 for f in hot)


def test_refresh_if_needed_only_after_enough_new_pins(planted):
    engine, _ = planted
    with seeded_app(engine.url.render_as_string(hide_password=False), REFRESH_EVERY_N_PINS=3) as app:
        runner = app.test_cli_runner()
        assert "Keine Neuberechnung nötig." in runner.invoke(args=["hotspots", "refresh", "--if-needed"]).output
        with engine.begin() as conn:
            insert_cluster_around(conn, SALZHEMMENDORF, "Thüste", 3, radius_m=100, seed=31)
        result = runner.invoke(args=["hotspots", "refresh", "--if-needed"])
        assert result.exit_code == 0 and result.output.startswith("Auswertung "), result.output
        assert "Keine Neuberechnung nötig." in runner.invoke(args=["hotspots", "refresh", "--if-needed"]).output


def test_a_failed_refresh_leaves_no_half_run_and_refreshes_take_turns(planted):
    engine, _ = planted
    with engine.connect() as conn:
        before = statistics.require_run(conn, "03252").id
    broken = hotspots.HotspotSettings(dbscan_min_pins=-1)  # DBSCAN refuses a negative minimum
    with pytest.raises(Exception):
        hotspots.refresh(engine, "03252", broken)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM aggregate_run WHERE finished_at IS NULL")).scalar_one() == 0
        assert statistics.require_run(conn, "03252").id == before
        assert conn.execute(text(ORPHAN_CUBE_ROWS)).scalar_one() == 0, "the failed run's cube went with it"

    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda _: hotspots.refresh(engine, "03252", SETTINGS), range(2)))
    assert reports[0].run_id != reports[1].run_id
    assert reports[0].hotspots == reports[1].hotspots  # the same pins, the same seed: the same result
    for _ in range(hotspots.RUNS_KEPT):
        hotspots.refresh(engine, "03252", SETTINGS)
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT count(DISTINCT run_id) FROM pin_cube")).scalar_one()
        public = hotspots.latest_run(conn, "03252", released_only=True).id
        latest = conn.execute(text("SELECT id FROM aggregate_run ORDER BY id DESC LIMIT :n"),
                              {"n": hotspots.RUNS_KEPT}).scalars().all()
        # The latest few, and the public one (no new pins since: an older run) beside them.
        assert conn.execute(text(ORPHAN_CUBE_ROWS)).scalar_one() == 0
        assert kept == hotspots.RUNS_KEPT + (public not in latest)


# The cube is partitioned by run, with no foreign key (migration 0008): whatever removes a run
# drops its partition, attached or not; no rows and no tables of runs that are gone.
ORPHAN_CUBE_ROWS = """
    SELECT (SELECT count(*) FROM pin_cube q WHERE NOT EXISTS (SELECT 1 FROM aggregate_run r WHERE r.id = q.run_id))
         + (SELECT count(*) FROM pg_class c WHERE c.relname ~ '^pin_cube_[0-9]+$' AND c.relkind = 'r'
              AND NOT EXISTS (SELECT 1 FROM aggregate_run r WHERE 'pin_cube_' || r.id = c.relname))"""


def test_area_shares_are_the_cells_area_inside_the_municipality(planted):
    """Checked independently with shapely: each cell's share of its area inside its municipality."""
    from shapely import from_wkb
    engine, _ = planted
    with engine.connect() as conn:
        run_id = statistics.require_run(conn, "03252").id  # earlier tests' refreshes pruned the fixture's run
        boundary = from_wkb(bytes(conn.execute(text(
            "SELECT ST_AsBinary(ST_Transform(geom, 25832)) FROM municipality WHERE ags = :ags"),
            {"ags": SALZHEMMENDORF}).scalar_one()))
        cells = conn.execute(text("""SELECT area_share, ST_AsBinary(ST_Transform(geom, 25832)) AS wkb FROM hex_cell
                                     WHERE run_id = :run AND municipality_ags = :ags"""),
                             {"run": run_id, "ags": SALZHEMMENDORF}).all()
    partial = 0
    for cell in cells:
        hexagon = from_wkb(bytes(cell.wkb))
        share = hexagon.intersection(boundary).area / hexagon.area
        assert abs(cell.area_share - share) < 1e-3
        partial += share < 0.999
    assert 0.05 * len(cells) < partial < 0.5 * len(cells)


def test_a_refresh_reuses_the_grid_until_the_boundaries_change(planted):
    engine, _ = planted
    first = hotspots.refresh(engine, "03252", SETTINGS)
    with engine.begin() as conn:
        # A mark on the first run's grid: only a copy carries it into the next run.
        conn.execute(text("UPDATE hex_cell SET area_share = 0.123456 WHERE run_id = :run AND id = 1"), {"run": first.run_id})
    second = hotspots.refresh(engine, "03252", SETTINGS)
    query = text("SELECT id, municipality_ags, i, j, area_share, ST_AsEWKB(geom) AS g FROM hex_cell WHERE run_id = :run ORDER BY id")
    with engine.connect() as conn:
        assert conn.execute(query, {"run": first.run_id}).all() == conn.execute(query, {"run": second.run_id}).all()
        assert conn.execute(text("SELECT area_share FROM hex_cell WHERE run_id = :run AND id = 1"),
                            {"run": second.run_id}).scalar_one() == 0.123456
    assert first.hotspots == second.hotspots
    with engine.begin() as conn:
        original = conn.execute(text("SELECT geom FROM municipality WHERE ags = :ags"), {"ags": BAD_MUENDER}).scalar_one()
        # Bad Münder loses a strip along its edges: its grid must be computed anew.
        conn.execute(text("""UPDATE municipality SET geom = ST_Multi(ST_Intersection(geom,
                             ST_Expand(geom, -0.01))) WHERE ags = :ags"""), {"ags": BAD_MUENDER})
    try:
        third = hotspots.refresh(engine, "03252", SETTINGS)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM hex_cell WHERE run_id = :run AND area_share = 0.123456"),
                                {"run": third.run_id}).scalar_one() == 0, "new boundaries: a new grid, no copy"
            before = conn.execute(text("SELECT count(*) FROM hex_cell WHERE run_id = :run AND municipality_ags = :ags"),
                                  {"run": second.run_id, "ags": BAD_MUENDER}).scalar_one()
            after = conn.execute(text("SELECT count(*) FROM hex_cell WHERE run_id = :run AND municipality_ags = :ags"),
                                 {"run": third.run_id, "ags": BAD_MUENDER}).scalar_one()
        assert after < before
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE municipality SET geom = :geom WHERE ags = :ags"), {"geom": original, "ags": BAD_MUENDER})
            conn.execute(text("TRUNCATE aggregate_run, pin_cube CASCADE"))
            conn.execute(text("SELECT drop_orphan_pin_cubes()"))
        hotspots.refresh(engine, "03252", SETTINGS)


def test_with_a_population_grid_pins_are_expected_where_people_live(pg_server):
    """A 100 m population grid: Lauenstein with 3,000 inhabitants, about 1,900 people spread over
    the rest of Salzhemmendorf; Bakede with 1,000 in Bad Münder. Lauenstein's residents pin as
    often as their neighbours outside the village (120 and 75 pins, 4 % each): under the uniform
    baseline their village is a hotspot, under the population baseline it is not. Bakede's
    residents pin nothing: a coldspot, sought only where the baseline is where people live."""
    from tests.helpers import make_database
    villages = {"Lauenstein": (SALZHEMMENDORF, 3000.0), "Bakede": (BAD_MUENDER, 1000.0)}
    for url in make_database(pg_server, "03252"):
        engine = create_engine(url)
        with engine.begin() as conn:
            insert_uniform(conn, SALZHEMMENDORF, 75, seed=51)
            insert_cluster_around(conn, SALZHEMMENDORF, "Lauenstein", 120, radius_m=500, seed=52)
            insert_uniform(conn, BAD_MUENDER, 100, seed=53)
        uniform = hotspots.refresh(engine, "03252", SETTINGS)
        with engine.begin() as conn:
            for ags in (SALZHEMMENDORF, BAD_MUENDER):
                # One person per five 100 m points, then each village's inhabitants shared among
                # the points within 500 m of its centre.
                conn.execute(text("""
                    INSERT INTO population_cell (county_key, inhabitants, geom)
                    SELECT '03252', 0.2, ST_Transform(ST_SetSRID(ST_MakePoint(x, y), 25832), 4326)
                    FROM municipality m, ST_Transform(m.geom, 25832) AS mg,
                         generate_series(floor(ST_XMin(mg))::int, ceil(ST_XMax(mg))::int, 100) AS x,
                         generate_series(floor(ST_YMin(mg))::int, ceil(ST_YMax(mg))::int, 100) AS y
                    WHERE m.ags = :ags AND ST_Covers(mg, ST_SetSRID(ST_MakePoint(x, y), 25832))"""), {"ags": ags})
            for name, (ags, people) in villages.items():
                conn.execute(text("""
                    WITH near AS (
                        SELECT p.id FROM population_cell p, district d
                        WHERE d.municipality_ags = :ags AND d.name = :name
                          AND ST_DWithin(ST_Transform(d.centre, 25832), ST_Transform(p.geom, 25832), 500))
                    UPDATE population_cell SET inhabitants = :people / (SELECT count(*) FROM near)
                    WHERE id IN (SELECT id FROM near)"""), {"ags": ags, "name": name, "people": people})
        by_people = hotspots.refresh(engine, "03252", SETTINGS)
        assert (uniform.baseline, by_people.baseline) == ("uniform", "population")
        with engine.connect() as conn:
            run = statistics.require_run(conn, "03252")
            assert run.baseline == "population"
            salzhemmendorf = statistics.hotspot_areas(conn, run, SALZHEMMENDORF, PinFilter())
            bad_muender = statistics.hotspot_areas(conn, run, BAD_MUENDER, PinFilter())
            before = conn.execute(text("SELECT hotspot_class, count(*) FROM hotspot WHERE run_id = :run "
                                       "AND variant = 'all' GROUP BY 1"), {"run": uniform.run_id}).all()
        assert dict(before).get("hot", 0) >= 1 and "cold" not in dict(before)
        assert [a for a in salzhemmendorf if a["hotspot_class"] == "hot" and "Lauenstein" in a["districts"]] == [], \
            "Lauenstein pins as often as its neighbours: no hotspot by population"
        cold = [a for a in bad_muender if a["hotspot_class"] == "cold"]
        assert any("Bakede" in a["districts"] for a in cold), [a["districts"] for a in bad_muender]
        assert all(a["pins"] < a["expected_pins"] for a in cold)
        with seeded_app(url) as app:
            cells = app.test_client().get(f"/api/hotspots?municipality={SALZHEMMENDORF}").json
        # The same pins: the public keeps the run it saw (a release needs k new pins).
        assert cells["run"]["baseline"] == "uniform" and cells["run"]["id"] == uniform.run_id
        engine.dispose()
