"""Workshops: who may change them, the join link, the projected presentation (live, stepping,
freeze, privacy threshold), the offline copy and the poster."""
from __future__ import annotations

import re
import time
import uuid
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from mapserver.services import hotspots
from tests.helpers import add_staff_account, seeded_app, serve_in_thread, signed_in_client
from tests.helpers import insert_cluster_around, insert_uniform, sign_in_in_browser

SALZHEMMENDORF = "03252008"
LAUENSTEIN = (52.0790, 9.5510)
A3_LANDSCAPE_POINTS = (1190.55, 841.89)


@pytest.fixture(scope="module")
def workshop_app(module_db_url):
    with seeded_app(module_db_url) as app:
        engine = app.extensions["glaswaende.engine"]
        with engine.begin() as conn:
            insert_uniform(conn, SALZHEMMENDORF, 500, seed=41)
            insert_cluster_around(conn, SALZHEMMENDORF, "Lauenstein", 60, radius_m=300, seed=42)
            insert_cluster_around(conn, SALZHEMMENDORF, "Wallensen", 50, radius_m=300, seed=43)
            add_staff_account(conn, "anna", "facilitator")
            add_staff_account(conn, "bernd", "facilitator")
            add_staff_account(conn, "chefin", "admin")
            add_staff_account(conn, "paula", "planner")
        hotspots.refresh(engine, "03252", hotspots.HotspotSettings())
        response = signed_in_client(app, "facilitator", name="anna").post(
            "/workshops/", data={"title": "Glaswände in Salzhemmendorf", "held_on": "2026-12-03",
                                 "municipality_ags": SALZHEMMENDORF})
        assert response.status_code == 303
        workshop_id = int(response.headers["Location"].rsplit("/", 1)[1])
        with engine.connect() as conn:
            join_code = conn.execute(text("SELECT join_code FROM workshop WHERE id = :id"), {"id": workshop_id}).scalar_one()
        yield app, engine, workshop_id, join_code


def _assert_live_numbers_near_their_counts(engine, workshop_id):
    """Each number the room sees is its own pins' count when it was last published (each number
    is batched on its own), perturbed by at most 2, and at least k."""
    with engine.connect() as conn:
        state = conn.execute(text("SELECT live_view FROM workshop WHERE id = :id"), {"id": workshop_id}).scalar_one()
    shown = {key: value for key, value in state["shown"].items() if value is not None}
    assert shown and all(value >= 5 and abs(value - state["counted"][key]) <= 2 for key, value in shown.items()), state


def _live_pin_count(engine, workshop_id):
    """How many pins the room's current live snapshot counts."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT live_pin_count FROM workshop WHERE id = :id"), {"id": workshop_id}).scalar_one()


def _workshop_row(engine, workshop_id):
    with engine.connect() as conn:
        return conn.execute(text("SELECT title, held_on, district_id FROM workshop WHERE id = :id"), {"id": workshop_id}).one()


def test_a_facilitator_cannot_change_another_facilitators_workshop(workshop_app, staff_client):
    app, engine, workshop_id, _ = workshop_app
    before = _workshop_row(engine, workshop_id)
    bernd = staff_client("facilitator", name="bernd", app=app)
    form = {"title": "Übernommen", "held_on": "2026-12-04", "municipality_ags": SALZHEMMENDORF}
    response = bernd.post(f"/workshops/{workshop_id}", data=form)
    assert response.status_code == 403 and "nur diese Person" in response.get_data(as_text=True)
    assert bernd.post(f"/workshops/{workshop_id}/loeschen").status_code == 403
    assert _workshop_row(engine, workshop_id) == before
    assert bernd.get(f"/workshops/{workshop_id}/praesentation").status_code == 200, "presenting is allowed"

    admin = staff_client("admin", name="chefin", app=app)
    assert admin.post(f"/workshops/{workshop_id}", data={**form, "title": "Von der Verwaltung"}).status_code == 303
    assert _workshop_row(engine, workshop_id).title == "Von der Verwaltung"
    anna = staff_client("facilitator", name="anna", app=app)
    assert anna.post(f"/workshops/{workshop_id}", data={**form, "title": "Glaswände in Salzhemmendorf",
                                                         "held_on": "2026-12-03"}).status_code == 303
    assert _workshop_row(engine, workshop_id) == before


def test_workshop_pages_need_the_facilitator_role(workshop_app, staff_client):
    app, _, workshop_id, _ = workshop_app
    assert app.test_client().get("/workshops/").status_code == 401
    planner = staff_client("planner", name="paula", app=app)
    assert planner.get("/workshops/").status_code == 403
    assert planner.get(f"/workshops/{workshop_id}/live").status_code == 403


def test_bad_workshop_input_is_refused_in_german(workshop_app, staff_client):
    app, engine, _, _ = workshop_app
    anna = staff_client("facilitator", name="anna", app=app)
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM workshop")).scalar_one()
    response = anna.post("/workshops/", data={"title": "x", "held_on": "morgen", "municipality_ags": "03241001"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Die Angaben sind unvollständig oder ungültig." in html
    assert "Bitte einen Titel mit 3 bis 200 Zeichen angeben." in html
    assert "Bitte ein Datum angeben (JJJJ-MM-TT)." in html
    nul = anna.post("/workshops/", data={"title": "Glas\x00wand", "held_on": "2026-12-01", "municipality_ags": SALZHEMMENDORF})
    assert nul.status_code == 422 and "Steuerzeichen" in nul.get_data(as_text=True)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM workshop")).scalar_one() == before
    dollar = anna.post("/workshops/", data={"title": "Kosten $\\foo$ und 5 $", "held_on": "2026-12-01",
                                            "municipality_ags": SALZHEMMENDORF})
    assert dollar.status_code == 303
    assert anna.get(dollar.headers["Location"] + "/plakat.pdf").status_code == 200
    assert anna.post(dollar.headers["Location"] + "/loeschen").status_code == 303


def test_join_link_opens_the_area_and_tags_pins(workshop_app):
    app, engine, workshop_id, join_code = workshop_app
    resident = app.test_client()
    response = resident.get(f"/w/{join_code}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/gemeinde/{SALZHEMMENDORF}?workshop={join_code}"
    page = resident.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sie nehmen am Workshop „Glaswände in Salzhemmendorf“ teil." in page
    assert f'data-workshop="{join_code}"' in page
    pin_id = str(uuid.uuid4())
    created = resident.post("/api/pins", json={"id": pin_id, "lat": LAUENSTEIN[0], "lon": LAUENSTEIN[1],
                                               "category": "divided", "workshop": join_code})
    assert created.status_code == 201
    with engine.connect() as conn:
        assert conn.execute(text("SELECT workshop_id FROM pin WHERE client_id = :id"), {"id": pin_id}).scalar_one() == workshop_id
        before = conn.execute(text("SELECT count(*) FROM pin")).scalar_one()
    unknown = resident.post("/api/pins", json={"id": str(uuid.uuid4()), "lat": LAUENSTEIN[0], "lon": LAUENSTEIN[1],
                                               "category": "divided", "workshop": "zzzzzzzz"})
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "workshop"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pin")).scalar_one() == before
    assert resident.get("/w/gibtsnicht").status_code == 404
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM pin WHERE client_id = :id"), {"id": pin_id})


def test_district_workshop_join_link_opens_that_district(workshop_app, staff_client):
    app, engine, _, _ = workshop_app
    anna = staff_client("facilitator", name="anna", app=app)
    with engine.connect() as conn:
        district = conn.execute(text("""SELECT id, ST_XMin(geom) AS w, ST_YMin(geom) AS s, ST_XMax(geom) AS e,
                                        ST_YMax(geom) AS n FROM district WHERE name = 'Wallensen'""")).one()
    created = anna.post("/workshops/", data={"title": "Wallensen", "held_on": "2026-12-05", "municipality_ags": SALZHEMMENDORF})
    location = created.headers["Location"]
    form = {"title": "Wallensen", "held_on": "2026-12-05", "municipality_ags": SALZHEMMENDORF, "district_id": str(district.id)}
    assert anna.post(location, data=form).status_code == 303
    with engine.connect() as conn:
        code = conn.execute(text("SELECT join_code FROM workshop WHERE district_id = :d"), {"d": district.id}).scalar_one()
    page = app.test_client().get(f"/gemeinde/{SALZHEMMENDORF}?workshop={code}").get_data(as_text=True)
    bounds = [float(v) for v in re.search(r'data-bounds="\[([^\]]+)\]"', page).group(1).split(",")]
    assert bounds == pytest.approx([district.w, district.s, district.e, district.n])
    # A district of another municipality is refused.
    with engine.connect() as conn:
        foreign = conn.execute(text("SELECT id FROM district WHERE municipality_ags <> :a LIMIT 1"),
                               {"a": SALZHEMMENDORF}).scalar_one()
    refused = anna.post(location, data={**form, "district_id": str(foreign)})
    assert refused.status_code == 422 and "gehört nicht zur Gemeinde" in refused.get_data(as_text=True)
    offline = anna.get(location + "/offline.html")
    assert offline.status_code == 200 and offline.mimetype == "text/html"
    assert 'filename="glaswaende-workshop-' in offline.headers["Content-Disposition"]
    assert "<script src=" not in offline.get_data(as_text=True)
    assert anna.post(location + "/loeschen").status_code == 303


def test_qr_code_is_a_standalone_svg_of_the_join_link(workshop_app, staff_client):
    app, _, workshop_id, join_code = workshop_app
    anna = staff_client("facilitator", name="anna", app=app)
    response = anna.get(f"/workshops/{workshop_id}/qr.svg")
    assert response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # The same symbol segno makes for exactly the join link (so it encodes that link).
    import io

    import segno
    expected = io.BytesIO()
    segno.make(f"http://localhost/w/{join_code}", error="m").save(
        expected, kind="svg", scale=10, border=2, dark="#000", light="#fff", xmldecl=False, svgns=True,
        title="QR-Code zum Workshop-Link")
    assert response.data == expected.getvalue()
    detail = anna.get(f"/workshops/{workshop_id}").get_data(as_text=True)
    assert f"http://localhost/w/{join_code}" in detail


def test_poster_is_one_a3_landscape_page_with_title_and_attribution(workshop_app, staff_client, tmp_path):
    app, _, workshop_id, _ = workshop_app
    pdf, png = tmp_path / "plakat.pdf", tmp_path / "plakat.png"
    result = app.test_cli_runner().invoke(args=["workshop", "export", str(workshop_id), "--pdf", str(pdf), "--png", str(png)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert abs(width - A3_LANDSCAPE_POINTS[0]) < 2 and abs(height - A3_LANDSCAPE_POINTS[1]) < 2
    content = page.extract_text()
    assert "Glaswände in Salzhemmendorf" in content
    assert "GeoBasis-DE / BKG" in content
    assert "Lauenstein" in content and "Auffällig viele Pins – fast sicher kein Zufall" in content
    from PIL import Image
    with Image.open(png) as image:
        assert abs(image.width / image.height - A3_LANDSCAPE_POINTS[0] / A3_LANDSCAPE_POINTS[1]) < 0.01
        # The hotspot layer is drawn on the map (left of the legend): pixels in a hotspot colour,
        # plotted at 0.9 alpha on white.
        from mapserver.maps.planner import HOTSPOT_COLOURS
        blended = {tuple(round(0.9 * int(c[i:i + 2], 16) + 0.1 * 255) for i in (1, 3, 5))
                   for (side, _), c in HOTSPOT_COLOURS.items() if side == "hot"}
        rgb = image.convert("RGB")
        map_part = rgb.crop((0, 0, int(rgb.width * 0.72), rgb.height))
        hot = sum(n for n, colour in map_part.getcolors(maxcolors=1 << 20)
                  if any(all(abs(a - b) <= 3 for a, b in zip(colour, target)) for target in blended))
        assert hot > 200
    anna = staff_client("facilitator", name="anna", app=app)
    download = anna.get(f"/workshops/{workshop_id}/plakat.pdf")
    assert download.mimetype == "application/pdf" and download.data.startswith(b"%PDF")


@pytest.mark.browser
def test_offline_copy_renders_with_every_request_blocked(workshop_app, browser, tmp_path):
    app, _, workshop_id, _ = workshop_app
    path = tmp_path / "offline.html"
    result = app.test_cli_runner().invoke(args=["workshop", "export", str(workshop_id), "--html", str(path)])
    assert result.exit_code == 0, result.output
    html = path.read_text(encoding="utf-8")
    assert not re.search(r'<script[^>]+src=|<link[^>]+href=', html), "every script and style is inlined"
    page = browser.new_page()
    failed, errors = [], []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
    page.goto(path.as_uri())
    page.locator(".glaswaende-legend").wait_for()
    assert "Hotspot, 99 % Konfidenz" in page.locator(".glaswaende-legend").inner_text()
    hotspot_cells = page.evaluate("""() => {
        const map = Object.values(window).find(v => v instanceof L.Map);
        let polygons = 0;
        map.eachLayer(layer => { if (layer instanceof L.Polygon && layer.options.fillOpacity === 0.75) polygons += 1; });
        return polygons; }""")
    assert hotspot_cells >= 2
    assert page.locator(".area-name", has_text="Lauenstein").count() == 1
    assert [url for url in failed if "tile" not in url] == []
    assert errors == []
    page.close()


def _send_pin(base_url: str, join_code: str, lat: float, lon: float) -> None:
    import json
    import urllib.request

    body = json.dumps({"id": str(uuid.uuid4()), "lat": lat, "lon": lon, "category": "divided", "workshop": join_code})
    request = urllib.request.Request(base_url + "/api/pins", data=body.encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


@pytest.fixture
def presentation(workshop_app, browser):
    """The workshop's presentation in Chromium (served from a thread), its facilitator signed in
    through the form: (page, base URL, the page's script errors). The pins sent through the join
    link meanwhile are deleted afterwards."""
    app, engine, workshop_id, _ = workshop_app
    server, base = serve_in_thread(app)
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="de-DE")
    presenter = context.new_page()
    errors = []
    presenter.on("pageerror", lambda e: errors.append(str(e)))
    try:
        sign_in_in_browser(presenter, base, "anna")
        presenter.wait_for_url("**/workshops/")
        presenter.goto(base + f"/workshops/{workshop_id}/praesentation")
        presenter.locator(".district-name", has_text="Lauenstein").wait_for()
        yield presenter, base, errors
    finally:
        context.close()
        server.shutdown()
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM pin WHERE workshop_id = :id"), {"id": workshop_id})


@pytest.mark.browser
def test_the_presentation_gets_only_public_numbers(presentation, workshop_app):
    presenter, _, errors = presentation
    workshop_id = workshop_app[2]
    data = presenter.evaluate(f"() => fetch('/workshops/{workshop_id}/praesentation/daten').then(r => r.json())")
    # Public numbers (services/disclosure.py): at least k, or None for a hotspot's cell with fewer.
    assert data["cells"] and all(c["pins"] >= 5 if c["pins"] is not None else c["class"] for c in data["cells"])
    assert all(c["pins"] >= 5 for c in data["clusters"]) and all(h["pins"] >= 5 for h in data["hotspots"])
    assert errors == []


@pytest.mark.browser
def test_number_keys_switch_the_layers(presentation):
    presenter, _, errors = presentation
    # 2 shows the hexagon grid, 3 hides the hotspots.
    has = "name => window.glaswaende.map.hasLayer(window.glaswaende.state.layers[name])"
    assert not presenter.evaluate(f"({has})('grid')") and presenter.evaluate(f"({has})('hotspots')")
    presenter.keyboard.press("2")
    presenter.keyboard.press("3")
    assert presenter.evaluate(f"({has})('grid')") and not presenter.evaluate(f"({has})('hotspots')")
    assert errors == []


@pytest.mark.browser
def test_the_projected_text_is_24_px_or_larger(presentation):
    presenter, _, errors = presentation
    presenter.locator(".presentation-panel li, .legend li").first.wait_for()
    font_size = presenter.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.presentation-panel li, .legend li')).fontSize)")
    assert font_size >= 24
    assert errors == []


@pytest.mark.browser
def test_join_link_pins_are_shown_only_once_there_are_k(presentation, workshop_app, browser):
    presenter, base, errors = presentation
    _, engine, workshop_id, join_code = workshop_app
    presenter.wait_for_function("() => window.glaswaende.state.appliedLive !== null")  # the first poll
    pins = presenter.locator("#workshop-pins")
    assert pins.inner_text() == "0", "the room's own counter: no place, no content (workshops.live_arrivals)"

    # A resident's phone sends a pin through the join link; the room's view is polled again …
    phone = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True,
                                locale="de-DE").new_page()
    phone.goto(base + f"/w/{join_code}")
    phone.locator(".area-label", has_text="Lauenstein").wait_for()
    phone.locator("#map").scroll_into_view_if_needed()
    point = phone.evaluate("([lat, lon]) => { const m = window.glaswaende.map; m.setView([lat, lon], 15);"
                           " const p = m.latLngToContainerPoint([lat, lon]); const r = m.getContainer().getBoundingClientRect();"
                           " return {x: r.left + p.x, y: r.top + p.y}; }", list(LAUENSTEIN))
    phone.touchscreen.tap(point["x"], point["y"])
    phone.get_by_label("Hier verläuft eine Glaswand").check()
    phone.get_by_role("button", name="Pin senden").tap()
    phone.locator("#confirmation").wait_for(state="visible")
    polled = presenter.evaluate("() => window.glaswaende.state.appliedLive.at")
    presenter.wait_for_function(f"() => window.glaswaende.state.appliedLive.at !== {polled!r}", timeout=5000)
    # … it is counted at once, but one pin is below k: no number, no cell of it is drawn.
    assert pins.inner_text() == "1"
    assert presenter.evaluate("() => window.glaswaende.state.layers.live.getLayers().length") == 0
    live = presenter.evaluate("() => window.glaswaende.state.appliedLive")
    assert live["workshop_pins"] is None and live["cells"] == [] and live["districts"] == {}

    # Ten more pins in one place: the room's snapshot moves once the workshop has grown by k
    # since the last one; the cell shows its count perturbed by at most 2.
    for _ in range(10):
        _send_pin(base, join_code, LAUENSTEIN[0], LAUENSTEIN[1])
    presenter.wait_for_function("() => window.glaswaende.state.layers.live.getLayers().length === 1", timeout=5000)
    live = presenter.evaluate("() => window.glaswaende.state.appliedLive")
    counted = _live_pin_count(engine, workshop_id)
    assert 5 <= counted <= 11 and live["in_steps_of"] == 5
    assert abs(live["workshop_pins"] - counted) <= 2 and len(live["cells"]) == 1
    _assert_live_numbers_near_their_counts(engine, workshop_id)
    assert errors == []


@pytest.mark.browser
def test_a_frozen_view_ignores_new_pins_until_it_resumes(presentation, workshop_app):
    presenter, base, errors = presentation
    _, engine, workshop_id, join_code = workshop_app
    # The room sees a number: eleven pins in one place (as the test above sends them).
    for _ in range(11):
        _send_pin(base, join_code, LAUENSTEIN[0], LAUENSTEIN[1])
    presenter.wait_for_function("() => window.glaswaende.state.layers.live.getLayers().length === 1", timeout=5000)
    counted = _live_pin_count(engine, workshop_id)
    pins = presenter.locator("#workshop-pins")

    # Frozen: new pins do not change the view; resuming shows them (k more: a new snapshot).
    presenter.keyboard.press("f")
    assert presenter.locator("#frozen-badge").is_visible()
    frozen = pins.inner_text()
    for _ in range(5 + 11 - counted):
        _send_pin(base, join_code, 52.02, 9.62)
    time.sleep(4.5)
    assert pins.inner_text() == frozen
    presenter.keyboard.press("f")
    presenter.wait_for_function(f"() => document.getElementById('workshop-pins').textContent !== {frozen!r}",
                                timeout=5000)
    with engine.connect() as conn:
        arrived = conn.execute(text("SELECT count(*) FROM pin WHERE workshop_id = :id"), {"id": workshop_id}).scalar_one()
    assert int(pins.inner_text()) == arrived
    assert errors == []


@pytest.mark.browser
def test_arrow_keys_step_through_the_hotspots_and_the_map_flies_to_each(presentation):
    presenter, _, errors = presentation
    presenter.keyboard.press("ArrowRight")
    title = presenter.locator("#hotspot-title")
    assert title.inner_text().startswith("Hotspot 1 von ")
    first = title.inner_text()
    centre_before = presenter.evaluate("() => window.glaswaende.map.getCenter()")
    presenter.keyboard.press("ArrowRight")
    assert title.inner_text().startswith("Hotspot 2 von ") and title.inner_text() != first
    presenter.wait_for_timeout(1200)  # the map flies to the next hotspot
    centre_after = presenter.evaluate("() => window.glaswaende.map.getCenter()")
    assert abs(centre_after["lat"] - centre_before["lat"]) + abs(centre_after["lng"] - centre_before["lng"]) > 0.01
    assert errors == []


@pytest.mark.browser
def test_q_shows_the_join_qr_code_full_screen_and_escape_closes_it(presentation):
    presenter, _, errors = presentation
    presenter.keyboard.press("q")
    assert presenter.locator("#qr-overlay").is_visible()
    assert presenter.locator("#qr-overlay img").evaluate("img => img.naturalWidth > 0")
    presenter.keyboard.press("Escape")
    assert not presenter.locator("#qr-overlay").is_visible()
    assert errors == []
