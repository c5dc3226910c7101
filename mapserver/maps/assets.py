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


class MetricScale(MacroElement):
    """Leaflet's scale bar in metres and kilometres only (folium's control_scale adds miles too),
    bottom left, clear of the attribution (planner-map.css keeps that in the right half)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({{ this.options|tojson }}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, max_width: int = 160):
        super().__init__()
        self._name = "MetricScale"
        self.options = {"metric": True, "imperial": False, "maxWidth": max_width, "position": "bottomleft"}


class PrintFit(MacroElement):
    """Printed, the map is the size static/css/print.css gives its frame on A4 (PRINT_WIDTH ×
    PRINT_HEIGHT), not the width of the screen: before printing, the map takes that size and fits
    its area into it beside the legend (drawn at once: no script runs between the print layout and
    the printout); afterwards it takes the screen's size again."""

    # The inner size of iframe.planner-map on A4 (static/css/print.css: the page's 186 mm of
    # width, 165 mm high, a 1 px border).
    PRINT_WIDTH = "calc(186mm - 2px)"
    PRINT_HEIGHT = "calc(165mm - 2px)"

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, bounds = {{ this.bounds|tojson }};
            function fit(width, height) {
                var container = map.getContainer();
                container.style.width = width;
                container.style.height = height;
                map.invalidateSize({pan: false});
                // The area beside the legend (bottom left) and above the attribution (bottom right).
                var legend = container.querySelector(".glaswaende-legend");
                var attribution = container.querySelector(".leaflet-control-attribution");
                map.fitBounds(bounds, {animate: false, paddingTopLeft: [legend ? legend.offsetWidth + 20 : 10, 10],
                                       paddingBottomRight: [10, attribution ? attribution.offsetHeight + 10 : 10]});
                map.eachLayer(function (layer) {  // canvas renderers draw on the next frame: now
                    if (layer instanceof L.Canvas) { layer._redraw(); }
                });
            }
            window.addEventListener("beforeprint", function () { fit({{ this.width|tojson }}, {{ this.height|tojson }}); });
            window.addEventListener("afterprint", function () { fit("", ""); });
        })();
        {% endmacro %}
    """)

    def __init__(self, bounds: list[list[float]]):
        super().__init__()
        self._name = "PrintFit"
        self.bounds = bounds  # [[south, west], [north, east]]
        self.width, self.height = self.PRINT_WIDTH, self.PRINT_HEIGHT


class Legend(MacroElement):
    """The map's legend, a Leaflet control (HTML made by us, escaped data only): a part always
    shown, and one part per layer (`sections`: the layer, its legend's HTML) that is shown while
    its layer is on the map, so it appears and disappears as the layer is switched in the layer
    control. Add it after the layers."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var layers = { {%- for layer, _ in this.sections %}{{ layer.get_name()|tojson }}: {{ layer.get_name() }}, {% endfor -%} };
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                var box = L.DomUtil.create("div", "glaswaende-legend");
                box.setAttribute("role", "region");
                box.setAttribute("aria-label", {{ this.label|tojson }});
                box.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(box);
                L.DomEvent.disableScrollPropagation(box);
                return box;
            };
            legend.addTo(map);
            function update() {
                legend.getContainer().querySelectorAll("[data-legend-for]").forEach(function (part) {
                    part.hidden = !map.hasLayer(layers[part.getAttribute("data-legend-for")]);
                });
            }
            map.on("overlayadd overlayremove", update);
            update();
        })();
        {% endmacro %}
    """)

    def __init__(self, label: str, header: str, sections: list[tuple], footer: str = ""):
        super().__init__()
        self._name = "Legend"
        self.label = label
        self.sections = sections
        parts = "".join(f'<div class="legend-layer" data-legend-for="{layer.get_name()}">{html}</div>'
                        for layer, html in sections)
        self.html = header + parts + footer


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
