"""The JSON API: thin adapters from HTTP to the services."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, json, request
from werkzeug.exceptions import UnsupportedMediaType

from ..db import engine
from ..errors import InvalidInput
from ..services import areas, pins, statistics
from ..services.statistics import PinFilter
from ..request_body import limited_body
from ..web import edit_url
from .openapi import openapi_document

api = Blueprint("api", __name__, url_prefix="/api")

GEOJSON = "application/geo+json"


def _json(body, status: int = 200, mimetype: str = "application/json") -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=mimetype)


@api.get("/openapi.json")
def openapi():
    return _json(openapi_document())


@api.post("/pins")
def create_pin():
    if request.mimetype and request.mimetype not in ("application/json",) and not request.mimetype.endswith("+json"):
        raise UnsupportedMediaType()
    submission = pins.parse_submission(limited_body())
    pin, created = pins.submit_pin(engine(), submission, current_app.config["COUNTY_KEY"], edit_url)
    return _json(pin, 201 if created else 200)


@api.get("/municipalities")
def municipalities():
    with engine().connect() as conn:
        return _json(areas.municipalities_geojson(conn, current_app.config["COUNTY_KEY"]), mimetype=GEOJSON)


@api.get("/municipalities/<ags>/districts")
def districts(ags: str):
    with engine().connect() as conn:
        return _json(areas.districts_geojson(conn, current_app.config["COUNTY_KEY"], ags), mimetype=GEOJSON)


def _privacy_k() -> int:
    return current_app.config["PRIVACY_K"]


def _required_municipality() -> str:
    ags = request.args.get("municipality", "").strip()
    if not ags:
        raise InvalidInput("Bitte geben Sie die Gemeinde an (?municipality=<AGS>).",
                           [{"field": "municipality", "message": "Dieses Feld fehlt."}])
    return ags


def _no_filters() -> PinFilter:
    """Public numbers come unfiltered: two filtered answers, subtracted, could reveal fewer than k
    pins (e.g. one resident's pin by its day or age band). Filters are for signed-in planners."""
    filtered = [name for name in ("category", "dimension", "age_band", "years_here", "from", "to") if name in request.args]
    if filtered:
        raise InvalidInput("Öffentliche Zahlen gibt es nur ohne Filter; Filter stehen angemeldeten Planerinnen und "
                           "Planern zur Verfügung.",
                           [{"field": name, "message": "Dieser Filter ist hier nicht erlaubt."} for name in filtered])
    return PinFilter()


def _stats_body(run, key: str, counts) -> dict:
    return {"run": statistics.run_info(run), "privacy_k": _privacy_k(),
            key: [c.as_dict(k=_privacy_k()) for c in counts]}


@api.get("/stats/municipalities")
def stats_municipalities():
    pin_filter = _no_filters()
    key = current_app.config["COUNTY_KEY"]
    with engine().connect() as conn:
        run = statistics.require_run(conn, key)
        counts = statistics.municipality_counts(conn, run, key, pin_filter, k=_privacy_k())
    return _json(_stats_body(run, "municipalities", counts))


def _public_municipality_query(read):
    """Public numbers of one municipality (?municipality=<AGS>), unfiltered, from the latest run:
    `read(conn, run, ags)` gives them."""
    _no_filters()
    key = current_app.config["COUNTY_KEY"]
    ags = _required_municipality()
    with engine().connect() as conn:
        areas.municipality(conn, key, ags)
        run = statistics.require_run(conn, key)
        return run, ags, read(conn, run, ags)


@api.get("/stats/districts")
def stats_districts():
    run, ags, counts = _public_municipality_query(
        lambda conn, run, ags: statistics.district_counts(conn, run, ags, PinFilter(), k=_privacy_k()))
    return _json(_stats_body(run, "districts", counts) | {"municipality": ags})


@api.get("/hotspots")
def hotspots():
    _, _, cells = _public_municipality_query(
        lambda conn, run, ags: statistics.cells_geojson(conn, run, ags, PinFilter(), k=_privacy_k()))
    cells["privacy_k"] = _privacy_k()
    cells["attribution"] = areas.BOUNDARY_ATTRIBUTION
    return _json(cells, mimetype=GEOJSON)
