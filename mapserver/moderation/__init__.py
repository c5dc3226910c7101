"""Moderation pages (/moderation/): the queue of comments and the audit log. Role `moderator`
(or admin)."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for

from ..auth import current_account, restrict_blueprint
from ..db import engine
from ..i18n import s_, s_l, sn_
from ..maps.base_map import page_map_settings
from ..services import areas, moderation, workshops
from ..vocabulary import CATEGORIES, DIMENSIONS, MODERATION_ACTIONS, PIN_STATUS_LABELS

blueprint = Blueprint("moderation", __name__, url_prefix="/moderation")

# The buttons' words for each action (vocabulary.MODERATION_ACTIONS keeps the codes and statuses).
ACTION_LABELS = {"approve": s_l("Freigeben"), "hide": s_l("Verbergen"), "redact": s_l("Schwärzen und freigeben")}


def _actions() -> dict[str, tuple[str, str]]:
    """MODERATION_ACTIONS with the labels in the staff language."""
    return {code: (status, str(ACTION_LABELS.get(code, label))) for code, (status, label) in MODERATION_ACTIONS.items()}


restrict_blueprint(blueprint, "moderator")


def _county_key() -> str:
    return current_app.config["COUNTY_KEY"]


def _page_number() -> int:
    return moderation.page_number(request.args.get("seite"))


@blueprint.get("/")
def queue():
    queue_filter = moderation.QueueFilter.from_args(request.args)
    page = _page_number()
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        items, total = moderation.queue(conn, _county_key(), queue_filter, page)
        municipalities = areas.municipality_list(conn, _county_key())
        workshop_list = workshops.list_workshops(conn, _county_key())
    map_settings = page_map_settings(current_app.config, county)
    return render_template("moderation/queue.html", county=county, items=items, total=total, page=page,
                           page_size=moderation.PAGE_SIZE, queue_filter=queue_filter, municipalities=municipalities,
                           workshops=workshop_list, statuses=PIN_STATUS_LABELS, actions=_actions(),
                           categories=CATEGORIES, dimensions=DIMENSIONS, map_settings=map_settings,
                           account=current_account())


def _act(chosen: list[tuple[int, str]]):
    """Apply the form's action, then back to the queue as the moderator filtered it (the filter is
    checked first, so a bad one changes nothing)."""
    queue_filter = moderation.QueueFilter.from_args(request.form)
    action = request.form.get("action", "")
    with engine().begin() as conn:
        changed = moderation.moderate(conn, _county_key(), current_account(), action, chosen, request.form.get("comment"))
    label = _actions()[action][1]
    flash(sn_("%(action)s: %(num)s Kommentar geändert.", "%(action)s: %(num)s Kommentare geändert.", changed,
              action=label))
    if changed < len(chosen):
        flash(s_("Nicht geändert, weil schon so oder inzwischen von der Person geändert (dann bitte neu prüfen): "
                 "%(count)s.", count=len(chosen) - changed))
    return redirect(url_for("moderation.queue") + "?" + queue_filter.query_string(), code=303)


@blueprint.post("/")
def act_on_selection():
    return _act(moderation.selection(request.form.getlist("pin")))


@blueprint.post("/<int(max=999999999999999999):pin_id>")
def act_on_one(pin_id: int):
    return _act(moderation.selection([f"{pin_id}:{request.form.get('seen', '')}"]))


@blueprint.get("/protokoll")
def audit_log():
    pin_id = moderation.log_pin_filter(request.args.get("pin"))
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        events, total = moderation.audit_log(conn, current_account(), pin_id, _page_number())
    return render_template("moderation/log.html", county=county, events=events, total=total, page=_page_number(),
                           page_size=moderation.PAGE_SIZE * 2, pin_id=pin_id, statuses=PIN_STATUS_LABELS,
                           actions=_actions(), account=current_account())


def init_app(app: Flask) -> None:
    """The moderation pages under /moderation."""
    app.register_blueprint(blueprint)
