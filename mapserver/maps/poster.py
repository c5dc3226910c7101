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
from ..i18n import s_, sn_  # noqa: E402
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


def plain_legend() -> dict:
    """The hotspot classes in plain words, for residents (poster and offline file): no statistics
    jargon, what a colour means."""
    return {
        ("hot", 99): s_("Auffällig viele Pins – fast sicher kein Zufall"),
        ("hot", 95): s_("Auffällig viele Pins – wahrscheinlich kein Zufall"),
        ("cold", 95): s_("Auffällig wenige Pins – wahrscheinlich kein Zufall"),
        ("cold", 99): s_("Auffällig wenige Pins – fast sicher kein Zufall"),
    }


def call_to_action() -> str:
    """The poster's one sentence that invites."""
    return s_("Wo trennt eine Glaswand Ihr Dorf – und wo kommt man gut zusammen? Scannen Sie den Code "
              "und setzen Sie Ihren Pin, anonym und in einer Minute.")


def _draw_qr(axes, url: str) -> None:
    """The join link's QR code onto `axes`, black on white with its quiet zone (4 modules)."""
    import numpy as np
    import segno

    code = segno.make(url, error="m")
    matrix = np.array([[1 if bit else 0 for bit in row] for row in code.matrix], dtype=np.uint8)
    matrix = np.pad(matrix, 4)
    axes.imshow(matrix, cmap="binary", interpolation="nearest", vmin=0, vmax=1)
    axes.set_axis_off()
    axes.set_aspect("equal")


def _facts_lines(facts: dict, place: str) -> list[str]:
    lines = []
    if facts.get("pins") is None:
        lines.append(s_("Bisher weniger als %(k)s Pins in %(place)s – Ihr Pin zählt!", k=facts.get("k", 5), place=place))
    else:
        lines.append(s_("Bisher rund %(pins)s Pins in %(place)s.", pins=facts["pins"], place=place))
    if facts.get("hotspots"):
        lines.append(sn_("%(num)s Stelle mit auffällig vielen Pins.", "%(num)s Stellen mit auffällig vielen Pins.",
                         facts["hotspots"]))
    dense = facts.get("dense_districts") or []
    if dense:
        lines.append(s_("Die meisten Pins je km²: %(names)s.", names=", ".join(d["name"] for d in dense)))
    return lines


def workshop_poster(data: PlannerMapData, workshop: dict, county_title: str, map_settings: dict, fmt: str,
                    join_url: str | None = None, facts: dict | None = None, dpi: int = 150) -> bytes:
    """A workshop's poster (A3 landscape) that invites: the map of its area with the hotspots in
    plain words, and beside it the join QR code with its short link, one sentence of call to
    action, the numbers so far, date and place; the data's attributions below."""
    place = f"{workshop['district_name'] + ', ' if workshop['district_name'] else ''}{workshop['municipality_name']}"
    facts = facts or {}
    figure = plt.figure(figsize=A3_LANDSCAPE_INCHES)
    title = textwrap.wrap(data.title, 40) or [""]
    subtitle_y = 0.955 - 0.05 * len(title) - 0.01
    axes = figure.add_axes((0.02, 0.07, 0.60, subtitle_y - 0.11))
    shown = draw_area(axes, data)
    figure.text(0.02, 0.955, "\n".join(title), fontsize=28, fontweight="bold", ha="left", va="top", parse_math=False)
    figure.text(0.02, subtitle_y, s_("Workshop in %(place)s am %(date)s · %(county)s", place=place,
                                date=workshop["held_on"].strftime("%d.%m.%Y"), county=county_title),
                fontsize=16, ha="left", va="top", parse_math=False)
    right = 0.655
    figure.text(right, 0.955, s_("Machen Sie mit!"), fontsize=30, fontweight="bold", ha="left", va="top",
                color="#b2182b", parse_math=False)
    figure.text(right, 0.885, textwrap.fill(call_to_action(), 40), fontsize=16, ha="left", va="top", parse_math=False)
    y = 0.76
    if join_url:
        qr_axes = figure.add_axes((right, 0.45, 0.20, 0.20 * A3_LANDSCAPE_INCHES[0] / A3_LANDSCAPE_INCHES[1]))
        _draw_qr(qr_axes, join_url)
        figure.text(right, 0.43, join_url, fontsize=15, fontweight="bold", ha="left", va="top", parse_math=False,
                    family="DejaVu Sans Mono")
        y = 0.385
    figure.text(right, y, "\n".join(textwrap.fill(line, 48) for line in _facts_lines(facts, place)), fontsize=13,
                ha="left", va="top", parse_math=False, linespacing=1.4)
    labels = plain_legend()
    handles = [Patch(facecolor=HOTSPOT_COLOURS[key], edgecolor="#666666", label=str(labels[key]))
               for key in HOTSPOT_LABELS if key in shown]
    if handles:
        legend = figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(right - 0.005, y - 0.13), fontsize=13,
                               title=s_("Farben auf der Karte"), title_fontsize=13, frameon=False)
        legend._legend_box.align = "left"
    else:
        figure.text(right, y - 0.14, textwrap.fill(s_("Noch keine Stelle mit auffällig vielen Pins: Je mehr "
                                                      "mitmachen, desto klarer wird das Bild."), 48),
                    fontsize=13, ha="left", va="top", parse_math=False)
    notes = []
    if data.outlines_approximate:
        notes.append(s_("Gestrichelt: ungefähre Ortsteil-Grenzen."))
    notes.append(s_("Zahlen sind zum Schutz der Teilnehmenden leicht verändert; weniger als %(k)s Pins zeigen wir "
                    "nicht.", k=facts.get("k", 5)))
    figure.text(right, 0.09, "\n".join(textwrap.fill(n, 60) for n in notes), fontsize=10, ha="left", va="bottom",
                color="#333333", parse_math=False)
    figure.text(0.02, 0.012, textwrap.fill(" · ".join(map_settings["data_attributions"]), 170), fontsize=10, ha="left",
                va="bottom", color="#333333", parse_math=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=dpi, metadata={"Title": data.title} if fmt == "pdf" else None)
    plt.close(figure)
    return buffer.getvalue()
