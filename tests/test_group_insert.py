"""Pins sent while one is being stored go together in the next statement: each sender gets its own
pin's row, a failed statement fails all of its senders and none after it, and a sender that gives
up while waiting does not stall the others."""
from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
import uuid

from sqlalchemy import text

from mapserver.config import PROJECT_ROOT
from mapserver.services.edit_keys import edit_key_hash
from mapserver.services.group_insert import GroupInsert

SALZHEMMENDORF = (52.0650, 9.5850)


class CountingInsert(GroupInsert):
    """A GroupInsert that records how many pins each statement carried."""

    def __init__(self, *args):
        super().__init__(*args)
        self.statements: list[int] = []

    def _store(self, batch):
        self.statements.append(len(batch))
        return super()._store(batch)


def _pin(rng: random.Random, **fields) -> dict:
    lat, lon = SALZHEMMENDORF
    pin = {"client_id": uuid.UUID(int=rng.getrandbits(128), version=4), "lat": lat + rng.uniform(-0.01, 0.01),
           "lon": lon + rng.uniform(-0.01, 0.01), "category": rng.choice(["divided", "meeting_place"]),
           "dimensions": rng.sample(["social", "generations", "origin"], rng.randint(0, 2)),
           "comment": rng.choice([None, "Hier „trennt“ die Straße; Ü-Wagen 🚌"]), "age_band": None,
           "years_here": None, "workshop_id": None, "edit_key_hash": edit_key_hash(f"key-{rng.random()}")}
    pin.update(fields)
    return pin


def _send_all(inserts: GroupInsert, pins: list[dict]) -> list:
    answers: list = [None] * len(pins)

    def send(i: int) -> None:
        try:
            answers[i] = inserts.insert(pins[i])
        except Exception as error:  # noqa: BLE001 (the test looks at it)
            answers[i] = error
    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(pins))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_pins_sent_while_one_is_stored_go_together_each_to_its_sender(engine, clean_pins):
    rng = random.Random(1207)
    inserts = CountingInsert(engine, "03252")
    pins = [_pin(rng) for _ in range(12)]
    pins[7]["lat"], pins[7]["lon"] = 53.55, 9.99  # Hamburg: outside the county, stores nothing
    pins[9]["client_id"] = pins[3]["client_id"]  # the same pin sent twice
    with engine.connect() as locker:
        # The first statement waits for the table; the other pins queue meanwhile.
        locker.execute(text("LOCK TABLE pin IN SHARE MODE"))
        answers: list = []
        sender = threading.Thread(target=lambda: answers.extend(_send_all(inserts, pins)))
        sender.start()
        time.sleep(1.5)
        locker.rollback()
    sender.join(timeout=60)
    assert sorted(inserts.statements) in ([1, 11], [2, 10], [3, 9])  # the first alone (or nearly), the rest together
    for pin, row in zip(pins, answers):
        assert not isinstance(row, Exception), row
    stored = [(pin, row) for pin, row in zip(pins, answers) if row is not None]
    assert answers[7] is None
    assert sum(1 for i in (3, 9) if answers[i] is not None) == 1, "one of the two with one id is stored"
    assert len(stored) == 10
    for pin, row in stored:
        assert row.client_id == pin["client_id"]
        assert (row.lat, row.lon) == (pin["lat"], pin["lon"])
        assert (row.category, list(row.dimensions)) == (pin["category"], pin["dimensions"])
        assert row.municipality_ags == "03252008"
    with engine.connect() as conn:
        comments = dict(conn.execute(text("SELECT client_id, comment FROM pin")).all())
        hashes = dict(conn.execute(text("SELECT client_id, edit_key_hash FROM pin")).all())
    assert len(comments) == 10
    for pin, _ in stored:
        assert comments[pin["client_id"]] == pin["comment"]
        assert bytes(hashes[pin["client_id"]]) == pin["edit_key_hash"]


def test_a_failing_statement_fails_its_senders_and_the_next_one_stores(engine, clean_pins):
    rng = random.Random(1208)
    inserts = CountingInsert(engine, "03252")
    pins = [_pin(rng) for _ in range(6)]
    pins[2]["lat"] = "keine Zahl"  # PostgreSQL refuses the whole statement
    with engine.connect() as locker:
        locker.execute(text("LOCK TABLE pin IN SHARE MODE"))
        first = threading.Thread(target=lambda: inserts.insert(_pin(rng)))
        first.start()
        time.sleep(0.5)
        answers: list = []
        rest = threading.Thread(target=lambda: answers.extend(_send_all(inserts, pins)))
        rest.start()
        time.sleep(1.0)
        locker.rollback()
    first.join(timeout=60)
    rest.join(timeout=60)
    assert inserts.statements == [1, 6]
    assert all(isinstance(answer, Exception) for answer in answers), answers
    later = inserts.insert(_pin(rng))
    assert later is not None and inserts.statements[-1] == 1
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pin")).scalar_one() == 2


GIVING_UP = """
from gevent import monkey; monkey.patch_all()
import os, random, sys, uuid, gevent
from sqlalchemy import create_engine, text
from mapserver.services.group_insert import GroupInsert
from tests.test_group_insert import _pin
engine = create_engine(os.environ["URL"])
inserts = GroupInsert(engine, "03252")
rng = random.Random(1209)
with engine.connect() as locker:
    locker.execute(text("LOCK TABLE pin IN SHARE MODE"))
    first = gevent.spawn(inserts.insert, _pin(rng))
    gevent.sleep(0.3)
    waiting = [gevent.spawn(inserts.insert, _pin(rng)) for _ in range(5)]
    gevent.sleep(0.3)
    gevent.killall(waiting[:2])  # the next sender, and one more, give up while waiting
    locker.rollback()
first.join(timeout=20)
gevent.joinall(waiting[2:], timeout=20)
print("stored", sum(1 for g in [first, *waiting[2:]] if g.successful() and g.value is not None))
"""


def test_a_sender_giving_up_while_waiting_stalls_nobody(county_db_url, engine, clean_pins):
    """Green threads, as `glaswaende serve` runs them: two waiting senders are killed, among them
    the one that was to send the queue next; the rest are stored all the same."""
    url = county_db_url.replace("postgresql://", "postgresql+psycopg://", 1)
    result = subprocess.run([sys.executable, "-c", GIVING_UP], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "URL": url})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["stored", "4"]
