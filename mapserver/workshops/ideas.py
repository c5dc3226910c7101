"""Ideas in the workshop (step two): the facilitator keys one in on the presentation, linked to the
hotspot on screen (else the workshop's Ortsteil, else the municipality), published at once; a
resident sends one from a phone through the join link, linked to the workshop and its Ortsteil,
moderated like a comment. Both through services.ideas.create_idea. Plain functions on a
connection, no request."""
from __future__ import annotations

from sqlalchemy import Connection

from ..db import sql
from ..errors import InvalidInput
from ..i18n import s_
from ..services import disclosure
from ..services.ideas import NewIdea, create_idea
from ..services.workshops import require_owner
from ..vocabulary import SHOWN_PIN_STATUSES


def _refused(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, [{"field": field, "message": message}])


def _dimensions(values) -> tuple[str, ...]:
    """The glass walls named: a list of texts (a JSON body may send anything)."""
    if values is None:
        return ()
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        raise _refused("dimensions", s_("Bitte wählen Sie nur Glaswände aus der Liste."))
    return tuple(v for v in values if v)


def _text(value, field: str) -> str:
    """A title or text: a string or nothing (a JSON body may send a number, a list …)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _refused(field, s_("Bitte geben Sie den Titel als Text an.") if field == "title"
                       else s_("Bitte geben Sie die Beschreibung als Text an."))
    return value


def _number(value, field: str, message: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, (bool, float)):  # int(True) is 1, int(2.7) is 2: not numbers the screen shows
        raise _refused(field, message)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(message, [{"field": field, "message": message}]) from None
    if number < 1:
        raise InvalidInput(message, [{"field": field, "message": message}])
    return number


def _hotspot_on_screen(conn: Connection, county_key: str, workshop: dict, rules: disclosure.Rules,
                       run_id: int | None, number: int | None) -> tuple[int | None, int | None, tuple[int, ...]]:
    """(run id, hotspot id, its Ortsteile) of the hotspot the room sees as number `number` of the
    run `run_id`: numbered as the presentation numbers them (the public layers of the released run)."""
    if number is None:
        return None, None, ()
    run = disclosure.public_run_or_none(conn, county_key)
    if run is None or run.id != run_id:
        message = s_("Die Auswertung wurde inzwischen erneuert. Bitte laden Sie die Präsentation neu und geben Sie die "
                     "Idee noch einmal ein.")
        raise InvalidInput(message, [{"field": "hotspot", "message": message}])
    shown = disclosure.public_layers(conn, run, county_key, workshop["municipality_ags"], rules)["hotspots"]
    if number > len(shown):
        message = s_("Diesen Hotspot gibt es auf der Karte nicht.")
        raise InvalidInput(message, [{"field": "hotspot", "message": message}])
    hotspot_id = shown[number - 1]["id"]
    districts = tuple(r.id for r in conn.execute(sql("workshops/hotspot_districts"), {
        "run_id": run.id, "hotspot_id": hotspot_id, "ags": workshop["municipality_ags"]}))
    return run.id, hotspot_id, districts


def presentation_idea(conn: Connection, county_key: str, account, workshop: dict, form: dict,
                      rules: disclosure.Rules) -> dict:
    """An idea keyed in by the workshop's facilitator (or an admin) on the presentation: linked to
    the hotspot shown (`run_id`, `hotspot_number` as the screen numbers it), else to the
    workshop's Ortsteil; published at once. Forbidden for any other account."""
    require_owner(account, workshop)
    title, body = _text(form.get("title"), "title"), _text(form.get("body"), "body")
    dimensions = _dimensions(form.get("dimensions"))
    number = _number(form.get("hotspot_number"), "hotspot", s_("Diesen Hotspot gibt es auf der Karte nicht."))
    run_id = _number(form.get("run_id"), "hotspot", s_("Diesen Hotspot gibt es auf der Karte nicht."))
    run_id, hotspot_id, districts = _hotspot_on_screen(conn, county_key, workshop, rules, run_id, number)
    if hotspot_id is None and workshop["district_id"] is not None:
        districts = (workshop["district_id"],)
    created = create_idea(conn, county_key, NewIdea(
        municipality_ags=workshop["municipality_ags"], title=title, body=body, dimensions=dimensions,
        district_ids=districts, hotspot_run_id=run_id, hotspot_id=hotspot_id), source="workshop",
        workshop_id=workshop["id"], created_by=account.id)
    return {**created, "hotspot_id": hotspot_id, "district_ids": list(districts)}


def phone_idea(conn: Connection, county_key: str, workshop: dict, title, body, dimensions) -> dict:
    """A resident's idea from a phone through the join link: the workshop's municipality and
    Ortsteil, pending until a moderator publishes it."""
    districts = () if workshop["district_id"] is None else (workshop["district_id"],)
    return create_idea(conn, county_key, NewIdea(
        municipality_ags=workshop["municipality_ags"], title=str(title or ""), body=str(body or ""),
        dimensions=_dimensions(dimensions), district_ids=districts), source="workshop", workshop_id=workshop["id"],
        created_by=None)


def collected(conn: Connection, workshop_id: int) -> dict:
    """What the room sees of the workshop's ideas: the published titles, how many, and how many
    wait for moderation."""
    rows = conn.execute(sql("workshops/ideas_of_workshop"), {"workshop_id": workshop_id}).all()
    shown = [{"id": r.id, "title": r.title} for r in rows if r.status in SHOWN_PIN_STATUSES]
    return {"count": len(shown), "titles": shown, "pending": rows[0].pending_count if rows else 0}
