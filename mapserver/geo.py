"""Coordinate reference systems and the conversions between shapely, PostGIS and GeoJSON."""
from __future__ import annotations

import json
import math
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

# Storage and GeoJSON output: WGS84 longitude/latitude.
STORAGE_SRID = 4326
# Metric work (areas, distances, Voronoi cells, grids): ETRS89 / UTM zone 32N, official in Lower Saxony.
METRIC_SRID = 25832
# The Zensus grids of Destatis (and every INSPIRE grid): ETRS89 / LAEA Europe. Their CSVs name no CRS.
ZENSUS_GRID_SRID = 3035


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


def geojson_geometry(text: str) -> dict:
    """A row's ST_AsGeoJSON text as a GeoJSON geometry dict, its numbers as PostGIS wrote them."""
    # The SQL rounds (ST_AsGeoJSON's decimals argument); Python adds no rounding of its own, so
    # json.dumps gives back the digits the database chose.
    return json.loads(text)


def shape_from_wkb(data) -> shapely.Geometry:
    """A shapely geometry from a row's ST_AsBinary (bytes, or the driver's memoryview)."""
    return shapely.from_wkb(bytes(data))


def shape_to_wkb(geometry: shapely.Geometry) -> bytes:
    """A shapely geometry as WKB for ST_GeomFromWKB; the SQL names its SRID."""
    return shapely.to_wkb(geometry)


def shape_from_geojson(geometry: dict) -> shapely.Geometry:
    """A shapely geometry from a decoded GeoJSON geometry (e.g. geojson_geometry's)."""
    return shape(geometry)


def shape_to_geojson(geometry: shapely.Geometry) -> dict:
    """A shapely geometry as a GeoJSON geometry dict, coordinates unrounded."""
    return mapping(geometry)


@lru_cache(maxsize=16)
def transformer(from_srid: int | CRS, to_srid: int | CRS) -> Transformer:
    """The Transformer between two reference systems (EPSG codes or CRS objects), x first
    (easting or longitude) whatever axis order the CRS declares; built once per pair."""
    # Building one costs milliseconds (PROJ searches its database); transforming with it costs
    # microseconds. Since pyproj 3.1 a Transformer is safe to share between threads.
    # always_xy: EPSG:4326 declares latitude first, and a file's x column must never be read as one.
    return Transformer.from_crs(from_srid, to_srid, always_xy=True)


def to_storage_lonlat(x, y, crs: CRS):
    """Coordinate arrays in `crs` as (longitudes, latitudes) in the storage CRS; inf where the
    CRS cannot map a point (outside its area of use)."""
    return transformer(crs, STORAGE_SRID).transform(x, y)


def feature(geometry, properties: dict, feature_id=None) -> dict:
    """One GeoJSON Feature from a shapely geometry or an already-decoded GeoJSON geometry."""
    geom = geometry if isinstance(geometry, dict) else shape_to_geojson(geometry)
    out = {"type": "Feature", "geometry": geom, "properties": properties}
    if feature_id is not None:
        out["id"] = feature_id
    return out


def feature_collection(features: list[dict], **members) -> dict:
    """A GeoJSON FeatureCollection; extra members (e.g. attribution) go at the top level."""
    return {"type": "FeatureCollection", "features": features, **members}


def hex_cell_of(x, y, cell_size_m: float):
    """(i, j) of the ST_HexagonGrid cell holding each metric point: the same arithmetic as
    sql/fragments/hex_cell.sql (axial coordinates rounded in cube space), vectorised with numpy,
    for simulations that bin millions of points without a database (bench/, tests)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    q = (2.0 / 3.0 * x) / cell_size_m
    r = (-1.0 / 3.0 * x + np.sqrt(3.0) / 3.0 * y) / cell_size_m
    s = -q - r
    rq, rr, rs = np.round(q), np.round(r), np.round(s)
    dq, dr, ds = np.abs(rq - q), np.abs(rr - r), np.abs(rs - s)
    first = (dq > dr) & (dq > ds)
    second = ~first & (dr > ds)
    cq = np.where(first, -rr - rs, rq)
    cr = np.where(first, rr, np.where(second, -rq - rs, rr))
    return cq.astype(int), (cr + np.floor(cq / 2.0)).astype(int)


def cell_centre(i: int, j: int, size: float) -> tuple[float, float]:
    """Metric centre of ST_HexagonGrid's cell (i, j): flat-topped, odd columns half a row up."""
    return 1.5 * size * i, math.sqrt(3) * size * (j + (0.5 if i % 2 else 0.0))


def hexagon(i: int, j: int, cell_size_m: float):
    """ST_HexagonGrid's cell (i, j) as a metric shapely polygon (flat-topped, odd columns half a
    row up), for simulations without a database."""
    cx, cy = cell_centre(i, j, cell_size_m)
    return Polygon([(cx + cell_size_m * math.cos(math.radians(a)), cy + cell_size_m * math.sin(math.radians(a)))
                    for a in (0, 60, 120, 180, 240, 300)])
