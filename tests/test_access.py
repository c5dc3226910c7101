"""Accounts, sign-in and roles: every route is public by name or refuses an anonymous visitor."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from mapserver.errors import InvalidInput
from mapserver.services import accounts
from tests.helpers import remove_all_accounts, seeded_app

# Routes anyone may use (residents, the public numbers, the sign-in form itself).
PUBLIC_ENDPOINTS = {
    "static", "web.county_map", "web.municipality_map", "web.health", "web.favicon", "web.join_workshop",
    "web.privacy_notice", "web.district_search",
    # A resident's own pins: guarded by the secret in their private link, not by an account.
    "web.own_pins_page", "web.own_pins_download", "web.change_own_pin", "web.delete_own_pin", "web.delete_all_own_pins",
    "api.openapi", "api.create_pin", "api.municipalities", "api.districts", "api.place",
    "api.stats_municipalities", "api.stats_districts", "api.hotspots",
    "auth.login", "auth.logout",
    # The legal pages and the accessibility statement's feedback form (its list is for moderators).
    "legal.imprint", "legal.accessibility", "legal.send_feedback",
    # Step two: a municipality's ideas, one idea, supporting it, a resident's own idea, GET /api/ideas.
    "ideas.municipality_ideas", "ideas.idea_page", "ideas.support", "ideas.new_idea", "ideas.send_idea",
    "ideas.thanks", "ideas.api_ideas",
    # Step two, the loop closed: projects of a municipality, a project, its photos, the Atom feeds, GET /api/projects.
    "results.municipality_projects", "results.project_page", "results.update_photo", "results.municipality_feed",
    "results.project_feed", "results_api.api_projects",
    # Step two: the public layer of local actors (GET /api/actors); an idea sent through a workshop's join link.
    "actors_api.actors_geojson", "workshop_join.idea_form", "workshop_join.send_idea",
}
SAMPLE_ARGUMENTS = {"ags": "03252008", "district_id": 1, "dataset": "pins", "fmt": "csv", "filename": "x",
                    "workshop_id": 1, "join_code": "abcdefgh", "pin_id": 1}
SAMPLE_ARGUMENTS |= {"idea_id": 1, "answer_id": 1, "template_id": 1}  # step two: ideas
SAMPLE_ARGUMENTS |= {"project_id": 1, "update_id": 1}  # step two: projects, their updates and reports
SAMPLE_ARGUMENTS |= {"actor_id": 1}  # step two: local actors
SAMPLE_ARGUMENTS |= {"milestone_id": 1}  # step two: a project's milestones (mapserver/projects)


@pytest.fixture
def accounts_db(engine):
    with engine.begin() as conn:
        remove_all_accounts(conn)
        accounts.create_account(conn, "planerin", "ein-langes-passwort", ["planner"])
        accounts.create_account(conn, "moderator", "noch-ein-langes-passwort", ["moderator"])
        accounts.create_account(conn, "chefin", "admin-passwort-lang", ["admin"])
    yield
    with engine.begin() as conn:
        remove_all_accounts(conn)


def _staff_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = rule.build({k: v for k, v in SAMPLE_ARGUMENTS.items() if k in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_route_is_public_or_refuses_anonymous_visitors(app, client, accounts_db):
    staff = list(_staff_routes(app))
    assert any(endpoint.startswith("planner.") for endpoint, _, _ in staff), "the walk found the planner pages"
    assert any(endpoint.startswith("workshops.") for endpoint, _, _ in staff), "… and the workshop pages"
    assert any(endpoint.startswith("moderation.") for endpoint, _, _ in staff), "… and the moderation pages"
    for endpoint, method, url in staff:
        response = client.open(url, method=method)
        assert response.status_code in (401, 403), (endpoint, method, url, response.status_code)
    # An API refusal is problem+json; a page shows the German sign-in form.
    assert client.get("/planung/").get_data(as_text=True).count("Anmelden") >= 1


def test_public_list_names_only_existing_routes(app):
    assert PUBLIC_ENDPOINTS <= {rule.endpoint for rule in app.url_map.iter_rules()}


def _sign_in(client, name, password):
    """The sign-in form posted: for the tests of signing in itself (the others use staff_client)."""
    return client.post("/anmelden", data={"name": name, "password": password, "next": "/planung/"})


def test_planner_pages_need_the_planner_role(app, staff_client, accounts_db):
    client = staff_client("moderator")
    for _, method, url in _staff_routes(app):
        if url.startswith("/planung"):
            assert client.open(url, method=method).status_code == 403, url
    page = client.get("/planung/")
    assert "Dafür fehlt Ihnen die Berechtigung." in page.get_data(as_text=True)


# Step two's staff blueprints: coordinators (and admins) write; moderators moderate ideas at
# /moderation/ideen; planners may only download the exports.
STEP_TWO_STAFF = ("projects.", "ideas_staff.", "actors.", "results_staff.")
PLANNERS_MAY = {("results_staff.export", "GET")}


def test_step_two_is_written_by_coordinators_only(app, staff_client, accounts_db):
    """The walk over every staff route of step two (its pages and each write): planners,
    moderators and facilitators get 403 (a planner may export); a coordinator is let in."""
    routes = [(endpoint, method, url) for endpoint, method, url in _staff_routes(app)
              if endpoint.startswith(STEP_TWO_STAFF)]
    assert {endpoint.split(".")[0] for endpoint, _, _ in routes} == {"projects", "ideas_staff", "actors", "results_staff"}
    assert sum(method == "POST" for _, method, _ in routes) >= 15, "the writes are in the walk"
    for role in ("planner", "moderator", "facilitator"):
        client = staff_client(role)
        for endpoint, method, url in routes:
            status = client.open(url, method=method).status_code
            if role == "planner" and (endpoint, method) in PLANNERS_MAY:
                assert status != 403, (role, endpoint, method, url)
            else:
                assert status == 403, (role, endpoint, method, url, status)
    coordinator = staff_client("coordinator")
    for endpoint, method, url in routes:
        if method == "GET":
            assert coordinator.open(url, method=method).status_code not in (401, 403), (endpoint, url)
    moderation = [(m, url) for endpoint, m, url in _staff_routes(app) if endpoint.startswith("ideas_moderation.")]
    assert moderation
    for method, url in moderation:
        assert staff_client("coordinator").open(url, method=method).status_code == 403, url


def test_wrong_password_is_refused_in_german(client, accounts_db):
    response = _sign_in(client, "planerin", "falsch")
    assert response.status_code == 401
    assert "Name oder Passwort stimmen nicht." in response.get_data(as_text=True)
    assert _sign_in(client, "niemand", "egal-was").status_code == 401


def test_session_cookie_is_signed_httponly_and_samesite(client, accounts_db):
    response = _sign_in(client, "planerin", "ein-langes-passwort")
    assert response.status_code == 302 and response.headers["Location"] == "/planung/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    value = re.search(r"session=([^;]+)", cookie).group(1)
    assert "planerin" not in value and "." in value  # signed, not a plain account name
    assert client.post("/abmelden").status_code == 302
    assert client.get("/planung/").status_code == 401


def test_secure_cookies_behind_https(county_db_url, accounts_db):
    with seeded_app(county_db_url, SECURE_COOKIES="true") as app:
        response = app.test_client().post("/anmelden", data={"name": "planerin", "password": "ein-langes-passwort"},
                                          base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]


def test_sign_in_never_redirects_to_another_site(client, accounts_db):
    for target in ("https://example.org/", "//example.org/x", "javascript:alert(1)"):
        response = client.post("/anmelden", data={"name": "planerin", "password": "ein-langes-passwort", "next": target})
        assert response.headers["Location"] == "/planung/", target


def test_admin_may_do_what_planners_and_facilitators_do(clean_pins, staff_client, engine, accounts_db):
    from mapserver.services import hotspots

    hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
    client = staff_client("admin")
    assert client.get("/planung/").status_code == 200
    assert client.get("/planung/gemeinde/03252008").status_code == 200
    assert client.get("/workshops/").status_code == 200


def test_user_add_prompts_for_the_password_and_hashes_it(runner, engine, accounts_db):
    result = runner.invoke(args=["user", "add", "neu", "--role", "planner", "--role", "facilitator"],
                           input="sehr-geheimes-passwort\nsehr-geheimes-passwort\n")
    assert result.exit_code == 0, result.output
    assert "sehr-geheimes-passwort" not in result.output
    with engine.connect() as conn:
        row = conn.execute(text("SELECT password_hash, roles FROM account WHERE name = 'neu'")).one()
    assert row.password_hash.startswith("scrypt:") and "sehr-geheimes" not in row.password_hash
    assert sorted(row.roles) == ["facilitator", "planner"]
    listing = runner.invoke(args=["user", "list"]).output
    assert "neu: facilitator, planner" in listing


def test_user_add_refuses_weak_passwords_unknown_roles_and_duplicates(runner, engine, accounts_db):
    weak = runner.invoke(args=["user", "add", "kurz", "--role", "planner"], input="kurz\nkurz\n")
    assert weak.exit_code != 0 and "mindestens 12 Zeichen" in weak.output
    unknown = runner.invoke(args=["user", "add", "x1", "--role", "king"], input="x\n")
    assert unknown.exit_code != 0
    duplicate = runner.invoke(args=["user", "add", "Planerin", "--role", "planner"],
                              input="ein-anderes-passwort\nein-anderes-passwort\n")
    assert duplicate.exit_code != 0 and "gibt es schon" in duplicate.output
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM account")).scalar_one() == 3
    with engine.begin() as conn, pytest.raises(InvalidInput):
        accounts.create_account(conn, "a b", "ein-langes-passwort", ["planner"])


def test_a_wrong_password_is_answered_slowly(client, accounts_db):
    import time

    for name, password in (("planerin", "falsches-passwort"), ("gibt-es-nicht", "egal-was-hier")):
        started = time.monotonic()
        assert _sign_in(client, name, password).status_code == 401
        assert time.monotonic() - started >= 1.0, name
    started = time.monotonic()
    assert _sign_in(client, "planerin", "ein-langes-passwort").status_code == 302
    assert time.monotonic() - started < 1.0, "the right password is not held back"


def test_a_guesser_slows_only_himself_and_no_name_is_told_apart(county_db_url, engine, accounts_db):
    """Issue 12: five failed sign-ins locked a staff account for 15 minutes, again and again, for
    anyone, and only real names said "gesperrt". Now the failures count per name and address:
    the guesser gets 429 on his own address, the planner signs in from hers, and a real name and
    an unknown one are answered alike."""
    with seeded_app(county_db_url, LOGIN_FAILURE_SECONDS="0", RATE_LIMITS=True, TRUSTED_PROXIES=1,
                    LOGIN_FAILURES_PER_NAME_AND_ADDRESS="3 per 15 minutes", LOGIN_LIMIT_PER_ADDRESS="50 per 10 minutes") as app:
        client = app.test_client()
        attacker, planner = {"X-Forwarded-For": "203.0.113.9"}, {"X-Forwarded-For": "198.51.100.20"}

        def attempt(name, password, headers):
            return client.post("/anmelden", data={"name": name, "password": password}, headers=headers)

        answers = {name: [attempt(name, "falsch-geraten", attacker) for _ in range(4)] for name in ("planerin", "niemand-hier")}
        for name, responses in answers.items():
            assert [r.status_code for r in responses] == [401, 401, 401, 429], name
            assert "gesperrt" not in responses[0].text and "Name oder Passwort stimmen nicht." in responses[0].text
        def page(response):  # the form's own token aside
            return re.sub(r'value="[^"]*"', "", response.text)

        assert page(answers["planerin"][0]) == page(answers["niemand-hier"][0]), "a real name is answered as an unknown one"
        assert attempt("planerin", "ein-langes-passwort", planner).status_code == 302, "the planner is not locked out"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT locked_until FROM account WHERE name = 'planerin'")).scalar_one() is None


def test_sessions_expire(county_db_url, accounts_db):
    import time

    with seeded_app(county_db_url, SESSION_HOURS=str(1.5 / 3600)) as app:
        client = app.test_client()
        # The sign-in starts the session whose lifetime is tested: posted here, as in the sign-in tests above.
        assert client.post("/anmelden", data={"name": "moderator", "password": "noch-ein-langes-passwort"}).status_code == 302
        assert client.get("/moderation/").status_code == 200
        time.sleep(1.0)
        assert client.get("/moderation/").status_code == 200, "still within the session's lifetime"
        time.sleep(1.0)
        expired = client.get("/moderation/")
        assert expired.status_code == 401 and "Ihre Anmeldung ist abgelaufen." in expired.text
