"""What the public reads of step two's results: a municipality's projects, one project with its
timeline, partners, milestones and ideas, the news of the feeds and /api/projects. Plain
functions on a connection (no request); drafts and unpublished ideas never come out of here (the
SQL in sql/results/ leaves them out)."""
from __future__ import annotations

import datetime as dt
import json
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
AGS_LENGTH = 8


def checked_ags(value: str | None) -> str:
    """A municipality key as the API takes it: InvalidInput (422, German) when missing or not
    eight digits; whether it exists is the caller's NotFound."""
    ags = (value or "").strip()
    if not ags:
        raise InvalidInput(_("Bitte geben Sie die Gemeinde an (?municipality=<AGS>)."),
                           [{"field": "municipality", "message": _("Dieses Feld fehlt.")}])
    if len(ags) != AGS_LENGTH or not ags.isdigit():
        raise InvalidInput(_("Der Gemeindeschlüssel (AGS) hat acht Ziffern."),
                           [{"field": "municipality", "message": _("Bitte geben Sie acht Ziffern an, z. B. 03252008.")}])
    return ags


def project_id_or_not_found(value) -> int:
    """A project id from an address: a positive integer that fits the column, else NotFound."""
    text = str(value)
    if not text.isdigit() or not 0 < int(text) < 2**31:
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


def area_numbers_now(conn: Connection, county_key: str, project_id: int, rules: Rules) -> dict:
    """The project area's pin numbers today, by the same rule as its baseline when it started
    (services/projects.baseline: the latest released run, perturbed, None below k), so the two
    can stand side by side."""
    from ..services import projects  # the projects capability's service, shared for the baseline rule

    return projects.baseline(conn, county_key, project_id, rules)


def area_numbers(numbers) -> dict:
    """A baseline (project.baseline) or today's numbers as the report shows them: {"pins": n or
    None, "by_category": {code: n or None}, "released": bool}; nothing kept reads as below k."""
    numbers = numbers if isinstance(numbers, dict) else {}
    pins = numbers.get("pins")
    categories = numbers.get("by_category") if isinstance(numbers.get("by_category"), dict) else {}
    return {"pins": pins if isinstance(pins, int) and not isinstance(pins, bool) else None,
            "by_category": {code: value for code, value in categories.items() if isinstance(value, int)},
            "released": numbers.get("run_id") is not None}
