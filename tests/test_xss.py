"""A comment made of attack markup is shown as text on every page that shows comments: the
resident's own pins, the planner's hotspot list and folium popups, the workshop presentation,
the moderation queue and log, and the exports. Rendered in Chromium, then searched for anything
executable."""
from __future__ import annotations

import csv
import io
import json
import secrets
import uuid

import pytest
from sqlalchemy import text

from mapserver.services import hotspots
from mapserver.services.moderation import digest
from tests.helpers import add_staff_account, seeded_app, serve_in_thread, signed_in_client
from tests.helpers import insert_workshop_today, plant_town_with_cluster, sign_in_in_browser

pytestmark = pytest.mark.browser

SALZHEMMENDORF = "03252008"
LAUENSTEIN = (52.0790, 9.5510)
# Every way in at once: a formula for spreadsheets, a script element, an image error handler, a
# javascript: link, an SVG load handler, a template-literal expression and a backtick break-out
# (folium puts popup HTML into a JavaScript template literal), and a textarea break-out.
PAYLOAD = ('=HYPERLINK("http://example.org","x") <script>window.__xss="script"</script>'
           '<img src=x onerror="window.__xss=\'img\'"><a href="javascript:window.__xss=\'link\'">klick</a>'
           '<svg onload="window.__xss=\'svg\'"></svg> ${window.__xss="literal"} `;window.__xss="backtick";`'
           '</textarea></q></li><b onmouseover="window.__xss=\'b\'">fett</b>')
VISIBLE = 'window.__xss="literal"'  # a piece of the payload that must appear as text


@pytest.fixture(scope="module")
def site(module_db_url):
    with seeded_app(module_db_url) as app:
        engine = app.extensions["glaswaende.engine"]
        with engine.begin() as conn:
            plant_town_with_cluster(conn, SALZHEMMENDORF, seed=21)
            # The newest pins of the cluster carry the payload, approved, so every list shows it.
            conn.execute(text("""
                UPDATE pin SET comment = :payload, status = 'published', created_at = now() + interval '1 hour'
                WHERE id IN (SELECT id FROM pin WHERE municipality_ags = :ags ORDER BY id DESC LIMIT 8)"""),
                         {"payload": PAYLOAD, "ags": SALZHEMMENDORF})
            creator = add_staff_account(conn, "chefin", "admin")
            workshop_id = insert_workshop_today(conn, "Werkstatt", SALZHEMMENDORF, "xsswerk", creator)
        hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=199))
        # A resident's own pin (pending: it lands in the moderation queue) …
        edit_key = secrets.token_urlsafe(32)
        answer = app.test_client().post("/api/pins", json={
            "id": str(uuid.uuid4()), "lat": LAUENSTEIN[0], "lon": LAUENSTEIN[1], "category": "divided",
            "comment": PAYLOAD, "edit_key": edit_key})
        assert answer.status_code == 201
        # … and a redaction whose before and after both carry the payload (the log shows both to admins).
        client = signed_in_client(app, "admin", name="chefin")
        with engine.connect() as conn:
            pin_id = conn.execute(text("SELECT id FROM pin WHERE status = 'published' LIMIT 1")).scalar_one()
        assert client.post(f"/moderation/{pin_id}", data={"action": "redact", "comment": PAYLOAD + " (geprüft)",
                                                          "seen": digest(PAYLOAD)}).status_code == 303
        server, base = serve_in_thread(app)
        yield app, client, base, edit_key, workshop_id
        server.shutdown()


FIND_EXECUTABLE = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on') && a.value.includes('__xss')) found.push('handler: ' + el.outerHTML.slice(0, 80));
      if (['href', 'src', 'action', 'formaction'].includes(a.name) && a.value.trim().toLowerCase().startsWith('javascript:'))
        found.push('javascript URL: ' + el.outerHTML.slice(0, 80));
    }
    if (el.tagName === 'SCRIPT' && el.textContent.includes('<script>window.__xss'))
      found.push('script carries the payload unescaped');
  }
  return found;
}"""


def _signed_in_page(browser, base):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    page = context.new_page()
    page.dialogs, page.errors = [], []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    # Console errors include CSP violations: a page that needs an inline script would show here.
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    sign_in_in_browser(page, base, "chefin")
    page.wait_for_load_state()
    return page


def _assert_inert(page, where: str) -> None:
    page.wait_for_timeout(300)  # an image error handler would fire by now
    assert page.evaluate("() => window.__xss") is None, where
    assert page.evaluate(FIND_EXECUTABLE) == [], where
    assert page.dialogs == [], where
    assert page.errors == [], where


def test_comments_render_as_text_on_every_page(site, browser):
    app, _, base, edit_key, workshop_id = site
    page = _signed_in_page(browser, base)
    try:
        # The resident's own pins: the comment sits in a textarea, as its text.
        page.goto(f"{base}/meine-pins/{edit_key}")
        assert page.locator("textarea[name=comment]").input_value() == PAYLOAD
        _assert_inert(page, "own pins")

        # The planner's ranked hotspots.
        page.goto(f"{base}/planung/gemeinde/{SALZHEMMENDORF}")
        assert VISIBLE in page.locator("main").inner_text()
        _assert_inert(page, "planner page")

        # The folium map: every hotspot popup holds the comment as text.
        page.goto(f"{base}/planung/gemeinde/{SALZHEMMENDORF}/karte")
        page.wait_for_function("() => Object.values(window).some(v => v instanceof L.Map)")
        popups = page.evaluate("""() => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            const texts = [];
            map.eachLayer(l => { if (l.getPopup && l.getPopup()) { l.openPopup();
                                  texts.push(l.getPopup().getElement().textContent); } });
            return texts; }""")
        assert popups and any(VISIBLE in t and "<script>" in t for t in popups), popups
        _assert_inert(page, "folium popups")

        # The workshop presentation: comments of the shown hotspot.
        page.goto(f"{base}/workshops/{workshop_id}/praesentation")
        page.locator(".hotspot-number").first.wait_for()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => document.getElementById('hotspot-comments').textContent.includes({json.dumps(VISIBLE)})")
        _assert_inert(page, "presentation")

        # Moderation: the queue (with the redaction textarea) and the log (before and after).
        page.goto(f"{base}/moderation/?status=all")
        assert VISIBLE in page.locator(".moderation-queue").inner_text()
        # Each comment's small map shows its pin and the district outlines.
        page.wait_for_function("() => [...document.querySelectorAll('.mini-map')].every("
                               "m => m.querySelector('path.leaflet-interactive, .leaflet-overlay-pane svg path'))")
        # The mini-map's sources sit folded behind its "i" (moderation/queue.html), not on the map.
        assert "GeoBasis-DE" in page.locator(".mini-map-sources").first.text_content()
        _assert_inert(page, "moderation queue")
        page.goto(f"{base}/moderation/protokoll")
        assert page.locator("table.log").inner_text().count(VISIBLE) == 2
        _assert_inert(page, "moderation log")
    finally:
        page.context.close()


def test_exports_keep_the_comment_as_data_and_defuse_formulas(site):
    _, client, _, _, _ = site
    geojson = client.get(f"/planung/export/pins.geojson?gemeinde={SALZHEMMENDORF}")
    comments = {f["properties"]["comment"] for f in geojson.json["features"]}
    assert PAYLOAD in comments
    body = client.get(f"/planung/export/pins.csv?gemeinde={SALZHEMMENDORF}").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    published = [r["comment"] for r in rows if r["comment"]]
    assert published and all(c == "'" + PAYLOAD for c in published if "geprüft" not in c)
    assert not any(c.startswith(("=", "+", "-", "@")) for r in rows for c in r.values())
