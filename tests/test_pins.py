"""POST /api/pins: pins land in PostGIS with municipality and district; bad input writes nothing."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from tests.helpers import pin_count, seeded_app

LAUENSTEIN = (52.077222, 9.554167)  # lat, lon of the Ortsteil's centre (Wikipedia)


def pin_body(**fields) -> dict:
    body = {"id": str(uuid.uuid4()), "lat": LAUENSTEIN[0], "lon": LAUENSTEIN[1], "category": "divided"}
    body.update(fields)
    return body


def test_point_in_lauenstein_lands_in_salzhemmendorf_and_lauenstein(client, engine):
    body = pin_body(lat=52.0790, lon=9.5510, dimensions=["generations", "mobility"], comment="Kein Bus am Abend",
                    respondent={"age_band": "65_plus", "years_here": "over_10"})
    response = client.post("/api/pins", json=body)
    assert response.status_code == 201
    pin = response.json
    assert pin["id"] == body["id"]
    assert pin["municipality"] == {"ags": "03252008", "name": "Salzhemmendorf"}
    assert pin["district"]["name"] == "Lauenstein" and pin["district"]["approximate"] is True
    assert pin["status"] == "pending"
    with engine.connect() as conn:
        row = conn.execute(text("""
            SELECT p.municipality_ags, d.name AS district, p.category, p.dimensions, p.comment, p.age_band,
                   p.years_here, p.status, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat, ST_SRID(p.geom) AS srid,
                   (SELECT n.name FROM district n WHERE n.municipality_ags = '03252008'
                     ORDER BY n.centre <-> p.geom LIMIT 1) AS nearest_centre
            FROM pin p JOIN district d ON d.id = p.district_id WHERE p.client_id = :id"""),
            {"id": body["id"]}).one()
    assert row.municipality_ags == "03252008"
    assert row.district == "Lauenstein" == row.nearest_centre
    assert (row.category, row.dimensions, row.comment) == ("divided", ["generations", "mobility"], "Kein Bus am Abend")
    assert (row.age_band, row.years_here, row.status, row.srid) == ("65_plus", "over_10", "pending", 4326)
    assert (round(row.lat, 6), round(row.lon, 6)) == (52.079, 9.551)


def test_the_answer_names_the_place_in_the_language_each_phone_asks_for(client):
    """Each Accept-Language gets its own language (each header is negotiated once and kept), and a
    chosen language (?lang=, its cookie) goes before the header."""
    asked = [("de-DE,de;q=0.9", "Lauenstein (Salzhemmendorf)"), ("", "Lauenstein (Salzhemmendorf)")]
    for accept_language, place in asked * 2:
        headers = {"Accept-Language": accept_language} if accept_language else {}
        answer = client.post("/api/pins", json=pin_body(), headers=headers)
        assert answer.status_code == 201 and answer.json["place"] == place, accept_language
    for header in ("en-GB,en;q=0.8", "de-DE,de;q=0.9", "en-GB,en;q=0.8"):
        refused = client.post("/api/pins", json=pin_body(lat=48.1, lon=11.6), headers={"Accept-Language": header})
        english = "outside" in refused.json["detail"]
        assert refused.status_code == 422 and english == header.startswith("en"), (header, refused.json["detail"])
    chosen = client.post("/api/pins?lang=de_LS", json=pin_body(), headers={"Accept-Language": "en"})
    assert chosen.json["place"] == "Lauenstein in Salzhemmendorf"


def test_a_pins_small_answer_goes_uncompressed_and_large_answers_compressed(client):
    """Compressing an answer that fits one packet saves no round trip; the county's GeoJSON is
    compressed for every client that accepts it."""
    answer = client.post("/api/pins", json=pin_body(), headers={"Accept-Encoding": "br, gzip"})
    assert answer.status_code == 201 and "Content-Encoding" not in answer.headers
    assert answer.json["municipality"]["ags"] == "03252008"
    large = client.get("/api/municipalities", headers={"Accept-Encoding": "br, gzip"})
    assert large.headers["Content-Encoding"] == "br" and "Accept-Encoding" in large.headers["Vary"]


def test_each_point_goes_to_the_district_of_the_nearest_ortsteil(client, engine):
    # Approximate districts are Voronoi cells (in metres): a pin belongs to the Ortsteil whose
    # centre is nearest. Checked on seeded random points in both starting municipalities.
    with engine.connect() as conn:
        samples = conn.execute(text("""
            SELECT m.ags, ST_Y(p.geom) AS lat, ST_X(p.geom) AS lon,
                   (SELECT d.name FROM district d WHERE d.municipality_ags = m.ags
                     ORDER BY ST_Distance(ST_Transform(d.centre, 25832), ST_Transform(p.geom, 25832)) LIMIT 1)
                   AS nearest
            FROM municipality m,
                 LATERAL ST_Dump(ST_GeneratePoints(m.geom, 25, 42)) AS p
            WHERE m.ags IN ('03252008', '03252002')""")).all()
    assert len(samples) == 50
    for sample in samples:
        response = client.post("/api/pins", json=pin_body(lat=sample.lat, lon=sample.lon))
        assert response.status_code == 201
        assert response.json["municipality"]["ags"] == sample.ags
        assert response.json["district"]["name"] == sample.nearest, sample
    assert pin_count(engine) == 50


def test_retry_with_the_same_id_returns_the_stored_pin_not_a_duplicate(client, engine):
    body = pin_body()
    first = client.post("/api/pins", json=body)
    again = client.post("/api/pins", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    # The server made the edit key, so only the first answer can carry its link.
    assert first.json["edit_url"] and again.json["edit_url"] is None
    assert {**again.json, "edit_url": None} == {**first.json, "edit_url": None}
    # Even a retry with changed content does not create a second pin or alter the first.
    changed = client.post("/api/pins", json={**body, "category": "meeting_place"})
    assert changed.status_code == 200 and changed.json["category"] == "divided"
    assert pin_count(engine) == 1


def test_comment_of_exactly_1000_characters_is_accepted(client):
    assert client.post("/api/pins", json=pin_body(comment="ä" * 1000)).status_code == 201


OUTSIDE = "Dieser Punkt liegt außerhalb des Landkreises Hameln-Pyrmont."

BAD_INPUTS = [
    # (name, raw body or dict, status, field, message fragment)
    ("malformed json", b'{"id": "x", "lat": ', 400, None, "kein gültiges JSON"),
    ("not an object", b"[1, 2, 3]", 400, None, "JSON-Objekt"),
    ("empty body", b"", 400, None, "kein gültiges JSON"),
    ("missing id", {"lat": 52.07, "lon": 9.55, "category": "divided"}, 422, "id", "Dieses Feld fehlt."),
    ("missing category", {"id": "6b1f1f5e-0f7e-4b7a-9d8f-1b2c3d4e5f60", "lat": 52.07, "lon": 9.55}, 422,
     "category", "Dieses Feld fehlt."),
    ("id not a uuid", pin_body(id="abc"), 422, "id", "UUID"),
    ("lat as string", pin_body(lat="52.07"), 422, "lat", "Bitte geben Sie eine Zahl an."),
    ("lon as boolean", pin_body(lon=True), 422, "lon", "Bitte geben Sie eine Zahl an."),
    ("lat null", pin_body(lat=None), 422, "lat", "Bitte geben Sie den Ort an: lat und lon, oder district_id."),
    ("lat above 90", pin_body(lat=90.5), 422, "lat", "zwischen -90 und 90"),
    ("lat below -90", pin_body(lat=-91), 422, "lat", "zwischen -90 und 90"),
    ("lon above 180", pin_body(lon=181), 422, "lon", "zwischen -180 und 180"),
    ("lon below -180", pin_body(lon=-180.01), 422, "lon", "zwischen -180 und 180"),
    ("lat NaN", b'{"id": "6b1f1f5e-0f7e-4b7a-9d8f-1b2c3d4e5f60", "lat": NaN, "lon": 9.5, "category": "divided"}',
     422, "lat", "endliche Zahl"),
    ("unknown category", pin_body(category="wall"), 422, "category", "Unbekannte Kategorie"),
    ("category as number", pin_body(category=1), 422, "category", "Unbekannte Kategorie"),
    ("unknown dimension", pin_body(dimensions=["social", "weather"]), 422, "dimensions[1]", "Unbekannte Dimension"),
    ("dimensions not a list", pin_body(dimensions="social"), 422, "dimensions", "Liste"),
    ("repeated dimension", pin_body(dimensions=["social", "social"]), 422, "dimensions", "nur einmal"),
    ("comment too long", pin_body(comment="x" * 1001), 422, "comment", "höchstens 1000 Zeichen"),
    ("comment not text", pin_body(comment=["x"]), 422, "comment", "Text"),
    ("comment with NUL", pin_body(comment="Hallo\u0000Welt"), 422, "comment", "Steuerzeichen"),
    ("comment with escape", pin_body(comment="\u001b[31mrot"), 422, "comment", "Steuerzeichen"),
    ("unknown age band", pin_body(respondent={"age_band": "old"}), 422, "respondent.age_band", "Altersgruppe"),
    ("unknown years here", pin_body(respondent={"years_here": 12}), 422, "respondent.years_here", "Wohndauer"),
    ("respondent not an object", pin_body(respondent="jung"), 422, "respondent", "Objekt"),
    ("unknown field", pin_body(name="Erika Mustermann"), 422, "name", "unbekannt"),
    ("honeypot filled", pin_body(website="http://spam.example"), 422, "website", "automatisch ausgefüllt"),
]
# Points outside the county: (name, body, the field named); the detail names the county too.
OUTSIDE_INPUTS = [
    ("outside the county (Hannover)", pin_body(lat=52.3745, lon=9.7386), "lat"),
    ("outside Germany", pin_body(lat=0.0, lon=0.0), "lon"),
]


def _refused(client, engine, body, status, field, message) -> dict:
    """Posts a bad body; asserts the German problem (the field's message, or the detail where no
    field is named) and that no pin was written; the problem."""
    before = pin_count(engine)
    if isinstance(body, bytes):
        response = client.post("/api/pins", data=body, content_type="application/json")
    else:
        response = client.post("/api/pins", json=body)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    problem = response.json
    assert set(problem) >= {"type", "title", "status", "detail", "errors"}
    assert problem["status"] == status
    if field is None:
        assert message in problem["detail"]
    else:
        matching = [e for e in problem["errors"] if e["field"] == field]
        assert matching, problem
        assert message in matching[0]["message"]
    assert pin_count(engine) == before
    return problem


@pytest.mark.parametrize("body, status, field, message", [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_gets_a_german_problem_and_writes_nothing(client, engine, body, status, field, message):
    _refused(client, engine, body, status, field, message)


@pytest.mark.parametrize("body, field", [b[1:] for b in OUTSIDE_INPUTS], ids=[b[0] for b in OUTSIDE_INPUTS])
def test_a_point_outside_the_county_gets_a_problem_naming_the_county_and_writes_nothing(client, engine, body, field):
    problem = _refused(client, engine, body, 422, field, OUTSIDE)
    assert problem["detail"] == OUTSIDE


def test_body_over_16_kb_is_refused_with_413(client, engine):
    response = client.post("/api/pins", data=b'{"comment": "' + b"x" * 17000 + b'"}', content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert "16 KB" in response.json["detail"]
    assert pin_count(engine) == 0


def test_chunked_body_over_16_kb_is_refused_with_413(live_server, engine):
    # Without a Content-Length the server must still stop at 16 KB, not cut the body and parse it.
    import http.client
    from urllib.parse import urlparse

    target = urlparse(live_server)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
    body = (b'{"id": "6b1f1f5e-0f7e-4b7a-9d8f-1b2c3d4e5f60", "lat": 52.07, "lon": 9.55, '
            b'"category": "divided", "comment": "' + b"x" * 17000 + b'"}')
    connection.request("POST", "/api/pins", body=iter([body[:8000], body[8000:]]),
                       headers={"Content-Type": "application/json"}, encode_chunked=True)
    response = connection.getresponse()
    assert response.status == 413
    assert response.getheader("Content-Type") == "application/problem+json"
    assert pin_count(engine) == 0


def test_wrong_content_type_is_refused_with_415(client, engine):
    response = client.post("/api/pins", data="lat=52&lon=9", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.mimetype == "application/problem+json"
    assert pin_count(engine) == 0


@pytest.mark.parametrize("raw", [b"null", b"0", b'"text"', b"{}", b'{"id": {}}', b"\xff\xfe", b'{"lat": 1e999}',
                                 b'{"id": "6b1f1f5e-0f7e-4b7a-9d8f-1b2c3d4e5f60", "lat": 52.07, "lon": 9.55, '
                                 b'"category": "divided", "dimensions": [null]}'])
def test_odd_bodies_never_give_a_500(client, engine, raw):
    response = client.post("/api/pins", data=raw, content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"
    assert pin_count(engine) == 0


def test_get_on_pins_is_not_allowed(client):
    response = client.get("/api/pins")
    assert response.status_code == 405 and response.mimetype == "application/problem+json"
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
    # A page answers a wrong method in German HTML, and says which methods it takes too.
    page = client.post("/datenschutz")
    assert page.status_code == 405 and page.mimetype == "text/html" and "GET" in page.headers["Allow"]


def test_simultaneous_retries_of_one_pin_store_it_once(app, clean_pins, engine):
    # A phone on a bad connection may resend while the first request is still running.
    from concurrent.futures import ThreadPoolExecutor

    body = pin_body()

    def send(_):
        return app.test_client().post("/api/pins", json=body).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(send, range(16)))
    assert statuses == [200] * 15 + [201]
    assert pin_count(engine) == 1


def test_413_names_the_configured_size_limit(county_db_url, engine):
    # The refusal tells the limit the deployment set (GLASWAENDE_MAX_CONTENT_LENGTH), in every language.
    before = pin_count(engine)
    with seeded_app(county_db_url, MAX_CONTENT_LENGTH=8 * 1024) as app:
        for language, expected in (("de", "größer als 8 KB"), ("en", "larger than 8 KB")):
            response = app.test_client().post(f"/api/pins?lang={language}", data=b'{"comment": "' + b"x" * 9000 + b'"}',
                                              content_type="application/json")
            assert response.status_code == 413
            assert expected in response.json["detail"]
    assert pin_count(engine) == before


def test_the_answer_names_the_place_without_a_name_twice(client, engine):
    # "Ortsteil Salzhemmendorf (Salzhemmendorf)" named one place twice: the district that bears
    # the municipality's name is said once, any other with its municipality.
    with engine.connect() as conn:
        districts = conn.execute(text("""
            SELECT d.id, d.name, m.name AS municipality FROM district d JOIN municipality m ON m.ags = d.municipality_ags
            WHERE m.ags = '03252008' AND d.name IN ('Salzhemmendorf', 'Lauenstein')""")).all()
    assert {d.name for d in districts} == {"Salzhemmendorf", "Lauenstein"}
    for district in districts:
        body = pin_body(district_id=district.id)
        del body["lat"], body["lon"]
        answer = client.post("/api/pins", json=body)
        assert answer.status_code == 201, answer.json
        expected = "Salzhemmendorf" if district.name == "Salzhemmendorf" else "Lauenstein (Salzhemmendorf)"
        assert answer.json["place"] == expected
