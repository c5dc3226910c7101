"""Accessible pinning in Chromium: keyboard only (no mouse or touch event at all), and the no-map
path (municipality, then district from lists; stored with district precision)."""
from __future__ import annotations

import pytest
from sqlalchemy import text

pytestmark = pytest.mark.browser

SALZHEMMENDORF = "03252008"


def _stored(engine):
    with engine.connect() as conn:
        return conn.execute(text("""SELECT p.municipality_ags, d.name AS district, p.category, p.location_precision,
                                           ST_Y(p.geom) AS lat, ST_X(p.geom) AS lon
                                    FROM pin p JOIN district d ON d.id = p.district_id ORDER BY p.id""")).all()


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 800}, locale="de-DE")
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    # Any pointer event at all fails the keyboard test.
    page.add_init_script("""['mousedown', 'click', 'pointerdown', 'touchstart'].forEach(type =>
        window.addEventListener(type, e => { if (e.isTrusted && e.detail !== 0) { window.__pointerUsed = type; } }, true));""")
    yield page
    context.close()


def _tab_to(page, predicate_js: str, limit: int = 80) -> list[str]:
    """Press Tab until the focused element matches; the focus order seen on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return {predicate_js}; }}"):
            return seen
        seen.append(page.evaluate("() => document.activeElement.id || document.activeElement.name || document.activeElement.tagName"))
    raise AssertionError(f"not reached by Tab: {predicate_js}; order: {seen}")


def test_keyboard_only_pin_in_salzhemmendorf(desk, live_server, engine):
    page = desk
    page.goto(f"{live_server}/gemeinde/{SALZHEMMENDORF}")
    page.locator(".area-label", has_text="Lauenstein").wait_for()
    # The first Tab stops are the skip links; "Zum Formular springen" jumps to the form.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    assert page.locator(".skip-link", has_text="Zum Inhalt springen").bounding_box()["x"] >= 0, "visible when focused"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Zum Formular springen"
    # Tab on to the map: it shows its focus and a crosshair.
    _tab_to(page, "el.id === 'map'")
    outline = page.evaluate("(s => [s.outlineStyle, s.outlineColor, s.outlineWidth])(getComputedStyle(document.getElementById('map')))")
    assert outline == ["solid", "rgb(241, 194, 50)", "4px"], "our own focus ring, not the browser's"
    assert page.locator(".crosshair").is_visible()
    # Start near Lauenstein (the municipality's bounding box centre may lie outside its border).
    page.evaluate("window.glaswaende.map.setView([52.0790, 9.5510], 14, {animate: false})")
    before = page.evaluate("window.glaswaende.map.getCenter()")
    for key in ["ArrowRight"] * 2 + ["ArrowUp"] * 2:
        page.keyboard.press(key)
        page.wait_for_timeout(350)  # Leaflet ignores keys while a pan is animating
    after = page.evaluate("window.glaswaende.map.getCenter()")
    assert after["lng"] > before["lng"] and after["lat"] > before["lat"], "the arrow keys move the map"
    page.keyboard.press("Enter")
    centre = page.evaluate("window.glaswaende.map.getCenter()")
    assert "Gewählter Ort" in page.locator("#position-status").inner_text()

    # On to the form, still by Tab: the category, a dimension (Space), then "Pin senden".
    _tab_to(page, "el.name === 'category'")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    _tab_to(page, "el.id === 'send'")
    page.keyboard.press("Enter")
    page.locator("#confirmation").wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == "confirmation", "the confirmation takes the focus"
    assert "Salzhemmendorf" in page.locator("#confirmation-text").inner_text()
    (pin,) = _stored(engine)
    assert (pin.municipality_ags, pin.district, pin.location_precision) == (SALZHEMMENDORF, "Lauenstein", "exact")
    assert pin.category == "divided"
    assert abs(pin.lat - centre["lat"]) < 1e-6 and abs(pin.lon - centre["lng"]) < 1e-6
    assert page.evaluate("window.__pointerUsed || null") is None
    assert page.errors == []


def test_no_map_path_municipality_then_district_from_lists(desk, live_server, engine):
    page = desk
    page.goto(live_server + "/")
    page.get_by_role("link", name="Salzhemmendorf").click()
    page.wait_for_url(f"**/gemeinde/{SALZHEMMENDORF}")
    page.get_by_text("Ohne Karte: Ortsteil wählen").click()
    page.get_by_label("Ortsteil in Salzhemmendorf").select_option(label="Wallensen")
    page.get_by_role("button", name="Diesen Ortsteil verwenden").click()
    assert "Ortsteil Wallensen (ohne Karte)" in page.locator("#position-status").inner_text()
    page.get_by_label("Hier fehlt ein Ort der Begegnung").check()
    page.get_by_role("button", name="Pin senden").click()
    page.locator("#confirmation").wait_for(state="visible")
    assert "Wallensen" in page.locator("#confirmation-text").inner_text()
    (pin,) = _stored(engine)
    assert (pin.district, pin.location_precision, pin.category) == ("Wallensen", "district", "missing_meeting_place")

    # The Ortsteil search by name leads to the same path, the district already chosen.
    page.goto(live_server + "/")
    page.get_by_label("Ortsteil suchen (ohne Karte)").fill("Lauenstein")
    page.get_by_role("button", name="Suchen").click()
    page.wait_for_url("**ortsteil=*")
    assert "Ortsteil Lauenstein (ohne Karte)" in page.locator("#position-status").inner_text()
    assert page.errors == []


def test_errors_are_announced_and_tied_to_their_field(desk, live_server, engine):
    page = desk
    page.goto(f"{live_server}/gemeinde/{SALZHEMMENDORF}")
    page.get_by_text("Ohne Karte: Ortsteil wählen").click()
    page.get_by_label("Ortsteil in Salzhemmendorf").select_option(label="Lauenstein")
    page.get_by_role("button", name="Diesen Ortsteil verwenden").click()
    page.get_by_role("button", name="Pin senden").click()
    error = page.locator("#form-error")
    assert error.get_attribute("role") == "alert" and "Bitte wählen Sie, was hier ist." in error.inner_text()
    radio = page.locator("input[name=category]").first
    assert radio.get_attribute("aria-invalid") == "true" and radio.get_attribute("aria-describedby") == "form-error"
    assert page.evaluate("document.activeElement.name") == "category"
    assert _stored(engine) == []
