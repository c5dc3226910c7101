"""The pin intake below Flask (mapserver/api/intake.py): a plain pin is stored and answered there
exactly as the view answers it; everything else reaches the view, which answers as before; the
limits are counted once whichever path answers."""
from __future__ import annotations

import json
import random
import uuid

import flask
import psycopg
import pytest
from sqlalchemy import text
from werkzeug.test import Client, EnvironBuilder

from mapserver.api.intake import PinIntake
from mapserver.web import EDIT_LINKS, KNOWN_ADDRESSES
from tests.helpers import pin_count, seeded_app

# Hameln-Pyrmont's bounding box and a little around it: some points fall outside the county.
SOUTH, NORTH, WEST, EAST = 51.85, 52.25, 9.05, 9.75
PIN_HEADERS = {"Content-Type": "application/json", "X-Glaswaende-Device": "phone-1"}


def _intake(app) -> PinIntake:
    layer = app.wsgi_app
    while not isinstance(layer, PinIntake):
        layer = getattr(layer, "app", None) or layer.wsgi_app
    return layer


@pytest.fixture
def view_calls(app, clean_pins):
    """Requests the intake passed on to the view (a list, one environ each), while the test runs."""
    intake = _intake(app)
    below, calls = intake.wsgi_app, []

    def counted(environ, start_response):
        calls.append(environ)
        return below(environ, start_response)
    intake.wsgi_app = counted
    try:
        yield calls
    finally:
        intake.wsgi_app = below


def _send(app, body: bytes | None = None, method: str = "POST", path: str = "/api/pins",
          headers: dict | None = None, **environ_extra):
    """One request as a raw WSGI environ through the whole app: (status, headers, body)."""
    environ = EnvironBuilder(path=path, method=method, headers=headers or PIN_HEADERS, data=body).get_environ()
    environ.update(environ_extra)
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"], answer["headers"] = status, response_headers
    chunks = app(environ, start_response)
    try:
        data = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return answer["status"], answer["headers"], data


def _random_pin(rnd: random.Random, district_ids: list[int]) -> dict:
    """A pin as residents' phones send them: any category and dimensions, sometimes a comment or a
    self-description, mostly a point (some outside the county), sometimes a district instead
    (now and then one that does not exist)."""
    pin = {"category": rnd.choice(["divided", "missing_meeting_place", "meeting_place"])}
    if pin["category"] == "divided":
        pin["dimensions"] = rnd.sample(["social", "generations", "origin", "income", "mobility", "other"],
                                       rnd.randint(1, 3))
    if rnd.random() < 0.3:
        pin["comment"] = rnd.choice(["Hier fehlt eine Bank.", "Jugendliche und Ältere treffen sich nie.",
                                     "Straße trennt das Dorf – schade!", "Kein Bus am Wochenende"])
    if rnd.random() < 0.3:
        pin["respondent"] = {"age_band": rnd.choice(["under_18", "18_29", "30_49", "50_64", "65_plus"])}
    if rnd.random() < 0.8:
        pin["lat"] = round(rnd.uniform(SOUTH, NORTH), 6)
        pin["lon"] = round(rnd.uniform(WEST, EAST), 6)
    else:
        pin["district_id"] = rnd.choice(district_ids) if rnd.random() < 0.85 else 999_999
    return pin


def _comparable(status: str, headers: list, body: bytes) -> tuple:
    """An answer without what differs from pin to pin by nature (id, time, edit key)."""
    answer = json.loads(body)
    if isinstance(answer, dict) and "edit_url" in answer:
        edit_url = answer.pop("edit_url")
        answer["edit_url_without_key"] = edit_url.rsplit("/", 1)[0] if edit_url else None
        answer.pop("id", None)
        answer.pop("created_at", None)
    return status, sorted((name, value) for name, value in headers if name != "Content-Length"), answer


def test_a_plain_pin_is_answered_below_flask_exactly_as_the_view_answers_it(app, engine, view_calls):
    """120 pins drawn at random (seed 20261206), each sent twice with its own id: through the whole
    app and straight to the view below the intake. Status, headers and body must be the same,
    and the plain ones (a valid pin in the county) must have been stored by the intake."""
    with engine.connect() as conn:
        district_ids = conn.execute(text("SELECT id FROM district ORDER BY id")).scalars().all()
    rnd = random.Random(20261206)
    view = Client(_intake(app).wsgi_app)
    first = {"id": str(uuid.uuid4()), "lat": 52.0772, "lon": 9.5542, "category": "meeting_place"}
    assert _send(app, json.dumps(first).encode())[0] == "201 CREATED"  # the view learns the edit link
    view_calls.clear()
    stored_below = 0
    for _ in range(120):
        pin = _random_pin(rnd, district_ids)
        view_calls.clear()
        through_app = _send(app, json.dumps({"id": str(uuid.uuid4()), **pin}).encode())
        passed_on = bool(view_calls)
        direct = view.post("/api/pins", data=json.dumps({"id": str(uuid.uuid4()), **pin}), headers=PIN_HEADERS)
        assert _comparable(*through_app) == _comparable(direct.status, list(direct.headers.items()), direct.data), pin
        if through_app[0] == "201 CREATED":
            assert not passed_on, f"a plain pin went to the view: {pin}"
            stored_below += 1
        else:
            assert passed_on, f"the intake answered a refusal itself: {pin}"
    assert stored_below >= 40, "many random pins lie in the county and are plain"
    assert pin_count(engine) == 1 + 2 * stored_below


def test_a_retried_pin_is_found_by_its_id_below_flask_with_its_edit_link_only_for_its_key(app, view_calls):
    body = {"id": str(uuid.uuid4()), "lat": 52.0772, "lon": 9.5542, "category": "divided", "dimensions": ["social"],
            "edit_key": "k" * 43}
    _send(app, json.dumps({**body, "id": str(uuid.uuid4())}).encode())  # the view learns the edit link
    view_calls.clear()
    status, _, first = _send(app, json.dumps(body).encode())
    again_status, _, again = _send(app, json.dumps(body).encode())
    other_status, _, other = _send(app, json.dumps({**body, "edit_key": "x" * 43}).encode())
    assert not view_calls
    assert (status, again_status, other_status) == ("201 CREATED", "200 OK", "200 OK")
    assert json.loads(again)["edit_url"] == json.loads(first)["edit_url"]
    assert json.loads(again)["edit_url"].endswith("k" * 43)
    assert json.loads(other)["edit_url"] is None


NOT_PLAIN = {
    # name: (request arguments, expected status) — each must reach the view
    "query string": (dict(QUERY_STRING="lang=en"), "201 CREATED"),
    "cookie": (dict(HTTP_COOKIE="glaswaende_sprache=tr"), "201 CREATED"),
    "another language": (dict(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9"), "201 CREATED"),
    "no content type": (dict(CONTENT_TYPE=""), "415 UNSUPPORTED MEDIA TYPE"),
    "text/plain": (dict(CONTENT_TYPE="text/plain"), "415 UNSUPPORTED MEDIA TYPE"),
    "a type the view does not read as JSON": (dict(CONTENT_TYPE="application/json\xa0"), "415 UNSUPPORTED MEDIA TYPE"),
    "a JSON type with its charset": (dict(CONTENT_TYPE="Application/JSON; charset=UTF-8"), None),
    "a +json type": (dict(CONTENT_TYPE="application/merge-patch+json"), "201 CREATED"),
    "no length": (dict(CONTENT_LENGTH=""), "400 BAD REQUEST"),
    "over the limit": (dict(CONTENT_LENGTH=str(10**9)), "413 REQUEST ENTITY TOO LARGE"),
    "an untrusted host": (dict(HTTP_HOST="evil.example"), "400 BAD REQUEST"),
    "a body that ends early": (dict(CONTENT_LENGTH="400"), "400 BAD REQUEST"),
}


@pytest.fixture(scope="module")
def trusted_app(county_db_url):
    """The app with its host named (TRUSTED_HOSTS), having answered one pin (its edit link known)."""
    with seeded_app(county_db_url, TRUSTED_HOSTS=["localhost"]) as app:
        body = {"id": str(uuid.uuid4()), "lat": 52.0772, "lon": 9.5542, "category": "meeting_place"}
        assert _send(app, json.dumps(body).encode())[0] == "201 CREATED"
        yield app


@pytest.mark.parametrize("case", NOT_PLAIN)
def test_a_request_that_is_not_plain_goes_to_the_view_which_answers_it(case, trusted_app):
    environ, expected = NOT_PLAIN[case]
    body = {"lat": 52.0772, "lon": 9.5542, "category": "divided", "dimensions": ["social"]}
    calls = _count_view_calls(trusted_app)
    assert _send(trusted_app, json.dumps({"id": str(uuid.uuid4()), **body}).encode())[0] == "201 CREATED"
    assert calls == [], "the same pin, plain, is answered below the view"
    calls = _count_view_calls(trusted_app)
    status, headers, answer = _send(trusted_app, json.dumps({"id": str(uuid.uuid4()), **body}).encode(), **environ)
    if expected is None:  # plain after all
        assert calls == [] and status == "201 CREATED", f"{case}: {status}"
        return
    assert calls == [True], f"{case}: the view did not answer"
    assert status == expected, answer[:300]
    if not status.startswith("2"):
        assert dict(headers)["Content-Type"] == "application/problem+json", "a German problem+json"


def _count_view_calls(app) -> list:
    """Note the next request the intake passes on to the view (appends True once)."""
    intake = _intake(app)
    below, calls = intake.wsgi_app, []

    def counted(environ, start_response):
        calls.append(True)
        intake.wsgi_app = below
        return below(environ, start_response)
    intake.wsgi_app = counted
    return calls


@pytest.mark.parametrize("refusal", ["website", "workshop", "outside", "bad field"])
def test_a_pin_the_view_refuses_is_refused_by_the_view(refusal, app, view_calls, engine):
    extra = {"website": {"website": "http://spam.example"}, "workshop": {"workshop": "NOSUCHCODE"},
             "outside": {"lat": 53.55, "lon": 9.99}, "bad field": {"category": "unbekannt"}}[refusal]
    body = {"id": str(uuid.uuid4()), "lat": 52.0772, "lon": 9.5542, "category": "divided", "dimensions": ["social"]}
    _send(app, json.dumps(body).encode())
    view_calls.clear()
    status, headers, answer = _send(app, json.dumps({**body, "id": str(uuid.uuid4()), **extra}).encode())
    assert status.startswith("4") and view_calls, answer
    assert dict(headers)["Content-Type"] == "application/problem+json"
    assert json.loads(answer)["detail"], "a German explanation"
    assert pin_count(engine) == 1


def test_limits_are_counted_once_whichever_path_answers(county_db_url, clean_pins, engine):
    """Device limit 3: a pin outside the county (refused by the view after the intake counted it),
    two plain pins, then the fourth is over. Counted twice, the second plain pin would be refused.
    The refusal the intake counted is the view's German 429, and nothing more is stored."""
    limits = {"RATE_LIMITS": True, "PIN_LIMIT_PER_DEVICE": "3 per 10 minutes",
              "PIN_LIMIT_PER_ADDRESS": "100 per 10 minutes", "PIN_FLOOD_LIMIT_PER_ADDRESS": "100 per 10 minutes"}
    with seeded_app(county_db_url, **limits) as app:
        def pin(device: str, **extra):
            body = {"id": str(uuid.uuid4()), "lat": 52.0772, "lon": 9.5542, "category": "meeting_place", **extra}
            return _send(app, json.dumps(body).encode(), headers={**PIN_HEADERS, "X-Glaswaende-Device": device})
        assert pin("warm-up")[0] == "201 CREATED"  # the view learns the edit link
        calls = _count_view_calls(app)
        assert pin("phone-9", lat=53.55, lon=9.99)[0] == "422 UNPROCESSABLE ENTITY"
        assert calls == [True]
        assert [pin("phone-9")[0] for _ in range(2)] == ["201 CREATED", "201 CREATED"]
        calls = _count_view_calls(app)
        status, headers, answer = pin("phone-9")
        assert status == "429 TOO MANY REQUESTS" and calls == [True]
        assert int(dict(headers)["Retry-After"]) > 0
        assert "Bitte warten Sie" in json.loads(answer)["detail"]
        assert pin("phone-10")[0] == "201 CREATED", "another phone goes on"
        assert pin_count(engine) == 4


def test_a_pin_stored_below_flask_carries_the_https_link_and_hsts_behind_a_trusted_proxy(county_db_url, clean_pins):
    with seeded_app(county_db_url, TRUSTED_PROXIES=1, TRUSTED_HOSTS=["karte.example"], SECURE_COOKIES=True) as app:
        headers = {**PIN_HEADERS, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "karte.example",
                   "X-Forwarded-For": "203.0.113.7"}
        answers = []
        for _ in range(2):  # the first through the view, the second below it
            body = {"id": str(uuid.uuid4()), "lat": 52.0772, "lon": 9.5542, "category": "meeting_place"}
            answers.append(_send(app, json.dumps(body).encode(), headers=headers, HTTP_HOST="127.0.0.1"))
        calls = _count_view_calls(app)
        body = {"id": str(uuid.uuid4()), "lat": 52.0772, "lon": 9.5542, "category": "meeting_place"}
        status, response_headers, answer = _send(app, json.dumps(body).encode(), headers=headers, HTTP_HOST="127.0.0.1")
        assert status == "201 CREATED" and not calls, "answered below the view"
        assert json.loads(answer)["edit_url"].startswith("https://karte.example/")
        assert dict(response_headers)["Strict-Transport-Security"].startswith("max-age=")
        assert _comparable(status, response_headers, answer) == _comparable(*answers[0])


def test_the_intake_mirrors_every_hook_a_pin_passes_in_flask(app):
    """The intake sends what these hooks give a plain pin's answer (security headers, Vary) and
    takes the requests they would change to the view. A hook added to every request must be
    looked at there too: this list is where a new one shows up."""
    hooks = {f"{f.__module__}.{f.__qualname__}" for key in (None, "api")
             for registry in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs,
                              app.url_value_preprocessors)
             for f in registry.get(key, [])}
    assert not app.teardown_appcontext_funcs
    assert not any(signal.receivers for signal in (flask.request_started, flask.request_finished,
                                                   flask.got_request_exception, flask.appcontext_pushed))
    assert hooks == {
        "flask_wtf.csrf.CSRFProtect.init_app.<locals>.csrf_protect",  # the API is exempt
        "mapserver.errors._refuse_long_urls",  # the intake's path is short and has no query
        "mapserver.security._add_headers",  # security.answer_headers
        "mapserver.i18n._remember_choice",  # i18n.VARY; ?lang= goes to the view
        "mapserver.static_files.init_app.<locals>._compress_when_worth_it",  # a pin's answer is small
    }


def test_a_database_that_fails_is_tried_once_and_answered_by_the_view(app, engine, view_calls, monkeypatch):
    """The intake's failure is handed to the view, which answers it (German 503 with Retry-After)
    without trying again: in an outage each pin waits for one connection attempt, not two."""
    _send(app, json.dumps({"id": str(uuid.uuid4()), "lat": 52.0772, "lon": 9.5542, "category": "meeting_place"}).encode())
    attempts = []

    def unreachable():
        attempts.append(True)
        raise psycopg.OperationalError("connection refused")
    monkeypatch.setattr(engine, "raw_connection", unreachable)
    view_calls.clear()
    status, headers, answer = _send(app, json.dumps({"id": str(uuid.uuid4()), "lat": 52.0772, "lon": 9.5542,
                                                      "category": "meeting_place"}).encode())
    assert status == "503 SERVICE UNAVAILABLE" and len(view_calls) == 1
    assert attempts == [True], "tried once"
    assert dict(headers)["Content-Type"] == "application/problem+json" and int(dict(headers)["Retry-After"]) > 0
    monkeypatch.undo()
    assert pin_count(engine) == 1


def test_a_limiter_that_fails_leaves_the_pin_to_the_view(app, engine, view_calls, monkeypatch):
    """Not a bare 500 from the server below Flask: the view meets the same request (here with the
    limits off, as in the test app, it stores the pin)."""
    _send(app, json.dumps({"id": str(uuid.uuid4()), "lat": 52.0772, "lon": 9.5542, "category": "meeting_place"}).encode())

    def broken(checks):
        raise RuntimeError("storage gone strange")
    monkeypatch.setattr(app.extensions["glaswaende.limiter"], "enforce_in_order", broken)
    view_calls.clear()
    status, _, _ = _send(app, json.dumps({"id": str(uuid.uuid4()), "lat": 52.0772, "lon": 9.5542,
                                          "category": "meeting_place"}).encode())
    assert status == "201 CREATED" and len(view_calls) == 1
    assert pin_count(engine) == 2


def test_edit_links_are_kept_for_few_addresses_and_each_pin_gets_its_own(county_db_url, clean_pins):
    """The port of a trusted host is not checked, so each port is another address: 100 of them
    (as an attacker would send) leave at most KNOWN_ADDRESSES edit links kept, and every answer's
    link names its own address."""
    with seeded_app(county_db_url, TRUSTED_HOSTS=["karte.example"]) as app:
        for port in range(8000, 8100):
            body = {"id": str(uuid.uuid4()), "lat": 52.0772, "lon": 9.5542, "category": "meeting_place"}
            status, _, answer = _send(app, json.dumps(body).encode(), HTTP_HOST=f"karte.example:{port}")
            assert status == "201 CREATED"
            assert json.loads(answer)["edit_url"].startswith(f"http://karte.example:{port}/")
        assert len(app.extensions[EDIT_LINKS]) == KNOWN_ADDRESSES
