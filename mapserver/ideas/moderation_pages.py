"""The moderators' queue of residents' ideas (/moderation/ideen, role moderator; admins too):
waiting ideas, flagged for personal data first, then oldest first; approve, hide, or redact and
publish. Ideas are moderated like comments (mapserver/moderation)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ..auth import current_account, restrict_blueprint
from ..db import engine
from ..errors import InvalidInput
from ..i18n import s_
from ..moderation import FLAG_LABELS
from ..services import areas
from ..vocabulary import DIMENSIONS, IDEA_SOURCES
from . import review

blueprint = Blueprint("ideas_moderation", __name__, url_prefix="/moderation/ideen")
restrict_blueprint(blueprint, "moderator")


def _county_key() -> str:
    return current_app.config["COUNTY_KEY"]


@blueprint.get("/")
def queue():
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        items = review.queue(conn, _county_key())
    return render_template("ideas/moderation.html", county=county, items=items, dimensions=DIMENSIONS,
                           sources=IDEA_SOURCES, flag_labels={k: str(v) for k, v in FLAG_LABELS.items()},
                           account=current_account())


@blueprint.post("/<int(max=2147483647):idea_id>")
def act(idea_id: int):
    action = request.form.get("action", "")
    try:
        with engine().begin() as conn:
            changed = review.moderate(
                conn, _county_key(), current_account().id, idea_id, action, str(request.form.get("seen", "")),
                title_spans=request.form.getlist("title_span"), body_spans=request.form.getlist("body_span"),
                whole_title=request.form.get("whole_title") == "ja", whole_body=request.form.get("whole_body") == "ja",
                phrase=str(request.form.get("phrase", ""))[:2000])
    except InvalidInput as error:
        flash(error.detail)
        return redirect(url_for("ideas_moderation.queue"), code=303)
    if changed:
        flash({"approve": s_("Die Idee ist freigegeben."), "hide": s_("Die Idee ist verborgen."),
               "redact": s_("Die Idee ist geschwärzt und freigegeben.")}[action])
    else:
        flash(s_("Nicht geändert: Die Idee wurde inzwischen schon moderiert oder geändert. Bitte prüfen Sie sie neu."))
    return redirect(url_for("ideas_moderation.queue"), code=303)
