"""The workshop's projection carries a room at any amount of data (issue 16): with uniform pins
only it shows the densest districts and dense clusters, honestly labelled, and a legend only for
what is on the map; each phone pin is acknowledged at once (a counter and a district pulse, never
a place); the hotspot card lists categories; the poster invites (QR code of the join link, call
to action, counts, plain words) and the offline file has its title. Chromium at 1920 × 1080."""
from __future__ import annotations

import json
import re
import subprocess
import urllib.request
import uuid

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from mapserver.services import hotspots
from tests.helpers import add_staff_account, insert_cluster_around, insert_uniform, insert_workshop_today
from tests.helpers import seeded_app, serve_in_thread, sign_in_in_browser, signed_in_client

AERZEN = "03252001"
COPPENBRUEGGE = "03252004"
SALZHEMMENDORF = "03252008"
LAUENSTEIN = (52.0790, 9.5510)
PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def room(module_db_url):
    """Coppenbrügge with uniform pins only (no hotspot), Salzhemmendorf with a planted glass wall
    around Lauenstein (a hotspot), Aerzen without pins; a workshop in each, one run released."""
    with seeded_app(module_db_url) as app:
        engine = app.extensions["glaswaende.engine"]
        with engine.begin() as conn:
            insert_uniform(conn, COPPENBRUEGGE, 450, seed=1601)
            insert_uniform(conn, SALZHEMMENDORF, 300, seed=1602)
            insert_cluster_around(conn, SALZHEMMENDORF, "Lauenstein", 60, radius_m=300, seed=1603)
            creator = add_staff_account(conn, "anna", "facilitator")
            ids = {ags: insert_workshop_today(conn, f"Werkstatt {name}", ags, code, creator)
                   for ags, name, code in ((COPPENBRUEGGE, "Coppenbrügge", "copp2345"),
                                           (SALZHEMMENDORF, "Salzhemmendorf", "salz2345"),
                                           (AERZEN, "Aerzen", "aerz2345"))}
        hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
        yield app, engine, ids


def _send_pin(base_url: str, join_code: str, lat: float, lon: float, category: str = "divided") -> None:
    body = json.dumps({"id": str(uuid.uuid4()), "lat": lat, "lon": lon, "category": category, "workshop": join_code})
    request = urllib.request.Request(base_url + "/api/pins", data=body.encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


@pytest.fixture
def projector(room, browser):
    """Open a workshop's presentation at 1920 × 1080, its facilitator signed in through the form:
    open(ags) -> (page, base URL, script errors). Pins sent meanwhile are deleted afterwards."""
    app, engine, ids = room
    server, base = serve_in_thread(app)
    context = browser.new_context(viewport=PROJECTOR, locale="de-DE")
    errors = []

    def open_presentation(ags):
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in_in_browser(page, base, "anna")
        page.wait_for_url("**/workshops/")
        page.goto(base + f"/workshops/{ids[ags]}/praesentation")
        page.wait_for_function("() => window.glaswaende.state.data !== null && window.glaswaende.state.appliedLive !== null")
        return page, base, errors

    try:
        yield open_presentation
    finally:
        context.close()
        server.shutdown()
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM pin WHERE workshop_id = ANY(:ids)"), {"ids": list(ids.values())})


def _legend_keys(page):
    return page.evaluate("() => [...document.querySelectorAll('#legend li')].map(li => li.dataset.key)")


@pytest.mark.browser
def test_uniform_pins_show_the_densest_districts_and_a_legend_only_for_what_is_visible(projector):
    page, _, errors = projector(COPPENBRUEGGE)
    data = page.evaluate("() => window.glaswaende.state.data")
    assert data["hotspots"] == [] and not any(c["class"] for c in data["cells"]), "uniform pins: no hotspot"
    # The densest districts, each published (≥ k), labelled as density, not as a finding.
    dense = data["dense_districts"]
    assert dense and all(d["pins"] >= 5 for d in dense)
    assert page.locator("#dense").is_visible()
    assert page.locator("#dense-list li").first.inner_text().startswith(f"{dense[0]['name']}: ")
    assert "kein Hotspot" in page.locator("#dense-list").inner_text()
    assert page.locator(".dense-label", has_text="dichtester Ortsteil").first.is_visible()
    assert "Die Karte zeigt, wo bisher die meisten Pins liegen" in page.locator("#no-hotspots").inner_text()
    # Dense clusters, if any, say that they are not hotspots.
    for label in page.locator(".cluster-label").all_inner_texts():
        assert label == "dichte Häufung – kein Hotspot"

    # The legend: only what is on the map. No hotspot class (none is drawn); a layer switched on
    # brings its entry, switched off takes it away.
    keys = _legend_keys(page)
    assert not [k for k in keys if k.startswith(("hot-", "cold-"))]
    assert "dense" in keys and "grid" not in keys and "heat" not in keys
    assert "pulse" not in keys, "no pin has arrived yet"
    page.keyboard.press("5")
    assert "dense" not in _legend_keys(page)
    page.keyboard.press("5")
    assert "dense" in _legend_keys(page)
    # Few pins per hexagon (fewer than k each): the grid has nothing to show, and no entry.
    page.keyboard.press("2")
    assert page.evaluate("() => window.glaswaende.map.hasLayer(window.glaswaende.state.layers.grid)")
    assert ("grid" in _legend_keys(page)) == bool(data["cells"])

    # The map below the title bar: the municipality's outline starts below it, and the folded
    # attribution ("i") covers no part of it.
    title_bottom = page.locator(".presentation-title").bounding_box()
    title_bottom = title_bottom["y"] + title_bottom["height"]
    outline_top = page.evaluate("""() => { const s = window.glaswaende.state, m = window.glaswaende.map;
        return m.latLngToContainerPoint(s.outlineLayer.getBounds().getNorthWest()).y
               + m.getContainer().getBoundingClientRect().top; }""")
    assert outline_top >= title_bottom
    assert page.locator(".attribution-toggle").is_visible()
    assert not page.locator(".leaflet-control-attribution").is_visible()
    assert errors == []


@pytest.mark.browser
def test_the_first_phone_pin_is_acknowledged_on_the_screen_within_5_s(projector, room):
    page, base, errors = projector(SALZHEMMENDORF)
    counter = page.locator("#workshop-pins")
    assert counter.inner_text() == "0"
    _send_pin(base, "salz2345", *LAUENSTEIN)
    page.wait_for_function("() => document.getElementById('workshop-pins').textContent === '1'", timeout=5000)
    arrival = page.locator("#arrival")
    assert arrival.is_visible() and arrival.inner_text() == "Ein neuer Pin ist angekommen · Lauenstein"
    # The pulse is the whole district, never the pin's place or cell; no category, no number of it.
    pulse = page.evaluate("""() => { const out = [];
        window.glaswaende.state.layers.pulses.eachLayer(g => g.eachLayer(l => out.push(l.feature.properties.name)));
        return out; }""")
    assert pulse == ["Lauenstein"]
    assert page.evaluate("() => window.glaswaende.state.layers.live.getLayers().length") == 0
    assert "Glaswand" not in page.locator(".presentation-panel").inner_text()

    # Two more: counted at once, "2 neue Pins".
    _send_pin(base, "salz2345", 52.02, 9.62)
    _send_pin(base, "salz2345", 52.02, 9.62)
    page.wait_for_function("() => document.getElementById('workshop-pins').textContent === '3'", timeout=5000)
    assert arrival.inner_text().startswith("2 neue Pins sind angekommen")
    assert errors == []


def test_a_new_pin_names_its_district_only_where_it_holds_k_pins(room):
    """services/workshops.live_arrivals: Aerzen has no pins; its first workshop pin is counted
    but its district is not named (the room pulses the municipality), until the district holds k."""
    app, engine, ids = room
    with engine.connect() as conn:
        lat, lon, name = conn.execute(text(
            "SELECT ST_Y(centre), ST_X(centre), name FROM district WHERE municipality_ags = :ags ORDER BY name LIMIT 1"),
            {"ags": AERZEN}).one()
    client = signed_in_client(app, "facilitator", name="anna")
    server, base = serve_in_thread(app)
    try:
        _send_pin(base, "aerz2345", lat, lon)
        live = client.get(f"/workshops/{ids[AERZEN]}/live").get_json()
        assert live["arrived"] == 1 and live["recent"] == [None]
        assert live["workshop_pins"] is None and live["cells"] == [] and live["districts"] == {}
        for _ in range(4):
            _send_pin(base, "aerz2345", lat, lon)
        live = client.get(f"/workshops/{ids[AERZEN]}/live").get_json()
        with engine.connect() as conn:
            district_id = conn.execute(text("SELECT district_id FROM pin WHERE workshop_id = :id LIMIT 1"),
                                       {"id": ids[AERZEN]}).scalar_one()
        assert live["arrived"] == 5 and live["recent"] == [str(district_id)] * 5, name
    finally:
        server.shutdown()
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM pin WHERE workshop_id = :id"), {"id": ids[AERZEN]})


@pytest.mark.browser
def test_the_hotspot_card_lists_categories_and_dimensions(projector):
    page, _, errors = projector(SALZHEMMENDORF)
    page.keyboard.press("ArrowRight")
    assert page.locator("#hotspot-title").inner_text().startswith("Hotspot 1 von ")
    categories = page.locator("#hotspot-categories li").all_inner_texts()
    assert categories and categories[0].startswith("Glaswand: ")
    assert int(categories[0].split(": ")[1]) >= 5
    assert page.locator("#hotspot-dimensions li").first.inner_text().startswith("Herkunft, Kultur, Sprache: ")
    # Beside a hotspot the panel does not list "densest districts – not a hotspot".
    assert not page.locator("#dense").is_visible()
    # Only what is published: no category or dimension with fewer than k pins is listed.
    data = page.evaluate("() => window.glaswaende.state.hotspots[0]")
    assert all(n >= 5 for n in data["by_category"].values()) and all(n >= 5 for n in data["by_dimension"].values())
    assert errors == []


def test_the_poster_holds_the_join_qr_code_and_a_call_to_action(room, tmp_path):
    import zxingcpp
    from PIL import Image

    app, _, ids = room
    client = signed_in_client(app, "facilitator", name="anna")
    pdf = client.get(f"/workshops/{ids[SALZHEMMENDORF]}/plakat.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    path = tmp_path / "plakat.pdf"
    path.write_bytes(pdf.data)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(path), str(tmp_path / "plakat")], check=True)
    with Image.open(tmp_path / "plakat.png") as image:
        codes = zxingcpp.read_barcodes(image)
    assert [c.text for c in codes if c.format == zxingcpp.BarcodeFormat.QRCode] == ["http://localhost/w/salz2345"]
    content = " ".join(PdfReader(path).pages[0].extract_text().split())
    assert "Machen Sie mit!" in content and "setzen Sie Ihren Pin" in content
    assert "http://localhost/w/salz2345" in content
    assert "Pins in Salzhemmendorf" in content
    assert "Auffällig viele Pins" in content
    assert not [word for word in ("Konfidenz", "Gi*", "Kulldorff", "Scan-", "DBSCAN", "p-Wert") if word in content]
    assert "Werkstatt Salzhemmendorf" in content and "am " in content


def test_the_offline_file_has_its_title_and_the_plain_legend(room):
    app, _, ids = room
    client = signed_in_client(app, "facilitator", name="anna")
    html = client.get(f"/workshops/{ids[SALZHEMMENDORF]}/offline.html").get_data(as_text=True)
    assert "<title>Werkstatt Salzhemmendorf – " in html
    assert '<header class="offline-header"><h1>Werkstatt Salzhemmendorf' in html
    assert re.search(r'<ul class="offline-legend"><li><span class="swatch" style="background:#[0-9a-f]{6}"></span>'
                     r"Auffällig viele Pins – (fast sicher|wahrscheinlich) kein Zufall</li>", html)


def test_the_workshop_form_fits_the_title_and_offers_the_district_at_once(room):
    app, engine, _ = room
    client = signed_in_client(app, "facilitator", name="anna")
    page = client.get("/workshops/").get_data(as_text=True)
    assert 'size="60"' in page and 'id="district_id"' in page
    assert '<optgroup label="Salzhemmendorf">' in page and ">Lauenstein</option>" in page
    with engine.connect() as conn:
        lauenstein = conn.execute(text("SELECT id FROM district WHERE name = 'Lauenstein'")).scalar_one()
    form = {"title": "Ortsteil-Werkstatt Lauenstein und Umgebung, mit Kaffee", "held_on": "2026-12-05",
            "municipality_ags": SALZHEMMENDORF, "district_id": str(lauenstein)}
    response = client.post("/workshops/", data=form)
    assert response.status_code == 303
    with engine.connect() as conn:
        assert conn.execute(text("SELECT district_id FROM workshop WHERE title = :t"), {"t": form["title"]}).scalar_one() == lauenstein
    wrong = client.post("/workshops/", data={**form, "municipality_ags": AERZEN})
    assert wrong.status_code == 422 and "Dieser Ortsteil gehört nicht zur Gemeinde." in wrong.get_data(as_text=True)


@pytest.mark.browser
def test_the_join_page_starts_with_its_map_and_promises_what_the_screen_shows(room, browser):
    app, _, _ = room
    server, base = serve_in_thread(app)
    phone = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="de-DE")
    try:
        page = phone.new_page()
        page.goto(base + "/w/salz2345")
        page.locator(".area-label", has_text="Lauenstein").wait_for()
        box = page.locator("#map").bounding_box()
        # Map first: most of the first screen is map, without scrolling.
        assert box["y"] < 0.4 * PHONE["height"] and box["y"] + box["height"] > 0.85 * PHONE["height"]
        promise = page.locator(".workshop-banner").inner_text()
        assert "Leinwand" in promise and "ohne den genauen Ort" in promise
        assert "gemeinsamen Karte" not in promise
    finally:
        phone.close()
        server.shutdown()

