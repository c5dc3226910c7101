"""One planner map language (issue 15): a legend for every layer that comes and goes with the
layer, one colour direction (light = few, dark = many), a metric scale, hotspot popups that open
with the outlines on, numbers and dates as the reader's language writes them, the map first and
wide at 1366 × 768, one staff navigation by role, a print style sheet."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from mapserver import map_style
from mapserver.maps import planner
from mapserver.maps.data import PlannerMapData, filter_summary, number
from mapserver.services import hotspots
from mapserver.services.statistics import PinFilter
from tests.helpers import add_staff_account, insert_cluster_around, insert_uniform, insert_workshop_today, seeded_app
from tests.helpers import serve_in_thread, sign_in_in_browser

SALZHEMMENDORF = "03252008"
VIEWPORT = {"width": 1366, "height": 768}
ROLES = {"karten-planerin": ("planner",), "karten-werkstatt": ("facilitator",), "karten-moderatorin": ("moderator",),
         "karten-chefin": ("admin",), "karten-planmod": ("planner", "moderator"),
         "karten-koordination": ("coordinator",)}


@pytest.fixture(scope="module")
def site(module_db_url):
    """Salzhemmendorf with 1,100 pins spread out and 60 at Lauenstein (a hotspot with approved
    comments), the county's hotspots computed, a workshop, an account per role; served."""
    with seeded_app(module_db_url) as app:
        engine = app.extensions["glaswaende.engine"]
        with engine.begin() as conn:
            insert_uniform(conn, SALZHEMMENDORF, 1100, seed=41)
            insert_cluster_around(conn, SALZHEMMENDORF, "Lauenstein", 60, radius_m=300, seed=42)
            conn.execute(text("UPDATE pin SET comment = 'Hier fehlt ein Treffpunkt.', status = 'published' "
                              "WHERE id IN (SELECT id FROM pin ORDER BY id DESC LIMIT 3)"))
            accounts = {name: add_staff_account(conn, name, *roles) for name, roles in ROLES.items()}
            workshop_id = insert_workshop_today(conn, "Kartenwerkstatt", SALZHEMMENDORF, "kartenwerk",
                                                accounts["karten-chefin"])
        hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
        server, base = serve_in_thread(app)
        yield app, base, workshop_id
        server.shutdown()


@pytest.fixture
def german_page(site, browser):
    """A page in a German browser, signed in as `name` (a factory); closed afterwards."""
    pages = []

    def open_page(name: str = "karten-planerin"):
        page = browser.new_page(viewport=VIEWPORT, locale="de-DE")
        pages.append(page)
        sign_in_in_browser(page, site[1], name)
        page.wait_for_load_state()
        return page
    yield open_page
    for page in pages:
        page.close()


def _signed_in(site, staff_client, name: str):
    return staff_client(*ROLES[name], name=name, app=site[0])


# --- the map's language, without a browser -------------------------------------------------------

def _luminance(colour: str) -> float:
    red, green, blue = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_every_sequential_layer_runs_from_light_to_dark():
    """The grid, the choropleth and the heatmap (here and on the projector): few = light, many = dark."""
    sequential = [_luminance(c) for c in map_style.SEQUENTIAL]
    assert sequential == sorted(sequential, reverse=True)
    heat = [_luminance(c) for _, c in sorted(map_style.HEAT_GRADIENT.items())]
    assert heat == sorted(heat, reverse=True)
    assert map_style.browser_style()["heat_gradient"] == {str(stop): colour for stop, colour in map_style.HEAT_GRADIENT.items()}


def test_class_labels_and_numbers_in_the_readers_language(site):
    app = site[0]
    with app.test_request_context("/?lang=de"):
        assert number(83.41, 2) == "83,41" and number(1234, 0) == "1.234" and number(None) == "–"
        assert planner.class_labels([3, 7, 20], whole=True) == ["1–3", "4–7", "8–20"]
        assert planner.class_labels([1.5, 2.25], whole=False) == ["bis 1,50", "über 1,50 bis 2,25"]
        dated = PinFilter.from_query({"from": "2026-11-01", "to": "2026-11-30", "category": "divided"})
        assert filter_summary(dated) == "Hier verläuft eine Glaswand; 01.11.2026 bis 30.11.2026"
        assert filter_summary(PinFilter.from_query({"to": "2026-11-30"})) == "… bis 30.11.2026"
    with app.test_request_context("/?lang=en"):
        assert number(1234.5, 2) == "1,234.50"
        assert filter_summary(PinFilter.from_query({"from": "2026-11-01"})) == "Nov 1, 2026 to …"


def test_the_map_has_a_metric_scale_and_outlines_that_catch_no_clicks(site):
    outline = {"type": "Feature", "properties": {"name": "Test"},
               "geometry": {"type": "Polygon", "coordinates": [[[9.5, 52.0], [9.6, 52.0], [9.6, 52.1], [9.5, 52.0]]]}}
    data = PlannerMapData(title="Test", bounds=(9.5, 52.0, 9.6, 52.1),
                          outlines={"type": "FeatureCollection", "features": [outline]})
    with site[0].test_request_context("/?lang=de"):
        html = planner.planner_map(data, "/static", {"tile_url": "", "tile_attribution": "",
                                                     "data_attributions": []}).get_root().render()
    assert re.search(r'L\.control\.scale\(\{[^}]*"imperial": false', html)
    assert re.search(r'L\.control\.scale\(\{[^}]*"metric": true', html)
    assert "L.control.scale().addTo" not in html
    assert '"interactive": false' in html


# --- numbers, dates and the population note on the pages -----------------------------------------

def test_pages_write_numbers_and_dates_in_german(site, staff_client):
    client = _signed_in(site, staff_client, "karten-planerin")
    page = client.get(f"/planung/gemeinde/{SALZHEMMENDORF}?lang=de&from=2026-10-01&to=2026-11-30").get_data(as_text=True)
    totals = re.search(r'<p class="planner-totals">([^<]+)</p>', page).group(1)
    assert re.fullmatch(r"1\.\d{3} Pins, \d+,\d\d je 1\.000 Einwohner, \d+,\d\d je km²\.", totals), totals
    assert "Gezeigt: 01.10.2026 bis 30.11.2026." in page
    assert "2026-10-01 bis" not in page
    run_note = re.search(r'<p class="muted panel run-note">([^<]+)', page).group(1)
    assert re.search(r"\(1\.\d{3} Pins, Sechseck-Kantenlänge", run_note), run_note
    # The per-1,000 column says why it is empty: no district has a population.
    table = page[page.index("Pins je Ortsteil"):]
    assert "k. A." in table and "Für die Ortsteile von Salzhemmendorf sind keine Einwohnerzahlen hinterlegt" in table
    assert not re.search(r"<td>\d+\.\d\d</td>", page), "a decimal point in a table"
    overview = client.get("/planung/?lang=de").get_data(as_text=True)
    assert re.search(r"<td>1\.\d{3}</td>", overview), "thousands with a point"
    assert re.search(r"<td>\d+,\d\d</td>", overview), "rates with a decimal comma"
    # The map: tooltips and the legend with commas too.
    map_html = client.get(f"/planung/gemeinde/{SALZHEMMENDORF}/karte?lang=de").get_data(as_text=True)
    assert re.search(r": \d+,\d\d Pins je km", map_html), "choropleth tooltips"
    assert re.search(r"bis \d+,\d\d", map_html), "the legend's classes"
    assert re.search(r"erwartet \d+,\d", map_html), "the hotspots' popups"


def test_a_district_without_population_says_so(site, staff_client):
    app = site[0]
    with app.extensions["glaswaende.engine"].connect() as conn:
        district_id = conn.execute(text("SELECT id FROM district WHERE name = 'Lauenstein'")).scalar_one()
    page = _signed_in(site, staff_client, "karten-planerin").get(
        f"/planung/gemeinde/{SALZHEMMENDORF}/ortsteil/{district_id}?lang=de").get_data(as_text=True)
    assert "Für diesen Ortsteil ist keine Einwohnerzahl hinterlegt" in page
    assert re.search(r"\d+ Pins, \d+,\d\d je km²\.", page)


# --- one staff navigation ------------------------------------------------------------------------

def _navigation(html: str) -> tuple[list[str], list[str], list[str]]:
    """(sections, pages of the current section, the entries marked current) of the staff navigation."""
    nav = re.search(r'<nav class="staff-nav".*?</nav>', html, re.S).group(0)
    sections = re.search(r'<ul class="staff-sections">(.*?)</ul>', nav, re.S).group(1)
    pages = re.search(r'<ul class="staff-pages"[^>]*>(.*?)</ul>', nav, re.S)
    names = lambda part: [re.sub(r"<[^>]+>", "", a).strip() for a in re.findall(r"<a [^>]*>.*?</a>", part, re.S)]  # noqa: E731
    current = [re.sub(r"<[^>]+>", "", a).strip() for a in re.findall(r'<a [^>]*aria-current="[^"]+"[^>]*>.*?</a>', nav, re.S)]
    assert "Abmelden" in nav and "Angemeldet als" in nav
    return names(sections), names(pages.group(1)) if pages else [], current


ALL_SECTIONS = ["Planung", "Workshops", "Papier-Tisch", "Moderation", "Koordination"]


def test_one_staff_navigation_shows_what_the_roles_allow(site, staff_client):
    _, _, workshop_id = site
    cases = {
        "karten-planerin": [("/planung/", ["Planung"], ["Planung", "Übersicht Landkreis"]),
                            (f"/planung/gemeinde/{SALZHEMMENDORF}", ["Planung"], ["Planung"])],
        "karten-werkstatt": [("/workshops/", ["Workshops", "Papier-Tisch"], ["Workshops"]),
                             (f"/workshops/{workshop_id}", ["Workshops", "Papier-Tisch"], ["Workshops"]),
                             ("/papier/", ["Workshops", "Papier-Tisch"], ["Papier-Tisch"])],
        "karten-moderatorin": [("/moderation/", ["Moderation"], ["Moderation", "Warteschlange"]),
                               ("/moderation/protokoll", ["Moderation"], ["Moderation", "Protokoll"]),
                               ("/barrierefreiheit/rueckmeldungen", ["Moderation"],
                                ["Moderation", "Rückmeldungen zur Barrierefreiheit"])],
        "karten-chefin": [("/planung/", ALL_SECTIONS, ["Planung", "Übersicht Landkreis"]),
                          ("/workshops/", ALL_SECTIONS, ["Workshops"]),
                          ("/moderation/protokoll", ALL_SECTIONS, ["Moderation", "Protokoll"])],
        "karten-planmod": [("/planung/", ["Planung", "Moderation"], ["Planung", "Übersicht Landkreis"]),
                           ("/moderation/", ["Planung", "Moderation"], ["Moderation", "Warteschlange"])],
        # step two: the coordinators' section and its pages; idea moderation under Moderation
        "karten-koordination": [("/koordination/", ["Koordination"], ["Koordination", "Jahresuhr"]),
                                ("/koordination/ideen", ["Koordination"], ["Koordination", "Ideen und Antworten"]),
                                ("/koordination/akteure/", ["Koordination"], ["Koordination", "Akteure und Orte"])],
    }
    for name, pages in cases.items():
        client = _signed_in(site, staff_client, name)
        for path, sections, current in pages:
            response = client.get(path + ("&" if "?" in path else "?") + "lang=de")
            assert response.status_code == 200, (name, path)
            shown, _, marked = _navigation(response.get_data(as_text=True))
            assert shown == sections, (name, path, shown)
            assert marked == current, (name, path, marked)
    # The moderation section's pages, beside it; a planner's filters go along.
    html = _signed_in(site, staff_client, "karten-moderatorin").get("/moderation/protokoll?lang=de").get_data(as_text=True)
    assert _navigation(html)[1] == ["Warteschlange", "Ideen", "Protokoll", "Rückmeldungen zur Barrierefreiheit"]
    html = _signed_in(site, staff_client, "karten-planerin").get(
        f"/planung/gemeinde/{SALZHEMMENDORF}?category=divided&lang=de").get_data(as_text=True)
    assert re.search(r'<ul class="staff-sections">\s*<li><a href="/planung/\?category=divided"', html)


# --- in Chromium, 1366 × 768 ----------------------------------------------------------------------

VISIBLE_LEGEND_PARTS = """() => Array.from(document.querySelectorAll('.glaswaende-legend [data-legend-for]'))
    .filter(part => part.offsetParent !== null).map(part => part.getAttribute('data-legend-for'))"""


def _map_frame(page):
    page.locator("iframe.planner-map").wait_for()
    frame = page.frame_locator("iframe.planner-map")
    frame.locator(".glaswaende-legend").wait_for()
    return frame


@pytest.mark.browser
def test_every_layer_has_a_legend_that_comes_and_goes_with_it(site, german_page):
    page = german_page()
    page.goto(f"{site[1]}/planung/gemeinde/{SALZHEMMENDORF}/karte")
    page.locator(".glaswaende-legend").wait_for()
    overlays = page.locator(".leaflet-control-layers-overlays label")
    assert overlays.count() == 7
    assert page.locator(".glaswaende-legend [data-legend-for]").count() == 7
    for i in range(overlays.count()):
        label = overlays.nth(i)
        name = label.inner_text().strip()
        box = label.locator("input")
        was_on = box.is_checked()
        before = set(page.evaluate(VISIBLE_LEGEND_PARTS))
        box.click()
        after = set(page.evaluate(VISIBLE_LEGEND_PARTS))
        changed = before ^ after
        assert len(changed) == 1, (name, before, after)
        (part,) = changed
        assert (part in before) == was_on and (part in after) == (not was_on), name
        legend = page.locator(f'.glaswaende-legend [data-legend-for="{part}"]')
        if not was_on:
            assert legend.locator(".swatch, .ramp, .hotspot-mark").count() >= 1, name
        box.click()
        assert set(page.evaluate(VISIBLE_LEGEND_PARTS)) == before, name
    # The sequential layers' legends run light to dark; the grid's classes are counts.
    page.locator(".leaflet-control-layers-overlays label", has_text="Sechseck-Raster").locator("input").check()
    grid = page.locator(".glaswaende-legend .legend-layer:visible", has_text="Pins je Zelle")
    labels = [label.strip() for label in grid.locator("li").all_inner_texts()]
    assert len(labels) >= 3 and all(re.fullmatch(r"\d+(–\d+)?", label) for label in labels), labels
    lows = [int(label.split("–")[0]) for label in labels]
    assert lows == sorted(lows) and lows[0] == 1, labels
    swatches = grid.locator(".swatch").evaluate_all(
        "els => els.map(el => getComputedStyle(el).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number))")
    brightness = [0.2126 * r + 0.7152 * g + 0.0722 * b for r, g, b in swatches]
    assert brightness == sorted(brightness, reverse=True), "few pins light, many dark"
    page.locator(".leaflet-control-layers-overlays label", has_text="Dichte").locator("input").check()
    assert page.locator(".glaswaende-legend .ramp").is_visible()
    assert page.locator(".glaswaende-legend .ramp-ends").inner_text().split() == ["wenige", "Pins", "viele", "Pins"]


@pytest.mark.browser
def test_the_hotspot_popup_opens_with_the_outlines_on(site, german_page):
    page = german_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{site[1]}/planung/gemeinde/{SALZHEMMENDORF}/karte")
    page.locator(".glaswaende-legend").wait_for()
    outlines = page.locator(".leaflet-control-layers-overlays label", has_text="Grenzen und Namen").locator("input")
    assert outlines.is_checked()
    # The choropleth switched off and on again lies above the rest of the vector layers: the
    # hotspot still takes the click.
    choropleth = page.locator(".leaflet-control-layers-overlays label", has_text="Pins je km²").locator("input")
    choropleth.uncheck()
    choropleth.check()
    # A click where the hotspot is on the map, as a person clicks (whatever element lies there).
    x, y = page.evaluate("""() => {
        const map = window[Object.keys(window).find(name => name.startsWith('map_'))];
        let point = null;
        map.eachLayer(layer => {
            if (!point && layer.getPopup && layer.getPopup() && layer.getLatLng) point = map.latLngToContainerPoint(layer.getLatLng());
        });
        const box = map.getContainer().getBoundingClientRect();
        return [box.left + point.x, box.top + point.y];
    }""")
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    assert "Hotspot 1" in popup.inner_text() and "Hier fehlt ein Treffpunkt." in popup.inner_text()
    assert re.search(r"erwartet \d+,\d", popup.inner_text())
    page.locator(".leaflet-popup-close-button").click()
    popup.wait_for(state="detached")
    # … and with the keyboard.
    marker = page.locator(".hotspot-marker").first
    marker.focus()
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content").wait_for(state="visible")
    assert errors == []


@pytest.mark.browser
def test_the_scale_is_metric_and_clear_of_the_attribution(site, german_page):
    page = german_page()
    page.goto(f"{site[1]}/planung/gemeinde/{SALZHEMMENDORF}/karte")
    page.locator(".glaswaende-legend").wait_for()
    lines = page.locator(".leaflet-control-scale-line")
    assert lines.count() == 1
    assert re.fullmatch(r"\d+ (m|km)", lines.inner_text().strip())
    assert "mi" not in page.locator(".leaflet-control-scale").inner_text()
    scale, attribution = lines.bounding_box(), page.locator(".leaflet-control-attribution").bounding_box()
    assert scale["x"] + scale["width"] < attribution["x"] or scale["y"] + scale["height"] < attribution["y"]
    legend = page.locator(".glaswaende-legend").bounding_box()
    assert legend["x"] + legend["width"] < attribution["x"] or legend["y"] + legend["height"] < attribution["y"]


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/planung/", f"/planung/gemeinde/{SALZHEMMENDORF}"])
def test_the_map_comes_first_and_wide_with_the_filters_folded(site, german_page, path):
    page = german_page()
    page.goto(site[1] + path)
    _map_frame(page)
    box = page.locator("iframe.planner-map").bounding_box()
    assert box["y"] < 768 / 2, box  # its top well above the fold …
    assert box["width"] >= 900, box  # … and wide
    assert box["y"] + min(box["height"], 440) <= 768, box  # most of it in the first screen
    filters = page.locator("details.filters")
    assert not filters.evaluate("el => el.open")
    assert filters.locator("summary").inner_text().strip() == "Filter Gezeigt: alle Pins."
    assert not page.locator("#from").is_visible()
    filters.locator("summary").click()
    assert page.locator("#from").is_visible()


@pytest.mark.browser
def test_numbers_in_german_in_the_browser(site, german_page):
    page = german_page()
    page.goto(f"{site[1]}/planung/gemeinde/{SALZHEMMENDORF}?from=2026-10-01&to=2026-11-30")
    frame = _map_frame(page)
    assert re.search(r"^1\.\d{3} Pins, \d+,\d\d je 1\.000 Einwohner", page.locator(".planner-totals").inner_text())
    assert "01.10.2026 bis 30.11.2026" in page.locator("details.filters summary").inner_text()
    rows = page.locator("table.numbers:has(caption) tbody tr")
    assert rows.count() >= 5
    assert re.fullmatch(r"\d+,\d\d", rows.first.locator("td").last.inner_text().strip())
    assert re.search(r"über \d+,\d\d bis \d+,\d\d", frame.locator(".glaswaende-legend").inner_text())


@pytest.mark.browser
def test_the_staff_navigation_in_the_browser_marks_the_current_section(site, german_page):
    page = german_page("karten-chefin")
    _, base, workshop_id = site
    for path, current in [("/planung/", "Planung"), (f"/workshops/{workshop_id}", "Workshops"),
                          ("/moderation/protokoll", "Moderation")]:
        page.goto(base + path)
        nav = page.locator("nav.staff-nav")
        assert nav.is_visible()
        assert nav.locator(".staff-sections a[aria-current]").inner_text().strip() == current
        assert nav.locator(".staff-sections a").all_inner_texts() == ALL_SECTIONS
    page.locator("nav.staff-nav button", has_text="Abmelden").click()
    page.wait_for_load_state()
    page.goto(base + "/planung/")
    assert page.locator("nav.staff-nav").count() == 0


@pytest.mark.browser
def test_printing_shows_map_and_tables_without_the_controls(site, german_page):
    page = german_page()
    page.goto(f"{site[1]}/planung/gemeinde/{SALZHEMMENDORF}")
    frame = _map_frame(page)
    assert page.locator("details.filters").is_visible() and frame.locator(".leaflet-control-layers").is_visible()
    page.emulate_media(media="print")
    for hidden in ("details.filters", "nav.staff-nav", ".site-header", "button", ".button"):
        assert all(not element.is_visible() for element in page.locator(hidden).all()), hidden
    assert page.locator("iframe.planner-map").is_visible()
    assert page.locator("table.numbers").first.is_visible() and page.locator("table.hotspots").is_visible()
    assert not frame.locator(".leaflet-control-layers").is_visible()
    assert not frame.locator(".leaflet-control-zoom").is_visible()
    assert frame.locator(".glaswaende-legend").is_visible()
    # Before printing, the map takes its printed size (A4 less the margins) and fits its area into
    # it beside the legend: every Ortsteil's name on the sheet, none under the legend.
    fitted = frame.locator(".folium-map").evaluate("""map => {
        window.dispatchEvent(new Event('beforeprint'));
        const box = map.getBoundingClientRect(), legend = map.querySelector('.glaswaende-legend').getBoundingClientRect();
        const names = Array.from(map.querySelectorAll('.area-name')).map(name => {
            const b = name.getBoundingClientRect(); return [(b.left + b.right) / 2, (b.top + b.bottom) / 2]; });
        window.dispatchEvent(new Event('afterprint'));
        return {width: box.width, height: box.height, box: [box.left, box.top, box.right, box.bottom],
                legend: legend.right, names: names, after: map.getBoundingClientRect().width};
    }""")
    assert abs(fitted["width"] - (186 / 25.4 * 96 - 2)) < 2 and abs(fitted["height"] - (165 / 25.4 * 96 - 2)) < 2, fitted
    left, top, right, bottom = fitted["box"]
    assert len(fitted["names"]) == 10
    assert all(fitted["legend"] < x < right and top < y < bottom for x, y in fitted["names"]), fitted
    assert fitted["after"] > fitted["width"]  # the screen's width again
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
