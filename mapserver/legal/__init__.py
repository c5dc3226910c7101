"""The pages a German public body must have, beside the privacy notice: the Impressum and the
Erklärung zur Barrierefreiheit (BITV 2.0) with its feedback channel, whose messages the
moderators read at /barrierefreiheit/rueckmeldungen. Filled from the deployment's settings
(GLASWAENDE_PRIVACY_CONTROLLER, GLASWAENDE_PRIVACY_CONTACT): the app warns at start while
they are missing."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from .. import limits
from ..auth import current_account, require_role
from ..db import engine
from ..errors import InvalidInput
from ..maps.base_map import page_map_settings
from ..services import areas, moderation
from . import feedback

blueprint = Blueprint("legal", __name__)

# When the accessibility statement was last checked against the site (BITV 2.0 § 7 asks for it).
STATEMENT_DATE = dt.date(2026, 12, 4)


def _county():
    with engine().connect() as conn:
        return areas.county(conn, current_app.config["COUNTY_KEY"])


def _provider(county) -> dict:
    """Who offers the site and how to reach them, as configured (None where not yet set)."""
    config = current_app.config
    return {"name": config["PRIVACY_CONTROLLER"] or county.title, "named": bool(config["PRIVACY_CONTROLLER"]),
            "contact": config["PRIVACY_CONTACT"] or None}


@blueprint.get("/impressum")
def imprint():
    county = _county()
    settings = page_map_settings(current_app.config, county)
    base_map = [Markup(settings["tile_attribution"]).striptags()] if settings["tile_url"] else []
    return render_template("legal/imprint.html", county=county, provider=_provider(county),
                           attributions=[*base_map, *settings["data_attributions"]])


def _statement(county, status: int = 200, errors: list | None = None, form=None):
    return render_template("legal/accessibility.html", county=county, provider=_provider(county),
                           statement_date=STATEMENT_DATE, errors=errors or [], form=form or {},
                           lengths=feedback), status


@blueprint.get("/barrierefreiheit")
def accessibility():
    return _statement(_county())


@blueprint.post("/barrierefreiheit")
def send_feedback():
    limits.per_address("FEEDBACK_LIMIT_PER_ADDRESS", "feedback")
    county = _county()
    if request.form.get("website"):  # a field people do not see: only robots fill it in
        return _statement(county, 422, [{"field": "website", "message": _("Bitte lassen Sie das Feld „Website“ leer.")}],
                          request.form)
    try:
        with engine().begin() as conn:
            feedback.store(conn, county.key, request.form.get("message"), request.form.get("contact"),
                           request.form.get("page"))
    except InvalidInput as error:
        return _statement(county, 422, error.errors, request.form)
    flash(_("Danke! Ihre Nachricht ist angekommen. Die Moderation liest sie."))
    return redirect(url_for("legal.accessibility", _anchor="rueckmeldung"), code=303)


@blueprint.get("/barrierefreiheit/rueckmeldungen")
@require_role("moderator")
def feedback_list():
    page = moderation.page_number(request.args.get("seite"))
    county = _county()
    with engine().connect() as conn:
        items, total = feedback.page_of_feedback(conn, county.key, page)
    response = current_app.make_response(render_template(
        "legal/feedback_list.html", county=county, items=items, total=total, page=page,
        page_size=feedback.PAGE_SIZE, account=current_account()))
    response.headers["Cache-Control"] = "no-store"  # messages may name people
    return response


def init_app(app: Flask) -> None:
    """The legal pages (/impressum, /barrierefreiheit); a warning at start while the provider's
    name, its contact or the data protection officer is not configured (the pages then say so)."""
    app.register_blueprint(blueprint)
    missing = [f"GLASWAENDE_{name}" for name in ("PRIVACY_CONTROLLER", "PRIVACY_CONTACT", "PRIVACY_OFFICER")
               if not app.config[name]]
    if missing:
        app.logger.warning("Impressum und Datenschutzhinweis sind unvollständig, es %s: %s. Bitte vor dem Start "
                           "für die Öffentlichkeit setzen.", "fehlt" if len(missing) == 1 else "fehlen",
                           ", ".join(missing))
