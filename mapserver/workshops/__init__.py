"""Workshop pages (/workshops/): create and manage workshops, the projected presentation (with its
quick field for ideas, key I), the join QR code, the offline copy and the poster. Role
`facilitator` (or admin). Public: a resident's idea sent through the join link (/w/<code>/idee)."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import click
import segno
from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request, url_for
from flask.cli import with_appcontext
from flask_babel import gettext as _

from .. import limits
from ..auth import current_account, restrict_blueprint
from ..db import engine
from ..errors import GlaswaendeError, InvalidInput, MalformedRequest, NotFound
from ..i18n import s_
from ..map_style import browser_style
from ..maps.base_map import page_map_settings
from ..maps.offline import offline_page
from ..maps.poster import workshop_poster
from ..security import with_nonce
from ..services import areas, disclosure, presentation, workshops
from ..vocabulary import DIMENSIONS, IDEA_TEXT_MAX_LENGTH, IDEA_TITLE_MAX_LENGTH
from . import ideas

blueprint = Blueprint("workshops", __name__, url_prefix="/workshops")
# What residents do through a workshop's join link besides pins: send an idea (no account).
join_blueprint = Blueprint("workshop_join", __name__)


restrict_blueprint(blueprint, "facilitator")


def _county_key() -> str:
    return current_app.config["COUNTY_KEY"]


def presentation_messages() -> dict:
    """What the presentation's script says, in the staff language ({name} placeholders are filled
    in by the script)."""
    return {
        "categories": {"divided": s_("Glaswand"), "missing_meeting_place": s_("Ort der Begegnung fehlt"),
                       "meeting_place": s_("Man kommt gut zusammen")},
        "dimensions": {"social": s_("Soziales"), "generations": s_("Generationen"),
                       "origin": s_("Herkunft, Kultur, Sprache"), "income": s_("Einkommen"),
                       "mobility": s_("Verkehr und Wege"), "other": s_("Anderes")},
        "no_run": s_("Noch keine Auswertung berechnet."),
        "no_hotspots_what_is_there": s_("Keine Hotspots: Nirgends liegen so viele Pins beisammen, dass Zufall als "
                                        "Erklärung ausscheidet. Die Karte zeigt, wo bisher die meisten Pins liegen."),
        "hotspot_title": s_("Hotspot {number} von {total}"),
        "hotspot_counts": s_("{pins} Pins (erwartet {expected}) · {confidence} % Konfidenz"),
        "category_count": s_("{category}: {count}"),
        "dimension_count": s_("{dimension}: {count}"),
        "fewer_than": s_("weniger als {k}"),
        "densest_district": s_("dichtester Ortsteil"),
        "dense_district_rank": s_("{rank}. dichtester Ortsteil"),
        "dense_district_item": s_("{name}: {pins} Pins, {density} je km² – kein Hotspot"),
        "cluster_no_hotspot": s_("dichte Häufung – kein Hotspot"),
        "cluster_in_hotspot": s_("dichte Häufung im Hotspot"),
        "legend_dense": s_("Dichteste Ortsteile (Pins je km², kein Hotspot)"),
        "legend_clusters": s_("Dichte Häufung: mindestens {k} Pins nah beieinander"),
        "legend_heat": s_("Dichte der Pins: hell wenige, dunkel viele"),
        "legend_grid": s_("Pins je Wabe (ab {k}): hell wenige, dunkel viele"),
        "legend_live": s_("Pins aus diesem Workshop (Waben ab {k} Pins)"),
        "legend_pulse": s_("Neuer Pin aus dem Saal: sein Ortsteil leuchtet kurz auf"),
        "arrival_one": s_("Ein neuer Pin ist angekommen"),
        "arrival_many": s_("{count} neue Pins sind angekommen"),
        "new_pins": s_("{count}+ neu"),
        "idea_for_hotspot": s_("Die Idee gehört zu Hotspot {number}."),
        "idea_for_district": s_("Die Idee gehört zum Ortsteil {name}."),
        "idea_for_municipality": s_("Die Idee gehört zur ganzen Gemeinde {name}."),
        "idea_saved": s_("Idee „{title}“ gespeichert."),
        "idea_failed": s_("Die Idee wurde nicht gespeichert: {reason}"),
        "idea_offline": s_("Keine Verbindung – die Idee wurde nicht gespeichert. Bitte noch einmal senden."),
        "ideas_count_one": s_("1 Idee aus diesem Workshop"),
        "ideas_count_many": s_("{count} Ideen aus diesem Workshop"),
        "ideas_pending": s_("{count} weitere von Handys warten auf die Prüfung"),
    }


def join_url(join_code: str) -> str:
    return url_for("web.join_workshop", join_code=join_code, _external=True)


@blueprint.get("/")
def index():
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        listing = workshops.list_workshops(conn, _county_key())
        municipalities = areas.municipality_list(conn, _county_key())
        choices = workshops.district_choices(conn, _county_key())
    return render_template("workshops/index.html", county=county, workshops=listing, municipalities=municipalities,
                           district_choices=choices,
                           account=current_account(), today=dt.date.today().isoformat())


@blueprint.post("/")
def create():
    data = workshops.WorkshopInput.from_form(request.form)
    with engine().begin() as conn:
        workshop_id = workshops.create_workshop(conn, _county_key(), current_account(), data)
    return redirect(url_for("workshops.detail", workshop_id=workshop_id), code=303)


@blueprint.get("/<int(max=2147483647):workshop_id>")
def detail(workshop_id: int):
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        item = workshops.workshop(conn, workshop_id)
        municipalities = areas.municipality_list(conn, _county_key())
        choices = workshops.district_choices(conn, _county_key())
    return render_template("workshops/detail.html", county=county, workshop=item, join_url=join_url(item["join_code"]),
                           district_choices=choices, municipalities=municipalities,
                           account=current_account())


@blueprint.post("/<int(max=2147483647):workshop_id>")
def update(workshop_id: int):
    data = workshops.WorkshopInput.from_form(request.form)
    with engine().begin() as conn:
        workshops.update_workshop(conn, _county_key(), current_account(), workshop_id, data)
    return redirect(url_for("workshops.detail", workshop_id=workshop_id), code=303)


@blueprint.post("/<int(max=2147483647):workshop_id>/loeschen")
def delete(workshop_id: int):
    with engine().begin() as conn:
        workshops.delete_workshop(conn, current_account(), workshop_id)
    return redirect(url_for("workshops.index"), code=303)


def _rules() -> disclosure.Rules:
    return disclosure.Rules.from_config(current_app.config)


@blueprint.get("/<int(max=2147483647):workshop_id>/praesentation")
def present(workshop_id: int):
    with engine().connect() as conn:
        item = workshops.workshop(conn, workshop_id)
        county = areas.county(conn, _county_key())
    return render_template("workshops/presentation.html", workshop=item, join_url=join_url(item["join_code"]),
                           map_settings=page_map_settings(current_app.config, county), map_style=browser_style(),
                           js_messages=presentation_messages(), dimensions=DIMENSIONS,
                           title_max_length=IDEA_TITLE_MAX_LENGTH, text_max_length=IDEA_TEXT_MAX_LENGTH)


@blueprint.get("/<int(max=2147483647):workshop_id>/praesentation/ideen")
def presentation_ideas(workshop_id: int):
    with engine().connect() as conn:
        workshops.workshop(conn, workshop_id)
        body = ideas.collected(conn, workshop_id)
    response = current_app.json.response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/<int(max=2147483647):workshop_id>/praesentation/idee")
def presentation_idea(workshop_id: int):
    """An idea keyed in on the presentation (JSON: title, body, dimensions, run_id, hotspot_number)."""
    form = request.get_json(silent=True)
    if not isinstance(form, dict):
        raise MalformedRequest(s_("Bitte senden Sie die Idee als JSON-Objekt."))
    with engine().begin() as conn:
        item = workshops.workshop(conn, workshop_id)
        created = ideas.presentation_idea(conn, _county_key(), current_account(), item, form, _rules())
        body = {"idea": created, "collected": ideas.collected(conn, workshop_id)}
    return current_app.json.response(body), 201


@blueprint.get("/<int(max=2147483647):workshop_id>/praesentation/daten")
def presentation_data(workshop_id: int):
    with engine().connect() as conn:
        item = workshops.workshop(conn, workshop_id)
        body = presentation.presentation_data(conn, _county_key(), item, _rules())
    return body


@blueprint.get("/<int(max=2147483647):workshop_id>/live")
def live(workshop_id: int):
    with engine().begin() as conn:  # a new snapshot is stored
        body = workshops.live_state(conn, workshop_id, current_app.config["HOTSPOT_CELL_SIZE_M"], _rules())
    response = current_app.json.response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/<int(max=2147483647):workshop_id>/qr.svg")
def qr_code(workshop_id: int):
    with engine().connect() as conn:
        item = workshops.workshop(conn, workshop_id)
    # A standalone SVG document (with its namespace) scales sharply to any size, also in <img>.
    buffer = io.BytesIO()
    segno.make(join_url(item["join_code"]), error="m").save(buffer, kind="svg", scale=10, border=2, dark="#000",
                                                            light="#fff", xmldecl=False, svgns=True,
                                                            title=s_("QR-Code zum Workshop-Link"))
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


def offline_html(conn, item: dict) -> str:
    """The workshop's map as one self-contained HTML file."""
    config = current_app.config
    data = presentation.offline_map_data(conn, config["COUNTY_KEY"], item, _rules())
    county = areas.county(conn, config["COUNTY_KEY"])
    return offline_page(data, url_for("static", filename="").rstrip("/"), Path(current_app.static_folder),
                        page_map_settings(config, county))


def poster_file(conn, item: dict, fmt: str) -> bytes:
    config = current_app.config
    data = presentation.offline_map_data(conn, config["COUNTY_KEY"], item, _rules())
    county = areas.county(conn, config["COUNTY_KEY"])
    facts = presentation.poster_facts(conn, config["COUNTY_KEY"], item, _rules())
    return workshop_poster(data, item, county.title, page_map_settings(config, county), fmt,
                           join_url=join_url(item["join_code"]), facts=facts)


def _download(content: bytes | str, item: dict, suffix: str, mimetype: str) -> Response:
    filename = f"glaswaende-workshop-{item['id']}-{item['held_on'].isoformat()}.{suffix}"
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@blueprint.get("/<int(max=2147483647):workshop_id>/offline.html")
def offline(workshop_id: int):
    with engine().connect() as conn:
        item = workshops.workshop(conn, workshop_id)
        html = offline_html(conn, item)
    # A download, but a browser may still open it from here: its inline code gets the nonce.
    return _download(with_nonce(html), item, "html", "text/html")


@blueprint.get("/<int(max=2147483647):workshop_id>/plakat.<fmt>")
def poster_download(workshop_id: int, fmt: str):
    if fmt not in ("pdf", "png"):
        return redirect(url_for("workshops.poster_download", workshop_id=workshop_id, fmt="pdf"))
    with engine().connect() as conn:
        item = workshops.workshop(conn, workshop_id)
        content = poster_file(conn, item, fmt)
    return _download(content, item, fmt, "application/pdf" if fmt == "pdf" else "image/png")


@click.group("workshop", help="Workshops: Offline-Karte und Plakat exportieren.")
def workshop_cli():
    pass


@workshop_cli.command("export", help="Offline-Karte (HTML) und/oder Plakat (PDF, PNG) eines Workshops schreiben.")
@click.argument("workshop_id", type=int)
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), help="Offline-Karte als eine HTML-Datei.")
@click.option("--pdf", "pdf_file", type=click.Path(dir_okay=False, path_type=Path), help="Plakat A3 quer als PDF.")
@click.option("--png", "png_file", type=click.Path(dir_okay=False, path_type=Path), help="Plakat A3 quer als PNG.")
@with_appcontext
def export_command(workshop_id: int, html_file: Path | None, pdf_file: Path | None, png_file: Path | None):
    if not (html_file or pdf_file or png_file):
        raise click.UsageError("Bitte --html, --pdf oder --png angeben.")
    # Links in the files are built as in a request to the configured site.
    with current_app.test_request_context(), engine().connect() as conn:
        try:
            item = workshops.workshop(conn, workshop_id)
            if html_file:
                html_file.write_text(offline_html(conn, item), encoding="utf-8")
                click.echo(f"Offline-Karte: {html_file}")
            for path, fmt in ((pdf_file, "pdf"), (png_file, "png")):
                if path:
                    path.write_bytes(poster_file(conn, item, fmt))
                    click.echo(f"Plakat ({fmt.upper()}): {path}")
        except GlaswaendeError as error:
            raise click.ClickException(error.detail) from None


def _join_idea_page(workshop: dict, status: int = 200, errors: list | None = None, form=None, sent: bool = False):
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
    return render_template("workshops/join_idea.html", county=county, workshop=workshop, errors=errors or [],
                           form=form, sent=sent), status


def _joined(join_code: str) -> dict:
    with engine().connect() as conn:
        workshop = workshops.by_join_code(conn, join_code)
    if workshop is None:
        raise NotFound(_("Diesen Workshop-Link gibt es nicht (mehr). Bitte fragen Sie die Moderation nach dem aktuellen Link."))
    return workshop


@join_blueprint.get("/w/<join_code>/idee")
def idea_form(join_code: str):
    return _join_idea_page(_joined(join_code), sent=request.args.get("gesendet") == "1")


@join_blueprint.post("/w/<join_code>/idee")
def send_idea(join_code: str):
    """A resident's idea from a phone through the join link (a plain form: works without script)."""
    workshop = _joined(join_code)
    # The room's many phones share an address only while the workshop runs (as pins through its
    # link); any other day the link is one more public idea form.
    if limits.running_workshop_link(workshop["join_code"]):
        limits.per_address("WORKSHOP_IDEA_LIMIT_PER_ADDRESS", "workshop-idea")
    else:
        limits.per_address("IDEA_LIMIT_PER_ADDRESS", "ideas")
    if request.form.get("website"):  # a field people do not see: only robots fill it in
        return _join_idea_page(workshop, 422, [{"field": "website", "message": _("Bitte lassen Sie das Feld „Website“ "
                                                                                 "leer.")}], request.form)
    try:
        with engine().begin() as conn:
            ideas.phone_idea(conn, _county_key(), workshop, request.form.get("title"), request.form.get("body"),
                             request.form.getlist("dimensions"))
    except InvalidInput as error:
        return _join_idea_page(workshop, 422, error.errors, request.form)
    return redirect(url_for("workshop_join.idea_form", join_code=workshop["join_code"], gesendet=1), code=303)


def init_app(app: Flask) -> None:
    """The workshop pages under /workshops, the ideas sent through a join link (/w/<code>/idee)
    and the `workshop` commands."""
    app.register_blueprint(blueprint)
    app.register_blueprint(join_blueprint)
    # The join idea form is included in the resident municipality page too (web/municipality.html).
    app.jinja_env.globals["workshop_idea_form"] = {"title_max_length": IDEA_TITLE_MAX_LENGTH,
                                                   "text_max_length": IDEA_TEXT_MAX_LENGTH, "dimensions": DIMENSIONS}
    app.cli.add_command(workshop_cli)
