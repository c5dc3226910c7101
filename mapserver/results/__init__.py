"""The loop closed, publicly (step two, issue 17): what became of the walls.

- `results` (public, every resident language; the content as written): a municipality's projects
  (/gemeinde/<ags>/projekte, list and map), a project's page (/projekte/<id>) with its timeline,
  partners, milestones, ideas and area, its updates' photos, and the Atom feeds
  (/gemeinde/<ags>/neuigkeiten.atom, /projekte/<id>.atom).
- `results_api`: GET /api/projects?municipality=<AGS> (GeoJSON: project areas, never a point).
- `results_staff` (/koordination, coordinators and planners): exports of ideas and projects;
  a project's one-year report as PDF for coordinators only.
Exports and the PDF are built in the export process (planner/export_process.py)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, current_app, json, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from ..auth import require_role, restrict_blueprint
from ..csrf import csrf
from ..db import engine
from ..i18n import format_day, format_number, s_
from ..maps.base_map import page_map_settings
from ..planner import export_process
from ..services import areas
from ..services.disclosure import Rules
from ..vocabulary import ACTOR_KINDS, CATEGORIES, PROJECT_STATUSES
from . import exports, feeds, reading

blueprint = Blueprint("results", __name__)
api_blueprint = Blueprint("results_api", __name__, url_prefix="/api")
staff_blueprint = Blueprint("results_staff", __name__, url_prefix="/koordination")
restrict_blueprint(staff_blueprint, "coordinator", "planner")

GEOJSON = "application/geo+json"
ATOM = f"{feeds.ATOM_MIMETYPE}; charset=utf-8"
PHOTO_MAX_AGE = 365 * 24 * 3600  # an update's photo never changes under its address
REPORT_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "report.css"


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo(current_app.config["TIME_ZONE"])).date()


def _key() -> str:
    return current_app.config["COUNTY_KEY"]


def _project_url(project_id: int) -> str:
    return url_for("results.project_page", project_id=project_id, _external=True)


def _idea_url(idea_id: int) -> str:
    """The idea's public page (/ideen/<id>, capability ideas): a path, so the link holds whether
    or not that capability is wired in this app."""
    return request.host_url.rstrip("/") + f"/ideen/{idea_id}"


def _event_url(event: dict) -> str:
    if event["kind"] == "answer":
        return _idea_url(event["idea_id"])
    return _project_url(event["project_id"]) + f"#ereignis-{event['kind']}-{event['id']}"


@blueprint.get("/gemeinde/<ags>/projekte")
def municipality_projects(ags: str):
    with engine().connect() as conn:
        county = areas.county(conn, _key())
        municipality, projects = reading.municipality_projects(conn, _key(), ags, _today())
    return render_template("results/municipality_projects.html", county=county, municipality=municipality,
                           projects=projects, map_settings=page_map_settings(current_app.config, county),
                           format_day=format_day, format_number=format_number)


@blueprint.get("/projekte/<project_id>")
def project_page(project_id: str):
    number = reading.project_id_or_not_found(project_id)
    with engine().connect() as conn:
        county = areas.county(conn, _key())
        project = reading.project(conn, _key(), number, _today())
        timeline = reading.news(conn, _key(), current_app.config["TIME_ZONE"], project_id=number)
    return render_template("results/project.html", county=county, project=project, timeline=timeline,
                           map_settings=page_map_settings(current_app.config, county), actor_kinds=ACTOR_KINDS,
                           entry_title=feeds.entry_title, idea_url=_idea_url, format_day=format_day,
                           format_number=format_number, today=_today())


@blueprint.get("/projekte/<project_id>/fotos/<update_id>.jpg")
def update_photo(project_id: str, update_id: str):
    number = reading.project_id_or_not_found(project_id)
    update = reading.project_id_or_not_found(update_id)
    with engine().connect() as conn:
        photo = reading.update_photo(conn, _key(), number, update)
    response = Response(photo, mimetype="image/jpeg")
    response.headers["Cache-Control"] = f"public, max-age={PHOTO_MAX_AGE}, immutable"
    return response


def _feed_response(body: bytes) -> Response:
    return Response(body, content_type=ATOM, headers={"Cache-Control": "public, max-age=300"})


@blueprint.get("/gemeinde/<ags>/neuigkeiten.atom")
def municipality_feed(ags: str):
    with engine().connect() as conn:
        municipality = areas.municipality(conn, _key(), ags)
        events = reading.news(conn, _key(), current_app.config["TIME_ZONE"], ags=ags)
    body = feeds.atom_feed(
        feed_id=feeds.tag_uri(request.host, "gemeinde", ags), self_url=request.base_url,
        title=_("Neuigkeiten aus %(name)s: Ideen, Antworten und Projekte", name=municipality["name"]),
        page_url=url_for("results.municipality_projects", ags=ags, _external=True), events=events,
        host=request.host, link_of=_event_url, language=str(get_locale() or "de").replace("_", "-"),
        generated_at=dt.datetime.now(dt.timezone.utc))
    return _feed_response(body)


@blueprint.get("/projekte/<project_id>.atom")
def project_feed(project_id: str):
    number = reading.project_id_or_not_found(project_id)
    with engine().connect() as conn:
        project = reading.project(conn, _key(), number, _today())
        events = reading.news(conn, _key(), current_app.config["TIME_ZONE"], project_id=number)
    body = feeds.atom_feed(
        feed_id=feeds.tag_uri(request.host, "projekt", number), self_url=request.base_url,
        title=_("Projekt „%(title)s“: Neuigkeiten", title=project["title"]),
        page_url=_project_url(number), events=events, host=request.host, link_of=_event_url,
        language=str(get_locale() or "de").replace("_", "-"), generated_at=project["created_at"])
    return _feed_response(body)


@api_blueprint.get("/projects")
def api_projects():
    ags = reading.checked_ags(request.args.get("municipality"))
    with engine().connect() as conn:
        body = reading.projects_geojson(conn, _key(), ags, _today(), _project_url)
    return Response(json.dumps(body, ensure_ascii=False), mimetype=GEOJSON)


# --- coordinators and planners -----------------------------------------------------------------

def _export_in_export_process(dataset: str, fmt: str, ags: str | None, locale: str, attributions: list[str]):
    """In the export process: the file, one export at a time in the whole server."""
    from ..db import engine as export_engine, sql

    app = export_process.export_app()
    with app.test_request_context(query_string={"lang": locale}), force_locale(locale):
        with export_engine().connect() as conn:
            conn.execute(sql("exports/lock"))
            return exports.export(conn, dataset, fmt, app.config["COUNTY_KEY"], ags, app.config["TIME_ZONE"],
                                  attributions)


@staff_blueprint.get("/export/<dataset>.<fmt>")
def export(dataset: str, fmt: str):
    ags = request.args.get("gemeinde") or None
    with engine().connect() as conn:  # what can be refused is refused here, at once
        exports.check_request(conn, dataset, fmt, _key(), ags)
        attributions = list(areas.county(conn, _key()).attributions)
    return export_process.download(current_app._get_current_object(), _export_in_export_process,
                                   dataset, fmt, ags, str(get_locale() or "de"), attributions)


def report_html(project_id: int, for_pdf: bool) -> tuple[str, str]:
    """(HTML, title) of a project's one-year report, in the current staff language."""
    config = current_app.config
    rules = Rules.from_config(config)
    today = _today()
    with engine().connect() as conn:
        project = reading.project(conn, config["COUNTY_KEY"], project_id, today)
        timeline = reading.news(conn, config["COUNTY_KEY"], config["TIME_ZONE"], project_id=project_id)
        numbers_now, area_now = reading.area_numbers_now(conn, config["COUNTY_KEY"], project_id, rules,
                                                         project["baseline"])
        now = reading.area_numbers(numbers_now)
    title = s_("Projektbericht: %(title)s", title=project["title"])
    html = render_template("results/report.html", project=project, timeline=list(reversed(timeline)), title=title,
                           then=reading.area_numbers(project["baseline"]), now=now, area_now=area_now, k=rules.k, categories=CATEGORIES,
                           statuses=PROJECT_STATUSES, actor_kinds=ACTOR_KINDS, entry_title=feeds.entry_title,
                           format_day=format_day, format_number=format_number, today=today,
                           inline_css=REPORT_CSS.read_text(encoding="utf-8") if for_pdf else None)
    return html, title


def _report_pdf_in_export_process(project_id: int, locale: str) -> bytes:
    from ..services.reports import pdf_from_html

    with export_process.export_app().test_request_context(query_string={"lang": locale}), force_locale(locale):
        html, title = report_html(project_id, for_pdf=True)
        return pdf_from_html(html, base_url=str(REPORT_CSS.parent), title=title)


@staff_blueprint.get("/projekte/<project_id>/bericht.pdf")
@require_role("coordinator")
def project_report(project_id: str):
    number = reading.project_id_or_not_found(project_id)
    with engine().connect() as conn:  # an unknown project is refused here, at once
        reading.project(conn, _key(), number, _today())
    return export_process.download(current_app._get_current_object(), _report_pdf_in_export_process,
                                   number, str(get_locale() or "de"),
                                   named=(f"glaswaende-projekt-{number}-bericht.pdf", "application/pdf"))


def init_app(app: Flask) -> None:
    """The public pages and feeds, /api/projects (no cookies, no CSRF) and the staff exports."""
    app.register_blueprint(blueprint)
    app.register_blueprint(api_blueprint)
    csrf.exempt(api_blueprint)
    app.register_blueprint(staff_blueprint)
