"""Projects of step two, accompanied for a year (mapserver/projects writes them; the public pages,
feeds, API and report read them through the functions here): a project made from one or more
published ideas of one municipality, with its Ortsteile, partners (local actors), milestones and
dated public updates. Its area is the union of its ideas' areas and Ortsteile (resolved anew when
they change); its baseline is the area's published pin numbers when it was made (disclosure rules
applied), taken anew while it is "geplant" and its area changes, kept (with the area it was taken
for, "area", and "area_changed_since") once it has started.
Progress has one rule (sql/fragments/project_progress.sql): set by hand, else the share of
milestones done. Every change is logged through services/followup_log in the same transaction.

Functions for readers (plain values, no Flask request):
- project(conn, county_key, project_id) -> dict: the project with progress, area (GeoJSON),
  ideas, partners, milestones, updates (without photo bytes); NotFound otherwise.
- projects_list(conn, county_key, ags=None) -> list[dict]: every project (of one municipality),
  with progress, last update and area.
- update_photo(conn, county_key, update_id) -> (bytes, caption) or NotFound.
- numbers_like_baseline(conn, county_key, project_id, stored_baseline, rules) -> dict: today's
  numbers counted in the area the stored baseline was taken for.
- accompaniment_month(start, end, today) -> (month, months): "Monat 4 von 12".
- year_clock(conn, county_key, today, time_zone, quiet_days) -> list[ClockEntry] (what is due).
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import Connection

from ..db import sql
from ..errors import InvalidInput, NotFound
from ..geo import geojson_geometry
from ..i18n import s_, sn_
from ..vocabulary import ACCOMPANIMENT_MONTHS, PROJECT_STATUSES
from . import areas, disclosure, followup_log, hotspots, plain_text, statistics

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
ROLE_MAX_LENGTH = 200
MILESTONE_TITLE_MAX_LENGTH = 200
MILESTONE_TEXT_MAX_LENGTH = 2000
UPDATE_TEXT_MAX_LENGTH = 5000
CAPTION_MAX_LENGTH = 300
# An update's photo: what may be sent, and what is kept (re-encoded JPEG, longest side).
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
PHOTO_MAX_SIDE = 1600
PHOTO_QUALITY = 85
# Larger pictures are refused before they are decoded (a small file can unpack to gigabytes).
PHOTO_MAX_PIXELS = 60_000_000
# "endet bald": the accompaniment ends within this many days.
ENDING_SOON_DAYS = 30
# A project in these states needs no accompaniment any more (the year clock leaves it out).
FINISHED_STATUSES = ("abgeschlossen", "abgebrochen")
EARLIEST_DAY, LATEST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def accompaniment_end(start: dt.date, months: int = ACCOMPANIMENT_MONTHS) -> dt.date:
    """The default end of the accompaniment: start + months, on the same day of the month, or the
    month's last day where it has none (31 January + 1 month: 28 or 29 February; 29 February
    2028 + 12 months: 28 February 2029)."""
    return start + relativedelta(months=months)


def accompaniment_month(start: dt.date, end: dt.date, today: dt.date) -> tuple[int, int]:
    """(the month of accompaniment today, its months in all): month 1 starts on the start day;
    0 before it; never beyond the last month. A part month at the end counts as a month."""
    span = relativedelta(end, start)
    months = max(1, span.years * 12 + span.months + (1 if span.days else 0))
    if today < start:
        return 0, months
    passed = relativedelta(today, start)
    return min(passed.years * 12 + passed.months + 1, months), months


# --- Reading -------------------------------------------------------------------------------------

def _area(value: str | None) -> dict | None:
    return None if value is None else geojson_geometry(value)


def project(conn: Connection, county_key: str, project_id: int) -> dict:
    """One project with its ideas, partners, milestones and updates (newest first, photo bytes
    left out: `has_photo`); NotFound (German) for none of this county."""
    row = conn.execute(sql("projects/get"), {"id": project_id, "county_key": county_key}).first()
    if row is None:
        raise NotFound(s_("Dieses Projekt gibt es nicht."))
    item = dict(row._mapping) | {"area": _area(row.area)}
    item["ideas"] = [dict(r._mapping) for r in conn.execute(sql("projects/ideas_of"), {"project_id": project_id})]
    item["partners"] = [dict(r._mapping) for r in conn.execute(sql("projects/partners_of"), {"project_id": project_id})]
    item["milestones"] = [dict(r._mapping) for r in conn.execute(sql("projects/milestones_of"),
                                                                 {"project_id": project_id})]
    item["updates"] = [dict(r._mapping) for r in conn.execute(sql("projects/updates_of"), {"project_id": project_id})]
    return item


def projects_list(conn: Connection, county_key: str, ags: str | None = None) -> list[dict]:
    """The county's projects (or one municipality's), newest start first: status, progress,
    accompaniment, last update and area (GeoJSON geometry or None)."""
    return [dict(r._mapping) | {"area": _area(r.area)}
            for r in conn.execute(sql("projects/list"), {"county_key": county_key, "ags": ags})]


def update_photo(conn: Connection, county_key: str, update_id: int) -> tuple[bytes, str | None]:
    """An update's photo (JPEG without metadata) and caption; NotFound without one."""
    row = conn.execute(sql("projects/update_photo"), {"id": update_id, "county_key": county_key}).first()
    if row is None:
        raise NotFound(s_("Dieses Foto gibt es nicht."))
    return bytes(row.photo), row.photo_caption


def form_choices(conn: Connection, county_key: str) -> dict:
    """What the project form offers: published ideas, local actors, staff who may be responsible."""
    parameters = {"county_key": county_key}
    return {"ideas": [dict(r._mapping) for r in conn.execute(sql("projects/idea_choices"), parameters)],
            "actors": [dict(r._mapping) for r in conn.execute(sql("projects/actor_choices"), parameters)],
            "responsible": [dict(r._mapping) for r in conn.execute(sql("projects/responsible_choices"))]}


def unanswered_ideas(conn: Connection, county_key: str, limit: int = 10) -> tuple[int, list[dict]]:
    """(how many published ideas have no published answer yet, the oldest `limit` of them)."""
    rows = [dict(r._mapping) for r in conn.execute(sql("projects/ideas_unanswered"),
                                                   {"county_key": county_key, "limit": limit})]
    return (rows[0]["total"] if rows else 0), rows


# --- Checking input ------------------------------------------------------------------------------

# A number in a form: at most 9 ASCII digits (str.isdigit() also takes "²", which int() refuses).
NUMBER_PATTERN = re.compile(r"[0-9]{1,9}")


def _text(value, field_name: str, maximum: int, errors: list, required: bool = False, one_line: bool = False) -> str:
    raw = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = " ".join(raw.split()) if one_line else raw.strip()
    if plain_text.refused(raw):  # control characters, and what the Atom feeds cannot hold
        errors.append({"field": field_name, "message": s_("Dieser Text enthält Steuerzeichen.")})
    elif required and not text:
        errors.append({"field": field_name, "message": s_("Bitte füllen Sie dieses Feld aus.")})
    elif len(text) > maximum:
        errors.append({"field": field_name, "message": s_("Bitte höchstens %(max)s Zeichen.", max=maximum)})
    return text


def _day(value, field_name: str, errors: list, required: bool = True) -> dt.date | None:
    text = str(value or "").strip()
    if not text:
        if required:
            errors.append({"field": field_name, "message": s_("Bitte geben Sie ein Datum an.")})
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        errors.append({"field": field_name, "message": s_("Bitte geben Sie ein Datum wie 2027-03-31 an.")})
        return None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        errors.append({"field": field_name, "message": s_("Bitte ein Datum zwischen 2000 und 2100.")})
        return None
    return day


def _ids(values, field_name: str, errors: list) -> list[int]:
    ids = []
    for value in values:
        text = str(value).strip()
        if not NUMBER_PATTERN.fullmatch(text):
            errors.append({"field": field_name, "message": s_("Diese Auswahl gibt es nicht.")})
            return []
        ids.append(int(text))
    return sorted(set(ids))


def _getlist(form, key: str) -> list:
    return form.getlist(key) if hasattr(form, "getlist") else list(form.get(key) or [])


@dataclass(frozen=True)
class ProjectInput:
    """A project form, checked: values as stored (dates, ids) and per-field German errors."""

    title: str = ""
    description: str = ""
    municipality_ags: str = ""
    district_ids: tuple[int, ...] = ()
    idea_ids: tuple[int, ...] = ()
    status: str = "geplant"
    start_on: dt.date | None = None
    accompaniment_end: dt.date | None = None
    progress_set: int | None = None
    responsible_id: int | None = None
    partners: tuple[tuple[int, str | None], ...] = ()  # (actor id, role or None)
    errors: tuple = field(default=(), compare=False)

    @classmethod
    def from_form(cls, form) -> "ProjectInput":
        """From a form (a MultiDict, or a dict of lists): idea_id, district_id and actor_id repeated,
        role_<actor id>; an empty accompaniment end is start + ACCOMPANIMENT_MONTHS months."""
        errors: list[dict] = []
        title = _text(form.get("title"), "title", TITLE_MAX_LENGTH, errors, required=True, one_line=True)
        description = _text(form.get("description"), "description", DESCRIPTION_MAX_LENGTH, errors)
        status = str(form.get("status") or "geplant")
        if status not in PROJECT_STATUSES:
            errors.append({"field": "status", "message": s_("Bitte einen Status aus der Liste wählen.")})
        start_on = _day(form.get("start_on"), "start_on", errors)
        end = _day(form.get("accompaniment_end"), "accompaniment_end", errors, required=False)
        if end is None and start_on is not None and not any(e["field"] == "accompaniment_end" for e in errors):
            end = accompaniment_end(start_on)
        if start_on is not None and end is not None and end < start_on:
            errors.append({"field": "accompaniment_end",
                           "message": s_("Die Begleitung kann nicht vor dem Start enden.")})
        progress_text = str(form.get("progress_set") or "").strip().removesuffix("%").strip()
        progress = None
        if progress_text:
            if not NUMBER_PATTERN.fullmatch(progress_text) or int(progress_text) > 100:
                errors.append({"field": "progress_set", "message": s_(
                    "Bitte eine ganze Zahl von 0 bis 100 angeben (leer lassen: aus den Meilensteinen).")})
            else:
                progress = int(progress_text)
        responsible_text = str(form.get("responsible_id") or "").strip()
        responsible = _ids([responsible_text], "responsible_id", errors) if responsible_text else []
        idea_ids = _ids(_getlist(form, "idea_id"), "idea_ids", errors)
        if not idea_ids and not any(e["field"] == "idea_ids" for e in errors):
            errors.append({"field": "idea_ids", "message": s_("Bitte wählen Sie mindestens eine Idee.")})
        actor_ids = _ids(_getlist(form, "actor_id"), "partners", errors)
        partners = tuple((actor_id, _text(form.get(f"role_{actor_id}"), "partners", ROLE_MAX_LENGTH, errors,
                                          one_line=True) or None) for actor_id in actor_ids)
        municipality = str(form.get("municipality_ags") or "").strip()
        if not municipality:
            errors.append({"field": "municipality_ags", "message": s_("Bitte wählen Sie eine Gemeinde.")})
        elif not areas.AGS_PATTERN.fullmatch(municipality):  # checked before any SQL sees it (a NUL would break it)
            errors.append({"field": "municipality_ags", "message": s_("Diese Gemeinde gehört nicht zum Landkreis.")})
            municipality = ""
        return cls(title=title, description=description, municipality_ags=municipality,
                   district_ids=tuple(_ids(_getlist(form, "district_id"), "district_ids", errors)),
                   idea_ids=tuple(idea_ids), status=status, start_on=start_on, accompaniment_end=end,
                   progress_set=progress, responsible_id=responsible[0] if responsible else None, partners=partners,
                   errors=tuple(errors))

    def record(self) -> dict:
        """What the audit log keeps of it."""
        return {"title": self.title, "description": self.description, "municipality_ags": self.municipality_ags,
                "district_ids": list(self.district_ids), "idea_ids": list(self.idea_ids), "status": self.status,
                "start_on": self.start_on, "accompaniment_end": self.accompaniment_end,
                "progress_set": self.progress_set, "responsible_id": self.responsible_id,
                "partners": [{"actor_id": a, "role": r} for a, r in self.partners]}


def _refuse(errors: list[dict]) -> None:
    if errors:
        raise InvalidInput(s_("Bitte prüfen Sie die markierten Felder."), errors)


def _check_choices(conn: Connection, county_key: str, data: ProjectInput) -> None:
    """InvalidInput unless the form is complete and its choices fit its municipality."""
    errors = list(data.errors)
    if data.municipality_ags:
        found = conn.execute(sql("projects/check_choices"), {
            "county_key": county_key, "municipality_ags": data.municipality_ags, "idea_ids": list(data.idea_ids),
            "district_ids": list(data.district_ids), "actor_ids": [a for a, _ in data.partners],
            "responsible_id": data.responsible_id}).one()
        if not found.municipality_known:
            errors.append({"field": "municipality_ags", "message": s_("Diese Gemeinde gehört nicht zum Landkreis.")})
        else:
            if found.ideas_known != len(data.idea_ids):
                errors.append({"field": "idea_ids", "message": s_(
                    "Bitte nur veröffentlichte Ideen der gewählten Gemeinde wählen.")})
            if found.districts_known != len(data.district_ids):
                errors.append({"field": "district_ids", "message": s_(
                    "Bitte nur Ortsteile der gewählten Gemeinde wählen.")})
            if found.actors_known != len(data.partners):
                errors.append({"field": "partners", "message": s_(
                    "Bitte nur Akteure der gewählten Gemeinde als Partner wählen.")})
        if not found.responsible_known:
            errors.append({"field": "responsible_id", "message": s_(
                "Verantwortlich kann nur ein aktives Konto der Koordination oder Verwaltung sein.")})
    _refuse(errors)


# --- Writing projects ------------------------------------------------------------------------------

def _fields(county_key: str, data: ProjectInput) -> dict:
    return {"county_key": county_key, "municipality_ags": data.municipality_ags, "district_ids": list(data.district_ids),
            "idea_ids": list(data.idea_ids), "title": data.title, "description": data.description,
            "status": data.status, "start_on": data.start_on, "accompaniment_end": data.accompaniment_end,
            "progress_set": data.progress_set, "responsible_id": data.responsible_id}


def _links(conn: Connection, project_id: int, data: ProjectInput) -> None:
    conn.execute(sql("projects/ideas_set"), {"project_id": project_id, "idea_ids": list(data.idea_ids)})
    conn.execute(sql("projects/partners_set"), {"project_id": project_id, "actor_ids": [a for a, _ in data.partners],
                                                "roles": [r for _, r in data.partners]})


def baseline(conn: Connection, county_key: str, project_id: int, rules: disclosure.Rules,
             area: dict | None = None, now: dt.datetime | None = None) -> dict:
    """The project area's pin numbers as the public may see them: from the latest released run,
    the pins of the hexagon cells whose centre lies in the area, perturbed and None below k
    (services/disclosure.public_tally), as the public snapshot publishes any count. The area is
    the project's today, or `area` (a GeoJSON geometry, EPSG:4326) when given. The result keeps
    the area it counted ("area": GeoJSON with full digits, None without one) and when
    ("taken_at"), so that a later count can use the same area (numbers_like_baseline)."""
    if area is None:
        area = _area(conn.execute(sql("projects/area_of"), {"id": project_id}).scalar())
    taken_at = (now or dt.datetime.now(dt.timezone.utc)).isoformat()
    run = hotspots.latest_run(conn, county_key, released_only=True)
    if run is None:
        return {"run_id": None, "pins": None, "by_category": {}, "by_dimension": {}, "k": rules.k,
                "note": "noch keine öffentliche Auswertung", "area": area, "taken_at": taken_at}
    # Without an area no cell counts (an empty geometry, not the project's area of today).
    counted = json.dumps(area if area is not None else {"type": "MultiPolygon", "coordinates": []})
    rows = conn.execute(sql("projects/baseline_counts"), {"run_id": run.id, "project_id": project_id, "area": counted})
    # The same folding of (category, dimension mask) rows into a tally as every public number.
    tally = statistics.fold_counts(rows).get("area") or statistics.Tally()
    shown = disclosure.public_tally(rules, tally)
    return {"run_id": run.id, "released_at": run.released_at, **shown, "k": rules.k,
            "method": "cells_with_centre_in_area", "area": area, "taken_at": taken_at}


def numbers_like_baseline(conn: Connection, county_key: str, project_id: int, stored: dict | None,
                          rules: disclosure.Rules) -> dict:
    """Today's numbers (baseline()) counted in the area the stored baseline was taken for (its
    "area"), so that the two compare like with like even when the project's area changed after
    it started; in the project's area today for a baseline kept before the area was stored."""
    if isinstance(stored, dict) and "area" in stored:
        return baseline(conn, county_key, project_id, rules,
                        area=stored["area"] or {"type": "MultiPolygon", "coordinates": []})
    return baseline(conn, county_key, project_id, rules)


def _store_baseline(conn: Connection, project_id: int, value: dict) -> None:
    conn.execute(sql("projects/baseline_set"), {"id": project_id,
                                                "baseline": json.dumps(value, default=lambda v: v.isoformat())})


def _logged_baseline(value: dict) -> dict:
    """A baseline as the audit log keeps it: without its area (the project's record has its ideas
    and Ortsteile; the outline would only make the log long)."""
    return {key: v for key, v in value.items() if key != "area"}


def create_project(conn: Connection, county_key: str, account_id: int, data: ProjectInput,
                   rules: disclosure.Rules) -> int:
    """Check and store a new project with its ideas, partners, area and baseline; logged.
    InvalidInput (German, per field) writes nothing."""
    _check_choices(conn, county_key, data)
    project_id = conn.execute(sql("projects/insert"), _fields(county_key, data) | {"created_by": account_id}).scalar_one()
    _links(conn, project_id, data)
    start = baseline(conn, county_key, project_id, rules)
    _store_baseline(conn, project_id, start)
    followup_log.record(conn, county_key=county_key, actor_id=account_id, subject="project", subject_id=project_id,
                        action="created", after=data.record() | {"baseline": _logged_baseline(start)})
    return project_id


def _stored(item: dict) -> dict:
    """A project as read (project()) in the shape the audit log keeps (ProjectInput.record)."""
    return {"title": item["title"], "description": item["description"], "municipality_ags": item["municipality_ags"],
            "district_ids": sorted(item["district_ids"]), "idea_ids": sorted(i["id"] for i in item["ideas"]),
            "status": item["status"], "start_on": item["start_on"], "accompaniment_end": item["accompaniment_end"],
            "progress_set": item["progress_set"], "responsible_id": item["responsible_id"],
            "partners": [{"actor_id": p["id"], "role": p["role"]} for p in sorted(item["partners"], key=lambda p: p["id"])]}


def change_project(conn: Connection, county_key: str, account_id: int, project_id: int, data: ProjectInput,
                   rules: disclosure.Rules | None = None, now: dt.datetime | None = None) -> bool:
    """Check and store a project's new fields, ideas and partners (its area anew); logged with
    before and after. False when nothing changed (nothing logged). When the area changes, the
    baseline follows it while the project was still "geplant" (taken anew for the new area);
    once it has started the baseline stays as it was, with "area_changed_since" (when the area
    first changed after it) added, so that a report counts today's numbers in the baseline's
    own "area" (numbers_like_baseline)."""
    item = project(conn, county_key, project_id)
    before = _stored(item)
    _check_choices(conn, county_key, data)
    after = data.record()
    if json.dumps(before, default=str, sort_keys=True) == json.dumps(after, default=str, sort_keys=True):
        return False
    now = now or dt.datetime.now(dt.timezone.utc)
    updated = conn.execute(sql("projects/update"), _fields(county_key, data) | {"id": project_id}).one()
    _links(conn, project_id, data)
    logged_after = after
    if updated.area_changed:
        kept = item["baseline"] if isinstance(item["baseline"], dict) else None
        if item["status"] == "geplant" or kept is None:
            fresh = baseline(conn, county_key, project_id, rules or disclosure.Rules(), now=now)
            _store_baseline(conn, project_id, fresh)
            logged_after = after | {"baseline": _logged_baseline(fresh)}
        elif "area_changed_since" not in kept:
            marked = kept | {"area_changed_since": now.isoformat()}
            _store_baseline(conn, project_id, marked)
            logged_after = after | {"baseline": _logged_baseline(marked)}
    followup_log.record(conn, county_key=county_key, actor_id=account_id, subject="project", subject_id=project_id,
                        action="changed", before=before, after=logged_after)
    return True


def delete_project(conn: Connection, county_key: str, account_id: int, project_id: int) -> None:
    """Remove a project with everything of it; the log keeps what it was."""
    before = _stored(project(conn, county_key, project_id))
    conn.execute(sql("projects/delete"), {"id": project_id, "county_key": county_key})
    followup_log.record(conn, county_key=county_key, actor_id=account_id, subject="project", subject_id=project_id,
                        action="deleted", before=before)


# --- Milestones ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MilestoneInput:
    title: str = ""
    body: str = ""
    due_on: dt.date | None = None
    done_on: dt.date | None = None
    errors: tuple = field(default=(), compare=False)

    @classmethod
    def from_form(cls, form) -> "MilestoneInput":
        errors: list[dict] = []
        title = _text(form.get("title"), "title", MILESTONE_TITLE_MAX_LENGTH, errors, required=True, one_line=True)
        body = _text(form.get("body"), "body", MILESTONE_TEXT_MAX_LENGTH, errors)
        due_on = _day(form.get("due_on"), "due_on", errors)
        done_on = _day(form.get("done_on"), "done_on", errors, required=False)
        return cls(title, body, due_on, done_on, tuple(errors))

    def record(self, project_id: int) -> dict:
        return {"project_id": project_id, "title": self.title, "body": self.body, "due_on": self.due_on,
                "done_on": self.done_on}


def _milestone(conn: Connection, county_key: str, project_id: int, milestone_id: int) -> dict:
    row = conn.execute(sql("projects/milestone_get"), {"id": milestone_id, "project_id": project_id,
                                                       "county_key": county_key}).first()
    if row is None:
        raise NotFound(s_("Diesen Meilenstein gibt es nicht."))
    return {key: row._mapping[key] for key in ("project_id", "title", "body", "due_on", "done_on")}


def _touch(conn: Connection, project_id: int) -> None:
    conn.execute(sql("projects/touch"), {"id": project_id})


def add_milestone(conn: Connection, county_key: str, account_id: int, project_id: int, data: MilestoneInput) -> int:
    """A new milestone; logged. InvalidInput writes nothing, NotFound for a foreign project."""
    project(conn, county_key, project_id)
    _refuse(list(data.errors))
    milestone_id = conn.execute(sql("projects/milestone_insert"), {
        "project_id": project_id, "county_key": county_key, "title": data.title, "body": data.body,
        "due_on": data.due_on, "done_on": data.done_on}).scalar_one()
    _touch(conn, project_id)
    followup_log.record(conn, county_key=county_key, actor_id=account_id, subject="milestone", subject_id=milestone_id,
                        action="created", after=data.record(project_id))
    return milestone_id


def change_milestone(conn: Connection, county_key: str, account_id: int, project_id: int, milestone_id: int,
                     data: MilestoneInput) -> None:
    """A milestone's title, text, due and done dates; logged with before and after."""
    before = _milestone(conn, county_key, project_id, milestone_id)
    _refuse(list(data.errors))
    after = data.record(project_id)
    if before == after:
        return
    conn.execute(sql("projects/milestone_update"), {"id": milestone_id, "project_id": project_id, "title": data.title,
                                                    "body": data.body, "due_on": data.due_on, "done_on": data.done_on})
    _touch(conn, project_id)
    action = ("done" if after["done_on"] and not before["done_on"] else
              "reopened" if before["done_on"] and not after["done_on"] else "changed")
    followup_log.record(conn, county_key=county_key, actor_id=account_id, subject="milestone", subject_id=milestone_id,
                        action=action, before=before, after=after)


def mark_milestone(conn: Connection, county_key: str, account_id: int, project_id: int, milestone_id: int,
                   done_on: dt.date | None) -> None:
    """A milestone done on `done_on`, or open again (None); logged."""
    before = _milestone(conn, county_key, project_id, milestone_id)
    change_milestone(conn, county_key, account_id, project_id, milestone_id,
                     MilestoneInput(before["title"], before["body"], before["due_on"], done_on))


def delete_milestone(conn: Connection, county_key: str, account_id: int, project_id: int, milestone_id: int) -> None:
    before = _milestone(conn, county_key, project_id, milestone_id)
    conn.execute(sql("projects/milestone_delete"), {"id": milestone_id, "project_id": project_id})
    _touch(conn, project_id)
    followup_log.record(conn, county_key=county_key, actor_id=account_id, subject="milestone", subject_id=milestone_id,
                        action="deleted", before=before)


# --- Public updates ------------------------------------------------------------------------------

def clean_photo(data: bytes) -> bytes:
    """A photo as it is kept: JPEG, PNG or WebP in; turned upright by its EXIF orientation first,
    then drawn onto a new image (so no EXIF, GPS, XMP, ICC or comment comes along), at most
    PHOTO_MAX_SIDE px on its longest side, JPEG out. InvalidInput (German) for anything else."""
    from PIL import Image, ImageOps

    problem = [{"field": "photo", "message": s_("Bitte ein Foto als JPEG, PNG oder WebP hochladen.")}]
    if len(data) > PHOTO_MAX_BYTES:
        raise InvalidInput(s_("Das Foto ist zu groß."), [{"field": "photo", "message": s_(
            "Das Foto ist größer als %(mb)s MB. Bitte verkleinern Sie es.", mb=PHOTO_MAX_BYTES // (1024 * 1024))}])
    try:
        with Image.open(io.BytesIO(data), formats=PHOTO_FORMATS) as image:
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise InvalidInput(s_("Das Foto ist zu groß."), [{"field": "photo", "message": s_(
                    "Das Foto hat zu viele Bildpunkte. Bitte verkleinern Sie es.")}])
            image.load()
            upright = ImageOps.exif_transpose(image)
            if upright.mode in ("RGBA", "LA", "P", "PA"):
                rgba = upright.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
            else:
                flat = upright.convert("RGB")
    except InvalidInput:
        raise
    except Exception:  # Pillow raises many kinds for what is no picture or a broken one
        raise InvalidInput(s_("Das ist kein Foto."), problem) from None
    flat.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", flat.size)  # a new image: its info holds nothing of the upload
    clean.paste(flat)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=PHOTO_QUALITY, optimize=True)
    return out.getvalue()


@dataclass(frozen=True)
class UpdateInput:
    body: str = ""
    day: dt.date | None = None
    photo: bytes | None = None
    photo_caption: str | None = None
    errors: tuple = field(default=(), compare=False)

    @classmethod
    def from_form(cls, form, photo: bytes | None, today: dt.date) -> "UpdateInput":
        """The update form: text, its day (empty: today; never in the future) and an optional photo
        (already read, at most PHOTO_MAX_BYTES + 1 bytes) with a caption."""
        errors: list[dict] = []
        body = _text(form.get("body"), "body", UPDATE_TEXT_MAX_LENGTH, errors, required=True)
        day = _day(form.get("day"), "day", errors, required=False) or today
        if day > today:
            errors.append({"field": "day", "message": s_("Eine Neuigkeit kann nicht in der Zukunft liegen.")})
        caption = _text(form.get("photo_caption"), "photo_caption", CAPTION_MAX_LENGTH, errors, one_line=True) or None
        cleaned = None
        if photo:
            try:
                cleaned = clean_photo(photo)
            except InvalidInput as refused:
                errors += refused.errors
        elif caption:
            errors.append({"field": "photo", "message": s_("Zur Bildunterschrift fehlt das Foto.")})
        return cls(body, day, cleaned, caption if cleaned else None, tuple(errors))


def done_on_from_form(form, today: dt.date) -> dt.date | None:
    """The day a milestone is marked done (empty: today), or None with `offen=1` (open again);
    InvalidInput (German) for a day that is no date."""
    if form.get("offen") == "1":
        return None
    errors: list[dict] = []
    day = _day(form.get("done_on"), "done_on", errors, required=False)
    _refuse(errors)
    return day or today


def add_update(conn: Connection, county_key: str, account_id: int, project_id: int, data: UpdateInput,
               time_zone: str, now: dt.datetime | None = None) -> int:
    """A dated public update (published at once: today's at this moment, an earlier day's at its
    noon in the county's time zone); logged (the photo by its size)."""
    project(conn, county_key, project_id)
    _refuse(list(data.errors))
    now = now or dt.datetime.now(dt.timezone.utc)
    zone = ZoneInfo(time_zone)
    published_at = (now if data.day == now.astimezone(zone).date()
                    else dt.datetime.combine(data.day, dt.time(12), tzinfo=zone))
    row = conn.execute(sql("projects/update_insert"), {
        "project_id": project_id, "county_key": county_key, "body": data.body, "photo": data.photo,
        "photo_caption": data.photo_caption, "created_by": account_id, "published_at": published_at}).one()
    _touch(conn, project_id)
    followup_log.record(conn, county_key=county_key, actor_id=account_id, subject="update", subject_id=row.id,
                        action="created", after={"project_id": project_id, "body": data.body,
                                                 "photo": data.photo, "photo_caption": data.photo_caption,
                                                 "published_at": row.published_at})
    return row.id


def delete_update(conn: Connection, county_key: str, account_id: int, project_id: int, update_id: int) -> None:
    row = conn.execute(sql("projects/update_get"), {"id": update_id, "project_id": project_id,
                                                    "county_key": county_key}).first()
    if row is None:
        raise NotFound(s_("Diese Neuigkeit gibt es nicht."))
    conn.execute(sql("projects/update_delete"), {"id": update_id, "project_id": project_id})
    _touch(conn, project_id)
    followup_log.record(conn, county_key=county_key, actor_id=account_id, subject="update", subject_id=update_id,
                        action="deleted", before={"project_id": project_id, "body": row.body,
                                                 "photo_bytes": row.photo_bytes, "photo_caption": row.photo_caption,
                                                 "published_at": row.published_at})


# --- The year clock and reminders --------------------------------------------------------------------

@dataclass
class ClockEntry:
    """One project on the year clock, with what is due today."""

    id: int
    title: str
    status: str
    municipality_name: str
    start_on: dt.date
    accompaniment_end: dt.date
    progress: int
    responsible_id: int | None
    responsible_name: str | None
    responsible_email: str | None
    month: int
    months: int
    last_update_on: dt.date | None
    days_quiet: int | None  # days since the last update, or since the start without one (None before it)
    overdue_titles: list[str]
    next_due_on: dt.date | None
    quiet: bool  # no update for quiet_days or more
    ending_soon: bool  # the accompaniment ends within ENDING_SOON_DAYS
    ended_still_running: bool  # ended, but the status still says "laeuft"
    days_left: int

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def due(self) -> bool:
        return bool(self.overdue_titles) or self.quiet or self.ending_soon or self.ended_still_running

    @property
    def urgency(self) -> int:
        """The sort key of the clock: an ended accompaniment still running, overdue milestones,
        silence, the end near (in this order of weight)."""
        return (8 * self.ended_still_running + 4 * bool(self.overdue_titles) + 2 * self.quiet + self.ending_soon)


def year_clock(conn: Connection, county_key: str, today: dt.date, time_zone: str, quiet_days: int,
               include_finished: bool = False) -> list[ClockEntry]:
    """Every project not finished (or all), most urgent first: month of accompaniment, days since
    the last public update (or since its start without any), overdue milestones, "endet bald",
    "ohne Bericht seit quiet_days Tagen", ended but still running."""
    zone = ZoneInfo(time_zone)
    entries = []
    for row in conn.execute(sql("projects/clock"), {"county_key": county_key, "today": today}):
        last_update_on = None if row.last_update_at is None else row.last_update_at.astimezone(zone).date()
        since = last_update_on or row.start_on
        days_quiet = (today - since).days if since <= today else None
        month, months = accompaniment_month(row.start_on, row.accompaniment_end, today)
        finished = row.status in FINISHED_STATUSES
        days_left = (row.accompaniment_end - today).days
        entries.append(ClockEntry(
            id=row.id, title=row.title, status=row.status, municipality_name=row.municipality_name,
            start_on=row.start_on, accompaniment_end=row.accompaniment_end, progress=row.progress,
            responsible_id=row.responsible_id, responsible_name=row.responsible_name,
            responsible_email=row.responsible_email, month=month, months=months, last_update_on=last_update_on,
            days_quiet=days_quiet, overdue_titles=[] if finished else list(row.overdue_titles),
            next_due_on=row.next_due_on,
            quiet=not finished and days_quiet is not None and days_quiet >= quiet_days,
            ending_soon=not finished and 0 <= days_left <= ENDING_SOON_DAYS,
            ended_still_running=row.status == "laeuft" and days_left < 0, days_left=days_left))
    if not include_finished:
        entries = [e for e in entries if not e.finished]
    return sorted(entries, key=lambda e: (-e.urgency, -(e.days_quiet or 0), e.accompaniment_end, e.id))


def due_lines(entry: ClockEntry, quiet_days: int, day_format=lambda d: d.strftime("%d.%m.%Y")) -> list[str]:
    """What is due of one project, in German sentences (the reminder's lines, the CLI's output)."""
    lines = []
    if entry.overdue_titles:
        lines.append(s_("Überfällige Meilensteine: %(titles)s", titles="; ".join(entry.overdue_titles)))
    if entry.quiet:
        if entry.last_update_on:
            lines.append(s_("Seit %(days)s Tagen keine öffentliche Neuigkeit (Grenze: %(limit)s Tage).",
                            days=entry.days_quiet, limit=quiet_days))
        else:
            lines.append(s_("Seit dem Start vor %(days)s Tagen noch keine öffentliche Neuigkeit (Grenze: %(limit)s "
                            "Tage).", days=entry.days_quiet, limit=quiet_days))
    if entry.ending_soon and entry.days_left == 0:
        lines.append(s_("Die Begleitung endet heute."))
    elif entry.ending_soon:
        lines.append(sn_("Die Begleitung endet in %(num)s Tag, am %(day)s.", "Die Begleitung endet in %(num)s Tagen, "
                         "am %(day)s.", entry.days_left, day=day_format(entry.accompaniment_end)))
    if entry.ended_still_running:
        lines.append(s_("Die Begleitung ist seit dem %(day)s beendet, der Status ist aber noch „läuft“.",
                        day=day_format(entry.accompaniment_end)))
    return lines


def coordinator_addresses(conn: Connection) -> list[dict]:
    """Active coordinators with an e-mail: where reminders go for a project without a responsible
    account that has one."""
    return [dict(r._mapping) for r in conn.execute(sql("projects/coordinator_addresses"))]


def reminder_recipients(entries: list[ClockEntry], coordinators: list[dict]) -> dict[str, list[ClockEntry]]:
    """Each e-mail address with the due projects it is told about: a project's responsible
    account, or every coordinator with an e-mail when it has none (or none with an e-mail)."""
    recipients: dict[str, list[ClockEntry]] = {}
    for entry in entries:
        if not entry.due:
            continue
        email = (entry.responsible_email or "").strip()
        for address in [email] if email else [c["email"].strip() for c in coordinators]:
            recipients.setdefault(address, []).append(entry)
    return recipients


# --- The audit log as CSV ------------------------------------------------------------------------

LOG_CSV_FIELDS = ("zeitpunkt", "konto", "gegenstand", "nummer", "aktion", "vorher", "nachher")


def log_csv(rows, subject_labels: dict, action_label, time_zone: str) -> str:
    """The step-two audit log as CSV: semicolons, named columns, times in the county's time
    zone, before and after as JSON; every cell guarded against spreadsheet formulas as the
    moderation log's CSV is (services/moderation.csv_cell). `rows`: entries as the reader may see
    them (followup_log.for_reader, dicts); `action_label`: an action's staff word."""
    import csv

    from .moderation import csv_cell

    zone = ZoneInfo(time_zone)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(LOG_CSV_FIELDS)
    for row in rows:
        row = dict(row._mapping) if hasattr(row, "_mapping") else row
        writer.writerow([csv_cell(value) for value in (
            row["at"].astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"), row["actor_name"],
            subject_labels.get(row["subject"], row["subject"]), row["subject_id"], action_label(row["action"]),
            None if row["before"] is None else json.dumps(row["before"], ensure_ascii=False, sort_keys=True),
            None if row["after"] is None else json.dumps(row["after"], ensure_ascii=False, sort_keys=True))])
    return out.getvalue()
