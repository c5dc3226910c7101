"""The production front (deploy/nginx/proxy.conf, what compose's nginx includes), tried with
Debian's real nginx in front of the real `glaswaende serve`: eight clients trickling their bodies
froze a plain server (issue 12: 0 of 6 health checks answered within 4 s). Now neither the plain
server nor the front is frozen by them, and what the front forwards is believed with
GLASWAENDE_TRUSTED_PROXIES=1. A pin that waits for the database holds only its own connection."""
from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from mapserver.config import PROJECT_ROOT
from tests.helpers import free_port

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx fehlt (make test installiert Debians nginx-light).")



def _wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} answers nothing")


def _trickle(port: int, stop: threading.Event) -> None:
    """A client that sends a pin's headers, then its 200-byte body one byte at a time."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(b"POST /api/pins HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 200\r\n\r\n")
        for _ in range(200):
            if stop.wait(0.5):
                return
            try:
                connection.sendall(b" ")
            except OSError:
                return


def _health_checks(port: int, count: int = 6) -> list[bool]:
    answered = []
    for _ in range(count):
        try:
            answered.append(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=4).status == 200)
        except OSError:
            answered.append(False)
    return answered


@pytest.fixture
def served(county_db_url, tmp_path):
    """`glaswaende serve` with one process of 4 threads, and nginx in front with the front's
    settings; (app port, front port)."""
    app_port, front_port = free_port(), free_port()
    environment = {**os.environ, "GLASWAENDE_DATABASE_URL": county_db_url, "GLASWAENDE_TILE_URL": "",
                   "GLASWAENDE_TRUSTED_PROXIES": "1", "GLASWAENDE_CSRF": "false", "GLASWAENDE_REDIS_URL": "",
                   "GLASWAENDE_LOGIN_FAILURES_PER_NAME_AND_ADDRESS": "3 per 15 minutes",
                   "GLASWAENDE_LOGIN_FAILURE_SECONDS": "0",
                   "GLASWAENDE_PIN_LIMIT_PER_DEVICE": "1000 per minute", "GLASWAENDE_PIN_LIMIT_PER_ADDRESS": "1000 per minute"}
    app = subprocess.Popen([str(Path(sys.executable).parent / "glaswaende"), "serve", "--port", str(app_port),
                            "--workers", "1"], env=environment,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # nginx's workers as this test's user (when it runs as root they would be nobody, who cannot
    # write a large body to the temporary folders under tmp_path; otherwise the line is ignored).
    user = pwd.getpwuid(os.getuid())
    (tmp_path / "nginx.conf").write_text(f"""
user {user.pw_name} {grp.getgrgid(user.pw_gid).gr_name};
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    upstream glaswaende_app {{
        server 127.0.0.1:{app_port};
    }}
    server {{
        listen 127.0.0.1:{front_port};
        client_header_timeout 15s;
        include glaswaende/locations.conf;
    }}
}}
""")
    (tmp_path / "glaswaende").symlink_to(PROJECT_ROOT / "deploy" / "nginx")  # as compose mounts them
    front = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(f"http://127.0.0.1:{app_port}/healthz")
        _wait_for(f"http://127.0.0.1:{front_port}/healthz")
        yield app_port, front_port
    finally:
        front.terminate()
        app.terminate()
        front.wait(timeout=20)
        app.wait(timeout=20)


def _send_pin(port: int, timeout: float = 10) -> tuple[int, dict]:
    """One pin in Salzhemmendorf; (status, answer)."""
    body = json.dumps({"id": str(uuid.uuid4()), "lat": 52.0772, "lon": 9.5542, "category": "divided"}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/pins", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, json.loads(response.read())


def _with_trickling_clients(port: int, clients: int = 8):
    stop = threading.Event()
    threads = [threading.Thread(target=_trickle, args=(port, stop), daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    return stop, threads


def test_slow_clients_freeze_neither_the_plain_server_nor_the_front(served, clean_pins):
    app_port, front_port = served
    # Straight at the app (issue 12: eight trickling bodies took all four threads, 0 of 6 health
    # checks answered): each connection is a green thread now, so fifty trickle and the rest is served.
    stop, threads = _with_trickling_clients(app_port, clients=50)
    try:
        assert _health_checks(app_port) == [True] * 6
        assert _send_pin(app_port)[0] == 201
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
    # Through the front, the same fifty are nginx's business.
    stop, threads = _with_trickling_clients(front_port, clients=50)
    try:
        assert _health_checks(front_port) == [True] * 6
        status, answer = _send_pin(front_port)
        assert status == 201
        # The front's X-Forwarded-Proto and Host are what the app builds links from.
        assert answer["edit_url"].startswith(f"http://127.0.0.1:{front_port}/meine-pins/")
        # A client's own X-Forwarded-For is replaced by the address nginx saw: four failed
        # sign-ins, each claiming another address, are one address's, and the fourth is refused.
        statuses = []
        for n in range(4):
            attempt = urllib.request.Request(f"http://127.0.0.1:{front_port}/anmelden", data=b"name=x&password=y",
                                             headers={"X-Forwarded-For": f"198.51.100.{n}"})
            try:
                statuses.append(urllib.request.urlopen(attempt, timeout=10).status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
        assert statuses == [401, 401, 401, 429], statuses
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)


def test_a_pin_waiting_for_the_database_holds_only_its_own_connection(served, county_db_url, clean_pins):
    """While one pin waits for a lock on its table, the same single-process server answers
    others: psycopg waits cooperatively (it was imported after gevent patched the worker, not
    in gunicorn's master, which would have made every wait block the whole process)."""
    import psycopg

    app_port, _ = served
    answers: list[int] = []

    with psycopg.connect(county_db_url.replace("postgresql+psycopg://", "postgresql://")) as holder:
        holder.execute("LOCK TABLE pin IN ACCESS EXCLUSIVE MODE")
        waiting = threading.Thread(target=lambda: answers.append(_send_pin(app_port, timeout=30)[0]))
        waiting.start()
        time.sleep(1.0)
        assert not answers, "the pin should be waiting for the lock"
        started = time.monotonic()
        assert _health_checks(app_port, count=3) == [True] * 3
        assert time.monotonic() - started < 3
        holder.rollback()
    waiting.join(timeout=30)
    assert answers == [201]


def test_compose_puts_this_front_before_the_app_and_needs_a_secret():
    """The compose file starts the front tested above, with its settings, and tells the app that
    one proxy stands in front; it refuses to start without a secret key of one's own."""
    compose = (PROJECT_ROOT / "docker-compose.yml").read_text()
    site = (PROJECT_ROOT / "deploy/nginx/default.conf").read_text()
    assert "./deploy/nginx/proxy.conf:/etc/nginx/glaswaende/proxy.conf:ro" in compose
    assert "./deploy/nginx/locations.conf:/etc/nginx/glaswaende/locations.conf:ro" in compose
    assert "include glaswaende/locations.conf;" in site and "server app:5000;" in site
    assert "Strict-Transport-Security" in site and "return 301 https://" in site
    assert 'GLASWAENDE_TRUSTED_PROXIES: "1"' in compose
    assert compose.count("GLASWAENDE_SECRET_KEY: ${GLASWAENDE_SECRET_KEY:?") == 3, "app, worker and reminders"
    assert "change-me" not in compose


def test_compose_mails_the_year_clock_every_morning():
    """Step two's reminders run in production: compose's `reminders` service runs `glaswaende
    projects remind` once a day (its sleep until 06:00 UTC, computed with Debian's sh and date
    as in the image) with the SMTP settings passed through."""
    compose = (PROJECT_ROOT / "docker-compose.yml").read_text()
    block = compose.split("\n  reminders:\n", 1)[1].split("\n\n", 1)[0]
    command = block.split('command: ["sh", "-c", "', 1)[1].split('"]', 1)[0].replace("$$", "$")
    assert command.startswith("while :; do ") and command.endswith("; glaswaende projects remind; done")
    # The wait until the next 06:00 UTC, at any hour of the day (faketime is not at hand: the
    # loop's arithmetic is run with `date` answering for chosen moments instead).
    wait = command.removeprefix("while :; do ").split("; glaswaende", 1)[0].replace("sleep ", "echo ")
    for moment in ("00:27", "05:59", "06:00", "06:01", "13:30", "23:59"):
        script = (f"date() {{ if [ \"$3\" = 06:00 ]; then command date -u -d '2026-12-05 06:00' +%s; "
                  f"else command date -u -d '2026-12-05 {moment}' +%s; fi; }}; {wait}")
        seconds = int(subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True).stdout)
        hours, minutes = map(int, moment.split(":"))
        expected = ((6 * 60 - (hours * 60 + minutes)) % (24 * 60) or 24 * 60) * 60
        assert seconds == expected, (moment, seconds, expected)
    for setting in ("SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS", "SMTP_FROM", "PUBLIC_URL",
                    "SECRET_KEY"):
        assert f"GLASWAENDE_{setting}: ${{" in block, setting
    assert "GLASWAENDE_DATABASE_URL: postgresql://" in block


def test_the_front_lets_only_the_coordinators_uploads_send_large_bodies(served, county_db_url):
    """A body over 32 KB stops at the front (nginx's 413), except on the upload paths
    (locations.conf): there it reaches the app, which refuses it to anyone but a signed-in
    coordinator (401) and takes it from one (a 100 KB file of local actors, checked in a dry run)."""
    import http.cookiejar

    from sqlalchemy import create_engine, text

    from tests.helpers import add_staff_account, staff_password

    _, front_port = served
    base = f"http://127.0.0.1:{front_port}"
    large = b"x" * 100_000

    def post(opener, path: str, body: bytes, content_type: str) -> int:
        request = urllib.request.Request(base + path, data=body, headers={"Content-Type": content_type})
        try:
            with opener.open(request, timeout=20) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    anonymous = urllib.request.build_opener()
    assert post(anonymous, "/api/pins", large, "application/json") == 413, "the front refuses a large pin"
    boundary = "glaswaende-test-boundary"
    rows = "name;art;gemeinde\n" + "".join(f"Verein Nummer {i};Verein;03252008\n" for i in range(4000))
    upload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"dry_run\"\r\n\r\n1\r\n"
              f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"akteure.csv\"\r\n"
              f"Content-Type: text/csv\r\n\r\n{rows}\r\n--{boundary}--\r\n").encode("utf-8")
    assert len(upload) > 100_000
    multipart = f"multipart/form-data; boundary={boundary}"
    assert post(anonymous, "/koordination/akteure/import", upload, multipart) == 401, "reached the app"

    engine = create_engine(county_db_url)
    with engine.begin() as conn:
        add_staff_account(conn, "front-koordination", "coordinator")
    try:
        coordinator = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        signed_in = post(coordinator, "/anmelden", f"name=front-koordination&password={staff_password('front-koordination')}".encode(),
                         "application/x-www-form-urlencoded")
        assert signed_in == 200
        assert post(coordinator, "/koordination/akteure/import", upload, multipart) == 200, "a coordinator's upload"
        assert post(coordinator, "/api/pins", large, "application/json") == 413, "elsewhere the limit holds"
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM followup_event WHERE actor_id IN (SELECT id FROM account WHERE name = 'front-koordination')"))
            conn.execute(text("DELETE FROM account WHERE name = 'front-koordination'"))
        engine.dispose()
