"""Reading ideas and their answers: plain functions on a connection and plain values (no request).
Other capabilities call these too (mapserver/projects for a project's linked ideas, mapserver/results
for the Atom feed and "Meine Pins"): the public ones see published ideas and published answers
only, a draft never."""
from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from ..db import sql
from ..vocabulary import IDEA_STATUSES, SHOWN_PIN_STATUSES

LIST_LIMIT = 1000  # a municipality's ideas on one page (the whole county has far fewer)
ALL_STATUSES = tuple(IDEA_STATUSES)


def _answer_of(row) -> dict | None:
    if row.answer_state is None:
        return None
    return {"state": row.answer_state, "text": row.answer_body, "institution": row.answer_institution,
            "published_at": row.answer_published_at}


def _idea(row) -> dict:
    return {
        "id": row.id, "title": row.title, "text": row.body, "municipality_ags": row.municipality_ags,
        "municipality_name": row.municipality_name, "district_ids": list(row.district_ids or []),
        "districts": list(row.districts or []), "dimensions": list(row.dimensions or []),
        "source": row.source, "workshop_id": row.workshop_id, "hotspot_run_id": row.hotspot_run_id,
        "hotspot_id": row.hotspot_id, "status": row.status, "support_count": row.support_count,
        "created_by": row.created_by, "created_at": row.created_at,
        "area": json.loads(row.area_geojson) if row.area_geojson else None,
        "answer": _answer_of(row), "draft_count": row.draft_count,
    }


def idea_list(conn: Connection, county_key: str, *, statuses=SHOWN_PIN_STATUSES, municipality_ags: str | None = None,
              ids: list[int] | None = None, answer_state: str | None = None, limit: int = LIST_LIMIT) -> list[dict]:
    """Ideas of the county, newest first, each with its current published answer (or None);
    `answer_state` "none": only those without a published answer."""
    rows = conn.execute(sql("ideas/list"), {
        "county_key": county_key, "statuses": list(statuses), "municipality_ags": municipality_ags,
        "ids": None if ids is None else [int(i) for i in ids], "answer_state": answer_state, "limit": limit}).all()
    return [_idea(row) for row in rows]


def published_ideas(conn: Connection, county_key: str, municipality_ags: str | None = None,
                    answer_state: str | None = None) -> list[dict]:
    """The published ideas (of one municipality, or of the county), newest first; each with
    `answer`: its latest published answer {state, text, institution, published_at} or None."""
    return idea_list(conn, county_key, municipality_ags=municipality_ags, answer_state=answer_state)


def ideas_by_ids(conn: Connection, county_key: str, ids: list[int], published_only: bool = True) -> list[dict]:
    """These ideas (published ones only unless `published_only` is False), newest first."""
    return idea_list(conn, county_key, ids=list(ids),
                     statuses=SHOWN_PIN_STATUSES if published_only else ALL_STATUSES)


def idea(conn: Connection, county_key: str, idea_id: int, published_only: bool = True) -> dict | None:
    """One idea (a published one unless `published_only` is False), or None."""
    found = ideas_by_ids(conn, county_key, [idea_id], published_only)
    return found[0] if found else None


def _answer(row, for_staff: bool) -> dict:
    """An answer; who drafted it only for staff (the public reads no staff name at all)."""
    answer = {"id": row.id, "idea_id": row.idea_id, "state": row.state, "text": row.body,
              "institution": row.institution, "drafted_at": row.drafted_at, "published_at": row.published_at}
    if for_staff:
        answer["drafted_by"] = row.drafted_by_name
    return answer


def answers(conn: Connection, county_key: str, idea_ids: list[int], published_only: bool = True) -> list[dict]:
    """The answers of these ideas, oldest first (by publication; drafts last, only when
    `published_only` is False): {id, idea_id, state, text, institution, drafted_at, published_at},
    and with the drafts `drafted_by` (the staff account's name; never for the public)."""
    rows = conn.execute(sql("ideas/answers_of_idea"), {"county_key": county_key, "idea_ids": [int(i) for i in idea_ids],
                                                       "published_only": published_only}).all()
    return [_answer(row, for_staff=not published_only) for row in rows]


def published_answers(conn: Connection, county_key: str, idea_id: int) -> list[dict]:
    """An idea's published answers as a timeline, oldest first (drafts never)."""
    return answers(conn, county_key, [idea_id])


def current_answer(conn: Connection, county_key: str, idea_id: int) -> dict | None:
    """An idea's latest published answer, or None (not yet answered publicly)."""
    published = published_answers(conn, county_key, idea_id)
    return published[-1] if published else None


def as_json(idea_: dict, url: str, time_zone: str = "Europe/Berlin") -> dict:
    """One published idea as /api/ideas gives it (`created`: its day in the county's time zone)."""
    answer = idea_["answer"]
    return {
        "id": idea_["id"], "title": idea_["title"], "text": idea_["text"],
        "municipality": {"ags": idea_["municipality_ags"], "name": idea_["municipality_name"]},
        "districts": idea_["districts"],
        "dimensions": idea_["dimensions"], "source": idea_["source"], "workshop_id": idea_["workshop_id"],
        "created": idea_["created_at"].astimezone(ZoneInfo(time_zone)).date().isoformat(), "support_count": idea_["support_count"],
        "answer": None if answer is None else {
            "state": answer["state"], "text": answer["text"], "institution": answer["institution"],
            "published_at": answer["published_at"].isoformat()},
        "url": url,
    }
