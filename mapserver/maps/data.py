"""What a planner map shows, as plain data: the services fill it, the folium map and the poster
draw it. No folium here: services import this module."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..config import DEFAULT_SETTINGS


@dataclass
class PlannerMapData:
    """Everything one planner map shows; GeoJSON in WGS84."""

    title: str
    bounds: tuple[float, float, float, float]  # west, south, east, north
    outlines: dict  # FeatureCollection with properties.name (municipalities or districts)
    outlines_approximate: bool = False
    choropleth: dict | None = None  # FeatureCollection with properties.value, properties.name
    choropleth_label: str = ""  # default: "Pins je 1.000 Einwohner" in the staff language
    cells: dict | None = None  # cells_geojson()
    clusters: list[dict] = field(default_factory=list)
    heat: list[list[float]] = field(default_factory=list)  # [lat, lon, weight]
    statistic_note: str | None = None
    method_note: str = ""  # statistics.method_summary(run): how the hotspots were found
    show_grid: bool = True  # the hexagon grid layer (the hotspot layer is always there)
    cell_size_m: float = DEFAULT_SETTINGS.HOTSPOT_CELL_SIZE_M
    labels: list[tuple[float, float, str]] = field(default_factory=list)  # lat, lon, name
    hotspot_areas: list[dict] = field(default_factory=list)  # statistics.hotspot_areas(): a popup each


def number(value) -> str:
    """One decimal, decimal comma (German staff pages)."""
    return "–" if value is None else f"{value:.1f}".replace(".", ",")
