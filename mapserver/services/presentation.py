"""What a workshop's projected map, offline copy and poster show: the stored layers of the
latest run for the workshop's area, each aggregate of at least k pins (a room is the public)."""
from __future__ import annotations

from pyproj import Transformer
from shapely.geometry import Point, Polygon, mapping
from sqlalchemy import Connection

from ..maps.planner import HOTSPOT_COLOURS, HOTSPOT_LABELS, PlannerMapData, hotspot_key, number
from ..geo import METRIC_SRID, STORAGE_SRID
from ..i18n import s_
from . import areas, hotspots, statistics

_TO_METRIC = Transformer.from_crs(STORAGE_SRID, METRIC_SRID, always_xy=True)
_TO_STORAGE = Transformer.from_crs(METRIC_SRID, STORAGE_SRID, always_xy=True)


def _circle(lon: float, lat: float, radius_m: float) -> dict:
    """A GeoJSON circle (polygon) of radius_m metres around a point (drawn in the metric CRS)."""
    ring = Point(*_TO_METRIC.transform(lon, lat)).buffer(radius_m, quad_segs=8).exterior
    lons, lats = _TO_STORAGE.transform(*ring.xy)
    return mapping(Polygon(zip(lons, lats)))
from .statistics import PinFilter, suppress_small


def _bounds(conn: Connection, county_key: str, workshop: dict) -> tuple[float, float, float, float]:
    from . import planning

    place = planning.scope(conn, county_key, workshop["municipality_ags"], workshop["district_id"])
    return place.bounds


def presentation_data(conn: Connection, county_key: str, workshop: dict, k: int) -> dict:
    """JSON for the presentation page: outlines, thresholded cells, clusters and hotspots."""
    ags = workshop["municipality_ags"]
    outlines = areas.districts_geojson(conn, county_key, ags)
    run = hotspots.latest_run(conn, county_key)
    data = {
        "workshop": {"id": workshop["id"], "title": workshop["title"], "held_on": workshop["held_on"].isoformat(),
                     "municipality": workshop["municipality_name"], "district": workshop["district_name"]},
        "bounds": _bounds(conn, county_key, workshop), "outlines": outlines, "privacy_k": k,
        "legend": [{"key": f"{side}-{level}", "label": str(label), "colour": HOTSPOT_COLOURS[(side, level)]}
                   for (side, level), label in HOTSPOT_LABELS.items()],
        "cells": [], "clusters": [], "hotspots": [], "run": None,
    }
    if run is None:
        return data
    data["run"] = statistics.run_info(run)
    data["cell_size_m"] = run.cell_size_m
    for f in statistics.cells_geojson(conn, run, ags, PinFilter(), k=k)["features"]:
        p = f["properties"]
        key = hotspot_key(p)
        data["cells"].append({"lat": round(p["centre"][1], 5), "lon": round(p["centre"][0], 5), "pins": p["pins"],
                              "class": f"{key[0]}-{key[1]}" if key else None})
    data["clusters"] = [{"lat": round(c["lat"], 5), "lon": round(c["lon"], 5), "pins": c["pin_count"],
                         "main_category": c["main_category"], "main_dimension": c["main_dimension"]}
                        for c in statistics.clusters(conn, run, ags) if c["pin_count"] >= k]
    for area in statistics.hotspot_areas(conn, run, ags, PinFilter()):
        if area["pins"] < k or area["hotspot_class"] != "hot":
            continue
        data["hotspots"].append({
            "number": len(data["hotspots"]) + 1, "districts": area["districts"], "pins": area["pins"],
            "expected": str(number(area["expected_pins"])), "confidence": area["confidence"],
            "by_category": suppress_small(area["by_category"], k, area["pins"]),
            "by_dimension": suppress_small(area["by_dimension"], k, area["pins"], additive=False),
            "comments": area["comments"],
            "centre": area["centre"], "bounds": area["bounds"],
        })
    return data


def offline_map_data(conn: Connection, county_key: str, workshop: dict, k: int) -> PlannerMapData:
    """The same thresholded layers for folium (offline copy) and the poster."""
    ags = workshop["municipality_ags"]
    outlines = areas.districts_geojson(conn, county_key, ags)
    run = statistics.require_run(conn, county_key)
    cells = statistics.cells_geojson(conn, run, ags, PinFilter(), k=k)
    # A cluster's stored outline is the hull of its pins: exact points. In public, a circle
    # around its centre stands for it.
    clusters = [c | {"geometry": _circle(c["lon"], c["lat"], 1.5 * run.dbscan_eps_m)}
                for c in statistics.clusters(conn, run, ags) if c["pin_count"] >= k]
    title = f"{workshop['title']} – {workshop['held_on'].strftime('%d.%m.%Y')}"
    return PlannerMapData(
        title=title, bounds=_bounds(conn, county_key, workshop), outlines=outlines,
        outlines_approximate=any(f["properties"]["approximate"] for f in outlines["features"]),
        cells=cells, clusters=clusters, cell_size_m=run.cell_size_m,
        heat=[[round(f["properties"]["centre"][1], 5), round(f["properties"]["centre"][0], 5), f["properties"]["pins"]]
              for f in cells["features"]],
        labels=[(f["properties"]["label_point"][1], f["properties"]["label_point"][0], f["properties"]["name"])
                for f in outlines["features"]],
        method_note=statistics.method_summary(run),
        statistic_note=s_("Öffentliche Ansicht: nur Zellen mit mindestens %(k)s Pins.", k=k))
