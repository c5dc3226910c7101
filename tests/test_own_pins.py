"""The private edit link: a resident sees, changes, deletes and downloads their own pins, and
nobody else's; only the secret's hash is stored."""
from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import text

from tests.helpers import pin_count

LAUENSTEIN = (52.0790, 9.5510)


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
