"""Fixtures: a real PostGIS (the project's cluster under var/, or GLASWAENDE_TEST_DATABASE_URL),
one migrated and imported database per test session, fresh ones for tests that change boundaries."""
from __future__ import annotations

import os
import subprocess

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from mapserver import static_files
from mapserver.config import PROJECT_ROOT
from tests.helpers import HAMELN_PYRMONT, make_database, seeded_app, serve_in_thread, signed_in_client


def pytest_sessionstart(session):
    """The pages link fingerprinted copies of the static files (static/dist/): build them from the
    files as they are now, so no test runs against stale scripts (make test does this too)."""
    if (PROJECT_ROOT / "static" / "vendor").exists():
        static_files.build(PROJECT_ROOT / "static")


@pytest.fixture(scope="session")
def pg_server():
    """Where the test databases are created: host, port, user of a PostgreSQL with PostGIS."""
    url = os.environ.get("GLASWAENDE_TEST_DATABASE_URL")
    if not url:
        # Plain `pytest` outside `make test`: start (or find) the project's own cluster.
        url = subprocess.run(["bash", str(PROJECT_ROOT / "scripts" / "ensure-postgis.sh")],
                             check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    parsed = make_url(url)
    return {"host": parsed.host or "127.0.0.1", "port": parsed.port or 5432,
            "user": parsed.username or "postgres", "password": parsed.password}


@pytest.fixture(scope="session")
def county_db_url(pg_server):
    """One database with Hameln-Pyrmont imported, shared by the whole session (pins are cleaned per test)."""
    yield from make_database(pg_server, HAMELN_PYRMONT)


@pytest.fixture(scope="module")
def module_db_url(pg_server):
    """A database with Hameln-Pyrmont imported, for one test module that plants its own pins."""
    yield from make_database(pg_server, HAMELN_PYRMONT)


@pytest.fixture
def fresh_db_url(pg_server):
    """A database of its own with Hameln-Pyrmont imported, for tests that change boundaries."""
    yield from make_database(pg_server, HAMELN_PYRMONT)


@pytest.fixture
def empty_db_url(pg_server):
    """A migrated database with no county, for importing another one."""
    yield from make_database(pg_server, None)


@pytest.fixture(scope="session")
def app(county_db_url):
    with seeded_app(county_db_url) as app:
        yield app


@pytest.fixture
def engine(app):
    return app.extensions["glaswaende.engine"]


@pytest.fixture
def clean_pins(engine):
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM pin"))
    yield


@pytest.fixture
def client(app, clean_pins):
    return app.test_client()


@pytest.fixture
def staff_client(request):
    """A factory: staff_client("planner"[, "facilitator" …], name=None, app=None) is a test client
    signed in (through the sign-in form) as a staff account with these roles, which is made in the
    database unless it is there (tests.helpers.signed_in_client; named after its roles unless
    `name` is given). It signs in to the session's `app` unless another `app` is given; module
    fixtures, which cannot use this fixture, call signed_in_client themselves."""
    def sign_in(*roles: str, name: str | None = None, app=None):
        return signed_in_client(app if app is not None else request.getfixturevalue("app"), *roles, name=name)
    return sign_in


@pytest.fixture
def live_server(app, clean_pins):
    server, url = serve_in_thread(app)
    yield url
    server.shutdown()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (Playwright cannot download browsers here)."""
    import shutil

    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()
