"""geo.py's conversions between shapely, the database's WKB and GeoJSON text, and between the
reference systems: known values, no database."""
from __future__ import annotations

import json

import pytest
from pyproj import CRS
from shapely.geometry import MultiPolygon, Point, Polygon

from mapserver.geo import (METRIC_SRID, STORAGE_SRID, feature, geojson_geometry, shape_from_geojson, shape_from_wkb,
                           shape_to_geojson, shape_to_wkb, to_storage_lonlat, transformer)

# Salzhemmendorf's Ortsteil point (geodata/counties/03252/ortsteile.csv) and where it lies in
# ETRS89 / UTM 32N: about 40 km east of the zone's central meridian (9° E, easting 500 000 m).
SALZHEMMENDORF_LONLAT = (9.585278, 52.068056)
SALZHEMMENDORF_UTM32 = (540118.525, 5768769.259)


def test_salzhemmendorf_in_the_metric_crs_and_back():
    x, y = transformer(STORAGE_SRID, METRIC_SRID).transform(*SALZHEMMENDORF_LONLAT)
    # Easting first (always_xy): a latitude-first transformer would put the point near the equator.
    assert x == pytest.approx(SALZHEMMENDORF_UTM32[0], abs=0.01)
    assert y == pytest.approx(SALZHEMMENDORF_UTM32[1], abs=0.01)
    lon, lat = transformer(METRIC_SRID, STORAGE_SRID).transform(x, y)
    assert lon == pytest.approx(SALZHEMMENDORF_LONLAT[0], abs=1e-6)
    assert lat == pytest.approx(SALZHEMMENDORF_LONLAT[1], abs=1e-6)


def test_a_file_crs_reaches_the_storage_crs_longitude_first():
    lons, lats = to_storage_lonlat([SALZHEMMENDORF_UTM32[0]], [SALZHEMMENDORF_UTM32[1]], CRS.from_epsg(METRIC_SRID))
    assert lons[0] == pytest.approx(SALZHEMMENDORF_LONLAT[0], abs=1e-6)
    assert lats[0] == pytest.approx(SALZHEMMENDORF_LONLAT[1], abs=1e-6)


def test_transformers_are_built_once_per_pair():
    there = transformer(STORAGE_SRID, METRIC_SRID)
    assert transformer(STORAGE_SRID, METRIC_SRID) is there
    back = transformer(METRIC_SRID, STORAGE_SRID)
    assert back is not there
    assert transformer(METRIC_SRID, STORAGE_SRID) is back
    # A file's CRS (the population importer's) is a key too: an equal CRS finds the same one.
    assert transformer(CRS.from_epsg(METRIC_SRID), STORAGE_SRID) is transformer(CRS.from_epsg(METRIC_SRID), STORAGE_SRID)


def test_geojson_text_from_postgis_keeps_its_digits():
    # As ST_AsGeoJSON(geom, 6) writes it: compact, coordinates rounded by the database.
    text = ('{"type":"Polygon","coordinates":[[[9.585278,52.068056],[9.59,52.068056],[9.59,52.07],'
            '[9.585278,52.068056]]]}')
    geometry = geojson_geometry(text)
    assert geometry["type"] == "Polygon"
    assert geometry["coordinates"][0][0] == [9.585278, 52.068056]
    assert json.dumps(geometry, separators=(",", ":")) == text


def test_feature_takes_decoded_geojson_as_it_is():
    geometry = geojson_geometry('{"type":"Point","coordinates":[9.58528,52.06806]}')
    out = feature(geometry, {"name": "Salzhemmendorf"}, feature_id="03252008")
    assert out == {"type": "Feature", "geometry": {"type": "Point", "coordinates": [9.58528, 52.06806]},
                   "properties": {"name": "Salzhemmendorf"}, "id": "03252008"}
    assert json.dumps(out["geometry"]) == '{"type": "Point", "coordinates": [9.58528, 52.06806]}'


def test_wkb_is_the_standards_two_dimensional_little_endian_form():
    # OGC WKB of POINT(1 2): byte order 1 (little-endian), type 1 (point), x = 1.0, y = 2.0.
    assert shape_to_wkb(Point(1, 2)).hex() == "0101000000" "000000000000f03f" "0000000000000040"
    assert shape_from_wkb(bytes.fromhex("0101000000000000000000f03f0000000000000040")).equals(Point(1, 2))


def test_wkb_round_trip_from_bytes_or_a_drivers_memoryview():
    square = MultiPolygon([Polygon([(540000, 5768000), (540100, 5768000), (540100, 5768100), (540000, 5768100)])])
    data = shape_to_wkb(square)
    assert shape_from_wkb(data).equals_exact(square, 0)
    assert shape_from_wkb(memoryview(data)).equals_exact(square, 0)


def test_geojson_round_trip_through_shapely():
    geometry = {"type": "MultiPolygon",
                "coordinates": [[[[9.5, 52.0], [9.6, 52.0], [9.6, 52.1], [9.5, 52.0]]],
                                [[[9.7, 52.0], [9.8, 52.0], [9.8, 52.1], [9.7, 52.0]]]]}
    shaped = shape_from_geojson(geometry)
    assert isinstance(shaped, MultiPolygon) and len(shaped.geoms) == 2
    assert shaped.geoms[1].exterior.coords[0] == (9.7, 52.0)
    assert json.loads(json.dumps(shape_to_geojson(shaped))) == geometry
