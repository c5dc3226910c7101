"""The private edit link: a resident sees, changes, deletes and downloads their own pins, and
nobody else's; only the secret's hash is stored."""
from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import text

from tests.helpers import add_staff_account, insert_workshop_today, pin_count

LAUENSTEIN = (52.0790, 9.5510)
AHRENFELD = (52.067778, 9.645)       # Salzhemmendorf, another Ortsteil
BAD_MUENDER = (52.1956, 9.4647)      # the next municipality of the county
HILDESHEIM = (52.1500, 9.9500)       # outside the county


def _pin(client, edit_key=None, **fields):
    body = {"id": str(uuid.uuid4()), "lat": LAUENSTEIN[0], "lon": LAUENSTEIN[1], "category": "divided", **fields}
    if edit_key:
        body["edit_key"] = edit_key
    response = client.post("/api/pins", json=body)
    assert response.status_code == 201, response.json
    return body, response.json


def _path(edit_url: str) -> str:
    return "/" + edit_url.split("/", 3)[3]


def test_first_answer_carries_a_private_link_and_only_its_hash_is_stored(client, engine):
    body, pin = _pin(client, comment="Kein Bus am Abend")
    link = pin["edit_url"]
    assert link.startswith("http://localhost/meine-pins/")
    secret = link.rsplit("/", 1)[1]
    assert len(secret) >= 43
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT edit_key_hash FROM pin WHERE client_id = :id"), {"id": body["id"]}).scalar_one()
        dump = conn.execute(text("SELECT row_to_json(p)::text FROM pin p")).scalar_one()
    assert bytes(stored) == hashlib.sha256(secret.encode()).digest()
    assert secret not in dump
    page = client.get(_path(link))
    assert page.status_code == 200
    assert "Kein Bus am Abend" in page.text and "Lauenstein" in page.text
    assert page.headers["Cache-Control"] == "no-store" and "noindex" in page.headers["X-Robots-Tag"]


def test_a_key_of_the_page_groups_its_pins_and_survives_a_lost_answer(client):
    key = secrets.token_urlsafe(32)
    first, answer = _pin(client, key, comment="Erster Pin")
    _pin(client, key, comment="Zweiter Pin", category="meeting_place")
    _pin(client, comment="Pin von jemand anderem")
    # The first answer was lost: the retry (same id, same key) gets the link again.
    retry = client.post("/api/pins", json={**first, "edit_key": key})
    assert retry.status_code == 200 and retry.json["edit_url"] == answer["edit_url"]
    # A retry with another key does not learn the link.
    other = client.post("/api/pins", json={**first, "edit_key": secrets.token_urlsafe(32)})
    assert other.status_code == 200 and other.json["edit_url"] is None
    page = client.get(f"/meine-pins/{key}").text
    assert "Erster Pin" in page and "Zweiter Pin" in page and "jemand anderem" not in page


def test_download_holds_everything_stored_about_own_pins(client):
    key = secrets.token_urlsafe(32)
    body, _ = _pin(client, key, comment="Treffpunkt fehlt", dimensions=["generations"],
                   respondent={"age_band": "65_plus", "years_here": "over_10"})
    response = client.get(f"/meine-pins/{key}/pins.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    [pin] = response.json["pins"]
    assert pin["id"] == body["id"] and pin["comment"] == "Treffpunkt fehlt" and pin["comment_status"] == "pending"
    assert pin["age_band"] == "65_plus" and pin["years_here"] == "over_10" and pin["dimensions"] == ["generations"]
    assert pin["municipality"]["name"] == "Salzhemmendorf" and pin["district"] == "Lauenstein"
    assert abs(pin["lat"] - LAUENSTEIN[0]) < 1e-9


def test_change_own_pin_and_a_changed_comment_is_checked_again(client, engine):
    key = secrets.token_urlsafe(32)
    body, _ = _pin(client, key, comment="Alt")
    with engine.begin() as conn:
        conn.execute(text("UPDATE pin SET status = 'published'"))
    # Same comment, other category: stays published.
    response = client.post(f"/meine-pins/{key}/{body['id']}", data={
        "category": "meeting_place", "dimensions": ["social", "origin"], "comment": "Alt", "age_band": "30_49"})
    assert response.status_code == 303
    with engine.connect() as conn:
        row = conn.execute(text("SELECT category, dimensions, comment, status, age_band FROM pin")).one()
    assert tuple(row) == ("meeting_place", ["social", "origin"], "Alt", "published", "30_49")
    client.post(f"/meine-pins/{key}/{body['id']}", data={"category": "meeting_place", "comment": "Neu"})
    with engine.connect() as conn:
        assert conn.execute(text("SELECT comment, status, age_band FROM pin")).one() == ("Neu", "pending", None)
    assert "Ihre Änderung ist gespeichert" in client.get(f"/meine-pins/{key}").text


def test_bad_changes_are_refused_in_german_and_change_nothing(client, engine):
    key = secrets.token_urlsafe(32)
    body, _ = _pin(client, key, comment="Bleibt")
    for form in ({"category": "nonsense"}, {}, {"category": "divided", "comment": "x" * 1001},
                 {"category": "divided", "dimensions": ["social", "social"]}, {"category": "divided", "age_band": "99"}):
        response = client.post(f"/meine-pins/{key}/{body['id']}", data=form)
        assert response.status_code == 422 and "Bitte prüfen Sie" in response.text
    with engine.connect() as conn:
        assert conn.execute(text("SELECT category, comment FROM pin")).one() == ("divided", "Bleibt")


def _stored(engine, client_id):
    with engine.connect() as conn:
        return conn.execute(text("""
            SELECT p.category, p.municipality_ags, d.name AS district, p.location_precision, p.workshop_id,
                   ST_Y(p.geom) AS lat, ST_X(p.geom) AS lon
            FROM pin p LEFT JOIN district d ON d.id = p.district_id WHERE p.client_id = :id"""), {"id": client_id}).one()


def test_moving_an_own_pin_places_it_anew_as_a_new_pin_would_be(client, engine):
    key = secrets.token_urlsafe(32)
    body, _ = _pin(client, key)
    assert _stored(engine, body["id"]).district == "Lauenstein"
    # Without lat and lon (no script, or not moved) the place stays.
    client.post(f"/meine-pins/{key}/{body['id']}", data={"category": "divided", "lat": "", "lon": ""})
    assert _stored(engine, body["id"])[1:3] == ("03252008", "Lauenstein")

    response = client.post(f"/meine-pins/{key}/{body['id']}", data={
        "category": "meeting_place", "lat": str(AHRENFELD[0]), "lon": str(AHRENFELD[1])})
    assert response.status_code == 303
    moved = _stored(engine, body["id"])
    assert (moved.category, moved.municipality_ags, moved.district) == ("meeting_place", "03252008", "Ahrenfeld")
    assert (round(moved.lat, 6), round(moved.lon, 6)) == AHRENFELD
    assert "Ihr Pin liegt jetzt hier: Ahrenfeld (Salzhemmendorf)." in client.get(f"/meine-pins/{key}").text


def test_a_pin_set_by_its_district_becomes_exact_when_moved(client, engine):
    key = secrets.token_urlsafe(32)
    with engine.connect() as conn:
        district_id = conn.execute(text("SELECT id FROM district WHERE name = 'Lauenstein'")).scalar_one()
    body = {"id": str(uuid.uuid4()), "district_id": district_id, "category": "divided", "edit_key": key}
    assert client.post("/api/pins", json=body).status_code == 201
    assert _stored(engine, body["id"]).location_precision == "district"
    page = client.get(f"/meine-pins/{key}").text
    assert "Dieser Pin steht in der Mitte des Ortsteils." in page
    client.post(f"/meine-pins/{key}/{body['id']}", data={"category": "divided", "lat": "52.0795", "lon": "9.5521"})
    assert _stored(engine, body["id"]).location_precision == "exact"


def test_a_pin_moved_out_of_its_workshops_municipality_loses_the_workshop_tag(client, engine):
    with engine.begin() as conn:
        creator = add_staff_account(conn, "moderation-umzug", "moderator")
        insert_workshop_today(conn, "Werkstatt Lauenstein", "03252008", "umzug1", creator)
    key = secrets.token_urlsafe(32)
    body, _ = _pin(client, key, workshop="umzug1")
    assert _stored(engine, body["id"]).workshop_id is not None
    client.post(f"/meine-pins/{key}/{body['id']}", data={"category": "divided", "lat": str(AHRENFELD[0]),
                                                          "lon": str(AHRENFELD[1])})
    assert _stored(engine, body["id"]).workshop_id is not None, "still in the workshop's municipality"
    client.post(f"/meine-pins/{key}/{body['id']}", data={"category": "divided", "lat": str(BAD_MUENDER[0]),
                                                          "lon": str(BAD_MUENDER[1])})
    moved = _stored(engine, body["id"])
    assert (moved.municipality_ags, moved.workshop_id) == ("03252002", None)


def test_a_move_outside_the_county_or_to_no_number_is_refused_and_changes_nothing(client, engine):
    key = secrets.token_urlsafe(32)
    body, _ = _pin(client, key)
    before = _stored(engine, body["id"])
    for lat, lon, words in ((HILDESHEIM[0], HILDESHEIM[1], "außerhalb"), ("Norden", "9.6", "Zahl"),
                            ("52.07", "", "Zahl"), ("91", "9.6", "Zahl"), ("nan", "9.6", "Zahl")):
        response = client.post(f"/meine-pins/{key}/{body['id']}", data={
            "category": "meeting_place", "lat": str(lat), "lon": str(lon)})
        assert response.status_code == 422 and words in response.text, (lat, lon)
        assert _stored(engine, body["id"]) == before, "nothing written, the category neither"


def test_a_link_reaches_only_its_own_pins(client, engine):
    key, stranger = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    body, _ = _pin(client, key)
    _pin(client, stranger)
    for path in (f"/meine-pins/{stranger}/{body['id']}", f"/meine-pins/{stranger}/{body['id']}/loeschen"):
        assert client.post(path, data={"category": "meeting_place"}).status_code == 404
    assert client.get(f"/meine-pins/{secrets.token_urlsafe(32)}").status_code == 404
    assert client.get("/meine-pins/kurz").status_code == 404
    assert client.post(f"/meine-pins/{key}/keine-uuid", data={"category": "divided"}).status_code == 404
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pin WHERE category = 'divided'")).scalar_one() == 2


def test_delete_one_then_all_and_the_log_keeps_no_erased_text(client, engine):
    key = secrets.token_urlsafe(32)
    first, _ = _pin(client, key, comment="Herr Mustermann, Tel. 0151 1234567")
    _pin(client, key)
    _pin(client, key)
    with engine.begin() as conn:
        actor = conn.execute(text("INSERT INTO account (name, password_hash, roles) VALUES "
                                  "('mod-delete', 'x', ARRAY['moderator']) ON CONFLICT (name) DO UPDATE SET name = "
                                  "EXCLUDED.name RETURNING id")).scalar_one()
        conn.execute(text("""INSERT INTO moderation_event (pin_id, actor_id, action, status_before, status_after,
                             comment_before, comment_after)
                             SELECT id, :actor, 'redact', 'pending', 'published', comment, 'Tel. [entfernt]'
                             FROM pin WHERE client_id = :id"""), {"actor": actor, "id": first["id"]})
    # Unconfirmed (a form sent without the page's script): a page that asks, and nothing goes.
    asked = client.post(f"/meine-pins/{key}/{first['id']}/loeschen")
    assert asked.status_code == 200 and "Diesen Pin löschen?" in asked.text and 'name="confirmed" value="ja"' in asked.text
    assert "Herr Mustermann" in asked.text and pin_count(engine) == 3
    assert client.post(f"/meine-pins/{key}/{first['id']}/loeschen", data={"confirmed": "ja"}).status_code == 303
    assert pin_count(engine) == 2
    with engine.connect() as conn:
        event = conn.execute(text("SELECT pin_id, action, comment_before, comment_after FROM moderation_event "
                                  "WHERE actor_id = :a"), {"a": actor}).one()
    assert tuple(event) == (None, "redact", None, None)
    asked = client.post(f"/meine-pins/{key}/loeschen")
    assert asked.status_code == 200 and "Alle 2 Pins löschen?" in asked.text and pin_count(engine) == 2
    response = client.post(f"/meine-pins/{key}/loeschen", data={"confirmed": "ja"})
    assert response.status_code == 303 and pin_count(engine) == 0
    assert client.get(f"/meine-pins/{key}").status_code == 404
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM moderation_event WHERE actor_id = :a"), {"a": actor})
        conn.execute(text("DELETE FROM account WHERE id = :a"), {"a": actor})
