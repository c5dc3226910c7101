"""Pins that arrive while one is being stored go to the database together, in the next statement.

Group commit, as databases do it with their log: the first pin to arrive finds nobody sending and
sends at once, alone (no pin ever waits for company); pins arriving meanwhile queue; when the
statement is answered, its sender wakes them and hands the sending to the first of them, who takes
the whole queue in one statement. Under a stream of residents' pins each statement then carries
several, and a statement's fixed costs (the round trip, the driver's work, the commit) are shared.
A statement is atomic: its pins are stored together or, if it fails, none of them, and each of its
senders gets the error. Works with real threads and with gevent's green ones alike (gevent patches
the locks and events it uses)."""
from __future__ import annotations

import json
import threading
import uuid
import weakref
from dataclasses import dataclass, field

import psycopg
from sqlalchemy import Engine

from ..db import dbapi_autocommit, dbapi_sql

# At most this many pins in one statement (a burst after a pause could queue a thousand).
MAX_PINS_PER_STATEMENT = 200


@dataclass(eq=False)
class _Queued:
    pin: str  # the pin as a JSON object
    # Looked up when a pin queues, not when this module is imported: gevent's patched Event then.
    wake: threading.Event = field(default_factory=lambda: threading.Event())
    sends: bool = False  # woken to send the queue, not with an answer
    row: object = None
    error: BaseException | None = None


class GroupInsert:
    """insert_pins.sql for one database and county, statement after statement."""

    def __init__(self, engine: Engine, county_key: str):
        self._engine = weakref.ref(engine)  # the registry below holds GroupInserts by engine, weakly
        self.county_key = county_key
        self._lock = threading.Lock()
        self._queue: list[_Queued] = []
        self._sending = False

    def insert(self, pin: dict):
        """Store one pin (client_id, lat, lon, category, dimensions, comment, age_band, years_here,
        workshop_id, edit_key_hash); its row as insert_pins.sql answers it, or None if it inserted
        nothing (outside the county, or its client id is stored already)."""
        queued = _Queued(as_json(pin))  # a value JSON cannot carry fails here, its request alone
        with self._lock:
            self._queue.append(queued)
            queued.sends = not self._sending
            self._sending = True
        if not queued.sends:
            try:
                queued.wake.wait()
            except BaseException:  # its request was ended meanwhile (a timeout, shutting down)
                self._leave(queued)
                raise
        if queued.sends:
            self._send_queue()
        if queued.error is not None:
            raise queued.error
        return queued.row

    def _send_queue(self) -> None:
        with self._lock:
            batch, self._queue = self._queue[:MAX_PINS_PER_STATEMENT], self._queue[MAX_PINS_PER_STATEMENT:]
        try:
            rows = self._store(batch)
            for position, queued in enumerate(batch, start=1):
                queued.row = rows.get(position)
        except Exception as error:  # every sender of the statement answers with its error
            for queued in batch:
                queued.error = error
            raise
        except BaseException:  # this sender was stopped (shutting down): whether it was stored is unknown
            for queued in batch:
                queued.error = psycopg.OperationalError("Der Absender dieser Pins wurde beendet.")
            raise
        finally:
            with self._lock:
                self._hand_over()
            for queued in batch:
                queued.sends = False
                queued.wake.set()

    def _leave(self, queued: _Queued) -> None:
        """A queued pin whose sender is gone: out of the queue, and if it was to send the queue
        next, the next one sends it."""
        with self._lock:
            if queued in self._queue:
                self._queue.remove(queued)
            if queued.sends:
                queued.sends = False
                self._hand_over()

    def _hand_over(self) -> None:
        """With the lock held: wake the first queued pin to send the queue, or nobody sends."""
        if self._queue:
            successor = self._queue[0]
            successor.sends = True
            successor.wake.set()
        else:
            self._sending = False

    def _store(self, batch: list[_Queued]) -> dict:
        """{position in batch (from 1): row} for the pins the statement stored."""
        parameters = {"pins": "[" + ",".join(queued.pin for queued in batch) + "]", "county_key": self.county_key}
        engine = self._engine()
        if engine is None:
            raise psycopg.OperationalError("Die Datenbankverbindung dieser App ist geschlossen.")
        with dbapi_autocommit(engine) as cursor:
            return {row.position: row for row in cursor.execute(dbapi_sql("insert_pins"), parameters)}


def as_json(pin: dict) -> str:
    """A pin's values as insert_pins.sql reads them: ids as text, bytes as PostgreSQL's hex."""
    return json.dumps({key: ("\\x" + value.hex() if isinstance(value, bytes) else
                             str(value) if isinstance(value, uuid.UUID) else value)
                       for key, value in pin.items()}, ensure_ascii=False, allow_nan=False)


_by_engine: weakref.WeakKeyDictionary[Engine, dict[str, GroupInsert]] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


def group_insert(engine: Engine, county_key: str) -> GroupInsert:
    """The one GroupInsert of this engine and county."""
    with _registry_lock:
        of_engine = _by_engine.setdefault(engine, {})
        if county_key not in of_engine:
            of_engine[county_key] = GroupInsert(engine, county_key)
        return of_engine[county_key]
