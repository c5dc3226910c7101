"""A resident's own pins, reached through the private edit link they receive on sending a pin:
see them, change or delete them, download them as JSON (DSGVO Art. 15–17, 20).
The link carries a random secret; only its hash is stored, with each pin (edit_keys.py).
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import ValidationError
from sqlalchemy import Connection

from ..db import sql
from ..errors import NotFound
from ..vocabulary import (AGE_BANDS, ANSWER_STATES, CATEGORIES, DIMENSIONS, PIN_STATUS_LABELS, PROJECT_STATUSES,
                          YEARS_HERE)
from .areas import coordinates, place_at, place_name
from .edit_keys import EDIT_KEY_PATTERN, edit_key_hash
from .pins import PinDetails, Respondent, invalid_input

_EDIT_KEY = re.compile(EDIT_KEY_PATTERN)
UNKNOWN_LINK = _l("Zu diesem Link gibt es keine Pins (mehr). Vielleicht wurden sie gelöscht, oder der Link ist "
                  "unvollständig kopiert worden.")


def _hash_or_not_found(edit_key: str) -> bytes:
    if not _EDIT_KEY.fullmatch(edit_key):
        raise NotFound(str(UNKNOWN_LINK))
    return edit_key_hash(edit_key)


def own_pins(conn: Connection, edit_key: str) -> list[dict]:
    """The pins of this link, oldest first; NotFound when there are none (or the link is wrong)."""
    rows = [dict(r._mapping) for r in conn.execute(sql("own_pins/list"), {"edit_key_hash": _hash_or_not_found(edit_key)})]
    for row in rows:
        row["place"] = place_name(row["district_name"], row["municipality_name"])
    if not rows:
        raise NotFound(str(UNKNOWN_LINK))
    return rows


def as_json(pins: list[dict]) -> dict:
    """Everything stored about these pins, in plain words and codes (the download)."""
    return {
        "description": _("Ihre Pins bei „Finde die Glaswände!“: alles, was zu ihnen gespeichert ist."),
        "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(),
        "pins": [{
            "id": str(p["client_id"]),
            "created_at": p["created_at"].astimezone(dt.timezone.utc).isoformat(),
            "lat": p["lat"], "lon": p["lon"],
            "municipality": {"ags": p["municipality_ags"], "name": p["municipality_name"]},
            "district": p["district_name"],
            "category": p["category"], "category_label": str(CATEGORIES[p["category"]]),
            "dimensions": list(p["dimensions"]),
            "comment": p["comment"],
            "comment_status": p["status"] if p["comment"] else None,
            "age_band": p["age_band"], "years_here": p["years_here"],
            "workshop": p["workshop_title"],
        } for p in pins],
    }


@dataclass(frozen=True)
class OwnPinChange:
    """What the edit form changes: the pin's details, and its point if the resident moved it on
    the small map ({"lat", "lon"}; None: the place stays)."""
    details: PinDetails
    point: dict | None = None


def change_from_form(form) -> OwnPinChange:
    """A change from the edit form, by the same rules as a new pin; lat and lon are sent only when
    the pin was moved on the map (empty otherwise, and without JavaScript)."""
    data = {
        "category": form.get("category") or None,
        "dimensions": form.getlist("dimensions"),
        "comment": form.get("comment") or None,
        "respondent": {"age_band": form.get("age_band") or None, "years_here": form.get("years_here") or None},
    }
    try:
        details = PinDetails.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as error:
        raise invalid_input(error) from None
    lat, lon = (form.get("lat") or "").strip(), (form.get("lon") or "").strip()
    return OwnPinChange(details, coordinates(lat, lon) if lat or lon else None)


def _client_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(_("Diesen Pin gibt es unter Ihrem Link nicht (mehr).")) from None


def change_own_pin(conn: Connection, edit_key: str, client_id: str, change: OwnPinChange,
                   county_key: str) -> str | None:
    """Store the change (in the caller's transaction); the place in words if the pin was moved.
    A point outside the county raises OutsideCounty before anything is written."""
    key = {"edit_key_hash": _hash_or_not_found(edit_key), "client_id": _client_id(client_id)}
    place = None if change.point is None else place_at(conn, county_key, change.point)
    details, respondent = change.details, change.details.respondent or Respondent()
    changed = conn.execute(sql("own_pins/update"), {
        **key, "category": details.category, "dimensions": details.dimensions, "comment": details.comment,
        "age_band": respondent.age_band, "years_here": respondent.years_here,
    }).first()
    if changed is None:
        raise NotFound(_("Diesen Pin gibt es unter Ihrem Link nicht (mehr)."))
    if place is None:
        return None
    conn.execute(sql("own_pins/move"), {**key, **change.point, "county_key": county_key})
    return place["place"]


def delete_own_pins(conn: Connection, edit_key: str, client_id: str | None = None) -> tuple[int, int]:
    """Delete one pin of this link, or all of them; (how many were deleted, how many remain)."""
    key_hash = _hash_or_not_found(edit_key)
    deleted = conn.execute(sql("own_pins/delete"), {
        "edit_key_hash": key_hash, "client_id": None if client_id is None else _client_id(client_id),
    }).all()
    if not deleted:
        raise NotFound(_("Diesen Pin gibt es unter Ihrem Link nicht (mehr)."))
    return len(deleted), conn.execute(sql("own_pins/count"), {"edit_key_hash": key_hash}).scalar_one()


# How near an idea's or project's area must be to a pin to be named on the pin's page: a few
# hundred metres, the size of the analysis' hexagon (GLASWAENDE_HOTSPOT_CELL_SIZE_M's default), so
# a project in the next street counts, one in the next village does not.
FOLLOWUP_DISTANCE_M = 250


def followup(conn: Connection, edit_key: str) -> dict:
    """"Was aus Ihren Glaswänden wird": the projects and published ideas whose areas lie within
    FOLLOWUP_DISTANCE_M of this link's pins (or name a district pin's district); lists of dicts."""
    rows = [dict(r._mapping) for r in conn.execute(sql("own_pins/followup"), {
        "edit_key_hash": _hash_or_not_found(edit_key), "distance_m": FOLLOWUP_DISTANCE_M})]
    for row in rows:
        row["status_label"] = str(PROJECT_STATUSES.get(row["status"], "")) if row["status"] else None
        row["answer_label"] = str(ANSWER_STATES[row["answer_state"]]) if row["answer_state"] else None
    return {"projects": [r for r in rows if r["kind"] == "project"], "ideas": [r for r in rows if r["kind"] == "idea"]}


LABELS = {"categories": CATEGORIES, "dimensions": DIMENSIONS, "age_bands": AGE_BANDS, "years_here": YEARS_HERE,
          "statuses": PIN_STATUS_LABELS}
