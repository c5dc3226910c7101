"""Point folium at our own static files (from npm, copied to static/vendor/ at set-up), never a CDN."""
from __future__ import annotations

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
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


class HexagonCells(JSCSSMixin):
    """Hexagon cells sent as centres only and drawn in the browser (static/js/hexagons.js, which
    the presentation draws with too): a cell is 4 numbers and a tooltip instead of a GeoJSON
    polygon, which keeps county-wide grids small."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var colours = {{ this.colours|tojson }}, size = {{ this.size_m }}, layer = {{ this._parent.get_name() }};
            var outlines = {{ this.outlines|tojson }};
            {{ this.cells|tojson }}.forEach(function (c) {
                var outline = outlines ? outlines[c[2]] : {color: colours[c[2]], weight: 0.6};
                L.polygon(Glaswaende.hexagons.corners(c[0], c[1], size),
                          {fillColor: colours[c[2]], fillOpacity: {{ this.opacity }}, color: outline.color,
                           weight: outline.weight, dashArray: outline.dashArray || null})
                    .bindTooltip(c[3]).addTo(layer);
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, static_url: str, cells: list[list], colours: list[str], size_m: float, opacity: float,
                 outlines: list[dict] | None = None):
        super().__init__()
        self._name = "HexagonCells"
        _vendored(self, static_url, js=[("glaswaende_hexagons", "js/hexagons.js")], css=[])
        self.cells = cells  # [lat, lon, colour index, tooltip]
        self.colours = colours
        # Per colour: {color, weight, dashArray} of the cell's border (a cue besides the colour).
        self.outlines = outlines
        self.size_m = size_m
        self.opacity = opacity


class HtmlPopup(MacroElement):
    """A popup bound to its parent layer, its HTML (made by us, data escaped) passed as a JSON
    string. folium.Popup would put the HTML into a JavaScript template literal, where a comment's
    `${…}` runs as code, and it needs jQuery, which our maps do not load."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.html|tojson }}, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, html: str, max_width: int = 320):
        super().__init__()
        self._name = "HtmlPopup"
        self.html = html
        self.options = {"maxWidth": max_width}
