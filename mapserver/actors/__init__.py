"""Local actors and places ("Hier gibt es schon …"): clubs, initiatives, schools, parishes, meeting
places that already exist, kept by the county's coordinators (/koordination/akteure), imported from
a CSV, a GeoPackage, a GeoJSON file or a zipped Shapefile (the page's upload form and `glaswaende
actors import`), shown on the resident and workshop maps as an optional layer from the public
GET /api/actors."""
from __future__ import annotations

import tempfile
from pathlib import Path

import click
from flask import Blueprint, Flask, Response, current_app, flash, json, redirect, render_template, request, url_for
from flask.cli import with_appcontext
from flask_babel import gettext as _

from ..auth import current_account, restrict_blueprint
from ..db import engine
from ..request_body import allow_larger_bodies
from ..errors import GlaswaendeError, ImportProblem, InvalidInput
from ..i18n import s_
from ..maps.base_map import page_map_settings
from ..services import areas
from ..vocabulary import ACTOR_KINDS
from . import importing, records

blueprint = Blueprint("actors", __name__, url_prefix="/koordination/akteure")
restrict_blueprint(blueprint, "coordinator")

# The public layer's data, for the resident and workshop maps (no sign-in, no cookies needed).
api_blueprint = Blueprint("actors_api", __name__)


def _county_key() -> str:
    return current_app.config["COUNTY_KEY"]


def _page(template: str, status: int = 200, **context):
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        municipalities = areas.municipality_list(conn, _county_key())
        districts = areas.district_list(conn, _county_key())
    return render_template(template, county=county, municipalities=municipalities, district_choices=districts,
                           kinds=ACTOR_KINDS, map_settings=page_map_settings(current_app.config, county),
                           account=current_account(), lengths=records, **context), status


def _index(status: int = 200, errors: list | None = None, form: records.ActorInput | None = None,
           import_report: importing.ImportReport | None = None, import_error: str | None = None):
    ags = request.args.get("gemeinde") or None
    ags = ags if ags and areas.AGS_PATTERN.fullmatch(ags) else None
    kind = request.args.get("art") or None
    with engine().connect() as conn:
        actors = records.listing(conn, _county_key(), ags, kind if kind in ACTOR_KINDS else None)
    return _page("actors/index.html", status, actors=actors, chosen_ags=ags, chosen_kind=kind, errors=errors or [],
                 form=form or records.ActorInput(), import_report=import_report, import_error=import_error)


@blueprint.get("/")
def index():
    return _index()


@blueprint.post("/")
def create():
    given = records.ActorInput.from_form(request.form)
    try:
        with engine().begin() as conn:
            actor = records.checked(conn, _county_key(), given)
            records.create(conn, _county_key(), actor, current_account().id)
    except InvalidInput as error:
        return _index(422, error.errors, given)
    flash(s_("„%(name)s“ ist gespeichert.", name=actor.name))
    return redirect(url_for("actors.index"), code=303)


@blueprint.get("/<int(max=2147483647):actor_id>")
def edit(actor_id: int):
    with engine().connect() as conn:
        row = records.one(conn, _county_key(), actor_id)
    return _page("actors/edit.html", actor=row, form=records.as_input(row), errors=[])


@blueprint.post("/<int(max=2147483647):actor_id>")
def update(actor_id: int):
    given = records.ActorInput.from_form(request.form)
    with engine().connect() as conn:
        row = records.one(conn, _county_key(), actor_id)
    try:
        with engine().begin() as conn:
            actor = records.checked(conn, _county_key(), given)
            records.update(conn, _county_key(), actor_id, actor, current_account().id)
    except InvalidInput as error:
        return _page("actors/edit.html", 422, actor=row, form=given, errors=error.errors)
    flash(s_("„%(name)s“ ist geändert.", name=actor.name))
    return redirect(url_for("actors.index"), code=303)


@blueprint.post("/<int(max=2147483647):actor_id>/loeschen")
def delete(actor_id: int):
    with engine().begin() as conn:
        records.delete(conn, _county_key(), actor_id, current_account().id)
    flash(s_("Der Eintrag ist gelöscht."))
    return redirect(url_for("actors.index"), code=303)


# A GeoPackage is larger than any form: the import reads up to its own limit.
allow_larger_bodies(blueprint, {"actors.upload": lambda config: config["ACTOR_IMPORT_MAX_BYTES"]}, "coordinator")


@blueprint.post("/import")
def upload():
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        return _index(422, import_error=s_("Bitte wählen Sie eine Datei aus."))
    try:
        with tempfile.TemporaryDirectory() as folder:
            # Not under the client's name: the format is told by the content (importing.read_rows).
            path = Path(folder) / "upload"
            upload_file.save(path)
            rows, line_word = importing.read_rows(path, upload_file.filename)
            with engine().begin() as conn:
                report = importing.import_rows(conn, _county_key(), rows, current_account().id,
                                               dry_run=bool(request.form.get("dry_run")),
                                               skip_bad_rows=bool(request.form.get("skip_bad_rows")),
                                               line_word=line_word)
    except ImportProblem as error:
        return _index(422, import_error=error.detail)
    return _index(422 if report.refused and not report.written and not report.dry_run else 200, import_report=report)


@api_blueprint.get("/api/actors")
def actors_geojson():
    ags = request.args.get("municipality", "")
    if not areas.AGS_PATTERN.fullmatch(ags):
        raise InvalidInput(_("Bitte geben Sie die Gemeinde mit ihrem achtstelligen Gemeindeschlüssel an "
                             "(?municipality=03252008)."),
                           [{"field": "municipality", "message": _("Ein achtstelliger Gemeindeschlüssel (AGS).")}])
    with engine().connect() as conn:
        body = records.geojson(conn, _county_key(), ags)
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/geo+json")


@click.group("actors", help="Lokale Akteure und Orte (Vereine, Initiativen, Schulen …).")
def actors_cli():
    pass


@actors_cli.command("import", help="Akteure aus einer CSV-Datei (name;kind;contact;description;municipality oder ags;"
                                   "ortsteil;lat;lon), einem GeoPackage, einer GeoJSON-Datei oder einem gezippten "
                                   "Shapefile importieren; nichts wird geschrieben, solange eine Zeile fehlerhaft ist.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Nur prüfen, nichts schreiben.")
@click.option("--skip-bad-rows", is_flag=True, help="Fehlerhafte Zeilen überspringen und die übrigen importieren.")
@with_appcontext
def import_command(file: Path, dry_run: bool, skip_bad_rows: bool):
    try:
        rows, line_word = importing.read_rows(file)
        with engine().begin() as conn:
            report = importing.import_rows(conn, _county_key(), rows, None, dry_run=dry_run,
                                           skip_bad_rows=skip_bad_rows, line_word=line_word)
    except GlaswaendeError as error:
        raise click.ClickException(error.detail) from None
    click.echo(report.summary())
    if report.refused and not report.written:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """The coordinators' pages under /koordination/akteure, the public GET /api/actors and the
    `actors` commands."""
    app.register_blueprint(blueprint)
    app.register_blueprint(api_blueprint)
    app.cli.add_command(actors_cli)
