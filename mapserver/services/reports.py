"""The municipality report for the Gemeinderat (A4 PDF): map, hotspots, tables, comparisons,
approved comments, the method, date and attribution. This module gathers what it shows and
turns the report's HTML into a PDF (WeasyPrint); reports/ renders the HTML and serves it."""
from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection

from ..config import BOUNDARY_ATTRIBUTION
from ..db import sql
from ..maps.poster import report_map
from . import comparisons, planning, statistics
from .statistics import Counts, PinFilter

COMMENTS_IN_REPORT = 30


@dataclass
class MunicipalityReport:
    place: planning.Scope
    run: object
    pin_filter: PinFilter
    created_at: dt.datetime
    total: Counts
    hotspots: list[dict]
    clusters: list[dict]
    comparisons: list[comparisons.Comparison]
    weeks: list[comparisons.Week]
    ranking: list[Counts]
    comments: list[dict]
    attributions: list[str]
    map_png: bytes

    @property
    def map_data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.map_png).decode("ascii")


def municipality_report(conn: Connection, county_key: str, ags: str, pin_filter: PinFilter, k: int) -> MunicipalityReport:
    """Everything the report of one municipality shows, from the latest run (NotFound before the
    first run or for an unknown municipality)."""
    run = statistics.require_run(conn, county_key)
    place = planning.scope(conn, county_key, ags)
    data = planning.municipality_map_data(conn, run, place, pin_filter)
    totals = statistics.municipality_counts(conn, run, county_key, pin_filter, ags=ags)
    comments = conn.execute(sql("reports/published_comments"), {
        "ags": ags, "last_pin_id": run.last_pin_id, "limit": COMMENTS_IN_REPORT}).all()
    return MunicipalityReport(
        place=place, run=run, pin_filter=pin_filter, created_at=dt.datetime.now(dt.timezone.utc),
        total=totals[0] if totals else Counts(key=ags, name=place.title),
        hotspots=data.hotspot_areas, clusters=data.clusters,
        comparisons=[comparisons.by_group(conn, run, county_key, ags, pin_filter, grouping, k)
                     for grouping in comparisons.GROUPINGS],
        weeks=comparisons.pins_per_week(conn, run, ags, pin_filter),
        ranking=comparisons.ranked_districts(statistics.district_counts(conn, run, ags, pin_filter)),
        comments=[{"text": c.comment, "category": c.category} for c in comments],
        attributions=list(dict.fromkeys([BOUNDARY_ATTRIBUTION, *place.county.attributions])),
        map_png=report_map(data, data.hotspot_areas, data.clusters))


def pdf_from_html(html: str, base_url: str, title: str) -> bytes:
    """The report's HTML as an A4 PDF (its print stylesheet sets the page)."""
    from weasyprint import HTML  # imported when a report is made: Pango loads once, not at every start

    document = HTML(string=html, base_url=base_url).render()
    document.metadata.title = title
    return document.write_pdf()
