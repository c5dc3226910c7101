"""Official district polygons from GeoPackage, Shapefile or GeoJSON replace the approximation."""
from __future__ import annotations

import uuid

import geopandas as gpd
import pytest
from shapely import from_wkb
from shapely.geometry import box
from sqlalchemy import create_engine, text

from mapserver.errors import ImportProblem
from mapserver.importers.boundaries import import_boundaries
from mapserver.importers.districts import import_official_districts, read_district_file
from tests.helpers import BOUNDARIES_DIR, GEODATA_DIR, seeded_app

SALZHEMMENDORF = "03252008"
SPLIT_LON = 9.60  # a north–south line through Salzhemmendorf: west and east halves


def salzhemmendorf_halves(engine, crs: int = 25832) -> gpd.GeoDataFrame:
    """Two 'official' districts splitting Salzhemmendorf, in `crs`, with the name in field ORTSTEIL."""
    with engine.connect() as conn:
        wkb = conn.execute(text("SELECT ST_AsBinary(geom) FROM municipality WHERE ags = :ags"),
                           {"ags": SALZHEMMENDORF}).scalar_one()
    municipality = from_wkb(bytes(wkb))
    west = municipality.intersection(box(9.0, 51.0, SPLIT_LON, 53.0))
    east = municipality.intersection(box(SPLIT_LON, 51.0, 10.0, 53.0))
    frame = gpd.GeoDataFrame({"ORTSTEIL": ["Salzhemmendorf-West", "Salzhemmendorf-Ost"], "code": [1, 2]},
                             geometry=[west, east], crs="EPSG:4326")
    return frame.to_crs(epsg=crs)


def _districts(engine, ags=None):
    query = "SELECT id, municipality_ags, name, approximate, md5(ST_AsBinary(geom)) AS h FROM district"
    with engine.connect() as conn:
        rows = conn.execute(text(query + (" WHERE municipality_ags = :ags" if ags else "") + " ORDER BY id"),
                            {"ags": ags}).all()
    return [tuple(r) for r in rows]


def _pin_districts(engine):
    with engine.connect() as conn:
        return dict(conn.execute(text(
            "SELECT p.client_id::text, d.name FROM pin p JOIN district d ON d.id = p.district_id")).all())


@pytest.mark.parametrize("driver, suffix", [("GPKG", "gpkg"), ("ESRI Shapefile", "shp"), ("GeoJSON", "geojson")])
def test_reads_any_format_gdal_reads(tmp_path, engine, driver, suffix):
    path = tmp_path / f"ortsteile.{suffix}"
    salzhemmendorf_halves(engine).to_file(path, driver=driver, engine="pyogrio")
    frame = read_district_file(path, "ORTSTEIL")
    assert sorted(frame["name"]) == ["Salzhemmendorf-Ost", "Salzhemmendorf-West"]
    assert frame.crs.to_epsg() == 4326


def test_missing_name_field_is_a_clear_error(tmp_path, engine):
    path = tmp_path / "ortsteile.gpkg"
    salzhemmendorf_halves(engine).to_file(path, driver="GPKG", engine="pyogrio")
    with pytest.raises(ImportProblem, match="Das Feld 'NAME' gibt es in ortsteile.gpkg nicht. Vorhandene Felder: ORTSTEIL, code"):
        read_district_file(path, "NAME")


def test_official_districts_replace_the_approximation_and_reassign_pins(tmp_path, fresh_db_url):
    with seeded_app(fresh_db_url) as app:
        engine = app.extensions["glaswaende.engine"]
        client = app.test_client()
        lauenstein = str(uuid.uuid4())   # west of the split line
        ahrenfeld = str(uuid.uuid4())    # east of it
        coppenbruegge = str(uuid.uuid4())
        for pin_id, lat, lon in [(lauenstein, 52.0772, 9.5542), (ahrenfeld, 52.0678, 9.645), (coppenbruegge, 52.1167, 9.55)]:
            assert client.post("/api/pins", json={"id": pin_id, "lat": lat, "lon": lon, "category": "divided"}).status_code == 201
        assert _pin_districts(engine)[lauenstein] == "Lauenstein"
        others_before = [d for d in _districts(engine) if d[1] != SALZHEMMENDORF]

        path = tmp_path / "amtliche_ortsteile.gpkg"
        salzhemmendorf_halves(engine).to_file(path, driver="GPKG", engine="pyogrio")
        runner = app.test_cli_runner()
        result = runner.invoke(args=["import-districts", str(path), "--name-field", "ORTSTEIL"])
        assert result.exit_code == 0, result.output
        assert "2 amtliche Ortsteile" in result.output

        official = _districts(engine, SALZHEMMENDORF)
        assert sorted((d[2], d[3]) for d in official) == [("Salzhemmendorf-Ost", False), ("Salzhemmendorf-West", False)]
        pins = _pin_districts(engine)
        assert pins[lauenstein] == "Salzhemmendorf-West"
        assert pins[ahrenfeld] == "Salzhemmendorf-Ost"
        assert [d for d in _districts(engine) if d[1] != SALZHEMMENDORF] == others_before
        # The API says the new districts are not approximate any more.
        districts = client.get(f"/api/municipalities/{SALZHEMMENDORF}/districts").json["features"]
        assert {f["properties"]["approximate"] for f in districts} == {False}
        notice = "Die Ortsteil-Grenzen sind ungefähre Grenzen"
        assert notice not in client.get(f"/gemeinde/{SALZHEMMENDORF}").get_data(as_text=True)
        assert notice in client.get("/gemeinde/03252002").get_data(as_text=True)

        # Running it again leaves the same rows; re-importing the boundaries keeps the official districts.
        assert runner.invoke(args=["import-districts", str(path), "--name-field", "ORTSTEIL"]).exit_code == 0
        assert _districts(engine, SALZHEMMENDORF) == official
        import_boundaries(engine, "03252", boundaries_dir=BOUNDARIES_DIR, geodata_dir=GEODATA_DIR)
        assert _districts(engine, SALZHEMMENDORF) == official
        assert _pin_districts(engine) == pins


def test_a_polygon_goes_to_the_municipality_it_overlaps_most_cut_to_it(tmp_path, fresh_db_url):
    engine = create_engine(fresh_db_url)
    with engine.connect() as conn:
        overlaps = conn.execute(text("""
            SELECT m.ags, ST_Area(ST_Transform(ST_Intersection(m.geom, ST_MakeEnvelope(9.50, 52.03, 9.62, 52.12, 4326)),
                                               25832)) AS m2
            FROM municipality m ORDER BY m2 DESC LIMIT 2""")).all()
    # The box straddles Coppenbrügge and Salzhemmendorf; it belongs to the larger overlap only.
    assert {o.ags for o in overlaps} == {"03252004", SALZHEMMENDORF}
    winner, loser = overlaps[0].ags, overlaps[1].ags
    loser_before = _districts(engine, loser)
    path = tmp_path / "box.gpkg"
    gpd.GeoDataFrame({"name": ["Grenzbereich", None]},
                     geometry=[box(9.50, 52.03, 9.62, 52.12), box(9.55, 52.05, 9.56, 52.06)],
                     crs="EPSG:4326").to_file(path, driver="GPKG", engine="pyogrio")
    report = import_official_districts(engine, path, name_field="name", county_key="03252")
    assert report.districts_by_municipality == {winner: 1}, "the unnamed polygon is not a district"
    with engine.connect() as conn:
        district = conn.execute(text("""
            SELECT d.name, d.municipality_ags,
                   ST_Area(ST_Transform(ST_Difference(d.geom, m.geom), 25832)) AS outside_m2,
                   ST_Area(ST_Transform(d.geom, 25832)) AS area_m2
            FROM district d JOIN municipality m ON m.ags = d.municipality_ags
            WHERE NOT d.approximate""")).one()
    assert (district.name, district.municipality_ags) == ("Grenzbereich", winner)
    assert district.outside_m2 < 1.0 and abs(district.area_m2 - overlaps[0].m2) < 1.0
    assert _districts(engine, loser) == loser_before
    engine.dispose()


def test_polygons_outside_the_county_are_reported_not_imported(tmp_path, fresh_db_url):
    engine = create_engine(fresh_db_url)
    halves = salzhemmendorf_halves(engine, crs=4326)
    far_away = gpd.GeoDataFrame({"ORTSTEIL": ["Mitte (Berlin)"], "code": [3]},
                                geometry=[box(13.38, 52.50, 13.42, 52.53)], crs="EPSG:4326")
    path = tmp_path / "mixed.geojson"
    gpd.GeoDataFrame(gpd.pd.concat([halves, far_away], ignore_index=True), crs="EPSG:4326").to_file(
        path, driver="GeoJSON", engine="pyogrio")
    report = import_official_districts(engine, path, name_field="ORTSTEIL", county_key="03252")
    assert report.outside == ["Mitte (Berlin)"]
    assert report.districts_by_municipality == {SALZHEMMENDORF: 2}
    engine.dispose()


def test_a_file_entirely_outside_the_county_changes_nothing(tmp_path, fresh_db_url):
    engine = create_engine(fresh_db_url)
    before = _districts(engine)
    path = tmp_path / "berlin.geojson"
    gpd.GeoDataFrame({"name": ["Mitte"]}, geometry=[box(13.38, 52.50, 13.42, 52.53)], crs="EPSG:4326").to_file(
        path, driver="GeoJSON", engine="pyogrio")
    with pytest.raises(ImportProblem, match="Keine Fläche"):
        import_official_districts(engine, path, name_field="name", county_key="03252")
    assert _districts(engine) == before
    engine.dispose()
