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


def _while_the_first_waits(engine, inserts: GroupInsert, first: dict, rest: list[dict]) -> list:
    """`first` sent alone while the pin table is locked, `rest` queued behind it; their answers."""
    answers: list = []
    with engine.connect() as locker:
        locker.execute(text("LOCK TABLE pin IN SHARE MODE"))
        sender = threading.Thread(target=lambda: inserts.insert(first))
        sender.start()
        time.sleep(0.5)
        queued = threading.Thread(target=lambda: answers.extend(_send_all(inserts, rest)))
        queued.start()
        time.sleep(1.5)
        locker.rollback()
    sender.join(timeout=60)
    queued.join(timeout=60)
    assert not sender.is_alive() and not queued.is_alive(), "a sender hangs"
    assert len(answers) == len(rest)
    return answers


def test_pins_sent_while_one_is_stored_go_together_each_to_its_sender(engine, clean_pins):
    rng = random.Random(1207)
    inserts = CountingInsert(engine, "03252")
    pins = [_pin(rng) for _ in range(12)]
    pins[7]["lat"], pins[7]["lon"] = 53.55, 9.99  # Hamburg: outside the county, stores nothing
    pins[9]["client_id"] = pins[3]["client_id"]  # the same pin sent twice
    pins[5]["lat"], pins[5]["lon"] = 53.55, 9.99  # sent first from outside, then again from inside
    pins[6]["client_id"] = pins[5]["client_id"]
    answers = _while_the_first_waits(engine, inserts, _pin(rng), pins)
    assert inserts.statements == [1, 12]  # the first alone, the rest together
    for row in answers:
        assert not isinstance(row, Exception), row
    stored = [(pin, row) for pin, row in zip(pins, answers) if row is not None]
    assert answers[7] is None and answers[5] is None and answers[6] is not None
    assert answers[3] is not None and answers[9] is None, "of two with one id the first is stored"
    assert len(stored) == 9
    for pin, row in stored:
        assert row.client_id == pin["client_id"]
        assert (row.lat, row.lon) == (pin["lat"], pin["lon"])
        assert (row.category, list(row.dimensions)) == (pin["category"], pin["dimensions"])
        assert row.municipality_ags == "03252008"
    with engine.connect() as conn:
        comments = dict(conn.execute(text("SELECT client_id, comment FROM pin")).all())
        hashes = dict(conn.execute(text("SELECT client_id, edit_key_hash FROM pin")).all())
    assert len(comments) == 10  # with the first
    for pin, _ in stored:
        assert comments[pin["client_id"]] == pin["comment"]
        assert bytes(hashes[pin["client_id"]]) == pin["edit_key_hash"]


def test_a_failing_statement_fails_its_senders_and_the_next_one_stores(engine, clean_pins):
    rng = random.Random(1208)
    inserts = CountingInsert(engine, "03252")
    pins = [_pin(rng) for _ in range(6)]
    pins[2]["lat"] = "keine Zahl"  # PostgreSQL refuses the whole statement
    answers = _while_the_first_waits(engine, inserts, _pin(rng), pins)
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

class KillingTheNextSender(GroupInsert):
    next_sender = None
    def _hand_over(self):
        if self._queue and self.next_sender is not None:
            # Ended as it is chosen to send next (gevent delivers the kill before the wake-up).
            self.next_sender.kill(block=False)
            self.next_sender = None
        super()._hand_over()

engine = create_engine(os.environ["URL"])
inserts = KillingTheNextSender(engine, "03252")
rng = random.Random(1209)
with engine.connect() as locker:
    locker.execute(text("LOCK TABLE pin IN SHARE MODE"))
    first = gevent.spawn(inserts.insert, _pin(rng))
    gevent.sleep(0.3)
    waiting = [gevent.spawn(inserts.insert, _pin(rng)) for _ in range(5)]
    gevent.sleep(0.3)
    inserts.next_sender = waiting[0]
    gevent.kill(waiting[1])  # one more gives up while it waits
    locker.rollback()
first.join(timeout=20)
gevent.joinall(waiting[2:], timeout=20)
with engine.connect() as conn:
    print("stored", conn.execute(text("SELECT count(*) FROM pin")).scalar_one(),
          "answered", sum(1 for g in [first, *waiting[2:]] if g.ready() and g.value is not None))
# A sender ended in the middle of its statement: its queue learns that the database could not be
# told (503 to the resident, whose page sends again), and the next pin is stored.
class SlowSecondStatement(GroupInsert):
    statements = 0
    def _store(self, batch):
        self.statements += 1
        if self.statements == 2:
            gevent.sleep(1.0)
        return super()._store(batch)

inserts = SlowSecondStatement(engine, "03252")
with engine.connect() as locker:
    locker.execute(text("LOCK TABLE pin IN SHARE MODE"))
    alone = gevent.spawn(inserts.insert, _pin(rng))
    gevent.sleep(0.3)
    together = [gevent.spawn(inserts.insert, _pin(rng)) for _ in range(3)]
    gevent.sleep(0.3)
    locker.rollback()
alone.join(timeout=20)
gevent.sleep(0.3)  # the second statement's sender is inside it now
together[0].kill()
gevent.joinall(together, timeout=20)
print("failed", sum(1 for g in together[1:] if type(g.exception).__name__ == "OperationalError"),
      "then", inserts.insert(_pin(rng)) is not None)
"""


def test_a_sender_giving_up_while_waiting_stalls_nobody(county_db_url, engine, clean_pins):
    """Green threads, as `glaswaende serve` runs them: the one chosen to send the queue next is
    killed before it runs, and one more waiting sender; the other three are stored all the same.
    A sender killed in the middle of its statement fails its queue with an OperationalError (503),
    and the next pin is stored."""
    url = county_db_url.replace("postgresql://", "postgresql+psycopg://", 1)
    result = subprocess.run([sys.executable, "-c", GIVING_UP], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "URL": url})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["stored", "4", "answered", "4", "failed", "2", "then", "True"], \
        result.stdout + result.stderr[-2000:]
