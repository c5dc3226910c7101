"""Local actors and places (issue 17): coordinators keep them (every change in the step-two audit
log), import them from a CSV (semicolons, BOM) or a GeoPackage in another CRS, a bad row is
refused with its line and nothing is written; the public GET /api/actors and the map layer
"Hier gibt es schon …"; nobody but coordinators and admins writes."""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point
from sqlalchemy import text

from mapserver.geo import METRIC_SRID, STORAGE_SRID, transformer
from tests.helpers import add_staff_account, seeded_app, serve_in_thread, sign_in_in_browser, staff_password

SALZHEMMENDORF = "03252008"
COPPENBRUEGGE = "03252004"
LAUENSTEIN = (52.0790, 9.5510)  # lat, lon: inside the Ortsteil Lauenstein
HANNOVER = (52.3759, 9.7320)    # outside the county


@pytest.fixture
def no_actors(engine):
    def clear():
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM followup_event WHERE subject = 'actor'"))
            conn.execute(text("DELETE FROM local_actor"))
    clear()
    yield
    clear()


def _actors(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT a.id, a.name, a.kind, a.contact, a.description, a.municipality_ags, d.name AS district, "
            "ST_Y(a.geom) AS lat, ST_X(a.geom) AS lon FROM local_actor a LEFT JOIN district d ON d.id = a.district_id "
            "ORDER BY a.id")).all()


def _log(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(text("SELECT subject_id, action, before, after FROM followup_event "
                                 "WHERE subject = 'actor' ORDER BY id")).all()


def _random_name(rng: random.Random) -> str:
    return rng.choice(["Heimatverein", "Sportfreunde", "Dorfladen", "Bürgerbus", "Treff"]) + f" {rng.randint(1, 9999)}"


def test_a_coordinator_creates_edits_and_deletes_an_actor_each_change_logged(staff_client, engine, no_actors):
    rng = random.Random(1701)
    client = staff_client("coordinator")
    name = _random_name(rng)
    # A point and no Ortsteil: the Ortsteil is found from the point; no municipality: the point's.
    response = client.post("/koordination/akteure/", data={
        "name": name, "kind": "verein", "contact": "info@example.org", "description": "Proben dienstags",
        "municipality": "", "district": "", "lat": f"{LAUENSTEIN[0]:.4f}".replace(".", ","), "lon": str(LAUENSTEIN[1])})
    assert response.status_code == 303
    [actor] = _actors(engine)
    assert (actor.name, actor.kind, actor.municipality_ags, actor.district) == (name, "verein", SALZHEMMENDORF, "Lauenstein")
    assert abs(actor.lat - LAUENSTEIN[0]) < 1e-9 and abs(actor.lon - LAUENSTEIN[1]) < 1e-9
    page = client.get("/koordination/akteure/?gemeinde=" + SALZHEMMENDORF).text
    assert name in page and "info@example.org" in page
    assert name not in client.get("/koordination/akteure/?gemeinde=" + COPPENBRUEGGE).text
    assert name not in client.get("/koordination/akteure/?art=schule").text
    form = client.get(f"/koordination/akteure/{actor.id}").text
    assert "öffentlich" in form and f'value="{name}"' in form

    # Edit: another name, no point any more, the Ortsteil chosen by hand.
    new_name = _random_name(rng)
    with engine.connect() as conn:
        district_id = conn.execute(text("SELECT id FROM district WHERE municipality_ags = :a AND name = 'Lauenstein'"),
                                   {"a": SALZHEMMENDORF}).scalar_one()
    response = client.post(f"/koordination/akteure/{actor.id}", data={
        "name": new_name, "kind": "Treffpunkt", "contact": "", "description": "", "municipality": SALZHEMMENDORF,
        "district": str(district_id), "lat": "", "lon": ""})
    assert response.status_code == 303
    [changed] = _actors(engine)
    assert (changed.name, changed.kind, changed.lat, changed.district) == (new_name, "treffpunkt", None, "Lauenstein")

    response = client.post(f"/koordination/akteure/{actor.id}/loeschen")
    assert response.status_code == 303
    assert _actors(engine) == []
    assert client.post(f"/koordination/akteure/{actor.id}/loeschen").status_code == 404

    log = _log(engine)
    assert [entry.action for entry in log] == ["created", "changed", "deleted"], "the log's labels know these"
    assert log[0].after["name"] == name and log[1].before["name"] == name and log[1].after["name"] == new_name
    assert log[2].before["name"] == new_name and log[2].after is None


@pytest.mark.parametrize("form, field, words", [
    ({"lat": str(HANNOVER[0]), "lon": str(HANNOVER[1])}, "lat", "außerhalb des Landkreises"),
    ({"lat": str(LAUENSTEIN[0]), "lon": str(LAUENSTEIN[1]), "municipality": COPPENBRUEGGE}, "lat", "liegt in Salzhemmendorf"),
    ({"lat": "91", "lon": "9.5"}, "lat", "zwischen -90 und 90"),
    ({"lat": "52.1", "lon": ""}, "lon", "Breite und Länge"),
    ({"kind": "Raumstation"}, "kind", "„Raumstation“ kennen wir nicht"),
    ({"name": "   "}, "name", "Bitte geben Sie einen Namen an"),
    ({"municipality": "Atlantis"}, "municipality", "gehört nicht zum Landkreis"),
    ({"district": "Nirgendwo"}, "district", "Den Ortsteil „Nirgendwo“ gibt es"),
    ({"municipality": ""}, "municipality", "Bitte wählen Sie die Gemeinde"),
    # Before the database sees them: NUL breaks a query, an id past PostgreSQL's integer too.
    ({"municipality": "Salz\x00hemmendorf"}, "municipality", "Dieser Text enthält Steuerzeichen"),
    ({"district": "Lauen\x00stein"}, "district", "Dieser Text enthält Steuerzeichen"),
    ({"district": "99999999999"}, "district", "Den Ortsteil „99999999999“ gibt es"),
    ({"district": "١٢"}, "district", "Den Ortsteil „١٢“ gibt es"),
    ({"municipality": "x" * 201}, "municipality", "höchstens 200 Zeichen"),
])
def test_bad_input_is_refused_in_german_and_nothing_is_written(staff_client, engine, no_actors, form, field, words):
    client = staff_client("coordinator")
    data = {"name": "Chor Lauenstein", "kind": "verein", "municipality": SALZHEMMENDORF, "district": "", "lat": "",
            "lon": "", **form}
    response = client.post("/koordination/akteure/", data=data)
    assert response.status_code == 422
    assert words in response.text
    assert f'id="{field}-error"' in response.text
    assert _actors(engine) == [] and _log(engine) == []


CSV_ROWS = [
    "name;kind;contact;description;municipality;ortsteil;lat;lon",
    "Heimatverein Lauenstein;Verein;heimat@example.org;Dorffeste;Salzhemmendorf;Lauenstein;;",
    "Grundschule Coppenbrügge;Schule;;;03252004;;52,1167;9,5500",
    "Dorfgemeinschaftshaus;treffpunkt;;;Salzhemmendorf;;52.0790;9.5510",
]


def test_import_of_a_csv_with_semicolons_and_bom_from_the_command_line(runner, engine, no_actors, tmp_path):
    path = tmp_path / "akteure.csv"
    path.write_bytes("\r\n".join(CSV_ROWS).encode("utf-8-sig"))
    dry = runner.invoke(args=["actors", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Probelauf: 3 Akteure" in dry.output and _actors(engine) == []
    result = runner.invoke(args=["actors", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 Akteure importiert, 0 Zeilen abgelehnt" in result.output
    rows = {r.name: r for r in _actors(engine)}
    assert rows["Heimatverein Lauenstein"].kind == "verein" and rows["Heimatverein Lauenstein"].district == "Lauenstein"
    assert rows["Heimatverein Lauenstein"].lat is None
    assert rows["Grundschule Coppenbrügge"].kind == "schule"
    assert rows["Grundschule Coppenbrügge"].municipality_ags == COPPENBRUEGGE
    assert abs(rows["Grundschule Coppenbrügge"].lat - 52.1167) < 1e-9
    assert rows["Dorfgemeinschaftshaus"].district == "Lauenstein", "the Ortsteil found from the point"
    assert [e.action for e in _log(engine)] == ["imported"] * 3


def test_a_bad_row_is_refused_with_its_line_number_and_nothing_is_written(runner, engine, no_actors, tmp_path):
    rng = random.Random(1702)
    bad_line = rng.randint(3, 8)
    lines = ["Name,Kind,Contact,Description,AGS,Ortsteil,Lat,Lon"]
    for line in range(2, 10):
        if line == bad_line:
            lines.append(f"Raumfahrtverein {line},Raumstation,,,03252008,,,")
        else:
            lines.append(f"{_random_name(rng)} {line},Initiative,,,03252008,,,")
    path = tmp_path / "akteure.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(args=["actors", "import", str(path)])
    assert result.exit_code != 0
    assert f"Zeile {bad_line}: Die Art „Raumstation“ kennen wir nicht" in result.output
    assert "Nichts importiert: 1 Zeilen abgelehnt (7 wären in Ordnung)" in result.output
    assert _actors(engine) == [] and _log(engine) == []
    # Skipping the bad rows imports the others, in one go.
    result = runner.invoke(args=["actors", "import", str(path), "--skip-bad-rows"])
    assert "7 Akteure importiert, 1 Zeilen abgelehnt" in result.output
    assert len(_actors(engine)) == 7


def test_import_of_a_geopackage_in_utm_lands_at_the_right_place(runner, staff_client, engine, no_actors, tmp_path):
    rng = random.Random(1703)
    to_utm = transformer(STORAGE_SRID, METRIC_SRID)
    places = [(LAUENSTEIN[0] + rng.uniform(-0.002, 0.002), LAUENSTEIN[1] + rng.uniform(-0.002, 0.002)) for _ in range(3)]
    frame = gpd.GeoDataFrame({
        "NAME": [_random_name(rng) for _ in places], "Art": ["Kirche", "Kita", "Jugendtreff"],
        "Kontakt": ["pfarramt@example.org", None, "0123 456"]},
        geometry=[Point(*to_utm.transform(lon, lat)) for lat, lon in places], crs=f"EPSG:{METRIC_SRID}")
    path = tmp_path / "akteure.gpkg"
    frame.to_file(path, driver="GPKG", engine="pyogrio")
    # The upload form takes it too, though a GeoPackage is far larger than any other form (16 KB).
    assert path.stat().st_size > 16 * 1024
    staff_client("coordinator")  # the account
    with seeded_app(runner.app.config["DATABASE_URL"], CSRF=True) as protected:  # as in production
        client = protected.test_client()
        token = re.compile(r'name="csrf_token" value="([^"]+)"')
        client.post("/anmelden", data={"name": "staff-coordinator", "password": staff_password("staff-coordinator"),
                                       "csrf_token": token.search(client.get("/anmelden").text).group(1)})
        page = client.post("/koordination/akteure/import", content_type="multipart/form-data", data={
            "file": (path.open("rb"), "akteure.gpkg"), "dry_run": "1",
            "csrf_token": token.search(client.get("/koordination/akteure/").text).group(1)})
    assert page.status_code == 200 and "Probelauf: 3 Akteure wären importiert worden, 0 Zeilen" in page.text
    assert _actors(engine) == []
    result = runner.invoke(args=["actors", "import", str(path)])
    assert result.exit_code == 0, result.output
    stored = {r.name: r for r in _actors(engine)}
    for (lat, lon), name, kind in zip(places, frame["NAME"], ["kirchengemeinde", "schule", "treffpunkt"]):
        row = stored[name]
        assert row.kind == kind and row.municipality_ags == SALZHEMMENDORF
        assert abs(row.lat - lat) < 1e-7 and abs(row.lon - lon) < 1e-7, "reprojected from EPSG:25832"
    assert stored[frame["NAME"][0]].contact == "pfarramt@example.org"


def test_the_upload_form_imports_and_reports(staff_client, engine, no_actors):
    import io

    client = staff_client("coordinator")
    content = "\n".join(CSV_ROWS[:2] + ["Ohne Ort;Verein;;;;;;"]).encode("utf-8-sig")
    page = client.post("/koordination/akteure/import", data={"file": (io.BytesIO(content), "liste.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 422
    assert "Zeile 3: Bitte wählen Sie die Gemeinde" in page.text and _actors(engine) == []
    page = client.post("/koordination/akteure/import", data={"file": (io.BytesIO(content), "liste.csv"),
                                                             "skip_bad_rows": "1"}, content_type="multipart/form-data")
    assert page.status_code == 200 and "1 Akteure importiert, 1 Zeilen abgelehnt" in page.text
    assert [r.name for r in _actors(engine)] == ["Heimatverein Lauenstein"]
    page = client.post("/koordination/akteure/import", data={"file": (io.BytesIO(b"foo;bar\n1;2\n"), "x.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 422 and "keine Spalte „name“" in page.text
    page = client.post("/koordination/akteure/import", data={"file": (io.BytesIO(b"kein GeoPackage\x00"), "a.gpkg")},
                       content_type="multipart/form-data")
    assert page.status_code == 422 and "Bitte laden Sie eine CSV-Datei, ein GeoPackage" in page.text
    broken = b"SQLite format 3\x00" + bytes(52) + b"GPKG" + bytes(200)  # looks like a GeoPackage, is none
    page = client.post("/koordination/akteure/import", data={"file": (io.BytesIO(broken), "a.gpkg")},
                       content_type="multipart/form-data")
    assert page.status_code == 422 and "Die Datei kann nicht gelesen werden." in page.text and "/tmp" not in page.text
    page = client.post("/koordination/akteure/import", data={}, content_type="multipart/form-data")
    assert page.status_code == 422 and "Bitte wählen Sie eine Datei aus." in page.text
    assert [r.name for r in _actors(engine)] == ["Heimatverein Lauenstein"]


def test_the_public_geojson_places_points_and_district_centres(client, runner, engine, no_actors, tmp_path):
    path = tmp_path / "akteure.csv"
    path.write_bytes("\n".join(CSV_ROWS).encode("utf-8-sig"))
    assert runner.invoke(args=["actors", "import", str(path)]).exit_code == 0
    response = client.get(f"/api/actors?municipality={SALZHEMMENDORF}")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    collection = json.loads(response.data)
    features = {f["properties"]["name"]: f for f in collection["features"]}
    assert set(features) == {"Heimatverein Lauenstein", "Dorfgemeinschaftshaus"}
    point = features["Dorfgemeinschaftshaus"]
    assert point["geometry"]["coordinates"] == [9.551, 52.079] and point["properties"]["at_district_centre"] is False
    centre = features["Heimatverein Lauenstein"]
    assert centre["properties"]["at_district_centre"] is True and centre["properties"]["district"] == "Lauenstein"
    assert centre["properties"]["contact"] == "heimat@example.org" and centre["properties"]["kind_label"] == "Verein"
    lon, lat = centre["geometry"]["coordinates"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT ST_Covers(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) FROM district "
                                 "WHERE municipality_ags = :a AND name = 'Lauenstein'"),
                            {"lon": lon, "lat": lat, "a": SALZHEMMENDORF}).scalar_one()
    assert [f["properties"]["name"] for f in json.loads(client.get(
        f"/api/actors?municipality={COPPENBRUEGGE}").data)["features"]] == ["Grundschule Coppenbrügge"]
    bad = client.get("/api/actors?municipality=abc")
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert "achtstelligen Gemeindeschlüssel" in bad.json["detail"]
    unknown = client.get("/api/actors?municipality=03241001")
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
    assert "gibt es in diesem Kreis nicht" in unknown.json["detail"]


@pytest.mark.parametrize("role", ["planner", "moderator", "facilitator"])
def test_only_coordinators_and_admins_write(staff_client, engine, no_actors, role):
    with engine.begin() as conn:
        actor_id = conn.execute(text("INSERT INTO local_actor (county_key, municipality_ags, name, kind) "
                                     "VALUES ('03252', :a, 'Chor', 'verein') RETURNING id"), {"a": SALZHEMMENDORF}).scalar_one()
    client = staff_client(role)
    data = {"name": "X", "kind": "verein", "municipality": SALZHEMMENDORF}
    for method, url in (("GET", "/koordination/akteure/"), ("POST", "/koordination/akteure/"),
                        ("GET", f"/koordination/akteure/{actor_id}"), ("POST", f"/koordination/akteure/{actor_id}"),
                        ("POST", f"/koordination/akteure/{actor_id}/loeschen"), ("POST", "/koordination/akteure/import")):
        assert client.open(url, method=method, data=data).status_code == 403, (role, method, url)
    assert [r.name for r in _actors(engine)] == ["Chor"] and _log(engine) == []
    assert staff_client("admin").get("/koordination/akteure/").status_code == 200


@pytest.mark.browser
def test_the_layer_toggle_shows_the_actors_with_escaped_popups(app, browser, engine, no_actors, clean_pins):
    payload = '<img src=x onerror="window.attacked=1">'
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO local_actor (county_key, municipality_ags, name, kind, contact, geom) VALUES "
                          "('03252', :a, :name, 'verein', :contact, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"),
                     {"a": SALZHEMMENDORF, "name": "Chor " + payload, "contact": payload,
                      "lon": LAUENSTEIN[1], "lat": LAUENSTEIN[0]})
    server, base = serve_in_thread(app)
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/gemeinde/{SALZHEMMENDORF}")
        page.wait_for_function("() => window.glaswaende && window.glaswaende.map")
        assert page.locator(".actor-marker").count() == 0, "off by default"
        toggle = page.get_by_label("Hier gibt es schon", exact=False)
        toggle.focus()
        page.keyboard.press("Space")  # by keyboard
        page.wait_for_selector(".actor-marker")
        assert page.locator(".actor-marker").count() == 1
        assert page.locator("#actors-layer-status").inner_text() == "1 Ort auf der Karte"
        page.evaluate("() => window.glaswaende.actorsLayer.getLayers()[0].openPopup()")
        popup = page.locator(".actor-popup")
        assert payload in popup.inner_text()
        assert popup.locator("img").count() == 0 and not page.evaluate("() => window.attacked")
        page.keyboard.press("Escape")
        toggle.uncheck()
        assert page.locator(".actor-marker").count() == 0
        assert errors == []
    finally:
        context.close()
        server.shutdown()


@pytest.mark.browser
def test_the_staff_pages_have_no_serious_axe_violation_and_the_map_sets_the_point(app, browser, engine, no_actors):
    from tests.test_accessibility import _axe_violations

    with engine.begin() as conn:
        if conn.execute(text("SELECT count(*) FROM account WHERE name = 'koordinatorin'")).scalar_one() == 0:
            add_staff_account(conn, "koordinatorin", "coordinator")
    server, base = serve_in_thread(app)
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in_in_browser(page, base, "koordinatorin")
        page.goto(f"{base}/koordination/akteure/")
        page.locator("#actor-map.leaflet-container").wait_for()
        found = [("list", v) for v in _axe_violations(page)]
        # A click on the map fills latitude and longitude (the keyboard types them instead).
        page.locator("#actor-name").fill("Jugendtreff")
        page.locator("#actor-kind").select_option("treffpunkt")
        page.locator("#actor-map").scroll_into_view_if_needed()
        box = page.locator("#actor-map").bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        lat, lon = float(page.locator("#actor-lat").input_value()), float(page.locator("#actor-lon").input_value())
        page.locator("#neu button[type=submit]").click()
        page.wait_for_selector("text=„Jugendtreff“ ist gespeichert.")
        [actor] = _actors(engine)
        assert actor.name == "Jugendtreff" and abs(actor.lat - lat) < 1e-6 and abs(actor.lon - lon) < 1e-6
        page.goto(f"{base}/koordination/akteure/{actor.id}")
        page.locator("#actor-lat").fill("52,3759")  # Hannover: outside the county
        page.locator("#actor-lon").fill("9,7320")
        page.locator("form.stacked button[type=submit]").click()
        page.wait_for_selector("#lat-error")
        assert "außerhalb des Landkreises" in page.locator("#lat-error").inner_text()
        found += [("refused edit", v) for v in _axe_violations(page)]
        assert found == [] and errors == []
    finally:
        context.close()
        server.shutdown()


def test_an_actor_id_past_the_database_integer_is_a_404_and_a_bad_filter_is_ignored(staff_client, no_actors):
    client = staff_client("coordinator")
    huge = 2**31 + random.Random(1704).randint(0, 10**9)
    assert client.get(f"/koordination/akteure/{huge}").status_code == 404
    # (No route takes it: a POST meets only a GET route of the site, as for the projects.)
    assert client.post(f"/koordination/akteure/{huge}", data={"name": "X"}).status_code in (404, 405)
    assert client.post(f"/koordination/akteure/{huge}/loeschen").status_code in (404, 405)
    assert client.get("/koordination/akteure/?gemeinde=0325%002008").status_code == 200


def test_csv_rows_with_control_characters_are_refused_by_line(runner, engine, no_actors, tmp_path):
    path = tmp_path / "akteure.csv"
    path.write_bytes("name;kind;municipality;ortsteil\nChor;Verein;Salz\x00hemmendorf;\nTreff;Treffpunkt;03252008;"
                     "Lauen\x00stein\n".encode())
    result = runner.invoke(args=["actors", "import", str(path)])
    assert result.exit_code == 1, result.output
    assert "Zeile 2: Dieser Text enthält Steuerzeichen" in result.output
    assert "Zeile 3: Dieser Text enthält Steuerzeichen" in result.output
    assert _actors(engine) == [] and _log(engine) == []


# A VRT names any file the server can read, or a URL, as its source: GDAL would read it and the
# report would show its lines (the session key in var/secret_key, /etc/passwd), or the server
# would fetch the URL. Only CSV, GeoPackage, GeoJSON and a zipped Shapefile are read, told by
# their content before GDAL opens anything.

def _vrt(source: str) -> bytes:
    return (f'<OGRVRTDataSource><OGRVRTLayer name="secret"><SrcDataSource>{source}</SrcDataSource>'
            '<OpenOptions><OOI key="HEADERS">NO</OOI></OpenOptions><SrcLayer>secret</SrcLayer>'
            '<Field name="name" src="field_1"/><Field name="municipality" src="field_1"/>'
            '</OGRVRTLayer></OGRVRTDataSource>').encode()


def _zipped(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def secret_and_listener(tmp_path):
    """A server file holding a random secret, and a local web server that notes every request."""
    import http.server
    import threading

    rng = random.Random(1705)
    secret = "geheim-" + "".join(rng.choice("abcdefghkmnpqrstuvwxyz23456789") for _ in range(24))
    path = tmp_path / "secret.csv"
    path.write_text(f"{secret}\n{secret}\n", encoding="utf-8")
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(f"name\n{secret}\n".encode())

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield {"secret": secret, "file": path, "url": f"http://127.0.0.1:{server.server_port}/intern.csv",
               "hits": hits}
    finally:
        server.shutdown()
        server.server_close()


def _geopackage_reading(secret_file: Path, as_view: bool) -> bytes:
    """A GeoPackage whose one layer is SpatiaLite's VirtualText over `secret_file` (or a view of it)."""
    import sqlite3

    path = secret_file.parent / f"virtual-{as_view}.gpkg"
    gpd.GeoDataFrame({"name": ["A"]}, geometry=[Point(*LAUENSTEIN[::-1])], crs=f"EPSG:{STORAGE_SRID}").to_file(
        path, driver="GPKG", layer="real", engine="pyogrio")
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA writable_schema = ON")
        db.execute("INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES ('table', 'secret', "
                   "'secret', 0, ?)", (f"CREATE VIRTUAL TABLE secret USING VirtualText('{secret_file}', 'UTF-8', 0, "
                                       "POINT, DOUBLEQUOTE, ';')",))
    with sqlite3.connect(path) as db:
        if as_view:
            db.execute("CREATE VIEW secret_view AS SELECT COL001 AS name, COL001 AS municipality FROM secret")
        db.execute("DELETE FROM gpkg_geometry_columns")
        db.execute("DELETE FROM gpkg_contents")
        db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES (?, 'attributes', 'x')",
                   ("secret_view" if as_view else "secret",))
    return path.read_bytes()


def _attacks(secret_file: Path, url: str) -> list[tuple[str, bytes]]:
    file_vrt, url_vrt = _vrt(f"CSV:{secret_file}"), _vrt(f"/vsicurl/{url}")

    def geojson(top_crs: dict | None, point_crs: dict | None) -> bytes:
        point = {"type": "Point", "coordinates": [9.55, 52.08], **({"crs": point_crs} if point_crs else {})}
        return json.dumps({"type": "FeatureCollection", **({"crs": top_crs} if top_crs else {}), "features": [
            {"type": "Feature", "properties": {"name": "A", "municipality": "03252008"}, "geometry": point}]}).encode()

    return [
        ("akteure.vrt", file_vrt), ("akteure.vrt", url_vrt), ("akteure.gpkg", file_vrt), ("akteure.geojson", url_vrt),
        ("akteure.shp", file_vrt), ("akteure", file_vrt),
        ("akteure.zip", _zipped({"akteure.vrt": file_vrt})),
        ("akteure.zip", _zipped({"akteure.shp": url_vrt, "akteure.dbf": b"", "akteure.shx": b""})),
        ("akteure.zip", _zipped({"akteure.shp": file_vrt, "akteure.shx": b"", "akteure.dbf": b"",
                                 "liesmich.txt": b""})),
        ("akteure.zip", _zipped({"../akteure.shp": b"\x00\x00\x27\x0a"})),
        # GDAL fetches a GeoJSON "crs" given as a link (at the top or in a geometry).
        ("akteure.geojson", geojson({"type": "link", "properties": {"href": url, "type": "ogcwkt"}}, None)),
        ("akteure.json", geojson(None, {"type": "URL", "properties": {"url": url}})),
        ("akteure.json", geojson({"type": "name", "properties": {"name": str(secret_file)}}, None)),
        # A GeoPackage's schema may name SpatiaLite's VirtualText over any server file.
        ("akteure.gpkg", _geopackage_reading(secret_file, as_view=False)),
        ("akteure.gpkg", _geopackage_reading(secret_file, as_view=True)),
    ]


def test_files_naming_server_files_or_urls_are_refused_before_gdal_opens_them(staff_client, runner, engine, no_actors,
                                                                              secret_and_listener, tmp_path):
    import io

    client = staff_client("coordinator")
    secret, hits = secret_and_listener["secret"], secret_and_listener["hits"]
    for number, (name, content) in enumerate(_attacks(secret_and_listener["file"], secret_and_listener["url"])):
        page = client.post("/koordination/akteure/import", data={"file": (io.BytesIO(content), name), "dry_run": "1"},
                           content_type="multipart/form-data")
        assert page.status_code == 422, (number, name)
        assert ("Bitte laden Sie eine CSV-Datei, ein GeoPackage, eine GeoJSON-Datei oder ein gezipptes Shapefile hoch."
                in page.text or "genau ein Shapefile" in page.text or "als Namen" in page.text), (number, name)
        assert secret not in page.text and "Objekt 1" not in page.text, (number, name)
        # The command line refuses them alike.
        path = tmp_path / f"{number}-{name}"
        path.write_bytes(content)
        result = runner.invoke(args=["actors", "import", str(path), "--dry-run"])
        assert result.exit_code != 0 and secret not in result.output, (number, name, result.output)
        assert "Bitte laden Sie" in result.output or "genau ein Shapefile" in result.output \
            or "als Namen" in result.output, (number, name, result.output)
    assert hits == [], "the server fetched nothing"
    assert _actors(engine) == [] and _log(engine) == []


def test_geojson_and_a_zipped_shapefile_still_import(staff_client, engine, no_actors, tmp_path):
    import io
    import zipfile

    rng = random.Random(1706)
    to_utm = transformer(STORAGE_SRID, METRIC_SRID)
    places = [(LAUENSTEIN[0] + rng.uniform(-0.002, 0.002), LAUENSTEIN[1] + rng.uniform(-0.002, 0.002))
              for _ in range(2)]
    names = [_random_name(rng) for _ in range(4)]
    geojson = gpd.GeoDataFrame({"name": names[:2], "kind": ["Verein", "Kita"]},
                               geometry=[Point(lon, lat) for lat, lon in places], crs=f"EPSG:{STORAGE_SRID}")
    geojson.to_file(tmp_path / "a.geojson", driver="GeoJSON", engine="pyogrio")
    shapes = gpd.GeoDataFrame({"name": names[2:], "kind": ["Kirche", "Treffpunkt"]},
                              geometry=[Point(*to_utm.transform(lon, lat)) for lat, lon in places],
                              crs=f"EPSG:{METRIC_SRID}")
    (tmp_path / "shp").mkdir()
    shapes.to_file(tmp_path / "shp" / "akteure.shp", driver="ESRI Shapefile", engine="pyogrio")
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        for part in sorted((tmp_path / "shp").iterdir()):
            archive.write(part, f"Akteure/{part.name}")  # in a folder, as people zip them
    client = staff_client("coordinator")
    for content, name in (((tmp_path / "a.geojson").read_bytes(), "a.json"), (zipped.getvalue(), "akteure.zip")):
        page = client.post("/koordination/akteure/import", data={"file": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")
        assert page.status_code == 200 and "2 Akteure importiert, 0 Zeilen abgelehnt" in page.text, page.text[-2000:]
    stored = {r.name: r for r in _actors(engine)}
    assert set(stored) == set(names)
    for index, name in enumerate(names):
        lat, lon = places[index % 2]
        assert abs(stored[name].lat - lat) < 1e-7 and abs(stored[name].lon - lon) < 1e-7, name
    assert [stored[n].kind for n in names] == ["verein", "schule", "kirchengemeinde", "treffpunkt"]
