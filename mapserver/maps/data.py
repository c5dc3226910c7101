"""What a planner map shows, as plain data: the services fill it, the folium map and the poster
draw it. No folium here: services import this module."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from babel.dates import format_date
from babel.numbers import format_decimal

from ..config import DEFAULT_SETTINGS
from ..i18n import s_


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


def _locale() -> str:
    """The reader's locale for numbers and dates (German outside a request)."""
    from flask import has_request_context
    from flask_babel import get_locale

    return str((get_locale() if has_request_context() else None) or "de")


def number(value, decimals: int = 1) -> str:
    """A number with exactly `decimals` decimals as the reader's language writes it ("83,41",
    "1.234,5" in German); "–" for None."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0" + ("." + "0" * decimals if decimals else ""), locale=_locale())


def local_date(day) -> str:
    """A date as the reader's language writes it ("01.11.2026" in German)."""
    return format_date(day, "medium", locale=_locale())


def filter_summary(pin_filter) -> str:
    """PinFilter.describe() with its dates as the reader's language writes them ("01.11.2026 bis
    30.11.2026", not ISO dates): the echo of the filters on the planner pages."""
    if not (pin_filter.date_from or pin_filter.date_to):
        return pin_filter.describe()
    rest = replace(pin_filter, date_from=None, date_to=None)
    period = s_("%(start)s bis %(end)s", start=local_date(pin_filter.date_from) if pin_filter.date_from else "…",
                end=local_date(pin_filter.date_to) if pin_filter.date_to else "…")
    return period if rest.is_empty else f"{rest.describe()}; {period}"
