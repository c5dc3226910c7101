"""Rate limits: tight per device, loose per address, lifted for a running workshop's join link;
German 429 with Retry-After; nothing written; keys are salted hashes."""
from __future__ import annotations

import datetime as dt
import socket
import threading
import uuid

import pytest
from sqlalchemy import text

from mapserver.services import accounts
from tests.helpers import pin_count, seeded_app

LIMITS = {"RATE_LIMITS": True, "PIN_LIMIT_PER_DEVICE": "3 per 10 minutes", "PIN_LIMIT_PER_ADDRESS": "6 per 10 minutes",
          "PIN_FLOOD_LIMIT_PER_ADDRESS": "12 per 10 minutes", "LOGIN_LIMIT_PER_ADDRESS": "3 per 10 minutes"}


def _pin(client, device: str, **extra):
    body = {"id": str(uuid.uuid4()), "lat": 52.0772, "lon": 9.5542, "category": "divided", **extra}
    return client.post("/api/pins", json=body, headers={"X-Glaswaende-Device": device})


@pytest.fixture
def limited(county_db_url, clean_pins):
    with seeded_app(county_db_url, **LIMITS) as app:
        yield app


def test_one_device_is_limited_tightly_with_a_german_429(limited, engine):
    client = limited.test_client()
    assert [_pin(client, "phone-1").status_code for _ in range(3)] == [201, 201, 201]
    refused = _pin(client, "phone-1")
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert "Bitte warten Sie ein paar Minuten" in refused.json["detail"]
    assert int(refused.headers["Retry-After"]) > 0
    assert pin_count(engine) == 3
    assert _pin(client, "phone-2").status_code == 201, "another phone on the same wifi goes on"


@pytest.fixture
def workshops(engine):
    """A workshop held today (join code heute123) and one a month ago (vorbei12)."""
    with engine.begin() as conn:
        owner = conn.execute(text("SELECT id FROM account LIMIT 1")).scalar()
        if owner is None:
            owner = accounts.create_account(conn, "limit-test", "ein-langes-passwort", ["facilitator"])
        conn.execute(text("""INSERT INTO workshop (title, held_on, municipality_ags, join_code, created_by)
                             VALUES ('Heute', :today, '03252008', 'heute123', :owner),
                                    ('Vorbei', :past, '03252008', 'vorbei12', :owner)"""),
                     {"today": dt.date.today(), "past": dt.date.today() - dt.timedelta(days=30), "owner": owner})
    yield
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM pin"))
        conn.execute(text("DELETE FROM workshop WHERE join_code IN ('heute123', 'vorbei12')"))


def test_an_address_is_limited_only_against_floods_and_a_running_workshop_lifts_it(limited, engine, workshops):
    client = limited.test_client()
    statuses = [_pin(client, f"phone-{i}").status_code for i in range(8)]
    assert statuses == [201] * 6 + [429] * 2
    assert _pin(client, "phone-20", workshop="heute123").status_code == 201
    assert _pin(client, "phone-21", workshop="vorbei12").status_code == 429, "only a running workshop"
    assert _pin(client, "phone-22").status_code == 429
    # The join link lifts the address limit, not the flood limit: a new device id on every
    # request does not get around it.
    statuses = [_pin(client, f"robot-{i}", workshop="heute123").status_code for i in range(12)]
    assert 201 in statuses and statuses[-1] == 429
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pin")).scalar_one() <= 12


def test_a_flood_naming_a_join_code_is_refused_before_the_database_is_asked(limited, engine, workshops):
    """Past the flood limit, a pin naming a join code gets 429 at once, even while the workshop
    table is locked: the code is looked up only for requests within the flood limit."""
    client = limited.test_client()
    statuses = [_pin(client, f"robot-{i}", workshop="heute123").status_code for i in range(13)]
    assert statuses[-1] == 429
    answers = []
    with engine.connect() as locker:
        locker.execute(text("LOCK TABLE workshop IN ACCESS EXCLUSIVE MODE"))
        worker = threading.Thread(target=lambda: answers.append(_pin(client, "robot-x", workshop="heute123")))
        worker.start()
        worker.join(timeout=5)
        finished = not worker.is_alive()
        locker.rollback()
    worker.join()
    assert finished, "the flooded request waited for the workshop lookup"
    assert answers[0].status_code == 429


def test_sign_in_attempts_are_limited(limited):
    client = limited.test_client()
    statuses = [client.post("/anmelden", data={"name": "niemand", "password": "falsch"}).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    page = client.post("/anmelden", data={"name": "niemand", "password": "falsch"})
    assert page.status_code == 429 and "Zu viele Anfragen." in page.get_data(as_text=True)
    assert int(page.headers["Retry-After"]) > 0
    assert client.get("/anmelden").status_code == 200, "showing the form is not limited"


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="Kein Redis auf 127.0.0.1:6379: der Speicher im Arbeitsspeicher ist oben getestet.")
def test_workers_share_limits_through_redis_with_hashed_keys(county_db_url, clean_pins):
    import redis

    store = redis.Redis(host="127.0.0.1", port=6379)
    for key in store.scan_iter("LIMITS:LIMITER/glaswaende/*"):
        store.delete(key)
    # Two apps stand for two gunicorn workers.
    shared = {"REDIS_URL": "redis://127.0.0.1:6379/0", **LIMITS}
    try:
        with seeded_app(county_db_url, **shared) as first, seeded_app(county_db_url, **shared) as second:
            statuses = [_pin(app.test_client(), "phone-r").status_code for app in (first, second, first, second)]
        assert statuses == [201, 201, 201, 429]
        keys = [k.decode() for k in store.scan_iter("LIMITS:LIMITER/glaswaende/*")]
        assert keys and not any("127.0.0.1" in k or "phone-r" in k for k in keys)
    finally:
        for key in store.scan_iter("LIMITS:LIMITER/glaswaende/*"):
            store.delete(key)


def test_with_redis_gone_the_limits_are_counted_in_memory(county_db_url, clean_pins):
    """Should Redis fail, pins are neither refused nor unlimited: each process counts alone."""
    from tests.helpers import free_port

    with seeded_app(county_db_url, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", **LIMITS) as app:
        client = app.test_client()
        statuses = [_pin(client, "phone-ohne-redis").status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]


@pytest.mark.skipif(not _redis_reachable(), reason="Kein Redis auf 127.0.0.1:6379: nur der Speicher im Arbeitsspeicher ist da.")
def test_redis_in_one_round_trip_counts_a_random_stream_as_memory_does(county_db_url, clean_pins, workshops):
    """The three pin limits in one Redis script must answer exactly as the library counting each
    in memory: the same random stream of pins (phones, join links, a flood) to both."""
    import random

    import redis

    store = redis.Redis(host="127.0.0.1", port=6379, db=3)
    store.flushdb()
    rng = random.Random(20261201)
    stream = [(f"phone-{rng.randrange(8)}", rng.choice([None, "heute123", "heute123", "vorbei12"])) for _ in range(60)]
    answers = {}
    for storage, settings in (("memory", {}), ("redis", {"REDIS_URL": "redis://127.0.0.1:6379/3"})):
        # A flood limit the stream reaches late, so that every limit refuses some pins.
        with seeded_app(county_db_url, **{**LIMITS, "PIN_FLOOD_LIMIT_PER_ADDRESS": "40 per 10 minutes"}, **settings) as app:
            client = app.test_client()
            replies = [_pin(client, device, **({"workshop": code} if code else {})) for device, code in stream]
            answers[storage] = [r.status_code for r in replies]
            assert all(int(r.headers["Retry-After"]) > 0 for r in replies if r.status_code == 429)
    store.flushdb()
    assert answers["redis"] == answers["memory"]
    assert {201, 429} <= set(answers["memory"]), "the stream should reach every kind of limit"


def test_the_process_memory_counts_as_the_library_memory_does(monkeypatch):
    """mapserver.limits.ProcessMemory against the library's MemoryStorage on one random stream of
    hits (keys, windows, time passing): the same counts and window ends; and keys whose window has
    passed are dropped once a minute, not kept for ever."""
    import random
    import types

    import limits.storage.memory as library_memory

    from mapserver import limits as rate_limits

    clock = [1_000_000.0]
    fake_time = types.SimpleNamespace(time=lambda: clock[0], monotonic=lambda: clock[0])
    monkeypatch.setattr(rate_limits, "time", fake_time)
    monkeypatch.setattr(library_memory, "time", fake_time)
    ours, theirs = rate_limits.ProcessMemory(), library_memory.MemoryStorage()
    rng = random.Random(7)
    for _ in range(3000):
        key, expiry = f"k{rng.randrange(40)}", rng.choice([5, 60, 600])
        clock[0] += rng.expovariate(1 / 2.0)
        assert ours.incr(key, expiry) == theirs.incr(key, expiry)
        assert ours.get(key) == theirs.get(key)
        assert ours.get_expiry(key) == theirs.get_expiry(key)
    clock[0] += 700  # every window has passed; the next hit prunes
    ours.incr("new", 60)
    assert ours.keys() == ["new"]
