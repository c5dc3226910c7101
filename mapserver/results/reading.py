"""What the public reads of step two's results: a municipality's projects, one project with its
timeline, partners, milestones and ideas, the news of the feeds and /api/projects. Plain
functions on a connection (no request); drafts and unpublished ideas never come out of here (the
SQL in sql/results/ leaves them out)."""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Connection

from ..db import sql
from ..errors import InvalidInput, NotFound
from ..services import areas
from ..services.disclosure import Rules
from ..vocabulary import ANSWER_STATES, PROJECT_STATUSES

NEWS_LIMIT = 100  # entries of a feed (and of a project's timeline): the newest
ID_PATTERN = re.compile(r"[0-9]{1,10}")  # an id in an address; at most 2**31 - 1 (the column's integer)


def checked_ags(value: str | None) -> str:
    """A municipality key as the API takes it: InvalidInput (422, German) when missing or not
    eight digits; whether it exists is the caller's NotFound."""
    ags = (value or "").strip()
    if not ags:
        raise InvalidInput(_("Bitte geben Sie die Gemeinde an (?municipality=<AGS>)."),
                           [{"field": "municipality", "message": _("Dieses Feld fehlt.")}])
    if not areas.AGS_PATTERN.fullmatch(ags):
        raise InvalidInput(_("Der Gemeindeschlüssel (AGS) hat acht Ziffern."),
                           [{"field": "municipality", "message": _("Bitte geben Sie acht Ziffern an, z. B. 03252008.")}])
    return ags


def project_id_or_not_found(value) -> int:
    """A project id from an address: a positive integer that fits the column, else NotFound."""
    text = str(value)
    # ASCII digits only: str.isdigit() takes "²" or "٣", which int() then refuses or reads.
    if not ID_PATTERN.fullmatch(text) or not 0 < int(text) < 2**31:
        raise NotFound(_("Dieses Projekt gibt es nicht."))
    return int(text)


@dataclass(frozen=True)
class Accompaniment:
    """Where a project stands in its year of professional accompaniment."""

    start_on: dt.date
    end_on: dt.date
    month: int | None  # 1 … 12 while it runs; None before the start and after the end
    state: str  # "before", "running", "ended"


def accompaniment(start_on: dt.date, end_on: dt.date, today: dt.date) -> Accompaniment:
    """The month of accompaniment today (the first month begins on the start day)."""
    if today < start_on:
        return Accompaniment(start_on, end_on, None, "before")
    if today > end_on:
        return Accompaniment(start_on, end_on, None, "ended")
    months = (today.year - start_on.year) * 12 + today.month - start_on.month - (today.day < start_on.day)
    return Accompaniment(start_on, end_on, months + 1, "running")


def _project(row, today: dt.date) -> dict:
    project = dict(row._mapping)
    project["area"] = json.loads(project.pop("area_geojson")) if project.get("area_geojson") else None
    project["status_label"] = str(PROJECT_STATUSES.get(project["status"], project["status"]))
    project["accompaniment"] = accompaniment(project["start_on"], project["accompaniment_end"], today)
    return project


def municipality_projects(conn: Connection, county_key: str, ags: str, today: dt.date) -> tuple[dict, list[dict]]:
    """(the municipality, its projects newest start first); NotFound for an unknown municipality."""
    municipality = areas.municipality(conn, county_key, ags)
    rows = conn.execute(sql("results/project_list"), {"county_key": county_key, "ags": ags})
    return municipality, [_project(row, today) for row in rows]


def project(conn: Connection, county_key: str, project_id: int, today: dt.date) -> dict:
    """One project with its partners, milestones and published ideas; NotFound otherwise."""
    row = conn.execute(sql("results/project_one"), {"county_key": county_key, "project_id": project_id}).first()
    if row is None:
        raise NotFound(_("Dieses Projekt gibt es nicht."))
    found = _project(row, today)
    found["partners"] = [dict(r._mapping) for r in conn.execute(sql("results/project_partners"),
                                                                   {"project_id": project_id})]
    found["milestones"] = [dict(r._mapping) for r in conn.execute(sql("results/project_milestones"),
                                                                     {"project_id": project_id})]
    found["ideas"] = [dict(r._mapping) | {"answer_label": str(ANSWER_STATES[r.answer_state]) if r.answer_state else None}
                      for r in conn.execute(sql("results/project_ideas"), {"project_id": project_id})]
    return found


def news(conn: Connection, county_key: str, time_zone: str, *, ags: str | None = None,
         project_id: int | None = None, limit: int = NEWS_LIMIT) -> list[dict]:
    """The public events (answers, new projects, milestones added and done, updates), newest
    first: of a municipality, or of one project."""
    rows = conn.execute(sql("results/news"), {"county_key": county_key, "ags": ags, "project_id": project_id,
                                              "time_zone": time_zone, "limit": limit})
    zone = ZoneInfo(time_zone)
    events = []
    for row in rows:
        event = dict(row._mapping)
        event["at"] = event["at"].astimezone(zone)
        event["state_label"] = str(ANSWER_STATES[event["state"]]) if event["state"] else None
        events.append(event)
    return events


def update_photo(conn: Connection, county_key: str, project_id: int, update_id: int) -> bytes:
    """The JPEG of a published update; NotFound when there is none."""
    photo = conn.execute(sql("results/update_photo"), {"county_key": county_key, "project_id": project_id,
                                                       "update_id": update_id}).scalar()
    if photo is None:
        raise NotFound(_("Dieses Foto gibt es nicht."))
    return bytes(photo)


def projects_geojson(conn: Connection, county_key: str, ags: str, today: dt.date, url_for_project) -> dict:
    """/api/projects: the municipality's projects as a FeatureCollection. Geometry: the project's
    area (hotspot or district outlines, polygons only, or null), never a point."""
    municipality, projects = municipality_projects(conn, county_key, ags, today)
    features = [{
        "type": "Feature", "id": p["id"], "geometry": p["area"],
        "properties": {
            "id": p["id"], "title": p["title"], "status": p["status"], "status_label": p["status_label"],
            "progress": p["progress"], "start": p["start_on"].isoformat(),
            "accompaniment_end": p["accompaniment_end"].isoformat(),
            "municipality": {"ags": municipality["ags"], "name": municipality["name"]},
            "districts": list(p["district_names"]), "partners": list(p["partner_names"]),
            "idea_ids": list(p["idea_ids"]), "url": url_for_project(p["id"]),
        }} for p in projects]
    return {"type": "FeatureCollection", "features": features}


# Which area today's numbers in a project's report cover (see area_numbers_now).
SAME_AREA = "same"  # the project's area has not changed since its baseline was taken
AREA_AT_START = "at_start"  # it has: today's numbers are counted over the area as it was at the start
AREA_CHANGED = "changed"  # it has, and the area at the start cannot be rebuilt: not comparable
AREA_UNKNOWN = "unknown"  # what the area was made of at the start is not on record: not comparable


def _sources(municipality_ags, district_ids, idea_ids) -> tuple:
    return (municipality_ags, tuple(sorted(int(i) for i in district_ids or ())),
            tuple(sorted(int(i) for i in idea_ids or ())))


def _start_sources(created) -> tuple | None:
    """What the area was made of when the project was created, from the audit log's record of its
    creation (services/projects.ProjectInput.record); None when that is not on record."""
    if not isinstance(created, dict):
        return None
    ags, districts, ideas = created.get("municipality_ags"), created.get("district_ids"), created.get("idea_ids")
    if not isinstance(ags, str) or not isinstance(districts, list) or not isinstance(ideas, list):
        return None
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in (*districts, *ideas)):
        return None
    return _sources(ags, districts, ideas)


def area_numbers_now(conn: Connection, county_key: str, project_id: int, rules: Rules,
                     stored: dict | None = None) -> tuple[dict, str]:
    """(today's pin numbers, which area they cover: SAME_AREA, AREA_AT_START, AREA_CHANGED or
    AREA_UNKNOWN), by the same rule as the project's baseline (services/projects.baseline: the
    latest released run, perturbed, None below k). The baseline was taken over the area the
    project had when it was created; an edit of its ideas or Ortsteile makes a new area. Then
    today's numbers are counted over the area as it was at the start (rebuilt from what it was
    made of), so that the two columns of the report cover one area; when that cannot be rebuilt,
    today's numbers are those of today's area, and the report says they are not comparable."""
    from ..services import disclosure, hotspots, projects, statistics  # projects: the baseline rule, shared

    if isinstance(stored, dict) and "area" in stored:
        # The baseline keeps the area it was taken for (services/projects): counted there, exactly.
        numbers = projects.numbers_like_baseline(conn, county_key, project_id, stored, rules)
        return numbers, AREA_AT_START if stored.get("area_changed_since") else SAME_AREA
    # A baseline without its area: the area at the start rebuilt from the audit log's record.
    row = conn.execute(sql("results/project_area_sources"), {"county_key": county_key, "project_id": project_id}).first()
    current = projects.baseline(conn, county_key, project_id, rules)
    if row is None:
        return current, AREA_UNKNOWN
    at_start = _start_sources(row.created)
    if at_start is None:
        return current, AREA_UNKNOWN
    if at_start == _sources(row.municipality_ags, row.district_ids, row.idea_ids):
        return current, SAME_AREA
    run = hotspots.latest_run(conn, county_key, released_only=True)
    if run is None:  # nothing published yet, for either area
        return current, AREA_AT_START
    ags, districts, ideas = at_start
    rows = conn.execute(sql("results/area_counts_of_sources"), {
        "run_id": run.id, "municipality_ags": ags, "district_ids": list(districts), "idea_ids": list(ideas)}).all()
    if not rows or not all(r.complete for r in rows):
        return current, AREA_CHANGED
    tally = statistics.fold_counts(rows).get("area") or statistics.Tally()
    return ({"run_id": run.id, "released_at": run.released_at, **disclosure.public_tally(rules, tally), "k": rules.k,
             "method": "cells_with_centre_in_area_at_start"}, AREA_AT_START)


def area_numbers(numbers) -> dict:
    """A baseline (project.baseline) or today's numbers as the report shows them: {"pins": n or
    None, "by_category": {code: n or None}, "released": bool}; nothing kept reads as below k."""
    numbers = numbers if isinstance(numbers, dict) else {}
    pins = numbers.get("pins")
    categories = numbers.get("by_category") if isinstance(numbers.get("by_category"), dict) else {}
    return {"pins": pins if isinstance(pins, int) and not isinstance(pins, bool) else None,
            "by_category": {code: value for code, value in categories.items() if isinstance(value, int)},
            "released": numbers.get("run_id") is not None}
