"""Projects of step two for the county's coordinators (/koordination/): the year clock (what each
project's accompaniment needs today), projects made from published ideas with their Ortsteile,
partners, milestones and dated public updates (a photo re-encoded without its metadata), the
step-two audit log (filtered, as CSV) and `glaswaende projects remind`, which lists what is due
and mails the responsible staff. Role `coordinator` (or admin). The logic is in
services/projects.py, which the public pages read too."""
from __future__ import annotations

import datetime as dt
import re
import smtplib
import ssl
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import click
from flask import (Blueprint, Flask, Response, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask.cli import with_appcontext
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from ..auth import current_account, restrict_blueprint
from ..db import engine
from ..request_body import allow_larger_bodies
from ..errors import InvalidInput
from ..i18n import format_day, format_number, s_, s_l
from ..services import areas, disclosure, followup_log, projects, workshops
from ..vocabulary import FOLLOWUP_SUBJECTS, PROJECT_STATUSES

blueprint = Blueprint("projects", __name__, url_prefix="/koordination")
restrict_blueprint(blueprint, "coordinator")

# The staff words for the audit log's subjects and actions (vocabulary.FOLLOWUP_SUBJECTS).
SUBJECT_LABELS = {"idea": s_l("Idee"), "answer": s_l("Antwort"), "answer_template": s_l("Antwortvorlage"),
                  "project": s_l("Projekt"), "milestone": s_l("Meilenstein"), "update": s_l("Neuigkeit"),
                  "actor": s_l("Akteur")}
# Every action a package writes (followup_log.record(..., action=...)); test_projects checks that
# none is missing. An action not listed here shows as action_label's fallback, never bare.
ACTION_LABELS = {"created": s_l("angelegt"), "changed": s_l("geändert"), "updated": s_l("geändert"),
                 "deleted": s_l("gelöscht"), "drafted": s_l("als Entwurf gespeichert"),
                 "published": s_l("veröffentlicht"), "approved": s_l("freigegeben"), "hidden": s_l("verborgen"),
                 "redacted": s_l("geschwärzt"), "done": s_l("erledigt"), "reopened": s_l("wieder offen"),
                 "supported": s_l("unterstützt"), "imported": s_l("importiert")}
LOG_PAGE_SIZE = 50
CSV_MAX_ROWS = 100_000
# Forms larger than the app's 16 KB (made for a pin): the update form with its photo (twice the
# photo's limit, so that a photo a little too large gets a German 422 on the form, not a 413);
# the project form (5,000 characters of description, percent-encoded up to 9 bytes each, and a
# role field per local actor); the milestone forms (2,000 characters).
LARGER_REQUESTS = {"projects.add_update": 2 * projects.PHOTO_MAX_BYTES,
                   "projects.create": 256 * 1024, "projects.save": 256 * 1024,
                   "projects.add_milestone": 64 * 1024, "projects.change_milestone": 64 * 1024}
allow_larger_bodies(blueprint, LARGER_REQUESTS, "coordinator")
# The page of helper capabilities this start page links when they are there.
IDEAS_PAGE = "ideas_staff.index"


def _county_key() -> str:
    return current_app.config["COUNTY_KEY"]


def _today() -> dt.date:
    """The county's day (not the server's)."""
    return dt.datetime.now(ZoneInfo(current_app.config["TIME_ZONE"])).date()


def _rules() -> disclosure.Rules:
    return disclosure.Rules.from_config(current_app.config)


def _labels(table: dict) -> dict[str, str]:
    return {code: str(label) for code, label in table.items()}


def action_label(code: str) -> str:
    """An audit log action in the staff's words; one no label knows as "sonstige Aktion (code)"."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else s_("sonstige Aktion (%(code)s)", code=code)


def _number(text: str | None) -> int | None:
    """A number of at most 9 ASCII digits, else None (str.isdigit() also takes "²", which int() refuses)."""
    return int(text) if text and re.fullmatch(r"[0-9]{1,9}", text) else None


@blueprint.context_processor
def _formats():
    """Dates and numbers as the reader's language writes them; the states' words."""
    return {"day": format_day, "number": format_number, "statuses": _labels(PROJECT_STATUSES)}


# --- The year clock ------------------------------------------------------------------------------

@blueprint.get("/")
def index():
    config = current_app.config
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        clock = projects.year_clock(conn, _county_key(), _today(), config["TIME_ZONE"],
                                    config["PROJECT_UPDATE_DUE_DAYS"], include_finished=True)
        unanswered_total, unanswered = projects.unanswered_ideas(conn, _county_key())
    ideas_url = url_for(IDEAS_PAGE) if IDEAS_PAGE in current_app.view_functions else None
    return render_template("projects/clock.html", county=county, account=current_account(),
                           running=[e for e in clock if not e.finished], finished=[e for e in clock if e.finished],
                           quiet_days=config["PROJECT_UPDATE_DUE_DAYS"], ending_days=projects.ENDING_SOON_DAYS,
                           unanswered_total=unanswered_total, unanswered=unanswered, ideas_url=ideas_url)


# --- Projects ------------------------------------------------------------------------------------

def _project_values(item: dict) -> MultiDict:
    """A stored project as the form's fields."""
    values = MultiDict({"title": item["title"], "description": item["description"],
                        "municipality_ags": item["municipality_ags"], "status": item["status"],
                        "start_on": item["start_on"].isoformat(), "accompaniment_end": item["accompaniment_end"].isoformat(),
                        "progress_set": "" if item["progress_set"] is None else str(item["progress_set"]),
                        "responsible_id": "" if item["responsible_id"] is None else str(item["responsible_id"])})
    for idea in item["ideas"]:
        values.add("idea_id", str(idea["id"]))
    for district_id in item["district_ids"]:
        values.add("district_id", str(district_id))
    for partner in item["partners"]:
        values.add("actor_id", str(partner["id"]))
        values[f"role_{partner['id']}"] = partner["role"] or ""
    return values


def _form_page(item: dict | None, values, errors: dict | None = None, status: int = 200, sent: dict | None = None):
    """The project form (new, or the edit page with milestones and updates), with the values
    given, per-form field errors ({"project": [...], "milestone_new": [...], ...}) and what a
    refused milestone or update form sent (`sent`, by form name), so that it shows again."""
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        choices = projects.form_choices(conn, _county_key())
        municipalities = areas.municipality_list(conn, _county_key())
        districts = workshops.district_choices(conn, _county_key())
    errors = errors or {}
    fields = {name: {e["field"] for e in found} for name, found in errors.items()}
    return render_template("projects/form.html", county=county, account=current_account(), project=item,
                           values=values, errors=errors, error_fields=fields, choices=choices,
                           municipalities=municipalities, districts=districts, today=_today(),
                           default_months=projects.ACCOMPANIMENT_MONTHS, limits=projects,
                           milestone_values=sent or {}), status


def _project(project_id: int) -> dict:
    with engine().connect() as conn:
        return projects.project(conn, _county_key(), project_id)


@blueprint.get("/projekte/neu")
def new():
    today = _today()
    values = MultiDict({"start_on": today.isoformat(), "accompaniment_end": "", "status": "geplant",
                        "responsible_id": str(current_account().id)})
    for name in ("municipality_ags", "idea_id"):  # a link from an idea: /koordination/projekte/neu?idea_id=7
        for value in request.args.getlist(name):
            values.add(name, value)
    return _form_page(None, values)


@blueprint.post("/projekte/neu")
def create():
    data = projects.ProjectInput.from_form(request.form)
    try:
        with engine().begin() as conn:
            project_id = projects.create_project(conn, _county_key(), current_account().id, data, _rules())
    except InvalidInput as refused:
        return _form_page(None, request.form, {"project": refused.errors}, 422)
    flash(s_("Das Projekt ist angelegt."))
    return redirect(url_for("projects.edit", project_id=project_id), code=303)


@blueprint.get("/projekte/<int(max=2147483647):project_id>")
def edit(project_id: int):
    item = _project(project_id)
    return _form_page(item, _project_values(item))


@blueprint.post("/projekte/<int(max=2147483647):project_id>")
def save(project_id: int):
    data = projects.ProjectInput.from_form(request.form)
    try:
        with engine().begin() as conn:
            changed = projects.change_project(conn, _county_key(), current_account().id, project_id, data,
                                               _rules())
    except InvalidInput as refused:
        return _form_page(_project(project_id), request.form, {"project": refused.errors}, 422)
    flash(s_("Die Änderungen sind gespeichert.") if changed else s_("Nichts geändert."))
    return redirect(url_for("projects.edit", project_id=project_id), code=303)


@blueprint.post("/projekte/<int(max=2147483647):project_id>/loeschen")
def delete(project_id: int):
    with engine().begin() as conn:
        projects.delete_project(conn, _county_key(), current_account().id, project_id)
    flash(s_("Das Projekt ist gelöscht."))
    return redirect(url_for("projects.index"), code=303)


# --- Milestones ----------------------------------------------------------------------------------

def _milestone_refused(project_id: int, form_name: str, refused: InvalidInput):
    item = _project(project_id)
    return _form_page(item, _project_values(item), {form_name: refused.errors}, 422, {form_name: request.form})


def _back_to_milestones(project_id: int, message: str):
    flash(message)
    return redirect(url_for("projects.edit", project_id=project_id, _anchor="meilensteine"), code=303)


@blueprint.post("/projekte/<int(max=2147483647):project_id>/meilensteine")
def add_milestone(project_id: int):
    data = projects.MilestoneInput.from_form(request.form)
    try:
        with engine().begin() as conn:
            projects.add_milestone(conn, _county_key(), current_account().id, project_id, data)
    except InvalidInput as refused:
        return _milestone_refused(project_id, "milestone_new", refused)
    return _back_to_milestones(project_id, s_("Der Meilenstein ist angelegt."))


@blueprint.post("/projekte/<int(max=2147483647):project_id>/meilensteine/<int(max=2147483647):milestone_id>")
def change_milestone(project_id: int, milestone_id: int):
    data = projects.MilestoneInput.from_form(request.form)
    try:
        with engine().begin() as conn:
            projects.change_milestone(conn, _county_key(), current_account().id, project_id, milestone_id, data)
    except InvalidInput as refused:
        return _milestone_refused(project_id, f"milestone_{milestone_id}", refused)
    return _back_to_milestones(project_id, s_("Der Meilenstein ist gespeichert."))


@blueprint.post("/projekte/<int(max=2147483647):project_id>/meilensteine/<int(max=2147483647):milestone_id>/erledigt")
def milestone_done(project_id: int, milestone_id: int):
    """Done today (or on the day given), or open again with `offen=1`."""
    reopen = request.form.get("offen") == "1"
    try:
        day = projects.done_on_from_form(request.form, _today())
        with engine().begin() as conn:
            projects.mark_milestone(conn, _county_key(), current_account().id, project_id, milestone_id, day)
    except InvalidInput as refused:
        return _milestone_refused(project_id, f"milestone_{milestone_id}", refused)
    return _back_to_milestones(project_id, s_("Der Meilenstein ist wieder offen.") if reopen
                               else s_("Der Meilenstein ist erledigt."))


@blueprint.post("/projekte/<int(max=2147483647):project_id>/meilensteine/<int(max=2147483647):milestone_id>/loeschen")
def delete_milestone(project_id: int, milestone_id: int):
    with engine().begin() as conn:
        projects.delete_milestone(conn, _county_key(), current_account().id, project_id, milestone_id)
    return _back_to_milestones(project_id, s_("Der Meilenstein ist gelöscht."))


# --- Public updates ------------------------------------------------------------------------------

@blueprint.post("/projekte/<int(max=2147483647):project_id>/neuigkeiten")
def add_update(project_id: int):
    upload = request.files.get("photo")
    photo = upload.stream.read(projects.PHOTO_MAX_BYTES + 1) if upload and upload.filename else None
    data = projects.UpdateInput.from_form(request.form, photo, _today())
    try:
        with engine().begin() as conn:
            projects.add_update(conn, _county_key(), current_account().id, project_id, data,
                                current_app.config["TIME_ZONE"])
    except InvalidInput as refused:
        item = _project(project_id)
        return _form_page(item, _project_values(item), {"update": refused.errors}, 422, {"update": request.form})
    flash(s_("Die Neuigkeit ist veröffentlicht."))
    return redirect(url_for("projects.edit", project_id=project_id, _anchor="neuigkeiten"), code=303)


@blueprint.post("/projekte/<int(max=2147483647):project_id>/neuigkeiten/<int(max=2147483647):update_id>/loeschen")
def delete_update(project_id: int, update_id: int):
    with engine().begin() as conn:
        projects.delete_update(conn, _county_key(), current_account().id, project_id, update_id)
    flash(s_("Die Neuigkeit ist gelöscht."))
    return redirect(url_for("projects.edit", project_id=project_id, _anchor="neuigkeiten"), code=303)


@blueprint.get("/neuigkeiten/<int(max=2147483647):update_id>/foto.jpg")
def update_photo(update_id: int):
    with engine().connect() as conn:
        photo, _caption = projects.update_photo(conn, _county_key(), update_id)
    return Response(photo, mimetype="image/jpeg")


# --- The audit log -------------------------------------------------------------------------------

def _log_filter() -> tuple[str | None, int | None]:
    subject = request.args.get("gegenstand") or None
    if subject is not None and subject not in FOLLOWUP_SUBJECTS:
        abort(404)
    return subject, _number(request.args.get("nummer"))


def _reader_is_admin() -> bool:
    """Only admins read an idea's title and text in the log (services/followup_log.for_reader)."""
    account = current_account()
    return account is not None and "admin" in account.roles


@blueprint.get("/protokoll")
def audit_log():
    subject, subject_id = _log_filter()
    page = _number(request.args.get("seite"))
    page = page if page is not None and 0 < page < 100_000 else 1
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        rows = followup_log.entries(conn, _county_key(), subject=subject, subject_id=subject_id,
                                    limit=LOG_PAGE_SIZE + 1, offset=(page - 1) * LOG_PAGE_SIZE)
    events = followup_log.for_reader(rows[:LOG_PAGE_SIZE], _reader_is_admin())
    return render_template("projects/log.html", county=county, account=current_account(), events=events,
                           more=len(rows) > LOG_PAGE_SIZE, page=page, subject=subject, subject_id=subject_id,
                           subjects=_labels(SUBJECT_LABELS), action_label=action_label)


@blueprint.get("/protokoll.csv")
def audit_log_csv():
    """The log as the page filters it, all pages, as CSV (UTF-8 with BOM, semicolons)."""
    subject, subject_id = _log_filter()
    with engine().connect() as conn:
        rows = followup_log.entries(conn, _county_key(), subject=subject, subject_id=subject_id, limit=CSV_MAX_ROWS)
    body = projects.log_csv(followup_log.for_reader(rows, _reader_is_admin()), _labels(SUBJECT_LABELS), action_label,
                            current_app.config["TIME_ZONE"])
    return Response("\ufeff" + body, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="protokoll-koordination.csv"', "Cache-Control": "no-store"})


# --- glaswaende projects remind ----------------------------------------------------------------------

def public_base_url(config) -> str:
    """Where links in mails point: GLASWAENDE_PUBLIC_URL, or else the first trusted host."""
    return (config["PUBLIC_URL"] or f"http://{config['TRUSTED_HOSTS'][0]}").rstrip("/")


def reminder_mail(sender: str, address: str, entries: list[projects.ClockEntry], quiet_days: int,
                  base_url: str) -> EmailMessage:
    """One German mail to one address with the due items of its projects and a link to each
    (built inside an app context with a request context, for url_for)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = address
    message["Subject"] = (f"Glaswände: {len(entries)} Projekt braucht Ihre Aufmerksamkeit" if len(entries) == 1
                          else f"Glaswände: {len(entries)} Projekte brauchen Ihre Aufmerksamkeit")
    lines = ["Guten Tag,", "", "bei diesen Projekten ist heute etwas fällig:", ""]
    for entry in entries:
        lines.append(f"{entry.title} ({entry.municipality_name}, Monat {entry.month} von {entry.months})")
        lines += [f"  – {line}" for line in projects.due_lines(entry, quiet_days)]
        lines.append(f"  {base_url}{url_for('projects.edit', project_id=entry.id)}")
        lines.append("")
    lines += [f"Die Jahresuhr aller Projekte: {base_url}{url_for('projects.index')}", "",
              "Diese Nachricht kommt automatisch von „Finde die Glaswände!“ (glaswaende projects remind)."]
    message.set_content("\n".join(lines))
    return message


def send_mails(config, messages: list[EmailMessage]) -> None:
    """Send over the configured SMTP server (STARTTLS and sign-in if set), one connection."""
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        for message in messages:
            smtp.send_message(message)


@click.group("projects", help="Projekte der Koordination: Erinnerungen an Fälliges.")
def projects_cli():
    pass


@projects_cli.command("remind", help="Listet, was bei den Projekten fällig ist (überfällige Meilensteine, lange "
                                     "keine Neuigkeit, Begleitung endet bald oder ist beendet, Status noch „läuft“), "
                                     "und schickt mit SMTP-Einstellungen jeder verantwortlichen Person eine E-Mail.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Stichtag (JJJJ-MM-TT) statt heute, z. B. zum Prüfen.")
@click.option("--dry-run", is_flag=True, help="Nur auflisten, keine E-Mail senden.")
@with_appcontext
def remind_command(today: dt.datetime | None, dry_run: bool):
    config = current_app.config
    day = today.date() if today else dt.datetime.now(ZoneInfo(config["TIME_ZONE"])).date()
    quiet_days = config["PROJECT_UPDATE_DUE_DAYS"]
    with current_app.test_request_context(), force_locale("de"):
        with engine().connect() as conn:
            entries = [e for e in projects.year_clock(conn, config["COUNTY_KEY"], day, config["TIME_ZONE"], quiet_days)
                       if e.due]
            coordinators = projects.coordinator_addresses(conn)
        if not entries:
            click.echo(f"Am {day.strftime('%d.%m.%Y')} ist bei keinem Projekt etwas fällig.")
            return
        click.echo(f"Fällig am {day.strftime('%d.%m.%Y')}:")
        for entry in entries:
            who = entry.responsible_name or "niemand verantwortlich"
            click.echo(f"Projekt {entry.id} „{entry.title}“ ({entry.municipality_name}; {who}):")
            for line in projects.due_lines(entry, quiet_days):
                click.echo(f"  – {line}")
        recipients = projects.reminder_recipients(entries, coordinators)
        unreached = [e for e in entries if not any(e in listed for listed in recipients.values())]
        for entry in unreached:
            click.echo(f"Keine E-Mail-Adresse für Projekt {entry.id}: weder die verantwortliche Person noch eine "
                       f"Koordinatorin oder ein Koordinator hat eine (glaswaende user add … --email).")
        if not config["SMTP_HOST"]:
            click.echo("Keine SMTP-Einstellungen (GLASWAENDE_SMTP_HOST): nur aufgelistet, keine E-Mails gesendet.")
            return
        base_url = public_base_url(config)
        messages = [reminder_mail(config["SMTP_FROM"], address, listed, quiet_days, base_url)
                    for address, listed in sorted(recipients.items())]
    if dry_run:
        for message in messages:
            click.echo(f"Probelauf: E-Mail an {message['To']} würde gesendet ({message['Subject']}).")
        return
    try:
        send_mails(config, messages)
    except (OSError, smtplib.SMTPException) as error:
        raise click.ClickException(f"Die E-Mails konnten nicht gesendet werden: {error}") from None
    for message in messages:
        click.echo(f"E-Mail an {message['To']} gesendet.")


def init_app(app: Flask) -> None:
    """The coordinators' project pages under /koordination and the `projects` commands."""
    app.register_blueprint(blueprint)
    app.cli.add_command(projects_cli)
