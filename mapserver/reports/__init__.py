"""The municipality report for the Gemeinderat: /planung/gemeinde/<ags>/bericht (the page, to read
and print) and …/bericht.pdf (A4, WeasyPrint), and `glaswaende report AGS --pdf FILE`. Role
`planner`. The PDF is made in the export process (planner/export_process.py): its map and layout
take a second or two of CPU, which residents' pins are not to wait for."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import click
from flask import Blueprint, Flask, Response, current_app, render_template, request
from flask.cli import with_appcontext
from flask_babel import force_locale, get_locale
from werkzeug.datastructures import MultiDict

from ..auth import restrict_blueprint
from ..db import engine
from ..errors import InvalidInput
from ..i18n import format_day, format_number, s_
from ..planner import export_process
from ..services import comparisons, reports, statistics
from ..services.statistics import PinFilter
from ..vocabulary import CATEGORIES, DIMENSIONS

blueprint = Blueprint("reports", __name__, url_prefix="/planung")
restrict_blueprint(blueprint, "planner")

REPORT_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "report.css"


def _report_filter() -> PinFilter:
    """The page's filters, but none on the voluntary self-descriptions: the report goes to the
    council and may be published, and a group narrowed by age or years here can be a few
    residents (its comparisons show the groups side by side, those under k hidden)."""
    pin_filter = PinFilter.from_query(request.args)
    if pin_filter.age_bands or pin_filter.years_here:
        message = s_("Den Bericht für den Gemeinderat gibt es nicht nach Alter oder Wohndauer gefiltert: so kleine "
                     "Gruppen könnten auf einzelne Menschen weisen. Bitte entfernen Sie diese Filter; der Bericht "
                     "zeigt die Gruppen nebeneinander.")
        raise InvalidInput(message, [{"field": "age_band", "message": message}])
    return pin_filter


def _report_html(ags: str, pin_filter: PinFilter, for_pdf: bool) -> tuple[str, str]:
    """(HTML, title) of one municipality's report, in the current staff language."""
    config = current_app.config
    with engine().connect() as conn:
        report = reports.municipality_report(conn, config["COUNTY_KEY"], ags, pin_filter, config["PRIVACY_K"])
    title = s_("Glaswände in %(place)s", place=report.place.title)
    html = render_template("reports/municipality.html", report=report, title=title,
                           inline_css=REPORT_CSS.read_text(encoding="utf-8") if for_pdf else None,
                           vocabulary={"categories": CATEGORIES, "dimensions": DIMENSIONS},
                           format_number=format_number, format_day=format_day, method_summary=statistics.method_summary,
                           time_zone=ZoneInfo(config["TIME_ZONE"]), comparison_labels=comparisons)
    return html, title


def report_pdf(ags: str, pin_filter: PinFilter) -> bytes:
    """The report as PDF bytes (in an app and request context)."""
    html, title = _report_html(ags, pin_filter, for_pdf=True)
    return reports.pdf_from_html(html, base_url=str(REPORT_CSS.parent), title=title)


def _pdf_in_export_process(ags: str, query: str, locale: str) -> bytes:
    """In the export process: the PDF, built with that process's app."""
    with export_process.export_app().test_request_context(), force_locale(locale):
        return report_pdf(ags, PinFilter.from_query(MultiDict(parse_qsl(query))))


@blueprint.get("/gemeinde/<ags>/bericht")
def report_page(ags: str):
    html, _ = _report_html(ags, _report_filter(), for_pdf=False)
    return Response(html, mimetype="text/html")


@blueprint.get("/gemeinde/<ags>/bericht.pdf")
def report_download(ags: str):
    pin_filter = _report_filter()  # a bad filter is refused here, at once
    return export_process.download(current_app._get_current_object(), _pdf_in_export_process, ags,
                                   pin_filter.query_string(), str(get_locale() or "de"),
                                   named=(f"glaswaende-bericht-{ags}.pdf", "application/pdf"))


@click.command("report", help="Den Bericht einer Gemeinde für den Gemeinderat als PDF schreiben.")
@click.argument("ags")
@click.option("--pdf", "pdf_file", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Die PDF-Datei, die geschrieben wird.")
@with_appcontext
def report_command(ags: str, pdf_file: Path):
    with current_app.test_request_context(), force_locale("de"):
        content = report_pdf(ags, PinFilter())
    pdf_file.write_bytes(content)
    click.echo(f"Bericht für {ags} geschrieben: {pdf_file} ({len(content) // 1024} KB).")


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
    app.cli.add_command(report_command)
