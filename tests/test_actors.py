"""Local actors and places (issue 17): coordinators keep them (every change in the step-two audit
log), import them from a CSV (semicolons, BOM) or a GeoPackage in another CRS, a bad row is
refused with its line and nothing is written; the public GET /api/actors and the map layer
"Hier gibt es schon …"; nobody but coordinators and admins writes."""
from __future__ import annotations

import json
import random
import re

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
    assert [entry.action for entry in log] == ["created", "updated", "deleted"]
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
