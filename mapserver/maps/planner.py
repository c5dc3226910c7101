"""The planners' map: heatmap, per-capita choropleth, hexagon grid, the scan statistic's
hotspots and coldspots, DBSCAN clusters, with a layer control, a legend for every layer shown, a
metric scale. Pure: data in, folium.Map out."""
from __future__ import annotations

from html import escape

import folium

from ..i18n import s_
from ..map_style import HEAT_GRADIENT, HOTSPOT_COLOURS, HOTSPOT_LABELS, PLANNER_HEXAGONS, SEQUENTIAL, hotspot_key
from ..vocabulary import CATEGORIES, DIMENSIONS, SHORT_CATEGORIES
from .assets import Attribution, HexagonCells, HtmlPopup, Legend, MetricScale, PrintFit, vendored_heatmap, vendored_map
from .data import PlannerMapData, number


def area_title(area: dict) -> str:
    """"Hotspot 2" or "Coldspot 1" (staff language)."""
    if area.get("hotspot_class") == "cold":
        return s_("Coldspot %(rank)s", rank=area["rank"])
    return s_("Hotspot %(rank)s", rank=area["rank"])


def area_mark(area: dict) -> str:
    """What a hotspot's marker shows, as the report's map numbers them: "2" for Hotspot 2, "C1"
    for Coldspot 1."""
    return f"C{area['rank']}" if area.get("hotspot_class") == "cold" else str(area["rank"])


def hotspot_popup(area: dict) -> str:
    """Rank, pins against the pins expected, districts and approved comments of one hotspot."""
    districts = ", ".join(area["districts"]) or "–"
    comments = "".join(f"<li>„{escape(c['text'])}“</li>" for c in area["comments"])
    pins = s_("%(pins)s Pins, erwartet %(expected)s", pins=number(area["pins"], 0), expected=number(area["expected_pins"]))
    return (f"<strong>{escape(area_title(area))}</strong> ({area['confidence']} %)<br>{escape(pins)} · "
            f"{escape(districts)}" + (f"<ul class=\"popup-comments\">{comments}</ul>" if comments else ""))


def class_breaks(values: list[float], classes: int = 5) -> list[float]:
    """Upper bounds of quantile classes of the non-zero values."""
    ordered = sorted(v for v in values if v)
    if not ordered:
        return []
    return sorted({ordered[min(len(ordered) - 1, int(len(ordered) * (i + 1) / classes) - 1)] for i in range(classes)})


def sequential_colour(value: float, breaks: list[float]) -> str:
    for colour, upper in zip(SEQUENTIAL, breaks):
        if value <= upper:
            return colour
    return SEQUENTIAL[min(len(breaks), len(SEQUENTIAL)) - 1] if breaks else SEQUENTIAL[0]


def class_labels(breaks: list[float], whole: bool, decimals: int = 2) -> list[str]:
    """The legend's text for each class of `breaks` (upper bounds): "1–3", "4–7" for counts,
    "bis 1,25", "über 1,25 bis 2,50" for rates."""
    labels, lower = [], None
    for upper in breaks:
        if whole:
            first = 1 if lower is None else int(lower) + 1
            labels.append(number(upper, 0) if first >= upper else f"{number(first, 0)}–{number(upper, 0)}")
        elif lower is None:
            labels.append(s_("bis %(upper)s", upper=number(upper, decimals)))
        else:
            labels.append(s_("über %(lower)s bis %(upper)s", lower=number(lower, decimals), upper=number(upper, decimals)))
        lower = upper
    return labels




def _counts_tooltip(properties: dict) -> str:
    """Short on purpose: one per cell, thousands per county map."""
    parts = ", ".join(f"{SHORT_CATEGORIES[c]} {number(n, 0)}" for c, n in properties.get("by_category", {}).items() if n)
    # None: a public cell of a hotspot with too few pins to show (services/disclosure.py)
    pins = (s_("zu wenige Pins zum Zeigen") if properties["pins"] is None
            else s_("%(pins)s Pins", pins=number(properties["pins"], 0)))
    text = pins + (f" ({parts})" if parts else "")
    key = hotspot_key(properties)
    return text + (f"<br>{HOTSPOT_LABELS[key]}" if key else "")


NO_PINS = "#ffffff"  # a choropleth area without pins
CHOROPLETH_OPACITY = 0.55
OUTLINE_COLOUR = "#222"
CLUSTER_STYLE = {"fill": False, "color": "#000", "weight": 2, "dashArray": "4 3"}


def planner_map(data: PlannerMapData, static_url: str, map_settings: dict) -> folium.Map:
    """The planners' map for the county, a municipality or a district; map_settings:
    base_map.page_map_settings(). Every layer has its part of the legend, shown while the layer is on."""
    west, south, east, north = data.bounds
    choropleth_label = data.choropleth_label or s_("Pins je 1.000 Einwohner")
    fmap = vendored_map(static_url, location=[(south + north) / 2, (west + east) / 2], zoom_start=11,
                        control_scale=False, prefer_canvas=True)
    if map_settings["tile_url"]:
        folium.TileLayer(tiles=map_settings["tile_url"], attr=map_settings["tile_attribution"], name=s_("Grundkarte"),
                         control=False).add_to(fmap)
    fmap.add_child(Attribution(map_settings["data_attributions"]))
    fmap.add_child(MetricScale())
    legends: list[tuple[folium.FeatureGroup, str]] = []

    if data.heat:
        layer = folium.FeatureGroup(name=s_("Dichte (Heatmap)"), show=False)
        vendored_heatmap(static_url, data.heat, radius=18, blur=14, min_opacity=0.3,
                         gradient=HEAT_GRADIENT).add_to(layer)
        layer.add_to(fmap)
        legends.append((layer, _heat_legend()))

    if data.choropleth and data.choropleth["features"]:
        breaks = class_breaks([f["properties"]["value"] or 0 for f in data.choropleth["features"]])
        features = [_with(f, fill=sequential_colour(f["properties"]["value"] or 0, breaks) if f["properties"]["value"] else NO_PINS,
                          tooltip=f"{escape(f['properties']['name'])}: "
                                  f"{number(f['properties']['value'], 2)} {escape(choropleth_label)}")
                    for f in data.choropleth["features"]]
        layer = _styled_layer(features, choropleth_label, show=True, opacity=CHOROPLETH_OPACITY)
        layer.add_to(fmap)
        rows = list(zip(SEQUENTIAL, class_labels(breaks, whole=False)))
        legends.append((layer, _classes_legend(choropleth_label, rows + [(NO_PINS, s_("keine Pins"))])))

    if data.cells and data.cells["features"]:
        breaks = class_breaks([f["properties"]["pins"] or 0 for f in data.cells["features"]])
        hot_keys = list(HOTSPOT_COLOURS)
        grid, hot = [], []
        for f in data.cells["features"]:
            p = f["properties"]
            lat, lon = round(p["centre"][1], 5), round(p["centre"][0], 5)
            tooltip = _counts_tooltip(p)
            if p["pins"] and data.show_grid:
                grid.append([lat, lon, SEQUENTIAL.index(sequential_colour(p["pins"], breaks)), tooltip])
            key = hotspot_key(p)
            if key:
                hot.append([lat, lon, hot_keys.index(key), tooltip])
        if data.show_grid:
            layer = folium.FeatureGroup(name=s_("Sechseck-Raster (Pins je Zelle)"), show=False)
            layer.add_child(HexagonCells(static_url, grid, SEQUENTIAL, data.cell_size_m,
                                         PLANNER_HEXAGONS["grid_opacity"]))
            layer.add_to(fmap)
            rows = list(zip(SEQUENTIAL, class_labels(breaks, whole=True)))
            legends.append((layer, _classes_legend(s_("Pins je Zelle (Sechseck, Kantenlänge %(size)s m)",
                                                      size=number(data.cell_size_m, 0)), rows)))
        layer = folium.FeatureGroup(name=s_("Hotspots und Coldspots"), show=True)
        layer.add_child(HexagonCells(static_url, hot, [HOTSPOT_COLOURS[k] for k in hot_keys], data.cell_size_m,
                                     PLANNER_HEXAGONS["hotspot_opacity"],
                                     outlines=[PLANNER_HEXAGONS["borders"][side] for side, _level in hot_keys]))
        layer.add_to(fmap)
        legends.append((layer, _hotspot_legend(data)))

    if data.clusters:
        features = [{"type": "Feature", "geometry": c["geometry"], "properties": {
            "tooltip": escape(s_("Cluster: %(pins)s Pins, meist „%(category)s“, trennt vor allem: %(dimension)s",
                                 pins=number(c["pin_count"], 0), category=CATEGORIES[c["main_category"]],
                                 dimension=DIMENSIONS.get(c["main_dimension"] or "", "–"))
                              + " – " + cluster_verdict(c))}}
            for c in data.clusters]
        layer = folium.FeatureGroup(name=s_("Cluster (DBSCAN)"), show=False)
        folium.GeoJson({"type": "FeatureCollection", "features": features},
                       style_function=lambda _: CLUSTER_STYLE,
                       tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False)).add_to(layer)
        layer.add_to(fmap)
        legends.append((layer, _line_legend(s_("Cluster (DBSCAN)"), f"2px dashed {CLUSTER_STYLE['color']}",
                                            s_("Pins dicht beieinander (allein noch kein Hotspot)"))))

    if data.hotspot_areas:
        layer = folium.FeatureGroup(name=s_("Hotspots mit Kommentaren"), show=True)
        for area in data.hotspot_areas:
            lon, lat = area["centre"]
            side = "cold" if area.get("hotspot_class") == "cold" else "hot"
            # A marker, not a vector: it lies above every vector layer (marker pane), whichever
            # layer was switched on last, so its popup opens with a click or the Enter key.
            icon = folium.DivIcon(html=f'<span class="hotspot-mark hotspot-mark-{side}" aria-hidden="true">'
                                       f'{escape(area_mark(area))}</span>'
                                       f'<span class="visually-hidden">{escape(area_title(area))}</span>',
                                  icon_size=(30, 30), icon_anchor=(15, 15), class_name="hotspot-marker")
            marker = folium.Marker([lat, lon], icon=icon, tooltip=area_title(area), keyboard=True, riseOnHover=True)
            marker.add_child(HtmlPopup(hotspot_popup(area)))
            marker.add_to(layer)
        layer.add_to(fmap)
        legends.append((layer, _marker_legend()))

    outline_label = s_("Grenzen und Namen (ungefähre Grenzen)") if data.outlines_approximate else s_("Grenzen und Namen")
    outlines = folium.FeatureGroup(name=outline_label, show=True)
    # Not interactive: the unfilled outlines lie above the other layers and would catch their
    # clicks and tooltips (the names are on the map as labels).
    folium.GeoJson({"type": "FeatureCollection", "features": [_with(f) for f in data.outlines["features"]]},
                   style_function=lambda _: {"fill": False, "color": OUTLINE_COLOUR, "weight": 2,
                                             "dashArray": "6 4" if data.outlines_approximate else None},
                   interactive=False).add_to(outlines)
    for lat, lon, name in data.labels:
        folium.Marker([lat, lon], icon=folium.DivIcon(html=f'<span class="area-name">{escape(name)}</span>',
                                                       icon_size=(0, 0), class_name="area-name-icon"),
                      interactive=False, keyboard=False).add_to(outlines)
    outlines.add_to(fmap)
    legends.append((outlines, _line_legend(
        outline_label, f"2px {'dashed' if data.outlines_approximate else 'solid'} {OUTLINE_COLOUR}",
        s_("Gestrichelt: ungefähre Ortsteil-Grenzen.") if data.outlines_approximate else s_("Grenze"))))

    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.add_child(Legend(s_("Legende"), _legend_header(data), legends))
    fmap.fit_bounds([[south, west], [north, east]])
    fmap.add_child(PrintFit([[south, west], [north, east]]))
    return fmap


def _with(feature: dict, **properties) -> dict:
    """A copy of a GeoJSON feature with only the properties the map needs (keeps the HTML small)."""
    return {"type": "Feature", "geometry": feature["geometry"], "properties": properties}


def cluster_verdict(cluster: dict) -> str:
    """What a dense cluster means, in plain words: dense is not yet more than chance."""
    if cluster.get("in_hotspot"):
        return s_("liegt in einem Hotspot")
    return s_("dicht, aber kein Hotspot: so viele Pins auf engem Raum können bei der Menge der Pins "
              "auch zufällig zusammenkommen")


def _styled_layer(features: list[dict], name: str, show: bool, opacity: float) -> folium.FeatureGroup:
    """One GeoJSON layer whose features carry their fill colour and tooltip as properties."""
    layer = folium.FeatureGroup(name=name, show=show)
    if features:
        folium.GeoJson({"type": "FeatureCollection", "features": features},
                       style_function=lambda f: {"fillColor": f["properties"]["fill"], "fillOpacity": opacity,
                                                 "color": "#555", "weight": 0.6},
                       tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False)).add_to(layer)
    return layer


def _swatch(style: str) -> str:
    return f'<span class="swatch" style="{style}"></span>'


def _part(title: str, rows: list[tuple[str, str]], note: str = "") -> str:
    """One layer's legend: a title, rows of (swatch HTML, escaped text), a note."""
    items = "".join(f"<li>{swatch}{text}</li>" for swatch, text in rows)
    return (f'<p class="legend-title">{escape(title)}</p>' + (f"<ul>{items}</ul>" if items else "")
            + (f'<p class="legend-note">{escape(note)}</p>' if note else ""))


def _classes_legend(title: str, rows: list[tuple[str, str]]) -> str:
    """The classes of a sequential layer, light (few) to dark (many)."""
    return _part(title, [(_swatch(f"background:{colour}"), escape(label)) for colour, label in rows])


def _heat_legend() -> str:
    stops = ", ".join(f"{colour} {int(stop * 100)}%" for stop, colour in HEAT_GRADIENT.items())
    ramp = f'<span class="ramp" style="background:linear-gradient(to right, transparent 0%, {stops})"></span>'
    few, many = escape(s_("wenige Pins")), escape(s_("viele Pins"))  # (not in the f-string: Babel reads no f-strings)
    ends = f'<span class="ramp-ends"><span>{few}</span><span>{many}</span></span>'
    return _part(s_("Dichte (Heatmap)"), []) + ramp + ends


def _hotspot_legend(data: PlannerMapData) -> str:
    rows = [(_swatch(f"background:{HOTSPOT_COLOURS[key]};border:2px {'dashed' if key[0] == 'cold' else 'solid'} #000"),
             escape(str(label))) for key, label in HOTSPOT_LABELS.items()]
    return _part(s_("Hotspots und Coldspots"), rows, data.statistic_note or "")


def _line_legend(title: str, border: str, text: str) -> str:
    """An outline layer: a swatch with the layer's border and no fill."""
    return _part(title, [(_swatch(f"background:transparent;border:{border}"), escape(text))])


def _marker_legend() -> str:
    marks = ('<span class="legend-mark"><span class="hotspot-mark hotspot-mark-hot">1</span>'
             '<span class="hotspot-mark hotspot-mark-cold">C1</span></span>')
    return _part(s_("Hotspots mit Kommentaren"), [(marks, escape(s_("Hotspot 1, Coldspot 1 (wie in der Tabelle): "
                                                                   "anklicken für Pins und Kommentare")))])


def _legend_header(data: PlannerMapData) -> str:
    how = escape(s_("So wurden die Hotspots gefunden"))
    method = (f'<details class="legend-method"><summary>{how}</summary>'
              f'<p class="legend-note">{escape(data.method_note)}</p></details>') if data.method_note else ""
    return f'<p class="legend-place">{escape(data.title)}</p>{method}'

