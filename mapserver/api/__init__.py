"""The JSON API: thin adapters from HTTP to the services."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, json, request
from werkzeug.exceptions import UnsupportedMediaType

from .. import limits
from ..csrf import csrf
from ..db import engine
from ..errors import InvalidInput
from ..services import areas, disclosure, pins
from ..request_body import limited_body
from ..web import edit_url
from .intake import STORE_FAILED
from .openapi import openapi_document

blueprint = Blueprint("api", __name__, url_prefix="/api")

GEOJSON = "application/geo+json"


def _json(body, status: int = 200, mimetype: str = "application/json") -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=mimetype)


@blueprint.get("/openapi.json")
def openapi():
    return _json(openapi_document())


@blueprint.post("/pins")
def create_pin():
    # JSON only, declared: a body without Content-Type is what a foreign page's fetch(…, {mode:
    # "no-cors"}) sends, and browsers let that through without asking us first.
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise UnsupportedMediaType()
    submission = pins.parse_submission(limited_body())
    limits.before_new_pin(submission.workshop)
    if (failed := request.environ.get(STORE_FAILED)) is not None:
        raise failed  # the intake below tried to store it already (intake.py): answered here, not tried again
    pin, created = pins.submit_pin(engine(), submission, current_app.config["COUNTY_KEY"], edit_url)
    return _json(pin, 201 if created else 200)


@blueprint.get("/municipalities")
def municipalities():
    with engine().connect() as conn:
        return _json(areas.municipalities_geojson(conn, current_app.config["COUNTY_KEY"]), mimetype=GEOJSON)


@blueprint.get("/place")
def place():
    point = areas.coordinates(request.args.get("lat"), request.args.get("lon"))
    limits.per_address("PLACE_LIMIT_PER_ADDRESS", "place")
    with engine().connect() as conn:
        return _json(areas.place_at(conn, current_app.config["COUNTY_KEY"], point))


@blueprint.get("/municipalities/<ags>/districts")
def districts(ags: str):
    with engine().connect() as conn:
        return _json(areas.districts_geojson(conn, current_app.config["COUNTY_KEY"], ags), mimetype=GEOJSON)


def _rules() -> disclosure.Rules:
    return disclosure.Rules.from_config(current_app.config)


def _required_municipality() -> str:
    ags = request.args.get("municipality", "").strip()
    if not ags:
        raise InvalidInput("Bitte geben Sie die Gemeinde an (?municipality=<AGS>).",
                           [{"field": "municipality", "message": "Dieses Feld fehlt."}])
    return ags


def _no_filters() -> None:
    """Public numbers come unfiltered: two filtered answers, subtracted, could reveal fewer than k
    pins (e.g. one resident's pin by its day or age band). Filters are for signed-in planners."""
    filtered = [name for name in ("category", "dimension", "age_band", "years_here", "from", "to") if name in request.args]
    if filtered:
        raise InvalidInput("Öffentliche Zahlen gibt es nur ohne Filter; Filter stehen angemeldeten Planerinnen und "
                           "Planern zur Verfügung.",
                           [{"field": name, "message": "Dieser Filter ist hier nicht erlaubt."} for name in filtered])


def _public(read, municipality: bool = False):
    """Public numbers (unfiltered, of the latest released run, through services/disclosure):
    `read(conn, run, ags)` gives them; ags from ?municipality=<AGS> where `municipality`."""
    _no_filters()
    key = current_app.config["COUNTY_KEY"]
    ags = _required_municipality() if municipality else None
    with engine().connect() as conn:
        if ags:
            areas.municipality(conn, key, ags)
        run = disclosure.require_public_run(conn, key)
        body = read(conn, run, ags)
    return body | {"run": disclosure.public_run(_rules(), run), "privacy_k": _rules().k,
                   "disclosure": _rules().as_dict() | {"note": str(_rules().note())}}


@blueprint.get("/stats/municipalities")
def stats_municipalities():
    return _json(_public(lambda conn, run, ags: {
        "municipalities": disclosure.public_municipalities(conn, run, current_app.config["COUNTY_KEY"], _rules())}))


@blueprint.get("/stats/districts")
def stats_districts():
    return _json(_public(lambda conn, run, ags: {
        "districts": disclosure.public_districts(conn, run, ags, _rules()), "municipality": ags}, municipality=True))


@blueprint.get("/hotspots")
def hotspots():
    body = _public(lambda conn, run, ags: disclosure.public_cells_geojson(
        conn, run, current_app.config["COUNTY_KEY"], ags, _rules()), municipality=True)
    body["attribution"] = areas.BOUNDARY_ATTRIBUTION
    return _json(body, mimetype=GEOJSON)


def init_app(app: Flask) -> None:
    """The JSON API under /api. It takes no cookies (residents have no account), so no CSRF token."""
    app.register_blueprint(blueprint)
    csrf.exempt(blueprint)
