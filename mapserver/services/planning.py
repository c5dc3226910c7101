"""What the planners' pages and maps show, assembled from the stored aggregates."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from ..db import sql
from ..errors import NotFound
from ..geo import feature_collection
from ..i18n import s_, s_l
from ..maps.data import PlannerMapData
from . import areas, statistics
from .statistics import PinFilter

STATISTIC_NOTE = s_l("Die Hotspot-Statistik gilt für alle Pins bzw. eine Kategorie; die übrigen Filter "
                     "verändern nur die Zahlen, nicht die Hotspots.")


@dataclass
class Scope:
    """County, one municipality, or one district of it."""

    county: areas.CountyInfo
    municipality: dict | None = None
    district: dict | None = None

    @property
    def title(self) -> str:
        if self.district:
            return f"{self.district['name']} ({self.municipality['name']})"
        return self.municipality["name"] if self.municipality else self.county.title

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        place = self.district or self.municipality
        return (place["west"], place["south"], place["east"], place["north"]) if place else self.county.bounds


def scope(conn: Connection, county_key: str, ags: str | None = None, district_id: int | None = None) -> Scope:
    county = areas.county(conn, county_key)
    if ags is None:
        return Scope(county)
    municipality = areas.municipality(conn, county_key, ags)
    if district_id is None:
        return Scope(county, municipality)
    row = conn.execute(sql("areas/district_bounds"), {"district_id": district_id, "ags": ags}).first()
    if row is None:
        raise NotFound(s_("Diesen Ortsteil gibt es in %(municipality)s nicht.", municipality=municipality["name"]))
    return Scope(county, municipality, dict(row._mapping))


def _choropleth(outlines: dict, counts: list[statistics.Counts], key: str) -> tuple[dict, str]:
    """Per 1,000 inhabitants where every area has a population, otherwise per km²."""
    by_key = {c.key: c for c in counts}
    per_capita = all(c.population for c in counts)
    features = []
    for f in outlines["features"]:
        c = by_key.get(f["properties"][key])
        value = None if c is None else (c.pins_per_1000_inhabitants if per_capita else c.pins_per_km2)
        features.append({**f, "properties": {"name": f["properties"]["name"], "value": value}})
    label = s_("Pins je 1.000 Einwohner") if per_capita else s_("Pins je km² (Einwohnerzahlen je Ortsteil fehlen)")
    return feature_collection(features), label


def _heat(cells: dict) -> list[list[float]]:
    # Weighted cell centres: one point per cell, not per pin, keeps the page small at any pin count.
    return [[round(f["properties"]["centre"][1], 5), round(f["properties"]["centre"][0], 5), f["properties"]["pins"]]
            for f in cells["features"] if f["properties"]["pins"]]


def county_map_data(conn: Connection, run, place: Scope, pin_filter: PinFilter) -> PlannerMapData:
    key = place.county.key
    outlines = areas.municipalities_geojson(conn, key)
    counts = statistics.municipality_counts(conn, run, key, pin_filter)
    choropleth, label = _choropleth(outlines, counts, "ags")
    cells, clusters = [], []
    for m in outlines["features"]:
        cells.extend(statistics.cells_geojson(conn, run, m["properties"]["ags"], pin_filter)["features"])
        clusters.extend(statistics.clusters(conn, run, m["properties"]["ags"]))
    cells_fc = feature_collection(cells)
    return PlannerMapData(title=place.title, bounds=place.bounds, outlines=outlines, choropleth=choropleth,
                          choropleth_label=label, cells=cells_fc, clusters=clusters, heat=_heat(cells_fc),
                          cell_size_m=run.cell_size_m, method_note=statistics.method_summary(run),
                          statistic_note=None if pin_filter.statistic_matches_filter else str(STATISTIC_NOTE))


def municipality_map_data(conn: Connection, run, place: Scope, pin_filter: PinFilter) -> PlannerMapData:
    ags = place.municipality["ags"]
    outlines = areas.districts_geojson(conn, place.county.key, ags)
    counts = statistics.district_counts(conn, run, ags, pin_filter)
    choropleth, label = _choropleth(outlines, counts, "id")
    cells = statistics.cells_geojson(conn, run, ags, pin_filter)
    return PlannerMapData(
        title=place.title, bounds=place.bounds, outlines=outlines,
        outlines_approximate=any(f["properties"]["approximate"] for f in outlines["features"]),
        choropleth=choropleth, choropleth_label=label, cells=cells, clusters=statistics.clusters(conn, run, ags),
        labels=[(f["properties"]["label_point"][1], f["properties"]["label_point"][0], f["properties"]["name"])
                for f in outlines["features"]],
        heat=_heat(cells), cell_size_m=run.cell_size_m,
        hotspot_areas=statistics.hotspot_areas(conn, run, ags, pin_filter, comments_per_area=3),
        method_note=statistics.method_summary(run),
        statistic_note=None if pin_filter.statistic_matches_filter else str(STATISTIC_NOTE))
