"""axe-core (from npm) in Chromium: no violation of impact serious or critical on every resident
page in German and Arabic (step two's ideas and projects included), and on the planner,
workshop, moderation and coordination pages. Also: 320 px wide
and 200 % zoom without horizontal scrolling, and right-to-left Arabic."""
from __future__ import annotations

import json
import re
import secrets
import uuid

import pytest
from sqlalchemy import text

from mapserver import easy_words
from mapserver.config import PROJECT_ROOT
from mapserver.services import hotspots, ideas
from tests.helpers import add_staff_account, seeded_app, serve_in_thread
from tests.helpers import insert_workshop_today, plant_town_with_cluster, sign_in_in_browser

pytestmark = pytest.mark.browser

SALZHEMMENDORF = "03252008"
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def site(module_db_url):
    with seeded_app(module_db_url) as app:
        engine = app.extensions["glaswaende.engine"]
        with engine.begin() as conn:
            plant_town_with_cluster(conn, SALZHEMMENDORF, seed=31)
            conn.execute(text("UPDATE pin SET comment = 'Hier fehlt ein Treffpunkt.', status = 'published' "
                              "WHERE id IN (SELECT id FROM pin ORDER BY id DESC LIMIT 3)"))
            conn.execute(text("UPDATE pin SET comment = 'Bitte prüfen.' WHERE id = (SELECT min(id) FROM pin)"))
            creator = add_staff_account(conn, "chefin", "admin")
            workshop_id = insert_workshop_today(conn, "Werkstatt Lauenstein", SALZHEMMENDORF, "axewerk", creator)
        hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
        with engine.begin() as conn, app.test_request_context():
            _plant_step_two(conn, creator)
        edit_key = secrets.token_urlsafe(32)
        assert app.test_client().post("/api/pins", json={"id": str(uuid.uuid4()), "lat": 52.079, "lon": 9.551,
                                                         "category": "divided", "edit_key": edit_key}).status_code == 201
        server, base = serve_in_thread(app)
        yield base, edit_key, workshop_id
        server.shutdown()


def _plant_step_two(conn, staff_id: int) -> None:
    """An idea with a published answer and a project from it with a milestone and an update, so
    that the pages of step two have content (planted once; ids 1 by the fresh database)."""
    district = conn.execute(text("SELECT id FROM district WHERE name = 'Lauenstein'")).scalar_one()
    idea = ideas.create_idea(conn, "03252", ideas.NewIdea(SALZHEMMENDORF, "Ein Café für Jung und Alt",
                                                          "Ein Ort, an dem sich alle treffen.", ("generations",),
                                                          (district,)), source="paper", created_by=staff_id)
    conn.execute(text("""INSERT INTO idea_answer (idea_id, state, body, institution, drafted_by, published_at)
                         VALUES (:idea, 'wird_umgesetzt', 'Wir suchen einen Raum.', 'Gemeinde Salzhemmendorf', :staff,
                                 now())"""), {"idea": idea["id"], "staff": staff_id})
    project = conn.execute(text("""
        INSERT INTO project (county_key, municipality_ags, district_ids, title, description, status, start_on,
                             accompaniment_end, area, created_by)
        SELECT '03252', :ags, ARRAY[:district], 'Dorfcafé Lauenstein', 'Ein Café im Dorfgemeinschaftshaus.', 'laeuft',
               current_date - 40, current_date + 325, d.geom, :staff FROM district d WHERE d.id = :district
        RETURNING id"""), {"ags": SALZHEMMENDORF, "district": district, "staff": staff_id}).scalar_one()
    conn.execute(text("INSERT INTO project_idea (project_id, idea_id) VALUES (:p, :i)"), {"p": project, "i": idea["id"]})
    conn.execute(text("""INSERT INTO project_milestone (project_id, title, due_on, done_on)
                         VALUES (:p, 'Raum gefunden', current_date - 10, current_date - 12),
                                (:p, 'Erstes Treffen', current_date + 20, NULL)"""), {"p": project})
    conn.execute(text("INSERT INTO project_update (project_id, body, created_by) VALUES (:p, 'Der Raum ist gefunden.', :s)"),
                 {"p": project, "s": staff_id})
    conn.execute(text("""INSERT INTO local_actor (county_key, municipality_ags, district_id, name, kind, contact, geom)
                         SELECT '03252', :ags, d.id, 'Heimatverein Lauenstein', 'verein', 'heimatverein@example.org',
                                d.centre FROM district d WHERE d.id = :district"""),
                 {"ags": SALZHEMMENDORF, "district": district})


def _axe_violations(page) -> list[dict]:
    if not hasattr(_axe_violations, "source"):
        _axe_violations.source = AXE.read_text(encoding="utf-8")
    page.evaluate(_axe_violations.source)  # evaluated by the test, not loaded by the page: no CSP change
    results = page.evaluate("""() => axe.run(document, {resultTypes: ['violations']})""")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"][:3]]}
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


def _check(page, url: str, ready: str | None = None) -> list:
    page.goto(url)
    if ready:
        page.locator(ready).first.wait_for()
    page.wait_for_timeout(300)
    return [(url, v) for v in _axe_violations(page)]


def _send_a_pin_without_the_map(page, base: str, language: str) -> None:
    """Send a pin through the no-map path, as far as the confirmation the page's script shows."""
    page.goto(f"{base}/gemeinde/{SALZHEMMENDORF}?lang={language}")
    page.locator("#ohne-karte > summary").click()
    page.locator("#district-choice").select_option(index=1)
    page.locator("#use-district").click()
    page.locator("input[name=category]").first.check()
    page.locator("#send").click()
    page.locator("#confirmation").wait_for(state="visible")


RESIDENT_PAGES = ["/", f"/gemeinde/{SALZHEMMENDORF}", "/ortsteile?name=bad", "/datenschutz", "/impressum", "/barrierefreiheit",
                  "/nirgendwo",
                  # step two: ideas, answers and projects (the site's first idea and project)
                  f"/gemeinde/{SALZHEMMENDORF}/ideen", f"/gemeinde/{SALZHEMMENDORF}/ideen/neu", "/ideen/1",
                  f"/gemeinde/{SALZHEMMENDORF}/projekte", "/projekte/1", "/w/axewerk/idee"]


def _resident_urls(site, language: str):
    """(path, address) of every resident page, the own-pins page of the site's resident included."""
    base, edit_key, _ = site
    for path in RESIDENT_PAGES + [f"/meine-pins/{edit_key}"]:
        yield path, f"{base}{path}{'&' if '?' in path else '?'}lang={language}"


@pytest.mark.parametrize("language", ["de", "ar"])
def test_resident_pages_have_no_serious_or_critical_violations(site, browser, language):
    base = site[0]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    found = []
    try:
        for path, url in _resident_urls(site, language):
            ready = ".leaflet-container" if path in ("/", f"/gemeinde/{SALZHEMMENDORF}") else None
            found += _check(page, url, ready)
        # The confirmation after sending, too.
        _send_a_pin_without_the_map(page, base, language)
        found += [("confirmation", v) for v in _axe_violations(page)]
    finally:
        page.close()
    assert found == [], json.dumps(found, ensure_ascii=False, indent=1)


def test_staff_pages_have_no_serious_or_critical_violations(site, browser):
    base, _, workshop_id = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    found = []
    try:
        found += _check(page, f"{base}/anmelden")
        sign_in_in_browser(page, base, "chefin")
        page.wait_for_load_state()
        for path, ready in [("/planung/", None), (f"/planung/gemeinde/{SALZHEMMENDORF}", None),
                            ("/workshops/", None), (f"/workshops/{workshop_id}", None),
                            (f"/workshops/{workshop_id}/praesentation", ".hotspot-number"),
                            ("/moderation/?status=all", ".mini-map.leaflet-container"), ("/moderation/protokoll", None),
                            ("/barrierefreiheit/rueckmeldungen", None), ("/moderation/ideen/", None),
                            ("/koordination/", None), ("/koordination/projekte/1", None), ("/koordination/ideen", None),
                            ("/koordination/ideen/1", None), ("/koordination/ideen/neu", None),
                            ("/koordination/antwortvorlagen", None), ("/koordination/akteure/", None),
                            ("/koordination/protokoll", None)]:
            found += _check(page, base + path, ready)
    finally:
        page.close()
    assert found == [], json.dumps(found, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("width, zoom", [(320, 1), (640, 2)])
def test_resident_pages_fit_320_px_and_200_percent_zoom_without_horizontal_scrolling(site, browser, width, zoom):
    """320 CSS px wide, and a 640 px window at 200 % zoom (also 320 CSS px): WCAG 1.4.10 reflow."""
    base, edit_key, _ = site
    context = browser.new_context(viewport={"width": width // zoom, "height": 700}, device_scale_factor=zoom)
    page = context.new_page()
    try:
        for path in RESIDENT_PAGES + [f"/meine-pins/{edit_key}"]:
            for language in ("de", "ar"):
                separator = "&" if "?" in path else "?"
                page.goto(f"{base}{path}{separator}lang={language}")
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, (path, language, overflow)
    finally:
        context.close()


def test_arabic_reads_right_to_left_with_the_map_unmirrored(site, browser):
    base, _, _ = site
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(f"{base}/gemeinde/{SALZHEMMENDORF}?lang=ar")
        page.locator(".leaflet-container").wait_for()
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
        form = page.locator("#pin-form")
        assert form.evaluate("el => getComputedStyle(el).direction") == "rtl"
        # A radio button sits right of its label text in right-to-left reading.
        label = page.locator("#pin-form label.choice").first
        radio_box = label.locator("input").bounding_box()
        label_box = label.bounding_box()
        assert radio_box["x"] + radio_box["width"] > label_box["x"] + label_box["width"] - 40
        # The map itself is not mirrored: west stays left.
        west_left = page.evaluate("""() => { const m = window.glaswaende.map, b = m.getBounds();
            return m.latLngToContainerPoint([b.getCenter().lat, b.getWest()]).x < m.latLngToContainerPoint([b.getCenter().lat, b.getEast()]).x; }""")
        assert west_left
        assert page.locator("#map").evaluate("el => getComputedStyle(el).direction") == "ltr"
    finally:
        page.close()


# Every control and every link that is not part of a sentence: at least 24 × 24 CSS px (WCAG 2.2,
# 2.5.8). Skip links (visible on focus only) and the robots' field nobody sees are not targets.
SMALL_TARGETS = """() => {
  const small = [];
  for (const el of document.querySelectorAll('a[href], button, summary, input:not([type=hidden]), select, textarea')) {
    if (el.closest('.skip-link, .honeypot, .leaflet-marker-pane, .leaflet-overlay-pane')) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const style = getComputedStyle(el), parent = el.parentElement;
    const inSentence = style.display === 'inline' && parent.textContent.trim().length > el.textContent.trim().length + 5;
    if (!inSentence && (box.width < 24 || box.height < 24))
      small.push(`${el.tagName} "${(el.textContent || el.name || '').trim().slice(0, 40)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
  }
  return small;
}"""


@pytest.mark.parametrize("language", ["de", "ar"])
def test_every_target_on_resident_pages_is_at_least_24_px(site, browser, language):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    found = []
    try:
        for path, url in _resident_urls(site, language):
            page.goto(url)
            page.wait_for_timeout(300)
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            found += [(path, small) for small in page.evaluate(SMALL_TARGETS)]
            page.evaluate(_axe_violations.source if hasattr(_axe_violations, "source") else AXE.read_text(encoding="utf-8"))
            target_size = page.evaluate("() => axe.run(document, {runOnly: ['target-size']})")
            found += [(path, v["id"], [n["target"] for n in v["nodes"][:3]]) for v in target_size["violations"]]
    finally:
        page.close()
    assert found == [], json.dumps(found, ensure_ascii=False, indent=1)


LAW_REFERENCE = re.compile(r"Art\. ?\d|Abs\. ?\d|§|DSGVO|BITV|Buchst\.")
# A full stop after a number is an ordinal ("am 4. Dezember"), not the end of a sentence.
SENTENCE_END = re.compile(r"(?:(?<!\d)\.|[!?])(?=\s|$)")


def _easy_read_problems(page, where: str) -> list[tuple]:
    """What breaks the rules of Leichte Sprache in the page's main text (the maps' attributions
    and the list of sources are licence notes, quoted as their licences ask: left out): a line with more than one sentence, a bracket, a paragraph of law,
    a hard word of easy_words.WORDS that the page's list of hard words does not explain."""
    text = page.evaluate("""() => { const main = document.querySelector('main').cloneNode(true);
        main.querySelectorAll('.leaflet-container, .source-notes, .easy-words, [hidden]').forEach(e => e.remove());
        document.body.appendChild(main); const t = main.innerText; main.remove(); return t; }""")
    explained = set(page.locator(".easy-words dt").all_inner_texts())
    problems = []
    for line in (line.strip() for line in text.splitlines()):
        if len(SENTENCE_END.findall(line)) > 1:
            problems.append((where, "mehr als ein Satz in einer Zeile", line))
        if "(" in line or ")" in line:
            problems.append((where, "Klammer", line))
        if LAW_REFERENCE.search(line):
            problems.append((where, "Paragraf", line))
    for hard in easy_words.WORDS.values():
        if hard.occurs_in(text) and hard.word not in explained:
            problems.append((where, "schweres Wort ohne Erklärung", hard.word))
    return problems


def test_leichte_sprache_keeps_its_rules_on_every_resident_page(site, browser):
    base, _, _ = site
    page = browser.new_page(viewport={"width": 360, "height": 740})
    problems = []
    try:
        for path, url in [*_resident_urls(site, "de_LS"), ("/w/axewerk", f"{base}/w/axewerk?lang=de_LS")]:
            page.goto(url)
            if path in ("/", f"/gemeinde/{SALZHEMMENDORF}"):
                page.locator(".leaflet-container").first.wait_for()
            assert page.locator("html.leichte-sprache").count() == 1, path
            assert page.locator("meta[name=description]").get_attribute("content").strip(), path
            problems += _easy_read_problems(page, path)
        # The confirmation after sending, made by the page's script from its messages.
        _send_a_pin_without_the_map(page, base, "de_LS")
        problems += _easy_read_problems(page, "Bestätigung")
    finally:
        page.close()
    assert problems == [], json.dumps(problems, ensure_ascii=False, indent=1)
