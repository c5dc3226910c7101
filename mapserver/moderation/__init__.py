"""Moderation pages (/moderation/): the queue of comments (text search ?q=, flags for personal
data from flags.py, backlog per municipality; every action returns to the same filter and page),
redaction of marked spans, and the audit log (filters, CSV export). Role `moderator` (or admin)."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, flash, redirect, render_template, request, url_for

from ..auth import current_account, restrict_blueprint
from ..db import engine
from ..i18n import s_, s_l, sn_
from ..maps.base_map import page_map_settings
from ..services import areas, moderation, workshops
from ..vocabulary import CATEGORIES, DIMENSIONS, MODERATION_ACTIONS, PIN_STATUS_LABELS

blueprint = Blueprint("moderation", __name__, url_prefix="/moderation")

# The buttons' words for each action (vocabulary.MODERATION_ACTIONS keeps the codes and statuses).
ACTION_LABELS = {"approve": s_l("Freigeben"), "hide": s_l("Verbergen"), "redact": s_l("Schwärzen und freigeben")}
# The words for the kinds of personal data the queue flags (flags.KINDS).
FLAG_LABELS = {"phone": s_l("Telefonnummer"), "email": s_l("E-Mail-Adresse"), "iban": s_l("IBAN"),
               "address": s_l("Straße und Hausnummer"), "name": s_l("Name")}


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
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        result = moderation.queue(conn, _county_key(), queue_filter, _page_number())
        backlog = moderation.backlog(conn, _county_key())
        workshop_list = workshops.list_workshops(conn, _county_key())
    map_settings = page_map_settings(current_app.config, county)
    return render_template("moderation/queue.html", county=county, result=result, items=result.items,
                           total=result.total, page=result.page, page_size=moderation.PAGE_SIZE,
                           queue_filter=queue_filter, municipalities=sorted(backlog, key=lambda m: m["name"]),
                           backlog=backlog, workshops=workshop_list, statuses=PIN_STATUS_LABELS, actions=_actions(),
                           flag_labels={kind: str(label) for kind, label in FLAG_LABELS.items()},
                           categories=CATEGORIES, dimensions=DIMENSIONS, map_settings=map_settings,
                           account=current_account())


def _act(chosen: list[tuple[int, str]]):
    """Apply the form's action, then back to the queue as the moderator left it: filter, search
    and page (the queue shows the last page if that one is gone). The filter is checked first, so
    a bad one changes nothing."""
    queue_filter = moderation.QueueFilter.from_args(request.form)
    page = _form_page()
    back = url_for("moderation.queue") + "?" + queue_filter.query_string(page)
    action = request.form.get("action", "")
    marked = (moderation.spans(request.form.getlist("span"), required=request.form.get("mode") == "spans")
              if action == "redact" else [])
    try:
        with engine().begin() as conn:
            changed = moderation.moderate(conn, _county_key(), current_account(), action, chosen,
                                          request.form.get("comment"), marked)
    except moderation.CommentChanged as refused:
        flash(refused.detail, "error")
        return redirect(back, code=303)
    label = _actions()[action][1]
    flash(sn_("%(action)s: %(num)s Kommentar geändert.", "%(action)s: %(num)s Kommentare geändert.", changed,
              action=label))
    if changed < len(chosen):
        flash(s_("Nicht geändert, weil schon so oder inzwischen von der Person geändert (dann bitte neu prüfen): "
                 "%(count)s.", count=len(chosen) - changed))
    return redirect(back, code=303)


def _form_page() -> int:
    return moderation.page_number(request.form.get("seite"))


@blueprint.post("/")
def act_on_selection():
    return _act(moderation.selection(request.form.getlist("pin")))


@blueprint.post("/<int(max=999999999999999999):pin_id>")
def act_on_one(pin_id: int):
    return _act(moderation.selection([f"{pin_id}:{request.form.get('seen', '')}"]))


@blueprint.get("/protokoll")
def audit_log():
    log_filter = moderation.LogFilter.from_args(request.args)
    page = _page_number()
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        events, total = moderation.audit_log(conn, current_account(), log_filter, page,
                                             current_app.config["TIME_ZONE"])
        actors = moderation.log_actors(conn)
    return render_template("moderation/log.html", county=county, events=events, total=total, page=page,
                           page_size=moderation.LOG_PAGE_SIZE, pin_id=log_filter.pin_id, log_filter=log_filter,
                           moderators=actors, statuses=PIN_STATUS_LABELS, actions=_actions(),
                           account=current_account())


@blueprint.get("/protokoll.csv")
def audit_log_csv():
    """The audit log as the page filters it, all pages, as CSV (UTF-8 with BOM, semicolons)."""
    log_filter = moderation.LogFilter.from_args(request.args)
    time_zone = current_app.config["TIME_ZONE"]
    with engine().connect() as conn:
        events, _ = moderation.audit_log(conn, current_account(), log_filter, 1, time_zone, limit=None)
    body = moderation.log_csv(events, {code: label for code, (_, label) in _actions().items()},
                              {code: str(label) for code, label in PIN_STATUS_LABELS.items()}, time_zone)
    return Response("\ufeff" + body, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="moderationsprotokoll.csv"', "Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    """The moderation pages under /moderation."""
    app.register_blueprint(blueprint)
