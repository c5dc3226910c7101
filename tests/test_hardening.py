"""Issue 12's holes, each tried the way the outside test did: a session forged with a published
key, deeply nested JSON, a pin without Content-Type, HSTS behind TLS, a foreign Host header in
the links, and the app behind a reverse proxy (address for the limits, scheme for the links)."""
from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import text

from mapserver.config import PUBLISHED_SECRET_KEYS, ConfigError, load_config
from mapserver.services import accounts
from tests.helpers import free_port, pin_count, seeded_app

PIN = {"lat": 52.0772, "lon": 9.5542, "category": "divided"}


def _forged_session(secret: str, account_id: int) -> str:
    """A session cookie for `account_id`, signed as Flask signs it, with `secret`."""
    forger = Flask("forger")
    forger.secret_key = secret
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    return serializer.dumps({"account_id": account_id, "signed_in_at": time.time(), "session_version": 0})


@pytest.mark.parametrize("published", sorted(PUBLISHED_SECRET_KEYS))
def test_a_published_secret_key_is_refused_at_start(published):
    with pytest.raises(ConfigError, match="veröffentlichter Beispielwert"):
        load_config({"SECRET_KEY": published})


def test_without_a_key_one_is_made_once_and_kept_for_the_owner_only(tmp_path):
    first = load_config({"SECRET_KEY": "", "INSTANCE_DIR": str(tmp_path)})["SECRET_KEY"]
    again = load_config({"SECRET_KEY": "", "INSTANCE_DIR": str(tmp_path)})["SECRET_KEY"]
    assert first == again and len(first) >= 48
    assert oct(os.stat(tmp_path / "secret_key").st_mode & 0o777) == "0o600"
    with pytest.raises(ConfigError, match="zu kurz"):
        load_config({"SECRET_KEY": "kurz"})


@pytest.mark.parametrize("setting", ["30 pro Minute", "30 per 10 minutes;200 per day", ""])
def test_a_rate_limit_the_library_cannot_read_whole_is_refused_at_start(setting):
    """A typo would have answered every pin with 500; a second rule would have been dropped."""
    with pytest.raises(ConfigError, match="GLASWAENDE_PIN_LIMIT_PER_DEVICE"):
        load_config({"PIN_LIMIT_PER_DEVICE": setting})
    assert load_config({"PIN_LIMIT_PER_DEVICE": "5 per 10 minutes"})["PIN_LIMIT_PER_DEVICE"] == "5 per 10 minutes"


def test_a_session_forged_with_the_old_default_key_opens_nothing(county_db_url, engine):
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM account WHERE name = 'chef'"))
        admin = accounts.create_account(conn, "chef", "chef-verwaltet-alles", ["admin", "planner"])
    with seeded_app(county_db_url) as app:  # no GLASWAENDE_SECRET_KEY: the kept random one
        client = app.test_client()
        for old_default in ("dev-only-change-me", "change-me-in-production"):
            client.set_cookie("session", _forged_session(old_default, admin))
            response = client.get("/planung/export/pins.csv")
            assert response.status_code == 401, old_default
        client.set_cookie("session", _forged_session(app.secret_key, admin))
        assert client.get("/planung/export/pins.csv").status_code == 200, "the app's own key does open it (the test is sound)"


def test_deeply_nested_json_is_a_400_not_a_500(county_db_url, clean_pins, engine):
    with seeded_app(county_db_url, RATE_LIMITS=True) as app:  # the limiter reads the body first
        client = app.test_client()
        before = pin_count(engine)
        for body in ("[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000,
                     json.dumps({**PIN, "id": str(uuid.uuid4()), "workshop": "x"})[:-1] + ', "n": ' + "[" * 900 + "]" * 900 + "}"):
            response = client.post("/api/pins", data=body, content_type="application/json")
            assert response.status_code in (400, 422) and response.mimetype == "application/problem+json", body[:20]
            assert response.json["detail"]
    assert pin_count(engine) == before


def test_a_pin_without_a_json_content_type_is_refused(client, engine):
    body = json.dumps({**PIN, "id": str(uuid.uuid4())})
    for headers in ({}, {"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"}):
        response = client.post("/api/pins", data=body, headers=headers)
        assert response.status_code == 415 and response.mimetype == "application/problem+json", headers
    assert pin_count(engine) == 0
    assert client.post("/api/pins", data=body, headers={"Content-Type": "application/json; charset=utf-8"}).status_code == 201


def test_hsts_only_where_the_site_runs_on_https(county_db_url, clean_pins):
    with seeded_app(county_db_url) as plain, seeded_app(county_db_url, SECURE_COOKIES=True) as secure:
        assert "Strict-Transport-Security" not in plain.test_client().get("/healthz").headers
        assert "max-age=31536000" in secure.test_client().get("/healthz").headers["Strict-Transport-Security"]


def test_a_foreign_host_header_puts_no_foreign_link_anywhere(county_db_url, clean_pins, monkeypatch):
    body = {**PIN, "id": str(uuid.uuid4())}
    with seeded_app(county_db_url) as default:  # as `make run` starts: only 127.0.0.1 and localhost
        refused = default.test_client().post("/api/pins", json=body, headers={"Host": "evil.example"})
        assert refused.status_code == 400 and "evil.example" not in refused.get_data(as_text=True)
        for page in ("/", "/gemeinde/03252008", "/anmelden", "/planung/"):  # pages too: 400, never 500
            answer = default.test_client().get(page, headers={"Host": "evil.example"})
            assert answer.status_code == 400 and "evil.example" not in answer.get_data(as_text=True), page
    monkeypatch.setenv("GLASWAENDE_TRUSTED_HOSTS", "glaswaende.example.de")
    with seeded_app(county_db_url) as deployed:
        client = deployed.test_client()
        assert client.post("/api/pins", json=body, headers={"Host": "evil.example"}).status_code == 400
        accepted = client.post("/api/pins", json=body, headers={"Host": "glaswaende.example.de"})
        assert accepted.status_code == 201 and accepted.json["edit_url"].startswith("http://glaswaende.example.de/")


def test_behind_a_trusted_proxy_links_are_https_and_each_resident_has_an_address(county_db_url, clean_pins):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
    with seeded_app(county_db_url, TRUSTED_PROXIES=1, RATE_LIMITS=True, LOGIN_LIMIT_PER_ADDRESS="3 per 10 minutes") as behind:
        client = behind.test_client()
        pin = client.post("/api/pins", json={**PIN, "id": str(uuid.uuid4())}, headers=forwarded)
        assert pin.status_code == 201 and pin.json["edit_url"].startswith("https://localhost/")
        # One attacker's failed sign-ins use up his address, not a planner's behind the same proxy.
        statuses = [client.post("/anmelden", data={"name": "x", "password": "y"},
                                headers={"X-Forwarded-For": "203.0.113.5"}).status_code for _ in range(4)]
        assert statuses[-1] == 429
        assert client.post("/anmelden", data={"name": "x", "password": "y"},
                           headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 401
    # Without a trusted proxy, nobody's X-Forwarded-* is believed.
    with seeded_app(county_db_url) as direct:
        pin = direct.test_client().post("/api/pins", json={**PIN, "id": str(uuid.uuid4())}, headers=forwarded)
    assert pin.json["edit_url"].startswith("http://localhost/")


def test_signing_out_revokes_every_copy_of_the_cookie(county_db_url, engine):
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM account WHERE name = 'petra'"))
        accounts.create_account(conn, "petra", "petra-plant-gern-viel", ["planner"])
    with seeded_app(county_db_url) as app:
        # Signed in through the form here: the sessions it starts (twice, in one browser) are what is tested.
        browser = app.test_client()
        assert browser.post("/anmelden", data={"name": "petra", "password": "petra-plant-gern-viel"}).status_code == 302
        copied = browser.get_cookie("session").value  # e.g. from a shared computer
        assert browser.get("/planung/export/pins.csv").status_code == 200
        browser.post("/abmelden")
        thief = app.test_client()
        thief.set_cookie("session", copied)
        assert thief.get("/planung/export/pins.csv").status_code == 401, "signed out: the copy opens nothing"
        # A new password ends the sessions too.
        assert browser.post("/anmelden", data={"name": "petra", "password": "petra-plant-gern-viel"}).status_code == 302
        copied = browser.get_cookie("session").value
        with engine.begin() as conn:
            accounts.reset_account(conn, "petra", "petra-plant-jetzt-anders", ["planner"])
        thief.set_cookie("session", copied)
        assert thief.get("/planung/export/pins.csv").status_code == 401 and browser.get("/planung/export/pins.csv").status_code == 401


def test_without_shared_storage_one_process_serves_so_the_limits_hold():
    """Issue 12: with two gunicorn workers and no Redis, 30 pins per device became 60."""
    from mapserver.serving import worker_count

    assert worker_count(2, shared_limits=False)[0] == 1
    assert worker_count(3, shared_limits=True) == (3, None)
    assert worker_count(1, shared_limits=False) == (1, None)
    assert worker_count(None, shared_limits=False) == (1, None), "no note when nobody asked for more"
    assert worker_count(None, shared_limits=True) == (2, None)


@pytest.fixture(scope="module")
def served(county_db_url, tmp_path_factory):
    """The real gunicorn (`glaswaende serve`), two workers asked for, no Redis, 5 pins per device:
    its base URL, port and the file its output goes to (unbuffered: a line is there once printed)."""
    port = free_port()
    environment = {**os.environ, "GLASWAENDE_DATABASE_URL": county_db_url, "GLASWAENDE_TILE_URL": "",
                   "GLASWAENDE_PIN_LIMIT_PER_DEVICE": "5 per 10 minutes", "GLASWAENDE_REDIS_URL": "",
                   "PYTHONUNBUFFERED": "1"}
    command = [str(Path(sys.executable).parent / "glaswaende"), "serve", "--port", str(port), "--workers", "2"]
    output = tmp_path_factory.mktemp("serve") / "output.txt"
    with output.open("w") as sink:
        server = subprocess.Popen(command, env=environment, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield SimpleNamespace(base=base, port=port, output=output)
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_two_workers_asked_for_without_redis_serve_as_one_process_that_keeps_the_device_limit(served, clean_pins):
    """Issue 12: with two gunicorn workers and no Redis, 30 pins per device became 60. Now one
    process serves, says so, and one device still gets its limit."""
    statuses = []
    for _ in range(9):
        body = json.dumps({**PIN, "id": str(uuid.uuid4())}).encode()
        request = urllib.request.Request(served.base + "/api/pins", data=body, headers={
            "Content-Type": "application/json", "X-Glaswaende-Device": "ein-telefon", "Connection": "close"})
        try:
            statuses.append(urllib.request.urlopen(request, timeout=10).status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    assert statuses.count(201) == 5 and statuses.count(429) == 4, statuses
    assert "ein Prozess statt 2" in served.output.read_text()


def test_one_kept_alive_connection_carries_pin_after_pin(served, clean_pins):
    """As the resident page's fetches do."""
    kept = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    for n in range(3):
        kept.request("POST", "/api/pins", body=json.dumps({**PIN, "id": str(uuid.uuid4())}),
                     headers={"Content-Type": "application/json", "X-Glaswaende-Device": f"kept-{n}"})
        answer = kept.getresponse()
        assert answer.status == 201 and answer.read()
    kept.close()


def test_a_chunked_body_is_read_whole_and_one_over_16_kb_refused_whole(served, clean_pins):
    """A chunked body has no Content-Length."""
    for size, expected in ((0, 201), (17 * 1024, 413)):
        pin = json.dumps({**PIN, "id": str(uuid.uuid4()), "comment": None}).encode()
        body = pin if not size else pin[:-1] + b', "padding": "' + b"x" * size + b'"}'
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
        connection.request("POST", "/api/pins", body=iter([body[:20], body[20:]]), encode_chunked=True,
                           headers={"Content-Type": "application/json", "X-Glaswaende-Device": f"chunked-{size}"})
        assert connection.getresponse().status == expected, size
        connection.close()


def _first_read(port: int, raw: bytes) -> bytes:
    """What one recv() gets of the answer to a raw request, read while the server is still at work."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection.sendall(raw)
        return connection.recv(65536)


def test_a_small_answer_leaves_in_one_piece_and_large_ones_whole(served, clean_pins):
    """A pin's answer (head and JSON) goes out in one write: sent apart, as gevent sends them, the
    head arrives alone and the client waits for a second packet. Answers over 16 KB (the county's
    GeoJSON) and answers without a body still arrive whole and framed."""
    host = f"Host: 127.0.0.1:{served.port}\r\n".encode()
    split = 0
    for n in range(60):
        body = json.dumps({**PIN, "id": str(uuid.uuid4())}).encode()
        raw = (b"POST /api/pins HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\n"
               + f"X-Glaswaende-Device: one-piece-{n}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        head, _, answer = _first_read(served.port, raw).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 201"), head
        length = int(next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")).split(b":")[1])
        split += len(answer) != length
    assert split == 0, f"{split} of 60 answers arrived in pieces"
    large = urllib.request.urlopen(served.base + "/api/municipalities", timeout=10)
    assert len(large.read()) == int(large.headers["Content-Length"]) > 16384
    kept = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    kept.request("HEAD", "/healthz")
    headed = kept.getresponse()
    assert headed.status == 200 and headed.read() == b""
    kept.request("GET", "/healthz")  # the connection still frames the next answer right
    assert kept.getresponse().read()
    kept.close()


def _status_of(port: int, raw: bytes) -> int:
    """The status gunicorn answers a raw request with."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(raw)
        return int(connection.recv(4096).split(b" ", 2)[1])


def test_a_body_that_ends_early_is_the_clients_disconnect_not_a_500(served):
    """A phone that loses its signal in the middle of sending a pin: the body ends before its
    declared length. That is a 400 (the client's disconnect), not an unexpected error."""
    head = (f"POST /api/pins HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\nContent-Type: application/json\r\n"
            f"X-Glaswaende-Device: funkloch\r\nContent-Length: 500\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as connection:
        connection.sendall(head + b'{"lat": 52.07, "lon":')
        connection.shutdown(socket.SHUT_WR)
        answer = connection.recv(4096)
    assert answer.split(b" ", 2)[1] == b"400", answer[:200]
    assert "Unerwarteter Fehler" not in served.output.read_text()


def test_header_fields_are_read_strictly(served):
    """A folded line and a blank before the colon are refused whole."""
    host = f"Host: 127.0.0.1:{served.port}\r\n".encode()
    assert _status_of(served.port, b"GET /healthz HTTP/1.1\r\n" + host + b"X-Glaswaende-Device: \t a b \r\n\r\n") == 200
    assert _status_of(served.port, b"GET /healthz HTTP/1.1\r\n" + host + b"X-Note: a\r\n folded\r\n\r\n") == 400
    assert _status_of(served.port, b"GET /healthz HTTP/1.1\r\n" + host + b"X-Note : a\r\n\r\n") == 400


def test_a_request_smuggled_behind_another_is_refused_whole(served):
    """Two different lengths, or a length and a chunked body, could hide one request behind another."""
    host = f"Host: 127.0.0.1:{served.port}\r\n".encode()
    assert _status_of(served.port, b"POST /api/pins HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\n"
                      b"Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}") == 400
    for smuggling in (b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                      b"Transfer-Encoding: gzip, chunked\r\n", b"Content-Length: +2\r\n",
                      b"Transfer-Encoding: chunked\r\nContent-Length: 2\r\n"):
        assert _status_of(served.port, b"POST /api/pins HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\n"
                          + smuggling + b"\r\n0\r\n\r\n") == 400, smuggling


def test_a_request_line_over_4_kb_gets_our_german_414_not_gunicorns_english_page(served):
    try:
        urllib.request.urlopen(served.base + "/gemeinde/" + "x" * 5000, timeout=10)
        raise AssertionError("a 5,000-character address was accepted")
    except urllib.error.HTTPError as error:
        assert error.code == 414 and "Die Adresse ist zu lang." in error.read().decode()


def test_two_upgrades_at_once_on_a_fresh_database_both_succeed(empty_db_url):
    """compose's app and worker both run `glaswaende db upgrade` at start; on a fresh database two
    at once failed 2 times in 3. Three at once, as separate processes."""
    from sqlalchemy import create_engine

    engine = create_engine(empty_db_url)
    with engine.begin() as conn:  # back to nothing, as on a fresh volume
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    command = [str(Path(sys.executable).parent / "glaswaende"), "db", "upgrade"]
    environment = {**os.environ, "GLASWAENDE_DATABASE_URL": empty_db_url}
    runs = [subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for _ in range(3)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    engine = create_engine(empty_db_url)
    with engine.connect() as conn:
        from alembic.script import ScriptDirectory
        from mapserver.db import alembic_config

        head = ScriptDirectory.from_config(alembic_config(empty_db_url)).get_current_head()
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
    engine.dispose()


def test_the_smaller_holes(county_db_url, staff_client, clean_pins):
    """Point 12 of issue 12: the CSV's type named its charset twice; staff pages and exports
    could be kept by caches; the presentation's JSON pollers got HTML error pages; the OpenAPI
    description listed no 429 or 503."""
    with seeded_app(county_db_url) as app:
        staff = staff_client("planner", "facilitator", name="paul", app=app)
        export = staff.get("/planung/export/pins.csv")
        assert export.status_code == 200 and export.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert export.headers["Cache-Control"] == "no-store"
        assert staff.get("/workshops/").headers["Cache-Control"] == "no-store"
        for path in ("/workshops/999999/live", "/workshops/999999/praesentation/daten"):
            missing = staff.get(path)
            assert missing.status_code == 404 and missing.mimetype == "application/problem+json", path
        long = app.test_client().get("/api/stats/districts?municipality=" + "1" * 5000)
        assert long.status_code == 414 and long.mimetype == "application/problem+json" and "zu lang" in long.json["title"]
        responses = app.test_client().get("/api/openapi.json").json["paths"]["/api/pins"]["post"]["responses"]
        assert {"400", "413", "415", "422", "429", "503"} <= set(responses)


def test_a_header_line_of_blanks_is_refused_at_once():
    """64 KB of blanks and a control character: refused in linear time. The first version of
    the header reader backtracked over them for hours, and froze its whole worker meanwhile."""
    probe = ("import io, time; from mapserver.serving import read_header_fields\n"
             "line = b'X:' + b' ' * 65000 + b'\\x01\\r\\n\\r\\n'\n"
             "start = time.perf_counter()\n"
             "try:\n    read_header_fields(io.BufferedReader(io.BytesIO(line)))\nexcept ValueError:\n    pass\n"
             "else:\n    raise SystemExit('accepted')\n"
             "print(time.perf_counter() - start)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) < 0.5


def test_ids_past_the_database_integer_are_404_not_500(app, staff_client):
    """A workshop, district or other id beyond PostgreSQL's integer (2**31 - 1) in a staff URL is
    no such thing (404), not a database error (500): every id route converter carries the bound."""
    client = staff_client("facilitator", "planner")
    for url in ["/workshops/99999999999", "/workshops/99999999999/praesentation", "/workshops/99999999999/live",
                "/workshops/2147483648/qr.svg", "/papier/ortsteil/99999999999/eingabe",
                "/planung/gemeinde/03252008/ortsteil/99999999999"]:
        assert client.get(url).status_code == 404, url
    unbounded = [rule.rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert unbounded == [], "every integer in a route has its bound"
