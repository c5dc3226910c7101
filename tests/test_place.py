"""GET /api/place: where a point lies, exactly as a pin stored there is placed (the form names the
place with it and stops a tap outside its municipality before anything is sent)."""
from __future__ import annotations

import random
import uuid

import jsonschema
import pytest
from sqlalchemy import text

from tests.helpers import pin_count


def test_the_place_of_random_points_is_where_a_pin_there_is_stored(client, engine):
    # Points drawn at random over the county's bounding box (some outside it): each answer names
    # the municipality and district that storing a pin at that point gives, or says "outside".
    rng = random.Random(20261204)
    with engine.connect() as conn:
        west, south, east, north = conn.execute(text(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) AS e FROM municipality "
            "WHERE county_key = '03252') AS x")).one()
    inside = outside = 0
    for _ in range(60):
        lat, lon = rng.uniform(south - 0.02, north + 0.02), rng.uniform(west - 0.02, east + 0.02)
        place = client.get(f"/api/place?lat={lat}&lon={lon}")
        stored = client.post("/api/pins", json={"id": str(uuid.uuid4()), "lat": lat, "lon": lon, "category": "divided"})
        assert place.status_code in (200, 422) and stored.status_code in (201, 422)
        assert (place.status_code == 200) == (stored.status_code == 201), (lat, lon)
        if place.status_code == 200:
            inside += 1
            assert place.json["municipality"] == stored.json["municipality"]
            assert place.json["district"] == stored.json["district"]
            assert place.json["place"] == stored.json["place"]
        else:
            outside += 1
            assert place.mimetype == "application/problem+json"
            assert place.json["type"] == "/problems/outside-county" and "außerhalb" in place.json["detail"]
    assert inside >= 20 and outside >= 5, "the draws must fall on both sides of the border"


@pytest.mark.parametrize("query, fields", [
    ("", {"lat", "lon"}), ("lat=52.07", {"lon"}), ("lat=abc&lon=9.5", {"lat"}), ("lat=91&lon=9.5", {"lat"}),
    ("lat=52&lon=-181", {"lon"}), ("lat=nan&lon=9.5", {"lat"}), ("lat=1e999&lon=9.5", {"lat"}),
])
def test_bad_coordinates_get_a_german_problem_and_write_nothing(client, engine, query, fields):
    before = pin_count(engine)
    answer = client.get(f"/api/place?{query}")
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert {e["field"] for e in answer.json["errors"]} == fields
    assert answer.json["detail"] == "Bitte prüfen Sie die Koordinaten."
    assert pin_count(engine) == before


def test_the_answer_matches_the_openapi_document(client):
    spec = client.get("/api/openapi.json").json
    schema = spec["paths"]["/api/place"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    answer = client.get("/api/place?lat=52.0790&lon=9.5510")
    assert answer.status_code == 200 and answer.json["place"] == "Lauenstein (Salzhemmendorf)"
    jsonschema.validate(answer.json, {**schema, "components": spec["components"]})
