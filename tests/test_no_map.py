"""Pinning without the map: a district chosen from lists, the pin placed at its centre and stored
with location_precision 'district'; analyses count it for the district, never in a cell."""
from __future__ import annotations

import uuid

from sqlalchemy import text

from mapserver.services import hotspots
from tests.helpers import pin_count

SALZHEMMENDORF = "03252008"


def _district(engine, name: str, ags: str = SALZHEMMENDORF) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM district WHERE name = :n AND municipality_ags = :a"),
                            {"n": name, "a": ags}).scalar_one()


def test_a_district_chosen_from_the_list_places_the_pin_at_its_centre(client, engine):
    lauenstein = _district(engine, "Lauenstein")
    body = {"id": str(uuid.uuid4()), "district_id": lauenstein, "category": "missing_meeting_place"}
    response = client.post("/api/pins", json=body)
    assert response.status_code == 201, response.json
    pin = response.json
    assert pin["location_precision"] == "district"
    assert pin["district"]["name"] == "Lauenstein" and pin["municipality"]["ags"] == SALZHEMMENDORF
    with engine.connect() as conn:
        row = conn.execute(text("""SELECT p.location_precision, ST_Covers(d.geom, p.geom) AS inside,
                                          ST_Distance(p.geom::geography, d.centre::geography) AS from_centre
                                   FROM pin p JOIN district d ON d.id = p.district_id""")).one()
    assert row.location_precision == "district" and row.inside and row.from_centre < 1
    assert client.post("/api/pins", json=body).status_code == 200, "idempotent like every pin"
    # A pin set on the map stays exact.
    exact = client.post("/api/pins", json={"id": str(uuid.uuid4()), "lat": 52.079, "lon": 9.551, "category": "divided"})
    assert exact.json["location_precision"] == "exact"


def test_place_must_be_a_point_or_a_district_of_the_county(client, engine):
    lauenstein = _district(engine, "Lauenstein")
    cases = [
        ({"category": "divided"}, "lat", "Bitte geben Sie den Ort an"),
        ({"category": "divided", "lat": 52.079}, "lat", "Bitte geben Sie den Ort an"),
        ({"category": "divided", "lat": 52.079, "lon": 9.551, "district_id": lauenstein}, "district_id", "nicht beides"),
        ({"category": "divided", "district_id": 2**31 - 1}, "district_id", "Diesen Ortsteil gibt es nicht"),
        ({"category": "divided", "district_id": "Lauenstein"}, "district_id", "ganze Zahl"),
        ({"category": "divided", "district_id": 0}, "district_id", ""),
    ]
    for fields, field, message in cases:
        response = client.post("/api/pins", json={"id": str(uuid.uuid4()), **fields})
        assert response.status_code == 422 and response.mimetype == "application/problem+json", fields
        matching = [e for e in response.json["errors"] if e["field"] == field]
        assert matching and message in matching[0]["message"], (fields, response.json)
    assert pin_count(engine) == 0


def test_district_pins_count_for_the_district_but_in_no_cell_hotspot_or_cluster(client, engine):
    lauenstein = _district(engine, "Lauenstein")
    for _ in range(30):
        assert client.post("/api/pins", json={"id": str(uuid.uuid4()), "district_id": lauenstein,
                                              "category": "divided"}).status_code == 201
    report = hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
    with engine.connect() as conn:
        cube = conn.execute(text("""SELECT sum(pin_count) FILTER (WHERE cell_id IS NOT NULL) AS in_cells,
                                           sum(pin_count) FILTER (WHERE district_id = :d) AS in_district
                                    FROM pin_cube WHERE run_id = :run"""), {"run": report.run_id, "d": lauenstein}).one()
        clusters = conn.execute(text("SELECT count(*) FROM pin_cluster WHERE run_id = :run"), {"run": report.run_id}).scalar_one()
        hot = conn.execute(text("SELECT count(*) FROM cell_statistic WHERE run_id = :run AND hotspot_class = 'hot'"),
                           {"run": report.run_id}).scalar_one()
    assert (cube.in_cells, cube.in_district) == (None, 30)
    assert clusters == 0 and hot == 0, "thirty pins on one centre would otherwise be a cluster"
    # The same thirty pins set on the map at that very point are a cluster: the exclusion is what
    # kept the district pins out.
    with engine.connect() as conn:
        lat, lon = conn.execute(text("SELECT ST_Y(geom), ST_X(geom) FROM pin LIMIT 1")).one()
    for _ in range(30):
        assert client.post("/api/pins", json={"id": str(uuid.uuid4()), "lat": lat, "lon": lon,
                                              "category": "divided"}).status_code == 201
    report = hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pin_cluster WHERE run_id = :run"),
                            {"run": report.run_id}).scalar_one() == 1


def test_ortsteil_search_by_name(client):
    one = client.get("/ortsteile?name=lauenst")
    assert one.status_code == 302 and "/gemeinde/03252008?ortsteil=" in one.headers["Location"]
    assert one.headers["Location"].endswith("#ohne-karte")
    several = client.get("/ortsteile?name=bad")
    assert several.status_code == 200 and "Treffer" in several.text
    assert "Bad Münder" in several.text or "Bad Pyrmont" in several.text
    none = client.get("/ortsteile?name=Atlantis")
    assert none.status_code == 200 and "Kein Ortsteil heißt so." in none.text
    assert client.get("/ortsteile?name=" + "x" * 5000).status_code in (200, 414)
    assert client.get("/ortsteile?name=Lauen%00stein").status_code in (200, 302), "control characters are dropped"
    page = client.get(one.headers["Location"].split("#")[0]).text
    assert 'selected>Lauenstein</option>' in page
