"""Map styling is defined once (mapserver/map_style.py): the folium maps, the poster and the
presentation's data read it in Python, the presentation's script reads the same values from its
page; every map page gets its tiles and attributions from one function; services need no folium."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape

import pytest

from mapserver import map_style
from mapserver.config import PROJECT_ROOT
from mapserver.maps import planner, poster
from mapserver.maps.base_map import page_map_settings
from mapserver.maps.data import PlannerMapData
from mapserver.services import areas

SALZHEMMENDORF = "03252008"


def _data_attribute(html: str, name: str, element_id: str | None = None):
    """The JSON in a data- attribute of the page (of the element with this id, if given)."""
    tag = re.search(rf'<[^>]*id="{element_id}"[^>]*>', html).group(0) if element_id else html
    return json.loads(unescape(re.search(rf'{name}="([^"]+)"', tag).group(1)))


@pytest.fixture
def workshop_id(app, staff_client):
    """A workshop in Salzhemmendorf, deleted afterwards (the session's database is shared)."""
    facilitator = staff_client("facilitator", name="style-facilitator")
    response = facilitator.post("/workshops/", data={"title": "Stil", "held_on": "2026-12-03",
                                                     "municipality_ags": SALZHEMMENDORF})
    assert response.status_code == 303
    workshop_id = int(response.headers["Location"].rsplit("/", 1)[1])
    yield workshop_id
    assert facilitator.post(f"/workshops/{workshop_id}/loeschen").status_code == 303


def test_the_presentation_draws_with_the_palettes_python_draws_with(app, staff_client, workshop_id):
    facilitator = staff_client("facilitator", name="style-facilitator")
    html = facilitator.get(f"/workshops/{workshop_id}/praesentation").get_data(as_text=True)
    style = _data_attribute(html, "data-map-style", "map")
    assert style == json.loads(json.dumps(map_style.browser_style()))
    assert style["sequential"] == map_style.SEQUENTIAL
    assert {float(stop): colour for stop, colour in style["heat_gradient"].items()} == map_style.HEAT_GRADIENT
    assert style["hotspot_colours"] == {"hot-99": "#b2182b", "hot-95": "#ef8a62", "cold-95": "#67a9cf", "cold-99": "#2166ac"}
    assert style["hotspot_colours"] == {map_style.hotspot_class_name(key): colour
                                        for key, colour in map_style.HOTSPOT_COLOURS.items()}
    # The legend and the cells' classes in the presentation's data name the same entries.
    data = facilitator.get(f"/workshops/{workshop_id}/praesentation/daten").get_json()
    assert {entry["key"]: entry["colour"] for entry in data["legend"]} == style["hotspot_colours"]
    assert [entry["label"] for entry in data["legend"]] == [str(label) for label in map_style.HOTSPOT_LABELS.values()]
    # The folium map and the poster read the very same objects.
    for module in (planner, poster):
        assert module.HOTSPOT_COLOURS is map_style.HOTSPOT_COLOURS
        assert module.HOTSPOT_LABELS is map_style.HOTSPOT_LABELS
    assert planner.SEQUENTIAL is map_style.SEQUENTIAL and planner.HEAT_GRADIENT is map_style.HEAT_GRADIENT


def test_hexagons_are_drawn_by_one_script(app, staff_client, workshop_id):
    """The presentation and the planners' folium maps load static/js/hexagons.js; no other code
    draws a hexagon's corners."""
    page = staff_client("facilitator", name="style-facilitator").get(f"/workshops/{workshop_id}/praesentation")
    assert re.search(r'src="/static/[^"]*js/hexagons(\.[0-9a-f]{12})?\.js"', page.get_data(as_text=True))
    cell = {"type": "Feature", "geometry": None, "properties": {"centre": [9.55, 52.05], "pins": 7, "by_category": {},
                                                                "hotspot_class": "hot", "confidence": 99}}
    outline = {"type": "Feature", "properties": {"name": "Test"},
               "geometry": {"type": "Polygon", "coordinates": [[[9.5, 52.0], [9.6, 52.0], [9.6, 52.1], [9.5, 52.0]]]}}
    data = PlannerMapData(title="Test", bounds=(9.5, 52.0, 9.6, 52.1),
                          outlines={"type": "FeatureCollection", "features": [outline]},
                          cells={"type": "FeatureCollection", "features": [cell]})
    with app.test_request_context():  # the layers' names are staff texts
        folium_map = planner.planner_map(data, "/static", {"tile_url": "", "tile_attribution": "", "data_attributions": []})
        rendered = folium_map.get_root().render()
    assert rendered.count('src="/static/js/hexagons.js"') == 1
    drawing = [path.relative_to(PROJECT_ROOT).as_posix()
               for folder in ("static/js", "mapserver", "templates") for path in (PROJECT_ROOT / folder).rglob("*")
               if path.suffix in (".js", ".py", ".html") and "111320" in path.read_text(encoding="utf-8")]
    assert drawing == ["static/js/hexagons.js"]


def test_every_map_page_gets_the_same_tiles_and_attributions(app, client, staff_client, workshop_id):
    with app.extensions["glaswaende.engine"].connect() as conn:
        expected = page_map_settings(app.config, areas.county(conn, app.config["COUNTY_KEY"]))
    assert "© GeoBasis-DE / BKG (2017), dl-de/by-2-0" in expected["data_attributions"]
    pages = [(client, "/", "map"), (client, f"/gemeinde/{SALZHEMMENDORF}", "map"),
             (staff_client("moderator"), "/moderation/", "mini-map-settings"),
             (staff_client("facilitator", name="style-facilitator"), f"/workshops/{workshop_id}/praesentation", "map")]
    for page_client, url, element_id in pages:
        html = page_client.get(url).get_data(as_text=True)
        assert _data_attribute(html, "data-map-settings", element_id) == expected, url


def test_services_import_no_folium():
    """Services are plain functions on plain values (README, "Adding a capability"): what they
    need of the maps lives in map_style and maps.data, which import no folium."""
    code = ("import sys, mapserver.services.planning, mapserver.services.presentation, mapserver.map_style, "
            "mapserver.maps.data, mapserver.maps.base_map; assert 'folium' not in sys.modules, 'folium imported'")
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
