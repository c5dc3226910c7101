"""CSRF protection on every form and cookie-authenticated write (Flask-WTF); the JSON API,
which takes no cookies, needs none."""
from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import text

from mapserver.services import accounts
from tests.helpers import remove_all_accounts, seeded_app


@pytest.fixture
def protected(county_db_url, engine, clean_pins):
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM workshop"))
        remove_all_accounts(conn)
        accounts.create_account(conn, "anna", "anna-moderiert-gern", ["facilitator"])
    with seeded_app(county_db_url, CSRF=True) as app:
        yield app
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM workshop"))
        remove_all_accounts(conn)


def _token(client, url):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def test_forms_without_their_token_are_refused_in_german_and_change_nothing(protected, engine):
    client = protected.test_client()
    refused = client.post("/anmelden", data={"name": "anna", "password": "anna-moderiert-gern"})
    assert refused.status_code == 400 and "laden Sie die Seite bitte neu" in refused.get_data(as_text=True)
    assert client.get("/workshops/").status_code == 401, "not signed in"

    signed_in = client.post("/anmelden", data={"name": "anna", "password": "anna-moderiert-gern",
                                               "csrf_token": _token(client, "/anmelden")})
    assert signed_in.status_code == 302
    form = {"title": "Ohne Token", "held_on": "2026-12-01", "municipality_ags": "03252008"}
    assert client.post("/workshops/", data=form).status_code == 400
    assert client.post("/workshops/", data={**form, "csrf_token": "gefälscht"}).status_code == 400
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM workshop")).scalar_one() == 0
    created = client.post("/workshops/", data={**form, "csrf_token": _token(client, "/workshops/")})
    assert created.status_code == 303
    assert client.post("/abmelden").status_code == 400, "signing out is a write too"


def test_the_cookieless_json_api_needs_no_token(protected, engine):
    response = protected.test_client().post("/api/pins", json={
        "id": str(uuid.uuid4()), "lat": 52.0772, "lon": 9.5542, "category": "divided"})
    assert response.status_code == 201


def test_every_form_route_refuses_a_post_without_token(protected, engine, clean_pins):
    """Walks the URL map: every POST outside the cookieless JSON API (staff pages, moderation,
    the resident's own-pins forms) is refused without its token, before the view runs."""
    from tests.test_access import SAMPLE_ARGUMENTS

    client = protected.test_client()
    key = "k" * 43
    arguments = {**SAMPLE_ARGUMENTS, "edit_key": key, "client_id": str(uuid.uuid4())}
    posts = [rule for rule in protected.url_map.iter_rules() if "POST" in rule.methods and not rule.rule.startswith("/api/")]
    assert {"moderation.act_on_one", "moderation.act_on_selection", "web.change_own_pin", "web.delete_own_pin",
            "web.delete_all_own_pins", "auth.login", "workshops.create"} <= {rule.endpoint for rule in posts}
    for rule in posts:
        url = rule.build({k: v for k, v in arguments.items() if k in rule.arguments})[1]
        response = client.post(url, data={"action": "approve", "pin": "1", "category": "divided"})
        assert response.status_code == 400, (rule.endpoint, response.status_code)
