"""Residents' pages of the ideas: a municipality's published ideas (list and map of their areas),
one idea with its public answers, supporting an idea once per device, sending an idea of one's own
("Ihre Idee zu dieser Glaswand", moderated like a comment), and GET /api/ideas."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, json, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from .. import limits
from ..db import engine
from ..errors import InvalidInput, NotFound
from ..maps.base_map import page_map_settings
from ..services import areas, disclosure
from ..services.ideas import NewIdea, create_idea
from ..vocabulary import ANSWER_STATES, DIMENSIONS, IDEA_TEXT_MAX_LENGTH, IDEA_TITLE_MAX_LENGTH
from . import reading, review

blueprint = Blueprint("ideas", __name__)


def _county_key() -> str:
    return current_app.config["COUNTY_KEY"]


def answer_state_filter(value) -> str | None:
    """?stand= of the lists: an answer state, "keine" (no published answer yet), or all."""
    value = str(value or "")
    return "none" if value == "keine" else value if value in ANSWER_STATES else None


def _areas_geojson(ideas: list[dict]) -> dict:
    """The ideas' areas (hotspot or district outlines, never a point) for the page's map."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": i["area"], "properties": {
            "id": i["id"], "title": i["title"], "url": url_for("ideas.idea_page", idea_id=i["id"]),
            "state": str(ANSWER_STATES[i["answer"]["state"]]) if i["answer"] else _("noch keine Antwort")}}
        for i in ideas if i["area"]]}


@blueprint.get("/gemeinde/<ags>/ideen")
def municipality_ideas(ags: str):
    state = answer_state_filter(request.args.get("stand"))
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        municipality = areas.municipality(conn, _county_key(), ags)
        ideas = reading.published_ideas(conn, _county_key(), ags, answer_state=state)
    return render_template("ideas/municipality.html", county=county, municipality=municipality, ideas=ideas,
                           state=state, answer_states=ANSWER_STATES, dimensions=DIMENSIONS,
                           areas_geojson=_areas_geojson(ideas),
                           bounds=[municipality["west"], municipality["south"], municipality["east"], municipality["north"]],
                           map_settings=page_map_settings(current_app.config, county))


def _published_idea(conn, idea_id: int) -> dict:
    idea = reading.idea(conn, _county_key(), idea_id)
    if idea is None:
        raise NotFound(_("Diese Idee gibt es nicht, oder sie ist noch nicht freigegeben."))
    return idea


@blueprint.get("/ideen/<int(max=2147483647):idea_id>")
def idea_page(idea_id: int):
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        idea = _published_idea(conn, idea_id)
        timeline = reading.published_answers(conn, _county_key(), idea_id)
    return render_template("ideas/idea.html", county=county, idea=idea, timeline=timeline,
                           answer_states=ANSWER_STATES, dimensions=DIMENSIONS)


@blueprint.post("/ideen/<int(max=2147483647):idea_id>/unterstuetzen")
def support(idea_id: int):
    """Once per device (the page's device id, else the address), stored as a salted hash; a
    second support changes nothing and says so. A form (303 back to the idea) or a script (JSON)."""
    limits.before_support(f"idea:{idea_id}")
    device_hash = limits.support_key(f"idea:{idea_id}", request.form.get("device"))
    with engine().begin() as conn:
        result = review.support(conn, _county_key(), idea_id, device_hash)
    if result is None:
        raise NotFound(_("Diese Idee gibt es nicht, oder sie ist noch nicht freigegeben."))
    count, added = result
    message = (_("Danke! Sie unterstützen diese Idee.") if added
               else _("Sie unterstützen diese Idee schon. Jedes Gerät zählt einmal."))
    if request.accept_mimetypes.best == "application/json":
        return {"support_count": count, "added": added, "message": message,
                "count_text": ngettext("%(num)s Unterstützung", "%(num)s Unterstützungen", count)}
    flash(message)
    return redirect(url_for("ideas.idea_page", idea_id=idea_id, _anchor="unterstuetzen"), code=303)


def public_hotspots(conn, ags: str) -> tuple[int | None, list[dict]]:
    """The hot spots of the municipality the public sees (latest released run, k rules): (run id, list).
    The residents' form offers these, and an idea typed in from paper takes only one of them."""
    run = disclosure.public_run_or_none(conn, _county_key())
    if run is None:
        return None, []
    rules = disclosure.Rules.from_config(current_app.config)
    layers = disclosure.public_layers(conn, run, _county_key(), ags, rules)
    return run.id, [{"id": h["id"], "rank": h["rank"], "districts": h["districts"]} for h in layers["hotspots"]]


def _int_or_none(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _idea_form(ags: str, status: int = 200, errors: list | None = None, form=None):
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        municipality = areas.municipality(conn, _county_key(), ags)
        districts = areas.district_list(conn, _county_key(), ags)
        run_id, hotspots = public_hotspots(conn, ags)
    form = form if form is not None else {}
    chosen_hotspot = _int_or_none(form.get("hotspot") if form else request.args.get("hotspot"))
    chosen_districts = ({_int_or_none(d) for d in form.getlist("district_ids")} if form
                        else {_int_or_none(request.args.get("ortsteil"))})
    return render_template(
        "ideas/new.html", county=county, municipality=municipality, districts=districts, hotspots=hotspots,
        chosen_hotspot=chosen_hotspot if any(h["id"] == chosen_hotspot for h in hotspots) else None,
        chosen_districts=chosen_districts, dimensions=DIMENSIONS, errors=errors or [], form=form,
        chosen_dimensions=set(form.getlist("dimensions")) if form else set(),
        title_max=IDEA_TITLE_MAX_LENGTH, text_max=IDEA_TEXT_MAX_LENGTH), status


@blueprint.get("/gemeinde/<ags>/ideen/neu")
def new_idea(ags: str):
    return _idea_form(ags)


def idea_from_form(form, ags: str, hotspots: list[dict], run_id: int | None) -> NewIdea:
    """The form's idea; a hotspot only from the public list (else InvalidInput)."""
    hotspot_id = _int_or_none(form.get("hotspot"))
    if form.get("hotspot") and not any(h["id"] == hotspot_id for h in hotspots):
        raise InvalidInput(_("Bitte prüfen Sie Ihre Idee: hotspot."),
                           [{"field": "hotspot", "message": _("Diesen Hotspot gibt es in der Gemeinde nicht.")}])
    district_ids = [_int_or_none(d) for d in form.getlist("district_ids") if str(d).strip()]
    if None in district_ids:
        raise InvalidInput(_("Bitte prüfen Sie Ihre Idee: district_ids."),
                           [{"field": "district_ids", "message": _("Diesen Ortsteil gibt es in der Gemeinde nicht.")}])
    return NewIdea(municipality_ags=ags, title=form.get("title", ""), body=form.get("body", ""),
                   dimensions=tuple(form.getlist("dimensions")), district_ids=tuple(district_ids),
                   hotspot_run_id=run_id if hotspot_id is not None else None, hotspot_id=hotspot_id)


@blueprint.post("/gemeinde/<ags>/ideen/neu")
def send_idea(ags: str):
    limits.per_address("IDEA_LIMIT_PER_ADDRESS", "ideas")
    if request.form.get("website"):  # a field people do not see: only robots fill it in
        return _idea_form(ags, 422, [{"field": "website", "message": _("Bitte lassen Sie das Feld „Website“ leer.")}],
                          request.form)
    try:
        with engine().begin() as conn:
            areas.municipality(conn, _county_key(), ags)
            run_id, hotspots = public_hotspots(conn, ags)
            create_idea(conn, _county_key(), idea_from_form(request.form, ags, hotspots, run_id), source="online")
    except InvalidInput as error:
        return _idea_form(ags, 422, error.errors, request.form)
    return redirect(url_for("ideas.thanks", ags=ags), code=303)


@blueprint.get("/gemeinde/<ags>/ideen/danke")
def thanks(ags: str):
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        municipality = areas.municipality(conn, _county_key(), ags)
    return render_template("ideas/thanks.html", county=county, municipality=municipality)


@blueprint.get("/api/ideas")
def api_ideas():
    """The published ideas of a municipality as JSON: 422 without a well-formed AGS, 404 for an
    unknown one (problem+json, German)."""
    ags = request.args.get("municipality", "").strip()
    if not areas.AGS_PATTERN.fullmatch(ags):
        raise InvalidInput("Bitte geben Sie die Gemeinde mit ihrem achtstelligen Gemeindeschlüssel an "
                           "(?municipality=<AGS>).",
                           [{"field": "municipality", "message": "Dieses Feld fehlt oder ist kein achtstelliger AGS."}])
    with engine().connect() as conn:
        municipality = areas.municipality(conn, _county_key(), ags)
        ideas = reading.published_ideas(conn, _county_key(), ags)
    body = {"municipality": {"ags": municipality["ags"], "name": municipality["name"]},
            "ideas": [reading.as_json(i, url_for("ideas.idea_page", idea_id=i["id"], _external=True),
                                      current_app.config["TIME_ZONE"]) for i in ideas]}
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
