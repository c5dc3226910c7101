"""Coordinators' pages of the ideas (/koordination, role coordinator; admins too): all ideas of the
county with filters, one idea with its answers (drafts and published) and the answer form, the
answer templates, and ideas typed in from paper or a meeting."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ..auth import current_account, restrict_blueprint
from ..db import engine
from ..errors import InvalidInput, NotFound
from ..i18n import s_
from ..services import areas
from ..services.ideas import NewIdea, create_idea
from ..vocabulary import (ANSWER_STATES, ANSWER_STATES_NEEDING_A_REASON, DIMENSIONS, IDEA_SOURCES,
                          IDEA_TEXT_MAX_LENGTH, IDEA_TITLE_MAX_LENGTH, PIN_STATUS_LABELS, SHOWN_PIN_STATUSES)
from . import answers, reading
from .public import answer_state_filter, public_hotspots

blueprint = Blueprint("ideas_staff", __name__, url_prefix="/koordination")
restrict_blueprint(blueprint, "coordinator")

ID = "int(max=2147483647)"


def _county_key() -> str:
    return current_app.config["COUNTY_KEY"]


def default_institution(county) -> str:
    """Who answers by default: the setting, else the county's programme."""
    return current_app.config["IDEA_ANSWER_INSTITUTION"] or f"{county.title}, Programm „Finde die Glaswände!“"


def _sees_unmoderated() -> bool:
    """Pending and hidden ideas may hold personal data no moderator has removed yet: only
    moderators (and admins) read them here; other coordinators see their status only."""
    return current_account().has_any_role("moderator")


def _withheld(idea: dict) -> dict:
    """An idea as a coordinator who does not moderate may see it: unmoderated, without title and text."""
    if idea["status"] in SHOWN_PIN_STATUSES or _sees_unmoderated():
        return idea
    return {**idea, "title": None, "text": None, "area": None, "withheld": True}


def _require_readable(idea: dict | None) -> dict:
    if idea is None:
        raise NotFound(s_("Diese Idee gibt es nicht."))
    if _withheld(idea).get("withheld"):
        raise NotFound(s_("Diese Idee wartet auf Prüfung oder ist verborgen. Nur die Moderation kann sie lesen."))
    return idea


@blueprint.get("/ideen")
def index():
    municipality = request.args.get("gemeinde") or None
    status = request.args.get("status") if request.args.get("status") in PIN_STATUS_LABELS else None
    state = answer_state_filter(request.args.get("stand"))
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        municipalities = areas.municipality_list(conn, _county_key())
        if municipality not in {m["ags"] for m in municipalities}:
            municipality = None
        ideas = reading.idea_list(conn, _county_key(), statuses=[status] if status else reading.ALL_STATUSES,
                                  municipality_ags=municipality, answer_state=state)
        ideas = [_withheld(i) for i in ideas]
    return render_template("ideas/staff_list.html", county=county, ideas=ideas, municipalities=municipalities,
                           chosen={"gemeinde": municipality, "status": status, "stand": state},
                           statuses=PIN_STATUS_LABELS, answer_states=ANSWER_STATES, sources=IDEA_SOURCES,
                           account=current_account())


def _idea_page(idea_id: int, status: int = 200, errors: list | None = None, form=None, editing: int | None = None):
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        idea = _require_readable(reading.idea(conn, _county_key(), idea_id, published_only=False))
        all_answers = reading.answers(conn, _county_key(), [idea_id], published_only=False)
        templates = answers.templates(conn, _county_key())
    template = next((t for t in templates if str(t["id"]) == request.args.get("vorlage")), None)
    draft = next((a for a in all_answers if a["id"] == editing and a["published_at"] is None), None)
    if form is None:
        if draft:
            form = {"state": draft["state"], "body": draft["text"], "institution": draft["institution"]}
        else:
            form = {"state": template["state"] if template else "", "body": template["body"] if template else "",
                    "institution": default_institution(county)}
    return render_template("ideas/staff_idea.html", county=county, idea=idea, answers=all_answers, templates=templates,
                           form=form, errors=errors or [], editing=draft["id"] if draft else None,
                           answer_states=ANSWER_STATES, needing_reason=ANSWER_STATES_NEEDING_A_REASON,
                           statuses=PIN_STATUS_LABELS, sources=IDEA_SOURCES, dimensions=DIMENSIONS,
                           text_max=IDEA_TEXT_MAX_LENGTH, institution_max=answers.INSTITUTION_MAX_LENGTH,
                           account=current_account()), status


def _require_readable_by_id(idea_id: int) -> None:
    """404 before an answer is written to an idea this coordinator may not read."""
    if not _sees_unmoderated():
        with engine().connect() as conn:
            _require_readable(reading.idea(conn, _county_key(), idea_id, published_only=False))


@blueprint.get(f"/ideen/<{ID}:idea_id>")
def idea(idea_id: int):
    return _idea_page(idea_id, editing=request.args.get("entwurf", type=int))


@blueprint.post(f"/ideen/<{ID}:idea_id>")
def add_answer(idea_id: int):
    """A new answer: saved as a draft, or published at once (button "Veröffentlichen")."""
    _require_readable_by_id(idea_id)
    form = answers.AnswerForm.from_form(request.form)
    publish = request.form.get("action") == "publish"
    try:
        with engine().begin() as conn:
            answers.add_answer(conn, _county_key(), idea_id, form, actor_id=current_account().id, publish=publish)
    except InvalidInput as error:
        return _idea_page(idea_id, 422, error.errors, request.form)
    flash(s_("Die Antwort ist veröffentlicht.") if publish else s_("Der Entwurf ist gespeichert. Öffentlich ist er noch nicht."))
    return redirect(url_for("ideas_staff.idea", idea_id=idea_id), code=303)


@blueprint.post(f"/ideen/<{ID}:idea_id>/antworten/<{ID}:answer_id>")
def change_answer(idea_id: int, answer_id: int):
    """A draft saved, published or deleted (action save / publish / delete)."""
    _require_readable_by_id(idea_id)
    action = request.form.get("action")
    account = current_account()
    try:
        with engine().begin() as conn:
            if action == "delete":
                answers.delete_draft(conn, _county_key(), idea_id, answer_id, actor_id=account.id)
            elif action in ("save", "publish"):
                answers.change_draft(conn, _county_key(), idea_id, answer_id, answers.AnswerForm.from_form(request.form),
                                     actor_id=account.id, publish=action == "publish")
            else:
                raise InvalidInput(s_("Unbekannte Aktion."), [{"field": "action", "message": s_(
                    "Bitte speichern, veröffentlichen oder löschen.")}])
    except InvalidInput as error:
        return _idea_page(idea_id, 422, error.errors, request.form if action != "delete" else None, editing=answer_id)
    flash({"delete": s_("Der Entwurf ist gelöscht."), "publish": s_("Die Antwort ist veröffentlicht."),
           "save": s_("Der Entwurf ist gespeichert. Öffentlich ist er noch nicht.")}[action])
    return redirect(url_for("ideas_staff.idea", idea_id=idea_id), code=303)


# --- Answer templates --------------------------------------------------------------------------

def _templates_page(status: int = 200, errors: list | None = None, form=None, editing: dict | None = None):
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        templates = answers.templates(conn, _county_key())
    return render_template("ideas/templates.html", county=county, templates=templates, errors=errors or [],
                           form=form or (editing or {}), editing=editing, answer_states=ANSWER_STATES,
                           text_max=IDEA_TEXT_MAX_LENGTH, title_max=answers.TEMPLATE_TITLE_MAX_LENGTH,
                           account=current_account()), status


@blueprint.get("/antwortvorlagen")
def templates():
    return _templates_page()


@blueprint.post("/antwortvorlagen")
def create_template():
    try:
        with engine().begin() as conn:
            answers.create_template(conn, _county_key(), answers.TemplateForm.from_form(request.form),
                                    actor_id=current_account().id)
    except InvalidInput as error:
        return _templates_page(422, error.errors, request.form)
    flash(s_("Die Vorlage ist gespeichert."))
    return redirect(url_for("ideas_staff.templates"), code=303)


@blueprint.get(f"/antwortvorlagen/<{ID}:template_id>")
def edit_template(template_id: int):
    with engine().connect() as conn:
        template = answers.template_by_id(conn, _county_key(), template_id)
    return _templates_page(editing=template)


@blueprint.post(f"/antwortvorlagen/<{ID}:template_id>")
def change_template(template_id: int):
    try:
        with engine().begin() as conn:
            answers.change_template(conn, _county_key(), template_id, answers.TemplateForm.from_form(request.form),
                                    actor_id=current_account().id)
    except InvalidInput as error:
        with engine().connect() as conn:
            template = answers.template_by_id(conn, _county_key(), template_id)
        return _templates_page(422, error.errors, request.form, editing=template)
    flash(s_("Die Vorlage ist geändert."))
    return redirect(url_for("ideas_staff.templates"), code=303)


@blueprint.post(f"/antwortvorlagen/<{ID}:template_id>/loeschen")
def delete_template(template_id: int):
    with engine().begin() as conn:
        answers.delete_template(conn, _county_key(), template_id, actor_id=current_account().id)
    flash(s_("Die Vorlage ist gelöscht."))
    return redirect(url_for("ideas_staff.templates"), code=303)


# --- Ideas from paper or a meeting -------------------------------------------------------------

def _paper_form(status: int = 200, errors: list | None = None, form=None):
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        municipalities = areas.municipality_list(conn, _county_key())
        districts = areas.district_list(conn, _county_key())
    form = form or {}
    return render_template("ideas/staff_new.html", county=county, municipalities=municipalities, districts=districts,
                           dimensions=DIMENSIONS, errors=errors or [], form=form,
                           chosen_districts=set(form.getlist("district_ids")) if form else set(),
                           chosen_dimensions=set(form.getlist("dimensions")) if form else set(),
                           title_max=IDEA_TITLE_MAX_LENGTH, text_max=IDEA_TEXT_MAX_LENGTH,
                           account=current_account()), status


@blueprint.get("/ideen/neu")
def new_idea():
    return _paper_form()


def _number(value, field: str) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) < 10):
        raise InvalidInput(s_("Bitte prüfen Sie die Idee."), [{"field": field, "message": s_("Bitte eine Zahl angeben.")}])
    return int(text)


@blueprint.post("/ideen/neu")
def create_paper_idea():
    """Typed in from paper or a meeting: published at once (created_by = the account)."""
    form = request.form
    try:
        if not areas.AGS_PATTERN.fullmatch(str(form.get("municipality") or "")):
            raise InvalidInput(s_("Bitte prüfen Sie die Idee."), [{"field": "municipality", "message": s_(
                "Bitte wählen Sie eine Gemeinde aus der Liste.")}])
        hotspot_id = _number(form.get("hotspot"), "hotspot")
        districts = [_number(d, "district_ids") for d in form.getlist("district_ids") if str(d).strip()]
        ags = str(form.get("municipality") or "")
        with engine().begin() as conn:
            # The idea is published at once with the hotspot's outline as its area: only a hotspot
            # the public sees (the released run's public hotspots of the municipality, as the
            # residents' form offers them), by its number.
            run_id = None
            # (In an unknown municipality there is none: create_idea refuses the municipality.)
            if hotspot_id is not None and ags in {m["ags"] for m in areas.municipality_list(conn, _county_key())}:
                run_id, shown = public_hotspots(conn, ags)
                if run_id is None:
                    raise InvalidInput(s_("Bitte prüfen Sie die Idee."), [{"field": "hotspot", "message": s_(
                        "Es gibt noch keine freigegebene Auswertung mit Hotspots.")}])
                if not any(h["id"] == hotspot_id for h in shown):
                    raise InvalidInput(s_("Bitte prüfen Sie die Idee."), [{"field": "hotspot", "message": s_(
                        "Diesen Hotspot zeigt die freigegebene Auswertung der Gemeinde nicht öffentlich. Bitte "
                        "wählen Sie einen Hotspot, den auch die Bürgerinnen und Bürger sehen, oder keinen.")}])
            idea = NewIdea(municipality_ags=ags, title=form.get("title", ""),
                           body=form.get("body", ""), dimensions=tuple(form.getlist("dimensions")),
                           district_ids=tuple(districts), hotspot_run_id=run_id,
                           hotspot_id=hotspot_id if run_id is not None else None)
            created = create_idea(conn, _county_key(), idea, source="paper", created_by=current_account().id)
    except InvalidInput as error:
        return _paper_form(422, error.errors, form)
    flash(s_("Die Idee ist gespeichert und veröffentlicht."))
    return redirect(url_for("ideas_staff.idea", idea_id=created["id"]), code=303)
