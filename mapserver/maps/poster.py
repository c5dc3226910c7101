"""A printable poster (A3 landscape, PDF and PNG) of a workshop's area, drawn with geopandas and
matplotlib, no browser: district boundaries and names, the hotspot layer, legend, title, date,
attribution."""
from __future__ import annotations

import io
import math
import textwrap

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from shapely.geometry import Point  # noqa: E402

from ..geo import METRIC_SRID, STORAGE_SRID, shape_from_geojson  # noqa: E402
from ..i18n import s_  # noqa: E402
from ..map_style import HOTSPOT_COLOURS, HOTSPOT_LABELS, hotspot_key  # noqa: E402
from .data import PlannerMapData  # noqa: E402

A3_LANDSCAPE_INCHES = (16.54, 11.69)


def draw_area(axes, data: PlannerMapData, label_size: float = 13) -> set:
    """The area's hotspot cells, district outlines and names onto `axes` (metres, EPSG:25832);
    the hotspot classes drawn (for the legend)."""
    districts = gpd.GeoDataFrame(
        {"name": [f["properties"]["name"] for f in data.outlines["features"]]},
        geometry=[shape_from_geojson(f["geometry"]) for f in data.outlines["features"]],
        crs=STORAGE_SRID).to_crs(METRIC_SRID)
    cells = [f for f in (data.cells or {"features": []})["features"] if hotspot_key(f["properties"])]
    if cells:
        hot = gpd.GeoDataFrame({"colour": [HOTSPOT_COLOURS[hotspot_key(f["properties"])] for f in cells]},
                               geometry=[shape_from_geojson(f["geometry"]) for f in cells],
                               crs=STORAGE_SRID).to_crs(METRIC_SRID)
        hot.plot(ax=axes, color=hot["colour"], edgecolor="none", alpha=0.9)
    districts.boundary.plot(ax=axes, color="#222222", linewidth=1.2,
                            linestyle="--" if data.outlines_approximate else "-")
    for row in districts.itertuples():
        point = row.geometry.representative_point()
        axes.annotate(row.name, (point.x, point.y), ha="center", va="center", fontsize=label_size, fontweight="bold",
                      parse_math=False, color="#111111",
                      bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75})
    axes.set_axis_off()
    axes.set_aspect("equal")
    return {hotspot_key(f["properties"]) for f in cells}


def hotspot_handles(shown: set) -> list[Patch]:
    return [Patch(facecolor=HOTSPOT_COLOURS[key], edgecolor="#666666", label=str(label))
            for key, label in HOTSPOT_LABELS.items() if key in shown]


def poster(data: PlannerMapData, subtitle: str, attribution: str, fmt: str, dpi: int = 150) -> bytes:
    """The poster as PDF or PNG bytes."""
    figure, axes = plt.subplots(figsize=A3_LANDSCAPE_INCHES)
    figure.subplots_adjust(left=0.02, right=0.74, top=0.9, bottom=0.06)
    shown = draw_area(axes, data)
    # parse_math=False: a "$" in a title is a dollar sign, not the start of a formula.
    figure.suptitle(data.title, fontsize=28, fontweight="bold", x=0.02, ha="left", parse_math=False)
    figure.text(0.02, 0.915, subtitle, fontsize=15, ha="left", parse_math=False)
    handles = hotspot_handles(shown)
    legend = figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.755, 0.88), fontsize=13,
                           title=s_("Hotspots") if handles else s_("Keine Hotspots: nirgends mehr Pins, als der Zufall erklären kann"),
                           title_fontsize=13, frameon=False)
    legend._legend_box.align = "left"
    notes = [data.method_note] if data.method_note else []
    if data.outlines_approximate:
        notes.append(s_("Gestrichelt: ungefähre Ortsteil-Grenzen (aus Ortsteil-Mittelpunkten berechnet)."))
    if data.statistic_note:
        notes.append(data.statistic_note)
    figure.text(0.755, 0.5, "\n".join(textwrap.fill(n, 42) for n in notes), fontsize=12, va="top", parse_math=False)
    figure.text(0.02, 0.012, textwrap.fill(attribution, 170), fontsize=10, ha="left", va="bottom", color="#333333",
                parse_math=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=dpi, metadata={"Title": data.title} if fmt == "pdf" else None)
    plt.close(figure)
    return buffer.getvalue()


def report_map(data: PlannerMapData, hotspot_areas: list[dict], clusters: list[dict], dpi: int = 200) -> bytes:
    """The municipality's map for the printed report (PNG, A4 width): hotspot cells, each hotspot
    area numbered as in the report's table, the dense clusters' outlines (dotted), district
    outlines and names, a scale bar and the legend."""
    figure, axes = plt.subplots(figsize=(7.0, 6.2))
    figure.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.13)
    shown = draw_area(axes, data, label_size=7.5)
    if clusters:
        outlines = gpd.GeoSeries([shape_from_geojson(c["geometry"]) for c in clusters], crs=STORAGE_SRID).to_crs(METRIC_SRID)
        outlines.boundary.plot(ax=axes, color="#6a3d9a", linewidth=1.2, linestyle=":")
    for area in hotspot_areas:
        centre = gpd.GeoSeries([Point(area["centre"])], crs=STORAGE_SRID).to_crs(METRIC_SRID).iloc[0]
        axes.annotate(str(area["rank"]) if area["hotspot_class"] == "hot" else f"C{area['rank']}", (centre.x, centre.y),
                      ha="center", va="center", fontsize=9, fontweight="bold", color="white", parse_math=False,
                      bbox={"boxstyle": "circle,pad=0.25", "fc": "#111111", "ec": "white"})
    _scale_bar(axes)
    handles = hotspot_handles(shown)
    if clusters:
        handles.append(Line2D([], [], color="#6a3d9a", linestyle=":", linewidth=1.5, label=s_("Dichter Cluster (DBSCAN)")))
    if handles:
        figure.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.01, 0.0), ncol=2, fontsize=7.5, frameon=False)
    else:
        figure.text(0.01, 0.03, s_("Keine Hotspots: nirgends mehr Pins, als der Zufall erklären kann."), fontsize=8,
                    parse_math=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    plt.close(figure)
    return buffer.getvalue()


def _scale_bar(axes) -> None:
    """A metric scale bar in the lower right corner: 1, 2 or 5 times a power of ten metres, about
    a fifth of the map's width."""
    west, east = axes.get_xlim()
    south, north = axes.get_ylim()
    target = (east - west) / 5
    power = 10 ** int(math.floor(math.log10(target)))
    length = max(step * power for step in (1, 2, 5) if step * power <= target)
    x, y = east - (east - west) * 0.04 - length, south + (north - south) * 0.04
    axes.plot([x, x + length], [y, y], color="#111111", linewidth=3, solid_capstyle="butt")
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    axes.annotate(label, (x + length / 2, y), xytext=(0, 4), textcoords="offset points", ha="center", va="bottom",
                  fontsize=7.5, parse_math=False)


def workshop_poster(data: PlannerMapData, workshop: dict, county_title: str, map_settings: dict, fmt: str) -> bytes:
    """A workshop's poster: its place and the county in the subtitle, the data's attributions below."""
    place = f"{workshop['district_name'] + ', ' if workshop['district_name'] else ''}{workshop['municipality_name']}"
    subtitle = s_("Workshop in %(place)s · Finde die Glaswände! · %(county)s", place=place, county=county_title)
    return poster(data, subtitle, " · ".join(map_settings["data_attributions"]), fmt)
