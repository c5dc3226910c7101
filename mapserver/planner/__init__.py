"""Planner pages (/planung/): numbers, folium maps, hotspot ranking, exports. Role `planner`."""
from __future__ import annotations

from contextlib import contextmanager

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from flask_babel import get_locale

from ..auth import current_account, restrict_blueprint
from ..db import engine
from ..i18n import format_day, format_number
from ..maps.base_map import page_map_settings
from ..maps.data import filter_summary
from ..maps.planner import area_title, number, planner_map
from ..security import with_nonce
from ..services import areas, comparisons, exports, planning, statistics
from ..services.statistics import PinFilter
from ..vocabulary import AGE_BANDS, CATEGORIES, DIMENSIONS, PIN_SOURCES, YEARS_HERE
from . import export_process

blueprint = Blueprint("planner", __name__, url_prefix="/planung")


restrict_blueprint(blueprint, "planner")


def _filter() -> PinFilter:
    return PinFilter.from_query(request.args)


def _page(template: str, **context):
    context.setdefault("vocabulary", {"categories": CATEGORIES, "dimensions": DIMENSIONS,
                                      "age_bands": AGE_BANDS, "years_here": YEARS_HERE, "sources": PIN_SOURCES})
    context.update(method_summary=statistics.method_summary, format_number=format_number, format_day=format_day,
                   area_title=area_title, number=number, filter_summary=filter_summary)
    return render_template(template, account=current_account(), **context)


def _map_response(fmap) -> Response:
    return Response(with_nonce(fmap.get_root().render()), mimetype="text/html")


def _render_map(data, county: areas.CountyInfo):
    static_url = url_for("static", filename="").rstrip("/")
    return planner_map(data, static_url, page_map_settings(current_app.config, county))


@contextmanager
def _reading(ags: str | None = None, district_id: int | None = None):
    """What every planner view starts from: one connection, the place, the latest run, the filters."""
    pin_filter = _filter()
    key = current_app.config["COUNTY_KEY"]
    with engine().connect() as conn:
        place = planning.scope(conn, key, ags, district_id)
        yield conn, place, statistics.require_run(conn, key), pin_filter


@blueprint.get("/")
def overview():
    with _reading() as (conn, place, run, pin_filter):
        counts = statistics.municipality_counts(conn, run, place.county.key, pin_filter)
    return _page("planner/overview.html", place=place, run=run, counts=counts, pin_filter=pin_filter,
                 map_url=url_for("planner.county_map", **request.args))


@blueprint.get("/karte")
def county_map():
    with _reading() as (conn, place, run, pin_filter):
        data = planning.county_map_data(conn, run, place, pin_filter)
    return _map_response(_render_map(data, place.county))


@blueprint.get("/gemeinde/<ags>")
def municipality(ags: str):
    with _reading(ags) as (conn, place, run, pin_filter):
        counts = statistics.district_counts(conn, run, ags, pin_filter)
        total = next(iter(statistics.municipality_counts(conn, run, place.county.key, pin_filter, ags=ags)), None)
        hotspots = statistics.hotspot_areas(conn, run, ags, pin_filter)
        clusters = statistics.clusters(conn, run, ags)
    return _page("planner/municipality.html", place=place, run=run, counts=counts, total=total,
                 hotspots=hotspots, clusters=clusters, pin_filter=pin_filter,
                 map_url=url_for("planner.municipality_map", ags=ags, **request.args))


@blueprint.get("/gemeinde/<ags>/karte")
def municipality_map(ags: str):
    with _reading(ags, request.args.get("ortsteil", type=int)) as (conn, place, run, pin_filter):
        data = planning.municipality_map_data(conn, run, place, pin_filter)
    return _map_response(_render_map(data, place.county))


@blueprint.get("/gemeinde/<ags>/ortsteil/<int(max=2147483647):district_id>")
def district(ags: str, district_id: int):
    with _reading(ags, district_id) as (conn, place, run, pin_filter):
        counts = next((c for c in statistics.district_counts(conn, run, ags, pin_filter) if c.key == district_id), None)
    return _page("planner/district.html", place=place, run=run, counts=counts, pin_filter=pin_filter,
                 map_url=url_for("planner.municipality_map", ags=ags, ortsteil=district_id, **request.args))


@blueprint.get("/export/<dataset>.<fmt>")
def export(dataset: str, fmt: str):
    pin_filter = _filter()
    ags = request.args.get("gemeinde") or None
    key = current_app.config["COUNTY_KEY"]
    with engine().connect() as conn:  # what can be refused is refused here, at once
        exports.check_request(conn, dataset, fmt, key, ags)
        attributions = list(areas.county(conn, key).attributions)
    srid = exports.parse_crs(request.args.get("crs"))
    return export_process.export_download(current_app._get_current_object(), dataset, fmt, ags,
                                          pin_filter.query_string(), str(get_locale() or "de"), attributions, srid)


@blueprint.get("/gemeinde/<ags>/vergleiche")
def compare(ags: str):
    """Who feels which wall: the numbers by age band and by years here side by side, pins per
    week and category, the districts ranked, the dense clusters."""
    k = current_app.config["PRIVACY_K"]
    with _reading(ags) as (conn, place, run, pin_filter):
        key = place.county.key
        groups = [comparisons.by_group(conn, run, key, ags, pin_filter, grouping, k) for grouping in comparisons.GROUPINGS]
        weeks = comparisons.pins_per_week(conn, run, ags, pin_filter)
        ranking = comparisons.ranked_districts(statistics.district_counts(conn, run, ags, pin_filter))
        clusters = statistics.clusters(conn, run, ags)
    return _page("planner/comparisons.html", place=place, run=run, pin_filter=pin_filter, comparisons=groups,
                 weeks=weeks, ranking=ranking, clusters=clusters, comparison_labels=comparisons)


@blueprint.get("/methode")
def method():
    """"So wird gerechnet": the method in plain German, as the report prints it."""
    with _reading() as (conn, place, run, pin_filter):
        pass
    return _page("planner/method.html", place=place, run=run, pin_filter=pin_filter)


def init_app(app: Flask) -> None:
    """The planner pages under /planung."""
    app.register_blueprint(blueprint)
