"""Resident pages: the county map, a municipality's map with the pin form."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, flash, json, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..db import engine
from ..errors import NotFound
from ..maps.base_map import page_map_settings
from ..services import areas, own_pins, workshops
from ..vocabulary import AGE_BANDS, CATEGORIES, CATEGORIES_ASKING_WHAT_DIVIDES, COMMENT_MAX_LENGTH, DIMENSIONS, YEARS_HERE

blueprint = Blueprint("web", __name__)


def pin_form_messages() -> dict:
    """What the pin form's script says, in this request's language ({name} placeholders are
    filled in by the script)."""
    return {
        "no_place": _("Bitte wählen Sie zuerst den Ort: auf der Karte oder ohne Karte aus der Liste der Ortsteile."),
        "no_place_yet": _("Noch kein Ort gewählt."),
        "choose_district_first": _("Bitte wählen Sie zuerst einen Ortsteil aus der Liste."),
        "choose_category": _("Bitte wählen Sie, was hier ist."),
        "chosen_point": _("Gewählter Ort: {lat}, {lon}. Sie können den Pin noch verschieben."),
        "chosen_place": _("Gewählter Ort: {place}. Sie können den Pin noch verschieben."),
        "outside_municipality": _("Dieser Punkt liegt in {name}, nicht in dieser Gemeinde. Der Pin wurde nicht gesetzt."),
        "switch_municipality": _("Zur Karte von {name} wechseln"),
        "chosen_district": _("Gewählter Ort: Ortsteil {name} (ohne Karte). Der Pin steht in der Mitte des Ortsteils."),
        "refused": _("Der Pin wurde nicht angenommen."),
        "locate_unsupported": _("Ihr Browser kann den Standort nicht ermitteln."),
        "locating": _("Standort wird ermittelt …"),
        "locate_failed": _("Der Standort ist nicht verfügbar. Bitte tippen Sie auf die Karte."),
        "districts_failed": _("Die Ortsteile konnten nicht geladen werden. Sie können trotzdem einen Pin setzen."),
        "approximate": _("Ortsteile: ungefähre Grenzen"),
        "your_pin": _("Ihr Pin"),
        "sending": _("Wird gesendet …"),
        "send": _("Pin senden"),
        "arrived": _("Ihr Pin ist angekommen. Er liegt im Ortsteil {place}."),
        "comment_checked": _("Ihr Kommentar wird nach einer Prüfung sichtbar."),
        "waiting": _("Ihr Pin ist auf diesem Gerät gespeichert. Die Verbindung ist gerade gestört; er wird automatisch "
                     "gesendet, sobald sie wieder da ist. Sie können die Seite schließen und später wiederkommen."),
        "arrived_later": _("Ihr gespeicherter Pin ist jetzt angekommen. Vielen Dank!"),
        "outbox_one": _("1 Pin wartet darauf, gesendet zu werden."),
        "outbox_many": _("{count} Pins warten darauf, gesendet zu werden."),
        "copied": _("Der Link ist kopiert."),
        "copy_by_hand": _("Bitte kopieren Sie den Link von Hand."),
        "comment_count": _("{count} von {max} Zeichen"),
    }


@blueprint.get("/")
def county_map():
    key = current_app.config["COUNTY_KEY"]
    with engine().connect() as conn:
        county = areas.county(conn, key)
        municipalities = areas.municipality_list(conn, key)
        districts = areas.district_list(conn, key)
    return render_template("web/county.html", county=county, municipalities=municipalities, districts=districts,
                           map_settings=page_map_settings(current_app.config, county))


@blueprint.get("/w/<join_code>")
def join_workshop(join_code: str):
    """The join link behind a workshop's QR code: the resident page for exactly its area."""
    with engine().connect() as conn:
        workshop = workshops.by_join_code(conn, join_code)
    if workshop is None:
        raise NotFound(_("Diesen Workshop-Link gibt es nicht (mehr). Bitte fragen Sie die Moderation nach dem aktuellen Link."))
    return redirect(url_for("web.municipality_map", ags=workshop["municipality_ags"], workshop=workshop["join_code"]))


@blueprint.get("/gemeinde/<ags>")
def municipality_map(ags: str):
    key = current_app.config["COUNTY_KEY"]
    with engine().connect() as conn:
        county = areas.county(conn, key)
        municipality = areas.municipality(conn, key, ags)
        workshop, bounds = workshops.joined_area(conn, key, municipality, request.args.get("workshop", ""))
        districts = areas.district_list(conn, key, ags)
    chosen = request.args.get("ortsteil", type=int)
    return render_template(
        "web/municipality.html", county=county, municipality=municipality,
        map_settings=page_map_settings(current_app.config, county),
        workshop=workshop, bounds=bounds, districts=districts,
        chosen_district=chosen if any(d["id"] == chosen for d in districts) else None,
        categories=CATEGORIES, dimensions=DIMENSIONS, age_bands=AGE_BANDS, years_here=YEARS_HERE,
        categories_asking_what_divides=CATEGORIES_ASKING_WHAT_DIVIDES,
        comment_max_length=COMMENT_MAX_LENGTH, js_messages=pin_form_messages())


SEARCH_MAX_LENGTH = 100


@blueprint.get("/ortsteile")
def district_search():
    """The Ortsteil search by name: each match links to its municipality's page with the district
    chosen for a pin without the map."""
    # Printable text only (PostgreSQL refuses NUL), spaces collapsed, at most 100 characters.
    query = " ".join("".join(c for c in request.args.get("name", "") if c.isprintable()).split())[:SEARCH_MAX_LENGTH]
    key = current_app.config["COUNTY_KEY"]
    with engine().connect() as conn:
        county = areas.county(conn, key)
        matches = areas.district_list(conn, key, name=query) if query else []
    if len(matches) == 1:
        match = matches[0]
        return redirect(url_for("web.municipality_map", ags=match["municipality_ags"], ortsteil=match["id"],
                                _anchor="ohne-karte"))
    return render_template("web/district_search.html", county=county, query=query, matches=matches)


@blueprint.get("/datenschutz")
def privacy_notice():
    key = current_app.config["COUNTY_KEY"]
    with engine().connect() as conn:
        county = areas.county(conn, key)
    config = current_app.config
    return render_template("web/privacy.html", county=county, controller=config["PRIVACY_CONTROLLER"] or county.title,
                           contact=config["PRIVACY_CONTACT"], officer=config["PRIVACY_OFFICER"],
                           campaign_end=config["CAMPAIGN_END"], retention_days=config["SELF_DESCRIPTION_RETENTION_DAYS"],
                           privacy_k=config["PRIVACY_K"], max_deviation=config["DISCLOSURE_MAX_DEVIATION"],
                           feedback_retention_days=config["FEEDBACK_RETENTION_DAYS"])


_EDIT_KEY_SLOT = "EDITKEY"
EDIT_LINKS = "glaswaende.edit_links"  # app.extensions: address -> (before, after) the edit key
KNOWN_ADDRESSES = 64


def edit_url(edit_key: str) -> str:
    """The private edit link a resident receives with their pin. Built by url_for once per address
    the app is reached at (a trusted host, scheme and root: few), then the key is put in (edit keys
    are URL-safe): url_for cost a pin 25 µs, a thirtieth of its CPU."""
    links = current_app.extensions.setdefault(EDIT_LINKS, {})
    # The parts url_for builds the link from, as the request has them (request.host_url would
    # decode and re-encode the whole address on every pin: 40 µs).
    address = (request.scheme, request.host, request.root_path)
    parts = links.get(address)
    if parts is None:
        parts = url_for("web.own_pins_page", edit_key=_EDIT_KEY_SLOT, _external=True).split(_EDIT_KEY_SLOT)
        if len(links) < KNOWN_ADDRESSES:  # a trusted host's port is not checked: each is an address
            links[address] = parts
    before, after = parts
    return before + edit_key + after


def known_edit_link(app: Flask, address: tuple[str, str, str]) -> tuple[str, str] | None:
    """The edit link around its key, (before, after), for an address (scheme, host, root path)
    that edit_url built one for already; None for an address not seen yet. For the pin intake
    below Flask (api/intake.py), which has no url_for: it leaves a new address to the view."""
    return app.extensions.get(EDIT_LINKS, {}).get(address)


def _private(response: Response) -> Response:
    """Pages behind a private edit link: never cached, never indexed, never named as referrer
    (not even to our own static files, which a logging proxy might record)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@blueprint.get("/meine-pins/<edit_key>")
def own_pins_page(edit_key: str):
    with engine().connect() as conn:
        county = areas.county(conn, current_app.config["COUNTY_KEY"])
        pins = own_pins.own_pins(conn, edit_key)
        followup = own_pins.followup(conn, edit_key)
    page = render_template("web/own_pins.html", county=county, pins=pins, edit_key=edit_key, followup=followup,
                           comment_max_length=COMMENT_MAX_LENGTH, map_settings=page_map_settings(current_app.config, county),
                           **own_pins.LABELS)
    return _private(Response(page, mimetype="text/html"))


@blueprint.get("/meine-pins/<edit_key>/pins.json")
def own_pins_download(edit_key: str):
    with engine().connect() as conn:
        body = own_pins.as_json(own_pins.own_pins(conn, edit_key))
    return _private(Response(json.dumps(body, ensure_ascii=False, indent=2), mimetype="application/json",
                             headers={"Content-Disposition": 'attachment; filename="meine-glaswaende-pins.json"'}))


@blueprint.post("/meine-pins/<edit_key>/<client_id>")
def change_own_pin(edit_key: str, client_id: str):
    change = own_pins.change_from_form(request.form)
    with engine().begin() as conn:
        moved_to = own_pins.change_own_pin(conn, edit_key, client_id, change, current_app.config["COUNTY_KEY"])
    flash(_("Ihre Änderung ist gespeichert. Ein geänderter Kommentar wird vor dem Erscheinen wieder geprüft."))
    if moved_to:
        flash(_("Ihr Pin liegt jetzt hier: %(place)s.", place=moved_to))
    return redirect(url_for("web.own_pins_page", edit_key=edit_key), code=303)


def _confirm_deletion(edit_key: str, client_id: str | None):
    """A deletion not yet confirmed (a form sent without JavaScript, or a script's first step):
    the page that asks, listing what would go; nothing is deleted."""
    with engine().connect() as conn:
        county = areas.county(conn, current_app.config["COUNTY_KEY"])
        pins = own_pins.own_pins(conn, edit_key)
    chosen = [p for p in pins if client_id is None or str(p["client_id"]) == client_id]
    if not chosen:
        raise NotFound(_("Diesen Pin gibt es unter Ihrem Link nicht."))
    page = render_template("web/own_pins_delete.html", county=county, pins=chosen, edit_key=edit_key,
                           client_id=client_id, categories=own_pins.LABELS["categories"])
    return _private(Response(page, mimetype="text/html"))


def _confirmed() -> bool:
    return request.form.get("confirmed") == "ja"


@blueprint.post("/meine-pins/<edit_key>/<client_id>/loeschen")
def delete_own_pin(edit_key: str, client_id: str):
    if not _confirmed():
        return _confirm_deletion(edit_key, client_id)
    with engine().begin() as conn:
        remaining = own_pins.delete_own_pins(conn, edit_key, client_id)[1]
    flash(_("Ihr Pin ist gelöscht."))
    if remaining:
        return redirect(url_for("web.own_pins_page", edit_key=edit_key), code=303)
    return redirect(url_for("web.county_map"), code=303)


@blueprint.post("/meine-pins/<edit_key>/loeschen")
def delete_all_own_pins(edit_key: str):
    if not _confirmed():
        return _confirm_deletion(edit_key, None)
    with engine().begin() as conn:
        deleted = own_pins.delete_own_pins(conn, edit_key)[0]
    flash(_("Alle Ihre Pins sind gelöscht.") if deleted > 1 else _("Ihr Pin ist gelöscht."))
    return redirect(url_for("web.county_map"), code=303)


@blueprint.get("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@blueprint.get("/healthz")
def health():
    with engine().connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    return {"status": "ok"}


def init_app(app: Flask) -> None:
    """The resident pages (no URL prefix: they are the site)."""
    app.register_blueprint(blueprint)
