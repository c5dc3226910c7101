"""Point folium at our own static files (from npm, copied to static/vendor/ at set-up), never a CDN."""
from __future__ import annotations

import folium
from branca.element import MacroElement
from folium.plugins import HeatMap
from jinja2 import Template


def _vendored(element, static_url: str, js: list[tuple[str, str]], css: list[tuple[str, str]]):
    # folium collects each element's default_js/default_css at render time; instance attributes
    # replace the class's CDN lists.
    element.default_js = [(name, f"{static_url}/{path}") for name, path in js]
    element.default_css = [(name, f"{static_url}/{path}") for name, path in css]
    return element


def vendored_map(static_url: str, **kwargs) -> folium.Map:
    """A folium.Map loading Leaflet from static/vendor (no jQuery, Bootstrap or icon fonts needed)."""
    return _vendored(folium.Map(tiles=None, **kwargs), static_url,
                     js=[("leaflet", "vendor/leaflet/leaflet.js")],
                     css=[("leaflet_css", "vendor/leaflet/leaflet.css"), ("glaswaende_map", "css/planner-map.css")])


def vendored_heatmap(static_url: str, points, **kwargs) -> HeatMap:
    return _vendored(HeatMap(points, **kwargs), static_url, js=[("leaflet-heat.js", "vendor/leaflet.heat/leaflet-heat.js")], css=[])


class Attribution(MacroElement):
    """Adds the attributions of the data a map shows to Leaflet's attribution control."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {% for text in this.texts %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ text|tojson }});
        {% endfor %}
        {{ this._parent.get_name() }}.attributionControl.setPrefix(false);
        {% endmacro %}
    """)

    def __init__(self, texts: list[str]):
        super().__init__()
        self._name = "Attribution"
        self.texts = texts


class Legend(MacroElement):
    """A fixed legend box (HTML made by us, escaped data only)."""

    _template = Template("""
        {% macro html(this, kwargs) %}
        <div class="glaswaende-legend" role="region" aria-label="Legende">{{ this.html }}</div>
        {% endmacro %}
    """)

    def __init__(self, html: str):
        super().__init__()
        self._name = "Legend"
        self.html = html
