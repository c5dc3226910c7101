"""Workshops: a facilitator's planning meeting for one municipality (optionally one district),
its join link, and what its projected map shows live."""
from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection

from ..db import sql
from ..errors import Forbidden, InvalidInput, NotFound
from ..i18n import s_
from . import areas, disclosure
from .accounts import Account
from .planning import scope
from .statistics import Tally

# Easy to read aloud and to type from a projector: no 0/o, 1/l/i.
JOIN_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
JOIN_CODE_LENGTH = 8
JOIN_CODE_PATTERN = re.compile(r"[a-z0-9]{4,12}")
TITLE_MAX_LENGTH = 200


@dataclass(frozen=True)
class WorkshopInput:
    title: str
    held_on: dt.date
    municipality_ags: str
    district_id: int | None

    @classmethod
    def from_form(cls, form) -> "WorkshopInput":
        """From a submitted form; InvalidInput with messages per field (staff language)."""
        errors = []
        title = (form.get("title") or "").strip()
        if not 3 <= len(title) <= TITLE_MAX_LENGTH:
            errors.append({"field": "title", "message": s_("Bitte einen Titel mit 3 bis %(max)s Zeichen angeben.",
                                                             max=TITLE_MAX_LENGTH)})
        elif any(ord(c) < 32 for c in title):
            errors.append({"field": "title", "message": s_("Der Titel enthält unzulässige Steuerzeichen.")})
        held_on = None
        try:
            held_on = dt.date.fromisoformat((form.get("held_on") or "").strip())
        except ValueError:
            errors.append({"field": "held_on", "message": s_("Bitte ein Datum angeben (JJJJ-MM-TT).")})
        ags = (form.get("municipality_ags") or "").strip()
        if not ags:
            errors.append({"field": "municipality_ags", "message": s_("Bitte eine Gemeinde wählen.")})
        district_raw = (form.get("district_id") or "").strip()
        district_id = None
        if district_raw:
            if district_raw.isdigit():
                district_id = int(district_raw)
            else:
                errors.append({"field": "district_id", "message": s_("Bitte einen Ortsteil aus der Liste wählen.")})
        if errors:
            raise InvalidInput(s_("Der Workshop kann so nicht gespeichert werden."), errors)
        return cls(title, held_on, ags, district_id)


def _check_place(conn: Connection, county_key: str, data: WorkshopInput) -> None:
    try:
        areas.municipality(conn, county_key, data.municipality_ags)
    except NotFound:
        raise InvalidInput(s_("Der Workshop kann so nicht gespeichert werden."),
                           [{"field": "municipality_ags", "message": s_("Diese Gemeinde gibt es im Kreis nicht.")}]) from None
    if data.district_id is not None:
        districts = areas.districts_geojson(conn, county_key, data.municipality_ags)["features"]
        if data.district_id not in {f["properties"]["id"] for f in districts}:
            raise InvalidInput(s_("Der Workshop kann so nicht gespeichert werden."),
                               [{"field": "district_id", "message": s_("Dieser Ortsteil gehört nicht zur Gemeinde.")}])


def create_workshop(conn: Connection, county_key: str, account: Account, data: WorkshopInput) -> int:
    _check_place(conn, county_key, data)
    join_code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
    return conn.execute(sql("workshops/insert"), {
        "title": data.title, "held_on": data.held_on, "municipality_ags": data.municipality_ags,
        "district_id": data.district_id, "join_code": join_code, "created_by": account.id}).scalar_one()


def workshop(conn: Connection, workshop_id: int) -> dict:
    row = conn.execute(sql("workshops/by_id"), {"id": workshop_id}).first()
    if row is None:
        raise NotFound(s_("Diesen Workshop gibt es nicht."))
    return dict(row._mapping)


def by_join_code(conn: Connection, join_code: str) -> dict | None:
    code = join_code.strip().lower()
    if not JOIN_CODE_PATTERN.fullmatch(code):
        return None
    row = conn.execute(sql("workshops/by_join_code"), {"join_code": code}).first()
    return None if row is None else dict(row._mapping)


def joined_area(conn: Connection, county_key: str, municipality: dict, join_code: str) -> tuple[dict | None, list]:
    """For the resident page: the workshop of a join code (if it is this municipality's) and the
    map bounds to open, the workshop's district or the whole municipality."""
    bounds = [municipality["west"], municipality["south"], municipality["east"], municipality["north"]]
    workshop = by_join_code(conn, join_code) if join_code else None
    if workshop is None or workshop["municipality_ags"] != municipality["ags"]:
        return None, bounds
    if workshop["district_id"]:
        bounds = list(scope(conn, county_key, municipality["ags"], workshop["district_id"]).bounds)
    return workshop, bounds


def district_choices(conn: Connection, county_key: str) -> list[dict]:
    """Every district of the county with its municipality, for the form (by municipality)."""
    return [dict(r._mapping) for r in conn.execute(sql("workshops/districts"), {"county_key": county_key})]


def list_workshops(conn: Connection, county_key: str) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(sql("workshops/list"), {"county_key": county_key})]


def require_owner(account: Account, existing: dict) -> None:
    """Only the facilitator who created a workshop, or an admin, may change it."""
    if existing["created_by"] != account.id and "admin" not in account.roles:
        raise Forbidden(s_("Diesen Workshop hat %(name)s angelegt; nur diese Person oder die Verwaltung darf "
                           "ihn ändern.", name=existing["created_by_name"]))


def update_workshop(conn: Connection, county_key: str, account: Account, workshop_id: int, data: WorkshopInput) -> None:
    require_owner(account, workshop(conn, workshop_id))
    _check_place(conn, county_key, data)
    conn.execute(sql("workshops/update"), {
        "id": workshop_id, "title": data.title, "held_on": data.held_on,
        "municipality_ags": data.municipality_ags, "district_id": data.district_id})


def delete_workshop(conn: Connection, account: Account, workshop_id: int) -> None:
    require_owner(account, workshop(conn, workshop_id))
    conn.execute(sql("workshops/delete"), {"id": workshop_id})


def live_state(conn: Connection, workshop_id: int, cell_size_m: float, rules: disclosure.Rules) -> dict:
    """The workshop's own pins as the room may see them: the stored snapshot, taken anew (and
    stored, on this locking connection) only when disclosure.live_snapshot_due says so, each
    number batched on its own (disclosure.live_numbers)."""
    workshop(conn, workshop_id)  # NotFound for an unknown workshop
    state = conn.execute(sql("workshops/live_lock"), {"workshop_id": workshop_id}).one()
    stored = state.live_view
    if disclosure.live_snapshot_due(rules, state.pin_count, state.live_pin_count, stored is not None):
        counts = {"total": Tally()}
        for row in conn.execute(sql("workshops/live_cells"), {"workshop_id": workshop_id, "cell_size_m": cell_size_m}):
            tally = Tally(total=int(row.pin_count), key_sum=int(row.key_sum))
            if row.level == "cell":
                counts[f"cell:{int(row.i)}:{int(row.j)}"] = tally
            elif row.level == "district" and row.district_id is not None:
                counts[f"district:{row.district_id}"] = tally
            elif row.level == "workshop":
                counts["total"] = tally
        stored = disclosure.live_numbers(rules, stored, counts)
        conn.execute(sql("workshops/live_store"), {"workshop_id": workshop_id, "live_pin_count": state.pin_count,
                                                  "live_view": json.dumps(stored)})
    return (disclosure.live_view(rules, stored, cell_size_m) | live_arrivals(conn, workshop_id, rules)
            | {"at": dt.datetime.now(dt.timezone.utc).isoformat()})


ARRIVALS_LISTED = 50


def live_arrivals(conn: Connection, workshop_id: int, rules: disclosure.Rules) -> dict:
    """Each phone pin acknowledged in the room at once: how many pins the workshop has received
    (`arrived`, exact) and, newest first, the district of each of its newest pins (`recent`,
    None where the district is not named). The screen counts up and pulses the district of
    each new pin; it never shows a point, a cell, a category or a comment of it.

    Why this may be exact when the room's other numbers are batched (disclosure.live_numbers):
    - The counter is the room's own activity. Everyone in the hall sees who is tapping on a
      phone; "one more pin arrived" tells nothing about what or where that is not already
      visible in the room. It carries no place and no content, so it cannot single anyone out
      among the residents of a place, which is what the k rule protects.
    - A district is a coarse place, but naming it for a single new pin places that pin (and,
      by the timing, whoever just tapped) in it: issue 16 asks for exactly this acknowledgement
      ("a pulse at district level, never the exact place"). A district is named only where it
      holds at least k pins in all (the public's k, counted live over every pin of any status
      and source, not over the public map's released numbers): the new pin is one of at least k
      there, and what it says (category, dimensions, comment) is never shown with it. Where a
      district holds fewer, `recent` says None and the screen pulses the whole municipality,
      so a sparse district stays unnamed.
    - Nothing here is kept: the pulse fades, the counter only counts. The cells and the
      numbers per district keep their batched, perturbed snapshot (live_view)."""
    rows = conn.execute(sql("workshops/live_arrivals"),
                        {"workshop_id": workshop_id, "limit": ARRIVALS_LISTED, "k": rules.k}).all()
    arrived = conn.execute(sql("workshops/live_arrived"), {"workshop_id": workshop_id}).scalar_one()
    return {"arrived": int(arrived), "recent": [None if r.district_id is None else str(r.district_id) for r in rows]}
