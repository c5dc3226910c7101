"""What a workshop's projected map, offline copy and poster show: the public layers of the
latest released run for the workshop's area (services/disclosure.py: a room is the public)."""
from __future__ import annotations

from shapely.geometry import Point, Polygon
from sqlalchemy import Connection

from ..geo import METRIC_SRID, STORAGE_SRID, feature, feature_collection, shape_to_geojson, transformer
from ..map_style import HOTSPOT_COLOURS, HOTSPOT_LABELS, hotspot_class_name, hotspot_key
from ..maps.data import PlannerMapData, number
from . import areas, disclosure, statistics


def _circle(lon: float, lat: float, radius_m: float) -> dict:
    """A GeoJSON circle (polygon) of radius_m metres around a point (drawn in the metric CRS)."""
    ring = Point(*transformer(STORAGE_SRID, METRIC_SRID).transform(lon, lat)).buffer(radius_m, quad_segs=8).exterior
    lons, lats = transformer(METRIC_SRID, STORAGE_SRID).transform(*ring.xy)
    return shape_to_geojson(Polygon(zip(lons, lats)))


def _bounds(conn: Connection, county_key: str, workshop: dict) -> tuple[float, float, float, float]:
    from . import planning

    place = planning.scope(conn, county_key, workshop["municipality_ags"], workshop["district_id"])
    return place.bounds


def presentation_data(conn: Connection, county_key: str, workshop: dict, rules: disclosure.Rules) -> dict:
    """JSON for the presentation page: outlines, and the public layers of the latest released
    run (services/disclosure.py: a room is the public)."""
    ags = workshop["municipality_ags"]
    outlines = areas.districts_geojson(conn, county_key, ags)
    run = disclosure.public_run_or_none(conn, county_key)
    data = {
        "workshop": {"id": workshop["id"], "title": workshop["title"], "held_on": workshop["held_on"].isoformat(),
                     "municipality": workshop["municipality_name"], "district": workshop["district_name"]},
        "bounds": _bounds(conn, county_key, workshop), "outlines": outlines, "privacy_k": rules.k,
        "disclosure_note": str(rules.note()),
        "legend": [{"key": hotspot_class_name(key), "label": str(label), "colour": HOTSPOT_COLOURS[key]}
                   for key, label in HOTSPOT_LABELS.items()],
        "cells": [], "clusters": [], "hotspots": [], "dense_districts": [], "run": None,
    }
    if run is None:
        return data
    layers = disclosure.public_layers(conn, run, county_key, ags, rules)
    data["run"] = disclosure.public_run(rules, run)
    data["cell_size_m"] = run.cell_size_m
    for cell in layers["cells"]:
        key = hotspot_key(cell)
        data["cells"].append({"lat": round(cell["centre"][1], 5), "lon": round(cell["centre"][0], 5),
                              "pins": cell["pins"], "class": hotspot_class_name(key) if key else None})
    data["clusters"] = [{"lat": c["lat"], "lon": c["lon"], "pins": c["pins"], "main_category": c["main_category"],
                         "main_dimension": c["main_dimension"], "in_hotspot": bool(c.get("in_hotspot"))}
                        for c in layers["clusters"]]
    data["dense_districts"] = dense_districts(disclosure.public_districts(conn, run, ags, rules))
    for area in layers["hotspots"]:
        data["hotspots"].append({
            "number": len(data["hotspots"]) + 1, "districts": area["districts"], "pins": area["pins"],
            "expected": str(number(area["expected_pins"])), "confidence": area["confidence"],
            # Only what is published (≥ k): a category or dimension with fewer pins is left out.
            "by_category": {c: n for c, n in area["by_category"].items() if n is not None},
            "by_dimension": {d: n for d, n in area["by_dimension"].items() if n is not None},
            "comments": area["comments"],
            "centre": area["centre"], "bounds": area["bounds"],
        })
    return data


def dense_districts(districts: list[dict], limit: int = 3) -> list[dict]:
    """The densest districts as the public sees them (disclosure.public_districts): those with a
    published count (≥ k), by published pins per km² (by pins where the area is unknown), at
    most `limit`. What the room is shown when no hotspot is significant: where most pins are,
    labelled as density, not as a finding."""
    shown = [d for d in districts if d["pins"] is not None]
    shown.sort(key=lambda d: (d["pins_per_km2"] is None, -(d["pins_per_km2"] or 0), -d["pins"], d["name"]))
    return [{"id": d["key"], "name": d["name"], "pins": d["pins"], "pins_per_km2": d["pins_per_km2"], "rank": i + 1}
            for i, d in enumerate(shown[:limit])]


def offline_map_data(conn: Connection, county_key: str, workshop: dict, rules: disclosure.Rules) -> PlannerMapData:
    """The same public layers for folium (offline copy) and the poster."""
    ags = workshop["municipality_ags"]
    outlines = areas.districts_geojson(conn, county_key, ags)
    run = disclosure.require_public_run(conn, county_key)
    layers = disclosure.public_layers(conn, run, county_key, ags, rules)
    cells = feature_collection([feature(c["geometry"], {k: v for k, v in c.items() if k != "geometry"})
                                for c in layers["cells"]])
    # A cluster stands as a circle around the centre of its grid cell, never the hull of its pins.
    clusters = [c | {"pin_count": c["pins"], "geometry": _circle(c["lon"], c["lat"], 1.5 * run.dbscan_eps_m)}
                for c in layers["clusters"]]
    title = f"{workshop['title']} – {workshop['held_on'].strftime('%d.%m.%Y')}"
    return PlannerMapData(
        title=title, bounds=_bounds(conn, county_key, workshop), outlines=outlines,
        outlines_approximate=any(f["properties"]["approximate"] for f in outlines["features"]),
        cells=cells, clusters=clusters, cell_size_m=run.cell_size_m,
        heat=[[round(c["centre"][1], 5), round(c["centre"][0], 5), c["pins"]] for c in layers["cells"] if c["pins"]],
        labels=[(f["properties"]["label_point"][1], f["properties"]["label_point"][0], f["properties"]["name"])
                for f in outlines["features"]],
        method_note=statistics.method_summary(run),
        statistic_note=str(rules.note()))


def poster_facts(conn: Connection, county_key: str, workshop: dict, rules: disclosure.Rules) -> dict:
    """The numbers a poster states, as the public sees them: the municipality's pins (None:
    fewer than k), how many hotspots, and the densest districts."""
    ags = workshop["municipality_ags"]
    run = disclosure.require_public_run(conn, county_key)
    counts = statistics.municipality_counts(conn, run, county_key, statistics.PinFilter(), ags=ags)
    municipality = disclosure.public_area(rules, counts[0]) if counts else None
    layers = disclosure.public_layers(conn, run, county_key, ags, rules)
    return {"pins": None if municipality is None else municipality["pins"], "hotspots": len(layers["hotspots"]),
            "dense_districts": dense_districts(disclosure.public_districts(conn, run, ags, rules)), "k": rules.k}
