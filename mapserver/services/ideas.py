"""Ideas against the walls (step two), as several capabilities make them: residents on the
municipality page and through a workshop's join link, facilitators on the presentation, staff from
paper (mapserver/ideas, mapserver/workshops). One function checks and stores them all.

A resident's idea waits for moderation (status pending, like a comment); an idea typed in by staff
is published at once. Its area is the hotspot's outline as it is now, or its districts' union."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Connection

from ..db import sql
from ..errors import InvalidInput
from ..vocabulary import DIMENSIONS, IDEA_SOURCES, IDEA_TEXT_MAX_LENGTH, IDEA_TITLE_MAX_LENGTH
from . import areas, followup_log, plain_text


DATABASE_INTEGER_MAX = 2**31 - 1

@dataclass(frozen=True)
class NewIdea:
    municipality_ags: str
    title: str
    body: str = ""
    dimensions: tuple[str, ...] = ()
    district_ids: tuple[int, ...] = ()
    hotspot_run_id: int | None = None
    hotspot_id: int | None = None


def _clean_text(value, field: str, maximum: int, required: bool) -> tuple[str, list]:
    text = " ".join(str(value or "").split()) if field == "title" else str(value or "").strip()
    if required and not text:
        return text, [{"field": field, "message": _("Bitte geben Sie Ihrer Idee einen Titel.")}]
    if len(text) > maximum:
        return text, [{"field": field, "message": _("Bitte schreiben Sie höchstens %(max)s Zeichen.", max=maximum)}]
    if plain_text.refused(text):
        return text, [{"field": field, "message": _("Dieser Text enthält Steuerzeichen.")}]
    return text, []


def create_idea(conn: Connection, county_key: str, idea: NewIdea, *, source: str, workshop_id: int | None = None,
                created_by: int | None = None) -> dict:
    """Check and store one idea; InvalidInput (German, per field) writes nothing. Returns id,
    status and created_at. Staff (created_by) publish at once; residents' ideas wait."""
    if source not in IDEA_SOURCES:
        raise ValueError(f"unknown idea source {source!r}")
    title, errors = _clean_text(idea.title, "title", IDEA_TITLE_MAX_LENGTH, required=True)
    body, body_errors = _clean_text(idea.body, "body", IDEA_TEXT_MAX_LENGTH, required=False)
    errors += body_errors
    if any(d not in DIMENSIONS for d in idea.dimensions):
        errors.append({"field": "dimensions", "message": _("Bitte wählen Sie nur Glaswände aus der Liste.")})
    district_ids = sorted(set(int(d) for d in idea.district_ids))
    if any(not 0 < d <= DATABASE_INTEGER_MAX for d in district_ids):
        errors.append({"field": "district_ids", "message": _("Diesen Ortsteil gibt es in der Gemeinde nicht.")})
    hotspot = (idea.hotspot_run_id, idea.hotspot_id)
    if (hotspot[0] is None) != (hotspot[1] is None) or any(n is not None and not 0 < n <= DATABASE_INTEGER_MAX
                                                           for n in hotspot):
        errors.append({"field": "hotspot", "message": _("Diesen Hotspot gibt es nicht.")})
    if not isinstance(idea.municipality_ags, str) or not areas.AGS_PATTERN.fullmatch(idea.municipality_ags):
        errors.append({"field": "municipality", "message": _("Diese Gemeinde gehört nicht zum Landkreis.")})
    if errors:  # malformed: refused before any SQL sees it
        raise InvalidInput(_("Bitte prüfen Sie Ihre Idee: %(fields)s.",
                             fields=", ".join(e["field"] for e in errors)), errors)
    places = conn.execute(sql("ideas/check_places"), {
        "county_key": county_key, "municipality_ags": idea.municipality_ags, "district_ids": district_ids,
        "hotspot_run_id": idea.hotspot_run_id, "hotspot_id": idea.hotspot_id}).one()
    if not places.municipality_known:
        errors.append({"field": "municipality", "message": _("Diese Gemeinde gehört nicht zum Landkreis.")})
    elif places.districts_known != len(district_ids):
        errors.append({"field": "district_ids", "message": _("Diesen Ortsteil gibt es in der Gemeinde nicht.")})
    if places.municipality_known and not places.hotspot_known:
        errors.append({"field": "hotspot", "message": _("Diesen Hotspot gibt es in der Gemeinde nicht.")})
    if errors:
        raise InvalidInput(_("Bitte prüfen Sie Ihre Idee: %(fields)s.",
                             fields=", ".join(e["field"] for e in errors)), errors)
    row = conn.execute(sql("ideas/insert"), {
        "county_key": county_key, "municipality_ags": idea.municipality_ags, "district_ids": district_ids,
        "title": title, "body": body, "dimensions": sorted(set(idea.dimensions)), "source": source,
        "workshop_id": workshop_id, "hotspot_run_id": idea.hotspot_run_id, "hotspot_id": idea.hotspot_id,
        "status": "published" if created_by is not None else "pending", "created_by": created_by}).one()
    followup_log.record(conn, county_key=county_key, actor_id=created_by, subject="idea", subject_id=row.id,
                        action="created", after={"title": title, "body": body, "source": source,
                                                 "municipality_ags": idea.municipality_ags,
                                                 "district_ids": district_ids, "hotspot_id": idea.hotspot_id,
                                                 "workshop_id": workshop_id, "status": row.status})
    return {"id": row.id, "status": row.status, "created_at": row.created_at}
