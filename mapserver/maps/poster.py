"""A printable poster (A3 landscape, PDF and PNG) of a workshop's area, drawn with geopandas and
matplotlib, no browser: district boundaries and names, the hotspot layer, legend, title, date,
attribution."""
from __future__ import annotations

import io
import textwrap

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from ..geo import METRIC_SRID, STORAGE_SRID, shape_from_geojson  # noqa: E402
from ..i18n import s_  # noqa: E402
from ..map_style import HOTSPOT_COLOURS, HOTSPOT_LABELS, hotspot_key  # noqa: E402
from .data import PlannerMapData  # noqa: E402

A3_LANDSCAPE_INCHES = (16.54, 11.69)


def poster(data: PlannerMapData, subtitle: str, attribution: str, fmt: str, dpi: int = 150) -> bytes:
    """The poster as PDF or PNG bytes."""
    districts = gpd.GeoDataFrame(
        {"name": [f["properties"]["name"] for f in data.outlines["features"]]},
        geometry=[shape_from_geojson(f["geometry"]) for f in data.outlines["features"]],
        crs=STORAGE_SRID).to_crs(METRIC_SRID)
    cells = [f for f in (data.cells or {"features": []})["features"] if hotspot_key(f["properties"])]
    figure, axes = plt.subplots(figsize=A3_LANDSCAPE_INCHES)
    figure.subplots_adjust(left=0.02, right=0.74, top=0.9, bottom=0.06)
    if cells:
        hot = gpd.GeoDataFrame({"colour": [HOTSPOT_COLOURS[hotspot_key(f["properties"])] for f in cells]},
                               geometry=[shape_from_geojson(f["geometry"]) for f in cells],
                               crs=STORAGE_SRID).to_crs(METRIC_SRID)
        hot.plot(ax=axes, color=hot["colour"], edgecolor="none", alpha=0.9)
    districts.boundary.plot(ax=axes, color="#222222", linewidth=1.2,
                            linestyle="--" if data.outlines_approximate else "-")
    for row in districts.itertuples():
        point = row.geometry.representative_point()
        axes.annotate(row.name, (point.x, point.y), ha="center", va="center", fontsize=13, fontweight="bold", parse_math=False,
                      color="#111111", bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75})
    axes.set_axis_off()
    axes.set_aspect("equal")
    # parse_math=False: a "$" in a title is a dollar sign, not the start of a formula.
    figure.suptitle(data.title, fontsize=28, fontweight="bold", x=0.02, ha="left", parse_math=False)
    figure.text(0.02, 0.915, subtitle, fontsize=15, ha="left", parse_math=False)
    shown = {hotspot_key(f["properties"]) for f in cells}
    handles = [Patch(facecolor=HOTSPOT_COLOURS[key], edgecolor="#666666", label=str(label))
               for key, label in HOTSPOT_LABELS.items() if key in shown]
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


def workshop_poster(data: PlannerMapData, workshop: dict, county_title: str, map_settings: dict, fmt: str) -> bytes:
    """A workshop's poster: its place and the county in the subtitle, the data's attributions below."""
    place = f"{workshop['district_name'] + ', ' if workshop['district_name'] else ''}{workshop['municipality_name']}"
    subtitle = s_("Workshop in %(place)s · Finde die Glaswände! · %(county)s", place=place, county=county_title)
    return poster(data, subtitle, " · ".join(map_settings["data_attributions"]), fmt)
