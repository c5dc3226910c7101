"""Issue 15, exports: files QGIS takes as they are. Every GeoPackage read back with pyogrio and
with Debian's ogrinfo (GDAL 3.6, the GDAL under QGIS 3.28 LTR) without a warning, version 1.2,
true field types, German titles and value lists beside the codes, a QGIS layer style; EPSG:4326
or EPSG:25832; all hexagon cells with the scan's numbers at full precision; a CSV for German
spreadsheets that pandas reads back beside a plain one. Data drawn at random with fixed seeds."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
import shutil
import sqlite3
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from sqlalchemy import text

from mapserver.services import exports, hotspots
from mapserver.vocabulary import AGE_BANDS, CATEGORIES, PIN_STATUS_LABELS
from tests.helpers import insert_cluster_around, insert_uniform, seeded_app, signed_in_client

SALZHEMMENDORF = "03252008"
OGRINFO = "/usr/bin/ogrinfo"  # Debian 12's, GDAL 3.6 (apt-get install gdal-bin)
# GDAL's validator of the GeoPackage standard, with Debian's python3-gdal (a dependency of gdal-bin).
VALIDATE_GPKG = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"
DATASETS = ("pins", "districts", "hotspots")


@pytest.fixture(scope="module")
def exports_app(module_db_url):
    with seeded_app(module_db_url) as app:
        engine = app.extensions["glaswaende.engine"]
        with engine.begin() as conn:
            insert_uniform(conn, SALZHEMMENDORF, 500, seed=1501)
            insert_cluster_around(conn, SALZHEMMENDORF, "Lauenstein", 60, radius_m=300, seed=1502)
            insert_uniform(conn, "03252002", 200, seed=1503)
            # Comments on a random fifth of the pins, in every moderation state; one of blanks only
            # (no comment either). The other pins have none, and no moderation state to wait for.
            ids = [row[0] for row in conn.execute(text("SELECT id FROM pin ORDER BY id"))]
            rng = random.Random(1504)
            chosen = rng.sample(ids, len(ids) // 5)
            conn.execute(text("UPDATE pin SET comment = :comment, status = :status WHERE id = :id"), [
                {"id": pin_id, "comment": f"Kommentar {n}" if n else "   ", "status": rng.choice(list(PIN_STATUS_LABELS))}
                for n, pin_id in enumerate(chosen)])
        hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
        yield app, engine


@pytest.fixture(scope="module")
def planner(exports_app):
    app, _ = exports_app
    return signed_in_client(app, "planner", name="qgis-planerin")


def _download(planner, tmp_path: Path, dataset: str, fmt: str, query: str = "") -> Path:
    response = planner.get(f"/planung/export/{dataset}.{fmt}?gemeinde={SALZHEMMENDORF}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    path = tmp_path / response.headers["Content-Disposition"].split('filename="')[1].rstrip('"')
    path.write_bytes(response.data)
    return path


def _ogrinfo(*args: str) -> subprocess.CompletedProcess:
    if not Path(OGRINFO).exists():
        pytest.skip("Debian's ogrinfo (GDAL 3.6) fehlt: apt-get install gdal-bin")
    return subprocess.run([OGRINFO, *args], capture_output=True, text=True, check=True, timeout=120)


def _field_types(summary: str) -> dict[str, str]:
    """`name: Type (w.p)` lines of ogrinfo -so, with their domain if any."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^(\w+): ([\w()]+) \(\d+\.\d+\)", summary, re.M)}


def _direct(engine, query: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(query), params).all()


@pytest.mark.parametrize("dataset", DATASETS)
def test_geopackage_opens_in_gdal_36_without_a_warning(planner, tmp_path, dataset):
    """GDAL 3.6 warned on every file ("user_version … v1.4.0 … may only be partially supported");
    GeoPackage 1.2 it reads in full. Neither the summary nor the features raise a warning."""
    path = _download(planner, tmp_path, dataset, "gpkg")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200
    summary = _ogrinfo("-al", "-so", str(path))
    assert "Warning" not in summary.stderr and "ERROR" not in summary.stderr, summary.stderr
    full = _ogrinfo("-al", "-q", str(path))
    assert "Warning" not in full.stderr and "ERROR" not in full.stderr, full.stderr
    if Path(VALIDATE_GPKG).exists():
        validation = subprocess.run(["/usr/bin/python3", VALIDATE_GPKG, str(path)], capture_output=True, text=True,
                                    timeout=120)
        assert validation.returncode == 0 and not (validation.stdout + validation.stderr).strip(), validation
    layer = f"glaswaende_{dataset}"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pyogrio turns GDAL's warnings into Python ones
        frame = pyogrio.read_dataframe(path, layer=layer)
    assert len(frame) > 0


def test_field_types_are_true_ones(planner, tmp_path):
    """Rates Real (pins_per_1000_inhabitants was String), confidence Integer (was Real), times
    DateTime (were String); GDAL 3.6 and pyogrio's GDAL agree."""
    expected = {
        "pins": {"category": "String", "created_at": "DateTime", "lon": "Real", "lat": "Real", "status": "String"},
        "districts": {"pins": "Integer", "pins_per_1000_inhabitants": "Real", "pins_per_km2": "Real",
                      "area_km2": "Real", "approximate": "Integer(Boolean)", "computed_at": "DateTime",
                      "inhabitants": "Integer"},
        "hotspots": {"confidence": "Integer", "pins": "Integer", "statistic_pins": "Integer", "expected_pins": "Real",
                     "p_value": "Real", "area_share": "Real", "computed_at": "DateTime", "hotspot": "Integer"},
    }
    ogr_names = {"String": "OFTString", "DateTime": "OFTDateTime", "Real": "OFTReal", "Integer": "OFTInteger",
                 "Integer(Boolean)": "OFTInteger"}
    for dataset, types in expected.items():
        path = _download(planner, tmp_path, dataset, "gpkg")
        found = _field_types(_ogrinfo("-al", "-so", str(path), f"glaswaende_{dataset}").stdout)
        assert {name: found.get(name) for name in types} == types, dataset
        info = pyogrio.read_info(path, layer=f"glaswaende_{dataset}")
        by_name = dict(zip(info["fields"], info["ogr_types"]))
        assert {name: by_name[name] for name in types} == {name: ogr_names[t] for name, t in types.items()}


def test_codes_stay_and_german_titles_and_value_lists_come_beside_them(planner, tmp_path):
    """The file keeps `divided`, `18_29`, `pending`; GDAL 3.6 reads the value lists as field
    domains (ogrinfo -fielddomain), the titles are in gpkg_data_columns (GDAL >= 3.7: alternative
    names) and in the default style's aliases (QGIS 3.28)."""
    path = _download(planner, tmp_path, "pins", "gpkg")
    summary = _ogrinfo("-al", "-so", str(path), "glaswaende_pins").stdout
    assert re.search(r"^category: String \(0\.0\), domain name=glaswaende_category$", summary, re.M), summary
    assert re.search(r"^age_band: String \(0\.0\), domain name=glaswaende_age_band$", summary, re.M)
    domain = _ogrinfo(str(path), "-fielddomain", "glaswaende_category").stdout
    assert "Type: coded" in domain
    for code, label in CATEGORIES.items():
        assert f"{code}: {label}" in domain
    ages = _ogrinfo(str(path), "-fielddomain", "glaswaende_age_band").stdout
    assert f"18_29: {AGE_BANDS['18_29']}" in ages
    frame = pyogrio.read_dataframe(path, layer="glaswaende_pins")
    assert set(frame["category"].dropna()) <= set(CATEGORIES) and "18_29" in set(frame["age_band"].dropna())
    with sqlite3.connect(path) as db:
        titles = dict(db.execute("SELECT column_name, name FROM gpkg_data_columns WHERE table_name = 'glaswaende_pins'"))
        extensions = {row[0] for row in db.execute("SELECT table_name FROM gpkg_extensions WHERE extension_name = 'gpkg_schema'")}
    assert titles["category"] == "Kategorie" and titles["created_at"] == "Gesetzt am"
    assert titles["municipality_ags"] == "Gemeindeschlüssel (AGS)"
    assert set(titles) == set(frame.columns) - {"geometry"}, "every column has its title"
    assert extensions == {"gpkg_data_columns", "gpkg_data_column_constraints"}


@pytest.mark.parametrize("dataset", DATASETS)
def test_a_qgis_layer_style_is_the_layers_default(planner, tmp_path, dataset):
    path = _download(planner, tmp_path, dataset, "gpkg")
    layers = [name for name, _ in pyogrio.list_layers(path)]
    assert layers == [f"glaswaende_{dataset}", "layer_styles"]
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(layer_styles)")]
        rows = db.execute("SELECT f_table_name, f_geometry_column, styleName, styleQML, useAsDefault, description "
                          "FROM layer_styles").fetchall()
        fields = [row[1] for row in db.execute(f"PRAGMA table_info(glaswaende_{dataset})")]
    assert columns == ["id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
                       "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"]
    ((table, geometry, name, style, default, description),) = rows
    assert (table, geometry, default) == (f"glaswaende_{dataset}", "geom", 1)
    assert name.startswith("Glaswände") and "GeoBasis-DE / BKG" in description
    import xml.etree.ElementTree as ElementTree

    root = ElementTree.fromstring(style.split("\n", 1)[1])  # after the DOCTYPE line
    assert root.tag == "qgis"
    aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
    assert set(aliases) == set(fields) - {"geom"}
    renderer = root.find("renderer-v2")
    if dataset == "pins":
        assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "category"
        assert {c.get("value"): c.get("label") for c in renderer.iter("category")} == {c: str(label) for c, label in CATEGORIES.items()}
        value_map = {o.get("value"): o.get("name") for f in root.iter("field") if f.get("name") == "status"
                     for o in f.iter("Option") if o.get("type") == "QString"}
        assert value_map["pending"] == "wartet auf Prüfung" and "kein Kommentar" in value_map.values()
    if dataset == "districts":
        assert renderer.get("type") == "graduatedSymbol" and renderer.get("attr") == "pins"
        assert len(list(renderer.iter("range"))) >= 2
    if dataset == "hotspots":
        assert renderer.get("type") == "RuleRenderer"
        filters = [rule.get("filter") for rule in renderer.iter("rule")]
        assert "\"hotspot_class\" = 'hot' AND \"confidence\" = 99" in filters and filters[-1] == "ELSE"


def test_pins_without_a_comment_have_no_moderation_state(planner, exports_app, tmp_path):
    _, engine = exports_app
    expected = {str(row.client_id): row.status if row.comment and row.comment.strip() else None for row in _direct(
        engine, "SELECT client_id, comment, status FROM pin WHERE municipality_ags = :ags", ags=SALZHEMMENDORF)}
    assert list(expected.values()).count(None) > 300 and {"pending", "published", "hidden"} <= set(expected.values())
    frame = pyogrio.read_dataframe(_download(planner, tmp_path, "pins", "gpkg"), layer="glaswaende_pins")
    exported = {row.id: None if pd.isna(row.status) else row.status for row in frame.itertuples()}
    assert exported == expected
    table = pd.read_csv(_download(planner, tmp_path, "pins", "csv-de"), sep=";", decimal=",", comment="#",
                        dtype=str, keep_default_na=False)
    labels = dict(zip(table["status"], table["status_label"]))
    assert labels[""] == "kein Kommentar" and labels["pending"] == "wartet auf Prüfung"
    assert "Kommentar" not in " ".join(frame["comment"].dropna().loc[frame["status"] != "published"])


def test_timestamps_carry_their_offset(planner, exports_app, tmp_path):
    """Pins' created_at was local time without an offset, computed_at UTC. Now every time is an
    instant: local time with its offset in GeoJSON and CSV (+02:00 before, +01:00 after 25
    October), UTC in the GeoPackage (as its standard wants), all the same instants."""
    _, engine = exports_app
    stored = {str(r.client_id): r.created_at.replace(microsecond=0) for r in _direct(
        engine, "SELECT client_id, created_at FROM pin WHERE municipality_ags = :ags", ags=SALZHEMMENDORF)}
    features = json.loads(_download(planner, tmp_path, "pins", "geojson").read_bytes())["features"]
    offsets = set()
    for f in features:
        moment = dt.datetime.fromisoformat(f["properties"]["created_at"])
        assert moment.utcoffset() is not None and moment == stored[f["properties"]["id"]]
        offsets.add(f["properties"]["created_at"][-6:])
    assert offsets == {"+02:00", "+01:00"}
    frame = pyogrio.read_dataframe(_download(planner, tmp_path, "pins", "gpkg"), layer="glaswaende_pins")
    assert str(frame["created_at"].dt.tz) == "UTC"
    assert all(row.created_at.to_pydatetime() == stored[row.id] for row in frame.itertuples())
    plain = list(csv.DictReader(io.StringIO(_download(planner, tmp_path, "pins", "csv").read_text("utf-8"))))
    assert all(dt.datetime.fromisoformat(row["created_at"]) == stored[row["id"]] for row in plain)
    ((finished,),) = _direct(engine, "SELECT finished_at FROM aggregate_run ORDER BY id DESC LIMIT 1")
    districts = pyogrio.read_dataframe(_download(planner, tmp_path, "districts", "gpkg"), layer="glaswaende_districts")
    assert set(districts["computed_at"].dt.to_pydatetime()) == {finished.replace(microsecond=0)}
    cells = json.loads(_download(planner, tmp_path, "hotspots", "geojson").read_bytes())["features"]
    assert dt.datetime.fromisoformat(cells[0]["properties"]["computed_at"]).utcoffset() is not None


def test_coordinates_in_etrs89_utm32_on_request(planner, exports_app, tmp_path):
    """?crs=25832: metres in every format; default and ?crs=4326 degrees; anything else 422."""
    to_utm = Transformer.from_crs(4326, 25832, always_xy=True)
    path = _download(planner, tmp_path, "pins", "gpkg", "&crs=25832")
    assert path.name.endswith("-epsg25832.gpkg")
    assert _ogrinfo("-al", "-so", str(path)).stderr.count("Warning") == 0
    assert pyogrio.read_info(path, layer="glaswaende_pins")["crs"] == "EPSG:25832"
    frame = pyogrio.read_dataframe(path, layer="glaswaende_pins")
    x, y = to_utm.transform(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    assert np.allclose(frame.geometry.x, x, atol=0.01) and np.allclose(frame.geometry.y, y, atol=0.01)
    assert 480_000 < frame.geometry.x.min() and frame.geometry.x.max() < 580_000
    assert 5_740_000 < frame.geometry.y.min() and frame.geometry.y.max() < 5_800_000
    assert np.allclose(frame["x"], frame.geometry.x) and np.allclose(frame["y"], frame.geometry.y)
    cells = pyogrio.read_dataframe(_download(planner, tmp_path, "hotspots", "gpkg", "&crs=EPSG:25832"),
                                   layer="glaswaende_hotspots")
    # A hexagon of 250 m edge length, measured in the file's own metres.
    assert np.allclose(cells.geometry.area, 3 * 3 ** 0.5 / 2 * 250 ** 2, rtol=1e-6)
    geojson = json.loads(_download(planner, tmp_path, "districts", "geojson", "&crs=25832").read_bytes())
    assert geojson["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::25832"
    assert 480_000 < geojson["features"][0]["geometry"]["coordinates"][0][0][0][0] < 580_000
    table = pd.read_csv(_download(planner, tmp_path, "hotspots", "csv", "&crs=25832"))
    assert 480_000 < shapely.from_wkt(table["wkt"][0]).centroid.x < 580_000
    assert pyogrio.read_info(_download(planner, tmp_path, "pins", "gpkg", "&crs=4326"),
                             layer="glaswaende_pins")["crs"] == "EPSG:4326"
    for bad in ("3857", "wgs84", "25832x"):
        # Refused at once, as the other export errors: a German page (the link was clicked), 422.
        response = planner.get(f"/planung/export/pins.gpkg?crs={bad}")
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and response.mimetype == "text/html", bad
        assert "Unbekanntes Koordinatensystem" in page and "25832 (ETRS89 / UTM 32N)" in page
    assert planner.get("/planung/export/pins.csv?crs=").status_code == 200


def test_every_hexagon_cell_with_its_statistic_at_full_precision(planner, exports_app, tmp_path):
    """All cell parts of the run (empty cells were left out), geometries as stored (they were
    rounded to 5 decimals, 0.6 m), and enough of the scan to recompute it: each hotspot's pins and
    expected pins are the sums over its cells."""
    _, engine = exports_app
    stored = {r.id: r for r in _direct(engine, """
        SELECT c.id, ST_AsBinary(c.geom) AS wkb, s.pin_count, s.expected_pins
        FROM hex_cell c JOIN cell_statistic s ON s.run_id = c.run_id AND s.cell_id = c.id AND s.variant = 'all'
        WHERE c.run_id = (SELECT max(id) FROM aggregate_run)""")}
    response = planner.get("/planung/export/hotspots.gpkg")  # the whole county
    path = tmp_path / "cells.gpkg"
    path.write_bytes(response.data)
    frame = pyogrio.read_dataframe(path, layer="glaswaende_hotspots")
    assert sorted(frame["cell"]) == sorted(stored)
    assert (frame["pins"] == 0).sum() > len(frame) / 2, "the empty cells are there"
    for row in frame.itertuples():
        assert shapely.equals_exact(row.geometry, shapely.from_wkb(bytes(stored[row.cell].wkb)), tolerance=1e-12)
        assert row.statistic_pins == stored[row.cell].pin_count and row.expected_pins == stored[row.cell].expected_pins
    assert (frame["pins"] == frame["statistic_pins"]).all(), "unfiltered, the pins are the ones the scan counted"
    # The scan's windows from the export alone: observed and expected pins are the sums over the
    # window's cells (stored rounded: cells to 4 decimals, windows to 3).
    windows = _direct(engine, "SELECT id, cell_ids, pin_count, expected_pins, hotspot_class, confidence FROM hotspot "
                              "WHERE run_id = (SELECT max(id) FROM aggregate_run) AND variant = 'all'")
    assert windows
    for window in windows:
        cells = frame[frame["cell"].isin(window.cell_ids)]
        assert len(cells) == len(window.cell_ids)
        assert cells["statistic_pins"].sum() == window.pin_count
        assert cells["expected_pins"].sum() == pytest.approx(window.expected_pins, abs=5e-4 + 5e-5 * len(cells))
        members = frame[frame["hotspot"] == window.id]
        assert set(members["cell"]) <= set(window.cell_ids)
        assert set(members["hotspot_class"]) == {window.hotspot_class} and set(members["confidence"]) == {window.confidence}
    assert (frame["hotspot_class"] == "hot").any()
    assert set(frame.loc[frame["hotspot"].isna(), "hotspot_class"]) == {"none"}


def test_german_csv_round_trips_through_pandas_beside_the_plain_one(planner, tmp_path):
    """csv-de: semicolon, decimal comma, BOM, the source in a first comment line, the AGS as
    text; pandas reads it back with sep=";", decimal="," to the same table as the plain CSV
    (comma, point, no BOM, nothing but the table)."""
    for dataset in DATASETS:
        german = _download(planner, tmp_path, dataset, "csv-de")
        plain = _download(planner, tmp_path, dataset, "csv")
        assert german.name.endswith("-excel.csv") and plain.name.endswith(f"{SALZHEMMENDORF}-{dt.date.today()}.csv")
        raw = german.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf# ") and b"GeoBasis-DE / BKG" in raw.split(b"\n")[0]
        assert not plain.read_bytes().startswith(b"\xef\xbb\xbf") and b"GeoBasis-DE" not in plain.read_bytes()
        read = pd.read_csv(german, sep=";", decimal=",", comment="#", dtype={"municipality_ags": str},
                           true_values=["WAHR"], false_values=["FALSCH"])
        reference = pd.read_csv(plain, dtype={"municipality_ags": str})
        assert "attribution" not in read.columns and "attribution" not in reference.columns
        assert set(read["municipality_ags"]) == {SALZHEMMENDORF}
        pd.testing.assert_frame_equal(read[reference.columns], reference, check_exact=True)
        assert set(read.columns) - set(reference.columns) == {c for c in read.columns if c.endswith("_label")}
        numbers = [c for c in reference.columns if reference[c].dtype.kind == "f"]
        assert numbers and all(read[c].dtype.kind == "f" for c in numbers)
        if dataset == "pins":
            assert set(read["category_label"]) == {str(label) for label in CATEGORIES.values()}
        if dataset == "districts":
            assert read["approximate"].dtype == bool and read["area_km2"].gt(0).all()
        if dataset == "hotspots":
            assert len(read) == len(read["cell"].unique()) and (read["pins"] == 0).any()


def test_the_csv_defuses_formulas_in_both_forms(exports_app, tmp_path):
    _, engine = exports_app
    with engine.connect() as conn:
        pin_id = conn.execute(text("SELECT client_id::text FROM pin WHERE status = 'published' LIMIT 1")).scalar_one()
        table = exports._pins(conn, "03252", None, exports.PinFilter(), exports.ZoneInfo("Europe/Berlin"), 4326)
    for record in table.records:
        if record["id"] == pin_id:
            record["comment"] = '=HYPERLINK("http://x")'
    plain = exports._plain_csv(table).decode("utf-8")
    german = exports._german_csv(table, {"description": "d", "attribution": "a", "filter": ""}).decode("utf-8-sig")
    assert "'=HYPERLINK" in plain and '"\'=HYPERLINK(""http://x"")"' in german


def test_the_page_offers_every_format_in_both_reference_systems(planner):
    html = planner.get(f"/planung/gemeinde/{SALZHEMMENDORF}?category=divided").get_data(as_text=True)
    for dataset in DATASETS:
        for fmt in exports.FORMATS:
            assert f"/planung/export/{dataset}.{fmt}?category=divided&amp;gemeinde={SALZHEMMENDORF}\"" in html
            assert f"/planung/export/{dataset}.{fmt}?category=divided&amp;gemeinde={SALZHEMMENDORF}&amp;crs=25832\"" in html


QGIS_READER = """
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
out = {}
for path, name in zip(sys.argv[1::2], sys.argv[2::2]):
    layer = QgsVectorLayer(path + "|layername=" + name, name, "ogr")
    fields = layer.fields()
    formatters = QgsApplication.fieldFormatterRegistry()
    shown = {}
    for feature in layer.getFeatures():
        for field in ("category", "status", "hotspot_class"):
            i = fields.indexOf(field)
            if i >= 0:
                setup = layer.editorWidgetSetup(i)
                value = feature[field]
                key = "NULL" if value is None or str(value) == "NULL" else str(value)
                shown.setdefault(field, {})[key] = formatters.fieldFormatter(setup.type()).representValue(
                    layer, i, setup.config(), None, value)
    out[name] = {"valid": layer.isValid(), "features": layer.featureCount(), "renderer": layer.renderer().type(),
                 "aliases": {f.name(): layer.attributeAlias(i) for i, f in enumerate(fields)}, "shown": shown}
print(json.dumps(out), flush=True)
os._exit(0)  # QGIS may crash while tearing down without a display; the answer is out
"""


def test_qgis_opens_them_with_style_titles_and_labels(planner, tmp_path):
    """Where Debian's QGIS is installed (python3-qgis, QGIS 3.22 on GDAL 3.6): each GeoPackage
    opens with its stored style as the default, German column titles and labelled codes."""
    if not shutil.which("/usr/bin/python3") or subprocess.run(["/usr/bin/python3", "-c", "import qgis.core"],
                                                              capture_output=True).returncode != 0:
        pytest.skip("QGIS fehlt (apt-get install python3-qgis qgis-providers)")
    arguments = []
    for dataset in DATASETS:
        arguments += [str(_download(planner, tmp_path, dataset, "gpkg")), f"glaswaende_{dataset}"]
    result = subprocess.run(["/usr/bin/python3", "-c", QGIS_READER, *arguments], capture_output=True, text=True,
                            timeout=300, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    layers = json.loads(result.stdout.strip().splitlines()[-1])
    assert {name: layer["renderer"] for name, layer in layers.items()} == {
        "glaswaende_pins": "categorizedSymbol", "glaswaende_districts": "graduatedSymbol",
        "glaswaende_hotspots": "RuleRenderer"}
    assert all(layer["valid"] and layer["features"] > 0 for layer in layers.values())
    assert layers["glaswaende_pins"]["aliases"]["created_at"] == "Gesetzt am"
    assert layers["glaswaende_districts"]["aliases"]["pins_per_1000_inhabitants"] == "Pins je 1.000 Einwohner"
    shown = layers["glaswaende_pins"]["shown"]
    assert shown["category"]["divided"] == "Hier verläuft eine Glaswand"
    assert shown["status"]["NULL"] == "kein Kommentar" and shown["status"]["pending"] == "wartet auf Prüfung"
    assert layers["glaswaende_hotspots"]["shown"]["hotspot_class"]["none"] == "weder Hotspot noch Coldspot"


@pytest.mark.parametrize("dataset", DATASETS)
def test_an_export_without_pins_keeps_its_types(planner, tmp_path, dataset):
    """Filters that select no pin: the same fields and types, no warning, the style still there."""
    path = _download(planner, tmp_path, dataset, "gpkg", "&from=2030-01-01")
    summary = _ogrinfo("-al", "-so", str(path), f"glaswaende_{dataset}")
    assert "Warning" not in summary.stderr, summary.stderr
    types = _field_types(summary.stdout)
    frame = pyogrio.read_dataframe(path, layer=f"glaswaende_{dataset}")
    if dataset == "pins":
        assert len(frame) == 0 and types["created_at"] == "DateTime" and types["lat"] == "Real"
    else:
        assert len(frame) > 0 and (frame["pins"] == 0).all()
        assert types["pins"] == "Integer" and types["computed_at"] == "DateTime"
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM layer_styles WHERE useAsDefault").fetchone()[0] == 1
    german = pd.read_csv(_download(planner, tmp_path, dataset, "csv-de", "&from=2030-01-01"), sep=";", decimal=",",
                         comment="#", dtype={"municipality_ags": str})
    assert list(german.columns)[:2] == {"pins": ["id", "category"], "districts": ["district_id", "municipality_ags"],
                                        "hotspots": ["cell", "i"]}[dataset]


def test_titles_and_labels_follow_the_staff_language(planner, tmp_path):
    """German by default (above); a planner reading English gets English titles and labels, the
    codes unchanged."""
    path = _download(planner, tmp_path, "pins", "gpkg", "&lang=en")
    with sqlite3.connect(path) as db:
        titles = dict(db.execute("SELECT column_name, name FROM gpkg_data_columns"))
        labels = dict(db.execute("SELECT value, description FROM gpkg_data_column_constraints "
                                 "WHERE constraint_name = 'glaswaende_comment_status'"))
    assert titles["created_at"] == "Placed on" and labels["pending"] != PIN_STATUS_LABELS["pending"]
    german = _download(planner, tmp_path, "pins", "csv-de", "&lang=de")
    assert "Quelle:" in german.read_text("utf-8-sig").splitlines()[0]
