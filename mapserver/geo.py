"""Coordinate reference systems and the conversions between shapely, PostGIS and GeoJSON."""
from __future__ import annotations

from shapely.geometry import MultiPolygon, Polygon, mapping

# Storage and GeoJSON output: WGS84 longitude/latitude.
STORAGE_SRID = 4326
# Metric work (areas, distances, Voronoi cells, grids): ETRS89 / UTM zone 32N, official in Lower Saxony.
METRIC_SRID = 25832

# Coordinate digits in GeoJSON output: 6 decimals are about 0.1 m, plenty for VG250 boundaries.
GEOJSON_DECIMALS = 6


def as_multipolygon(geometry) -> MultiPolygon:
    """Polygons and multipolygons alike as a MultiPolygon (the column type)."""
    if isinstance(geometry, MultiPolygon):
        return geometry
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    polygons = [g for g in getattr(geometry, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    parts: list[Polygon] = []
    for g in polygons:
        parts.extend(g.geoms if isinstance(g, MultiPolygon) else [g])
    return MultiPolygon(parts)


def feature(geometry, properties: dict, feature_id=None) -> dict:
    """One GeoJSON Feature from a shapely geometry or an already-decoded GeoJSON geometry."""
    geom = geometry if isinstance(geometry, dict) else mapping(geometry)
    out = {"type": "Feature", "geometry": geom, "properties": properties}
    if feature_id is not None:
        out["id"] = feature_id
    return out


def feature_collection(features: list[dict], **members) -> dict:
    """A GeoJSON FeatureCollection; extra members (e.g. attribution) go at the top level."""
    return {"type": "FeatureCollection", "features": features, **members}
