"""The planners' map: heatmap, per-capita choropleth, hexagon grid, the scan statistic's
hotspots and coldspots, DBSCAN clusters, with a layer control and a legend. Pure: data in, folium.Map out."""
from __future__ import annotations

from html import escape

import folium

from ..i18n import s_, s_l
from ..map_style import HEAT_GRADIENT, HOTSPOT_COLOURS, HOTSPOT_LABELS, PLANNER_HEXAGONS, SEQUENTIAL, hotspot_key
from ..vocabulary import CATEGORIES, DIMENSIONS
from .assets import Attribution, HexagonCells, HtmlPopup, Legend, vendored_heatmap, vendored_map
from .data import PlannerMapData, number


def area_title(area: dict) -> str:
    """"Hotspot 2" or "Coldspot 1" (staff language)."""
    if area.get("hotspot_class") == "cold":
        return s_("Coldspot %(rank)s", rank=area["rank"])
    return s_("Hotspot %(rank)s", rank=area["rank"])


def hotspot_popup(area: dict) -> str:
    """Rank, pins against the pins expected, districts and approved comments of one hotspot."""
    districts = ", ".join(area["districts"]) or "–"
    comments = "".join(f"<li>„{escape(c['text'])}“</li>" for c in area["comments"])
    pins = s_("%(pins)s Pins, erwartet %(expected)s", pins=area["pins"], expected=number(area["expected_pins"]))
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


SHORT_CATEGORY = {"divided": s_l("Glaswand"), "missing_meeting_place": s_l("Ort fehlt"), "meeting_place": s_l("Begegnung")}


def _counts_tooltip(properties: dict) -> str:
    """Short on purpose: one per cell, thousands per county map."""
    parts = ", ".join(f"{SHORT_CATEGORY[c]} {n}" for c, n in properties.get("by_category", {}).items() if n)
    # None: a public cell of a hotspot with too few pins to show (services/disclosure.py)
    pins = s_("zu wenige Pins zum Zeigen") if properties["pins"] is None else s_("%(pins)s Pins", pins=properties["pins"])
    text = pins + (f" ({parts})" if parts else "")
    key = hotspot_key(properties)
    return text + (f"<br>{HOTSPOT_LABELS[key]}" if key else "")


def planner_map(data: PlannerMapData, static_url: str, map_settings: dict) -> folium.Map:
    """The planners' map for the county, a municipality or a district; map_settings:
    base_map.page_map_settings()."""
    west, south, east, north = data.bounds
    choropleth_label = data.choropleth_label or s_("Pins je 1.000 Einwohner")
    fmap = vendored_map(static_url, location=[(south + north) / 2, (west + east) / 2], zoom_start=11,
                        control_scale=True, prefer_canvas=True)
    if map_settings["tile_url"]:
        folium.TileLayer(tiles=map_settings["tile_url"], attr=map_settings["tile_attribution"], name=s_("Grundkarte"),
                         control=False).add_to(fmap)
    fmap.add_child(Attribution(map_settings["data_attributions"]))

    if data.heat:
        layer = folium.FeatureGroup(name=s_("Dichte (Heatmap)"), show=False)
        vendored_heatmap(static_url, data.heat, radius=18, blur=14, min_opacity=0.3,
                         gradient=HEAT_GRADIENT).add_to(layer)
        layer.add_to(fmap)

    if data.choropleth and data.choropleth["features"]:
        breaks = class_breaks([f["properties"]["value"] or 0 for f in data.choropleth["features"]])
        features = [_with(f, fill=sequential_colour(f["properties"]["value"] or 0, breaks) if f["properties"]["value"] else "#ffffff",
                          tooltip=f"{escape(f['properties']['name'])}: "
                                  f"{number(f['properties']['value'])} {escape(choropleth_label)}")
                    for f in data.choropleth["features"]]
        _styled_layer(features, choropleth_label, show=True, opacity=0.55).add_to(fmap)

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
        layer = folium.FeatureGroup(name=s_("Hotspots und Coldspots"), show=True)
        layer.add_child(HexagonCells(static_url, hot, [HOTSPOT_COLOURS[k] for k in hot_keys], data.cell_size_m,
                                     PLANNER_HEXAGONS["hotspot_opacity"],
                                     outlines=[PLANNER_HEXAGONS["borders"][side] for side, _level in hot_keys]))
        layer.add_to(fmap)

    if data.clusters:
        features = [{"type": "Feature", "geometry": c["geometry"], "properties": {
            "tooltip": escape(s_("Cluster: %(pins)s Pins, meist „%(category)s“, trennt vor allem: %(dimension)s",
                                 pins=c["pin_count"], category=CATEGORIES[c["main_category"]],
                                 dimension=DIMENSIONS.get(c["main_dimension"] or "", "–"))
                              + " – " + cluster_verdict(c))}}
            for c in data.clusters]
        layer = folium.FeatureGroup(name=s_("Cluster (DBSCAN)"), show=False)
        folium.GeoJson({"type": "FeatureCollection", "features": features},
                       style_function=lambda _: {"fill": False, "color": "#000", "weight": 2, "dashArray": "4 3"},
                       tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False)).add_to(layer)
        layer.add_to(fmap)

    if data.hotspot_areas:
        layer = folium.FeatureGroup(name=s_("Hotspots mit Kommentaren"), show=True)
        for area in data.hotspot_areas:
            lon, lat = area["centre"]
            marker = folium.CircleMarker([lat, lon], radius=9, color="#000", weight=2, fill=True, fill_color="#fff",
                                         fill_opacity=1, tooltip=area_title(area))
            marker.add_child(HtmlPopup(hotspot_popup(area)))
            marker.add_to(layer)
        layer.add_to(fmap)

    outline_label = s_("Grenzen und Namen (ungefähre Grenzen)") if data.outlines_approximate else s_("Grenzen und Namen")
    outlines = folium.FeatureGroup(name=outline_label, show=True)
    named = {"type": "FeatureCollection",
             "features": [_with(f, tooltip=escape(f["properties"]["name"])) for f in data.outlines["features"]]}
    folium.GeoJson(named, style_function=lambda _: {
        "fill": False, "color": "#222", "weight": 2, "dashArray": "6 4" if data.outlines_approximate else None},
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=False)).add_to(outlines)
    for lat, lon, name in data.labels:
        folium.Marker([lat, lon], icon=folium.DivIcon(html=f'<span class="area-name">{escape(name)}</span>',
                                                       icon_size=(0, 0), class_name="area-name-icon"),
                      interactive=False).add_to(outlines)
    outlines.add_to(fmap)

    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.add_child(Legend(_legend_html(data)))
    fmap.fit_bounds([[south, west], [north, east]])
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


def _legend_html(data: PlannerMapData) -> str:
    rows = "".join(f'<li><span class="swatch" style="background:{HOTSPOT_COLOURS[key]};border:2px '
                   f'{"dashed" if key[0] == "cold" else "solid"} #000"></span>{escape(str(label))}</li>'
                   for key, label in HOTSPOT_LABELS.items())
    note = f"<p>{escape(data.statistic_note)}</p>" if data.statistic_note else ""
    dashed = s_("Gestrichelt: ungefähre Ortsteil-Grenzen.")
    approximate = f"<p>{escape(dashed)}</p>" if data.outlines_approximate else ""
    method = f"<p>{escape(data.method_note)}</p>" if data.method_note else ""
    return f"<strong>{escape(data.title)}</strong>{method}<ul>{rows}</ul>{note}{approximate}"
