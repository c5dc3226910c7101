"""A resident on a 360 px phone pins a glass wall: Playwright driving Debian's Chromium."""
from __future__ import annotations

import shutil
import threading

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from tests.conftest import make_test_app

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
LAUENSTEIN = (52.0790, 9.5510)


def _serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app, clean_pins):
    server, url = _serve(app)
    yield url
    server.shutdown()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True,
                                  device_scale_factor=2, locale="de-DE")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    context.close()


def _screen_point(page, lat, lon):
    point = page.evaluate("([lat, lon]) => { const m = window.glaswaende.map;"
                          " const p = m.latLngToContainerPoint([lat, lon]);"
                          " const r = m.getContainer().getBoundingClientRect();"
                          " return {x: r.left + p.x, y: r.top + p.y}; }", [lat, lon])
    return point["x"], point["y"]


def test_resident_pins_a_glass_wall_in_salzhemmendorf_on_a_phone(phone, live_server, engine):
    page = phone
    page.goto(live_server + "/")
    page.get_by_role("link", name="Salzhemmendorf").click()
    page.wait_for_url("**/gemeinde/03252008")
    # The districts are drawn and named, and the map says their borders are approximate.
    page.locator(".area-label", has_text="Lauenstein").wait_for()
    assert page.locator(".map-note").inner_text() == "Ortsteile: ungefähre Grenzen"

    page.locator("#map").scroll_into_view_if_needed()
    x, y = _screen_point(page, *LAUENSTEIN)
    page.touchscreen.tap(x, y)
    page.locator(".leaflet-marker-icon").wait_for()
    assert "Gewählter Ort" in page.locator("#position-status").inner_text()

    page.get_by_label("Hier verläuft eine Glaswand").check()
    page.get_by_label("Generationen (Jung und Alt)").check()
    page.get_by_label("Ihr Kommentar").fill("Die Jugendlichen haben keinen Treffpunkt mehr.")
    page.get_by_role("button", name="Pin senden").tap()

    confirmation = page.locator("#confirmation")
    confirmation.wait_for(state="visible")
    assert "Lauenstein (Salzhemmendorf)" in confirmation.inner_text()
    assert page.get_by_role("button", name="Weiteren Pin setzen").is_visible()
    assert page.console_errors == []

    with engine.connect() as conn:
        row = conn.execute(text("""
            SELECT p.municipality_ags, d.name, p.category, p.dimensions, p.comment, ST_Y(p.geom) AS lat, ST_X(p.geom) AS lon
            FROM pin p JOIN district d ON d.id = p.district_id""")).one()
    assert (row.municipality_ags, row.name, row.category) == ("03252008", "Lauenstein", "divided")
    assert row.dimensions == ["generations"] and row.comment.startswith("Die Jugendlichen")
    assert abs(row.lat - LAUENSTEIN[0]) < 0.002 and abs(row.lon - LAUENSTEIN[1]) < 0.002


def test_sending_without_a_place_asks_for_one_and_writes_nothing(phone, live_server, engine):
    page = phone
    page.goto(live_server + "/gemeinde/03252002")
    page.get_by_label("Hier fehlt ein Ort der Begegnung").check()
    page.get_by_role("button", name="Pin senden").click()
    assert "Bitte tippen Sie zuerst auf die Karte" in page.get_by_role("alert").inner_text()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pin")).scalar_one() == 0


def test_page_works_on_boundaries_alone_when_tiles_are_unreachable(browser, county_db_url, clean_pins):
    # The default OpenStreetMap tiles, but every tile request fails (as with no internet).
    app = make_test_app(county_db_url, TILE_URL="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    server, url = _serve(app)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    try:
        page.goto(url + "/gemeinde/03252008")
        page.locator(".area-label", has_text="Lauenstein").wait_for()
        assert page.locator("path.leaflet-interactive").count() == 10
        attribution = page.locator(".leaflet-control-attribution").inner_text()
        assert "GeoBasis-DE / BKG" in attribution and "OpenStreetMap" in attribution
        assert errors == []
    finally:
        context.close()
        server.shutdown()
        app.extensions["glaswaende.engine"].dispose()
