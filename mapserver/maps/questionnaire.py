"""The map of a paper questionnaire (A4, printed in black and white): the district and its
neighbours in the municipality, outlined and named (the landmarks residents find their way by),
the grid with its columns A, B, … and rows 1, 2, … labelled on every side, a scale bar. PNG for
the questionnaire's HTML (WeasyPrint) and the entry page."""
from __future__ import annotations

import io

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt  # noqa: E402

from ..geo import METRIC_SRID, STORAGE_SRID, shape_from_geojson  # noqa: E402
from ..services.paper import Frame  # noqa: E402


def questionnaire_map(frame: Frame, districts: dict, dpi: int = 200) -> bytes:
    """`districts`: the municipality's districts (areas.districts_geojson)."""
    grid = frame.grid
    shapes = gpd.GeoDataFrame(
        {"name": [f["properties"]["name"] for f in districts["features"]],
         "own": [f["properties"]["id"] == frame.district_id for f in districts["features"]]},
        geometry=[shape_from_geojson(f["geometry"]) for f in districts["features"]], crs=STORAGE_SRID).to_crs(METRIC_SRID)
    width, height = grid.columns * grid.field_m, grid.rows * grid.field_m
    figure, axes = plt.subplots(figsize=(7.0, 7.0 * min(height / width, 1.35)))
    figure.subplots_adjust(left=0.05, right=0.95, top=0.95, bottom=0.05)
    east, south = grid.west + width, grid.north - height
    shapes[~shapes["own"]].boundary.plot(ax=axes, color="#777777", linewidth=0.8)
    shapes[shapes["own"]].plot(ax=axes, color="#f2f2f2", edgecolor="#000000", linewidth=2.0)
    for row in shapes.itertuples():
        point = row.geometry.representative_point()
        if grid.west < point.x < east and south < point.y < grid.north:
            axes.annotate(row.name, (point.x, point.y), ha="center", va="center", parse_math=False,
                          fontsize=9 if row.own else 7.5, fontweight="bold" if row.own else "normal",
                          bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    for i in range(grid.columns + 1):
        x = grid.west + i * grid.field_m
        axes.plot([x, x], [south, grid.north], color="#444444", linewidth=0.5)
    for j in range(grid.rows + 1):
        y = grid.north - j * grid.field_m
        axes.plot([grid.west, east], [y, y], color="#444444", linewidth=0.5)
    for i, label in enumerate(grid.column_labels()):
        x = grid.west + (i + 0.5) * grid.field_m
        for y, va in ((grid.north, "bottom"), (south, "top")):
            axes.annotate(label, (x, y), xytext=(0, 3 if va == "bottom" else -3), textcoords="offset points",
                          ha="center", va=va, fontsize=9, fontweight="bold", parse_math=False)
    for j in range(grid.rows):
        y = grid.north - (j + 0.5) * grid.field_m
        for x, ha in ((grid.west, "right"), (east, "left")):
            axes.annotate(str(j + 1), (x, y), xytext=(-3 if ha == "right" else 3, 0), textcoords="offset points",
                          ha=ha, va="center", fontsize=9, fontweight="bold", parse_math=False)
    axes.set_xlim(grid.west, east)
    axes.set_ylim(south, grid.north)
    axes.set_aspect("equal")
    axes.set_axis_off()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    plt.close(figure)
    return buffer.getvalue()
