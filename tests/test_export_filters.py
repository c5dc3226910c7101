"""Planners' pin exports obey the same filter rules as their numbers (one fragment,
sql/fragments/pin_filter.sql): checked on random filters against a query written independently
over the pins, with pins at local midnight on both sides of the change of daylight saving time."""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
import tempfile
from pathlib import Path

import pandas as pd
import pyogrio
from sqlalchemy import text

from mapserver.services import exports
from mapserver.services.statistics import PinFilter
from mapserver.vocabulary import AGE_BANDS, CATEGORIES, DIMENSIONS, YEARS_HERE

TIME_ZONE = "Europe/Berlin"
SALZHEMMENDORF = "03252008"


def _plant_pins(engine, seed: int, n: int = 400) -> None:
    """n pins in Salzhemmendorf with random attributes, created at random minutes around local
    midnight from 20 October to 1 November 2026 (daylight saving time ends on 25 October)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        day = dt.date(2026, 10, 20) + dt.timedelta(days=rng.randrange(13))
        minutes = rng.choice([-90, -30, -1, 0, 1, 30, 90, 720])  # around local midnight, and noon
        rows.append({
            "category": rng.choice(list(CATEGORIES)),
            "dimensions": rng.sample(list(DIMENSIONS), rng.randrange(3)),
            "age_band": rng.choice([*AGE_BANDS, None]),
            "years_here": rng.choice([*YEARS_HERE, None]),
            "local": f"{day.isoformat()} 00:00",
            "minutes": minutes,
        })
    with engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO pin (client_id, geom, category, dimensions, age_band, years_here, created_at,
                             municipality_ags, district_id)
            SELECT gen_random_uuid(), p.geom, :category, CAST(:dimensions AS text[]), :age_band, :years_here,
                   (CAST(:local AS timestamp) AT TIME ZONE :time_zone) + :minutes * INTERVAL '1 minute',
                   m.ags, district_for_point(m.ags, p.geom)
            FROM municipality m, LATERAL ST_PointOnSurface(m.geom) AS p(geom)
            WHERE m.ags = :ags"""), [{**row, "time_zone": TIME_ZONE, "ags": SALZHEMMENDORF} for row in rows])


def _random_filter(rng: random.Random) -> PinFilter:
    def some(values) -> tuple[str, ...]:
        return tuple(rng.sample(list(values), rng.randrange(len(values) + 1)))
    start = dt.date(2026, 10, 20) + dt.timedelta(days=rng.randrange(13))
    return PinFilter(categories=some(CATEGORIES), dimensions=some(DIMENSIONS),
                     date_from=rng.choice([None, start]),
                     date_to=rng.choice([None, start + dt.timedelta(days=rng.randrange(6))]),
                     age_bands=some(AGE_BANDS), years_here=some(YEARS_HERE))


def _expected_ids(engine, pin_filter: PinFilter) -> set[str]:
    """The same filter written over the pins directly: any shared dimension, the local day."""
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(text("""
            SELECT client_id::text FROM pin
            WHERE municipality_ags = :ags
              AND (CAST(:categories AS text[]) IS NULL OR category = ANY(CAST(:categories AS text[])))
              AND (CAST(:dimensions AS text[]) IS NULL OR dimensions && CAST(:dimensions AS text[]))
              AND (CAST(:date_from AS date) IS NULL OR CAST(created_at AT TIME ZONE :time_zone AS date) >= :date_from)
              AND (CAST(:date_to AS date) IS NULL OR CAST(created_at AT TIME ZONE :time_zone AS date) <= :date_to)
              AND (CAST(:age_bands AS text[]) IS NULL OR age_band = ANY(CAST(:age_bands AS text[])))
              AND (CAST(:years_here AS text[]) IS NULL OR years_here = ANY(CAST(:years_here AS text[])))"""), {
            "ags": SALZHEMMENDORF, "time_zone": TIME_ZONE,
            "categories": list(pin_filter.categories) or None, "dimensions": list(pin_filter.dimensions) or None,
            "date_from": pin_filter.date_from, "date_to": pin_filter.date_to,
            "age_bands": list(pin_filter.age_bands) or None, "years_here": list(pin_filter.years_here) or None})}


def test_pin_exports_follow_the_filters_on_random_draws(engine, clean_pins):
    """The plain CSV on every draw; the CSV for German spreadsheets and the GeoPackage on some.
    Each pin's exported time (with its offset) falls on a local day inside the filter's dates."""
    _plant_pins(engine, seed=20261204)
    rng = random.Random(4)
    nonempty = 0
    for draw in range(60):
        pin_filter = _random_filter(rng)
        expected = _expected_ids(engine, pin_filter)
        with engine.connect() as conn:
            exported = exports.export(conn, "pins", "csv", "03252", SALZHEMMENDORF, pin_filter, TIME_ZONE, [])
        rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8"))))
        assert {row["id"] for row in rows} == expected, pin_filter
        for row in rows:
            day = dt.datetime.fromisoformat(row["created_at"]).date()  # local time with its offset
            assert (pin_filter.date_from or day) <= day <= (pin_filter.date_to or day), (row, pin_filter)
        if draw % 6 == 0:
            with engine.connect() as conn:
                german = exports.export(conn, "pins", "csv-de", "03252", SALZHEMMENDORF, pin_filter, TIME_ZONE, [])
                package = exports.export(conn, "pins", "gpkg", "03252", SALZHEMMENDORF, pin_filter, TIME_ZONE, [])
            table = pd.read_csv(io.BytesIO(german.content), sep=";", decimal=",", comment="#", dtype=str)
            assert set(table["id"]) == expected, pin_filter
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / package.filename
                path.write_bytes(package.content)
                assert set(pyogrio.read_dataframe(path, layer="glaswaende_pins")["id"]) == expected, pin_filter
        nonempty += bool(expected)
    assert nonempty >= 20, "the draws must select pins, or the comparison proves nothing"


def test_pins_read_in_batches_keep_each_pin_with_its_own_place(engine, clean_pins, monkeypatch):
    """The pins export reads its rows in batches (exports.PIN_BATCH); with batches of 7 over 250
    random points every row keeps its own geometry, in WGS84 (made from lon/lat) and in
    EPSG:25832 (from PostGIS), as PostGIS places each pin."""
    with engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO pin (client_id, geom, category, dimensions, municipality_ags, district_id)
            SELECT gen_random_uuid(), g.geom, 'divided', ARRAY['social'], m.ags, district_for_point(m.ags, g.geom)
            FROM municipality m, LATERAL ST_Dump(ST_GeneratePoints(m.geom, 250, 20261206)) AS g
            WHERE m.ags = :ags"""), {"ags": SALZHEMMENDORF})
        truth = {row.id: row for row in conn.execute(text("""
            SELECT client_id::text AS id, ST_X(geom) AS lon, ST_Y(geom) AS lat,
                   ST_X(ST_Transform(geom, 25832)) AS x, ST_Y(ST_Transform(geom, 25832)) AS y
            FROM pin WHERE municipality_ags = :ags"""), {"ags": SALZHEMMENDORF})}
    monkeypatch.setattr(exports, "PIN_BATCH", 7)
    for srid in (4326, 25832):
        with engine.connect() as conn:
            package = exports.export(conn, "pins", "gpkg", "03252", SALZHEMMENDORF, PinFilter(), TIME_ZONE, [], srid)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / package.filename
            path.write_bytes(package.content)
            frame = pyogrio.read_dataframe(path, layer="glaswaende_pins")
        assert sorted(frame["id"]) == sorted(truth) and len(truth) == 250
        for pin_id, point in zip(frame["id"], frame.geometry):
            expected = truth[pin_id]
            x, y = (expected.lon, expected.lat) if srid == 4326 else (expected.x, expected.y)
            assert abs(point.x - x) < 1e-6 and abs(point.y - y) < 1e-6, (srid, pin_id)
