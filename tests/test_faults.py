"""No pin lost: while clients send pins concurrently, PostgreSQL is stopped and started again.
Afterwards every pin answered 201 or 200 is in the database exactly once, and every client's
retries of the unanswered ones landed exactly once.

The test runs its own cluster (scripts/ensure-postgis.sh with GLASWAENDE_CLUSTER_DIR), so
stopping it disturbs nothing else; the app is served over real HTTP in a thread."""
from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter

import pytest
from sqlalchemy import create_engine, text

from mapserver.config import PROJECT_ROOT
from tests.helpers import make_test_app, serve_in_thread

pytestmark = pytest.mark.fault

CLIENTS = 6
PINS_PER_CLIENT = 40
LAUENSTEIN = (52.0790, 9.5510)


def _accepts_connections(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=2).close()
        return True
    except psycopg.OperationalError:
        return False


def _script(name: str, cluster_dir) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("GLASWAENDE_DATABASE_URL", "DATABASE_URL")}
    env["GLASWAENDE_CLUSTER_DIR"] = str(cluster_dir)
    result = subprocess.run(["bash", str(PROJECT_ROOT / "scripts" / name)], env=env, capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def own_cluster(tmp_path_factory):
    cluster_dir = tmp_path_factory.mktemp("fault-cluster")
    url = _script("ensure-postgis.sh", cluster_dir)
    yield cluster_dir, url
    _script("stop-postgis.sh", cluster_dir)


def _post(base: str, body: dict) -> int | None:
    """One attempt; the HTTP status, or None when no answer came (connection refused, reset, timeout)."""
    request = urllib.request.Request(base + "/api/pins", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def test_pins_survive_a_database_restart_exactly_once(own_cluster):
    cluster_dir, url = own_cluster
    app = make_test_app(url)
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["import-boundaries"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    server, base = serve_in_thread(app)
    answered: dict[str, int] = {}  # id -> the first 2xx status its client received
    failures = Counter()  # what the clients saw instead of an answer
    lock = threading.Lock()
    restarted = threading.Event()
    sent = Counter()
    crashed: list[BaseException] = []

    def client(n: int):
        try:
            send_pins(n)
        except BaseException as error:  # surfaced below: an assertion in a thread would vanish
            crashed.append(error)

    def send_pins(n: int):
        for i in range(PINS_PER_CLIENT):
            body = {"id": str(uuid.uuid4()), "lat": LAUENSTEIN[0] + (n - 3) * 0.002, "lon": LAUENSTEIN[1] + i * 0.0002,
                    "category": "divided", "comment": f"Gerät {n}, Pin {i}"}
            deadline = time.monotonic() + 90
            while True:  # the resident page's outbox: the same id again until it is answered
                status = _post(base, body)
                if status in (200, 201):
                    with lock:
                        answered[body["id"]] = status
                        sent[n] += 1
                    break
                with lock:
                    failures[status] += 1
                assert status in (None, 503), f"unexpected answer {status}"
                assert time.monotonic() < deadline, "the pin could not be delivered after the restart"
                time.sleep(0.1)
            if i == PINS_PER_CLIENT // 2:
                restarted.wait(timeout=60)  # the second half is sent after the restart

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    try:
        for t in threads:
            t.start()
        started = time.monotonic()
        while sum(sent.values()) < CLIENTS * PINS_PER_CLIENT // 4:
            assert time.monotonic() - started < 60 and not crashed, f"the clients stalled before the outage: {crashed}"
            time.sleep(0.01)
        _script("stop-postgis.sh", cluster_dir)  # pg_ctl stop -m fast: open connections are cut
        # On a loaded machine pg_ctl may return before the server has gone (its wait timed out):
        # the outage begins when it no longer accepts connections.
        gone = time.monotonic() + 120
        while _accepts_connections(url):
            assert time.monotonic() < gone, "the database did not stop"
            time.sleep(0.2)
        # Meanwhile the API says so, in German, and when to come back; never a 500.
        down = urllib.request.Request(base + "/api/pins", data=json.dumps(
            {"id": str(uuid.uuid4()), "lat": LAUENSTEIN[0], "lon": LAUENSTEIN[1], "category": "divided"}).encode(),
            headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(down, timeout=10)
        assert refused.value.code == 503 and refused.value.headers["Retry-After"] == "5"
        assert refused.value.headers["Content-Type"] == "application/problem+json"
        assert "Die Datenbank antwortet gerade nicht." in json.loads(refused.value.read())["detail"]
        with pytest.raises(urllib.error.HTTPError) as health:
            urllib.request.urlopen(base + "/healthz", timeout=10)
        assert health.value.code == 503
        time.sleep(1)
        assert _script("ensure-postgis.sh", cluster_dir) == url, "same address after the restart"
        restarted.set()
        for t in threads:
            t.join(timeout=180)
    finally:
        restarted.set()
        server.shutdown()
        app.extensions["glaswaende.engine"].dispose()

    assert not crashed, crashed
    assert not any(t.is_alive() for t in threads), "every client finished"
    assert failures, "the clients noticed the outage (else the test proved nothing)"
    assert set(failures) <= {None, 503}
    assert len(answered) == CLIENTS * PINS_PER_CLIENT
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = Counter(str(r) for r in conn.execute(text("SELECT client_id FROM pin")).scalars())
    engine.dispose()
    assert set(stored) == set(answered), "every answered pin is stored, and nothing else"
    assert set(stored.values()) == {1}, "… exactly once"
    print(f"outage seen by clients: {dict(failures)}; answers: {Counter(answered.values())}")
