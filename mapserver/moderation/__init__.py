"""Moderation pages (/moderation/): the queue of comments and the audit log. Role `moderator`
(or admin)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ..auth import current_account, require_role
from ..config import BOUNDARY_ATTRIBUTION
from ..db import engine
from ..services import areas, moderation, workshops
from ..vocabulary import CATEGORIES, DIMENSIONS, MODERATION_ACTIONS, PIN_STATUS_LABELS

moderation_pages = Blueprint("moderation", __name__, url_prefix="/moderation")


@moderation_pages.before_request
@require_role("moderator")
def _moderators_only():
    """Every route of this blueprint is for moderators (and admins) only."""
    return None


def _county_key() -> str:
    return current_app.config["COUNTY_KEY"]


def _page_number() -> int:
    return request.args.get("seite", 1, type=int) or 1


@moderation_pages.get("/")
def queue():
    queue_filter = moderation.QueueFilter.from_args(request.args)
    page = _page_number()
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        items, total = moderation.queue(conn, _county_key(), queue_filter, page)
        municipalities = areas.municipality_list(conn, _county_key())
        workshop_list = workshops.list_workshops(conn, _county_key())
    map_settings = {"tile_url": current_app.config["TILE_URL"], "tile_attribution": current_app.config["TILE_ATTRIBUTION"],
                    "data_attributions": [BOUNDARY_ATTRIBUTION, *county.attributions]}
    return render_template("moderation/queue.html", county=county, items=items, total=total, page=page,
                           page_size=moderation.PAGE_SIZE, queue_filter=queue_filter, municipalities=municipalities,
                           workshops=workshop_list, statuses=PIN_STATUS_LABELS, actions=MODERATION_ACTIONS,
                           categories=CATEGORIES, dimensions=DIMENSIONS, map_settings=map_settings,
                           account=current_account())


def _back_to_queue():
    """Back to the queue as the moderator filtered it (only our own query string is accepted)."""
    queue_filter = moderation.QueueFilter.from_args(request.form)
    return redirect(url_for("moderation.queue") + "?" + queue_filter.query_string(), code=303)


def _report(changed: int, action: str) -> None:
    label = MODERATION_ACTIONS[action][1]
    flash(f"{label}: {changed} Kommentar geändert." if changed == 1 else f"{label}: {changed} Kommentare geändert.")


@moderation_pages.post("/")
def act_on_selection():
    action = request.form.get("action", "")
    with engine().begin() as conn:
        changed = moderation.moderate(conn, _county_key(), current_account(), action, request.form.getlist("pin"))
    _report(changed, action)
    return _back_to_queue()


@moderation_pages.post("/<int:pin_id>")
def act_on_one(pin_id: int):
    action = request.form.get("action", "")
    with engine().begin() as conn:
        changed = moderation.moderate(conn, _county_key(), current_account(), action, [pin_id],
                                      request.form.get("comment"))
    _report(changed, action)
    return _back_to_queue()


@moderation_pages.get("/protokoll")
def audit_log():
    pin_id = request.args.get("pin", type=int)
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        events, total = moderation.audit_log(conn, current_account(), pin_id, _page_number())
    return render_template("moderation/log.html", county=county, events=events, total=total, page=_page_number(),
                           page_size=moderation.PAGE_SIZE * 2, pin_id=pin_id, statuses=PIN_STATUS_LABELS,
                           actions=MODERATION_ACTIONS, account=current_account())
