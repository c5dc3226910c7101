"""The paper table (/papier/): printable questionnaires per district or workshop, and the staff's
entry page for answered sheets, made for typing a stack fast (services/paper.py). Role
`facilitator` (or admin): those who hold the workshops and the tables in the village halls.
The PDF is made in the export process, like the planners' report."""
from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections import OrderedDict
from pathlib import Path

import segno
from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale

from ..auth import current_account, restrict_blueprint
from ..config import BOUNDARY_ATTRIBUTION
from ..db import engine
from ..errors import NotFound
from ..i18n import s_
from ..maps.questionnaire import questionnaire_map
from ..planner import export_process
from ..services import areas, paper, reports, workshops
from ..vocabulary import AGE_BANDS, CATEGORIES, DIMENSIONS, YEARS_HERE

blueprint = Blueprint("paper", __name__, url_prefix="/papier")
restrict_blueprint(blueprint, "facilitator")

PRINT_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "report.css"
KEYS = {"categories": paper.CATEGORY_KEYS, "dimensions": paper.DIMENSION_KEYS, "ages": paper.AGE_KEYS,
        "years": paper.YEARS_KEYS}
LABELS = {"categories": CATEGORIES, "dimensions": DIMENSIONS, "ages": AGE_BANDS, "years": YEARS_HERE}


def _county_key() -> str:
    return current_app.config["COUNTY_KEY"]


def _png_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@blueprint.get("/")
def index():
    with engine().connect() as conn:
        county = areas.county(conn, _county_key())
        districts = areas.district_list(conn, _county_key())
        listing = workshops.list_workshops(conn, _county_key())
    return render_template("paper/index.html", county=county, districts=districts, workshops=listing,
                           account=current_account())


def _workshop(workshop_id: int | None) -> dict | None:
    if workshop_id is None:
        return None
    with engine().connect() as conn:
        return workshops.workshop(conn, workshop_id)


def _questionnaire_pdf(district_id: int, online_url: str, workshop_title: str | None, locale: str) -> bytes:
    """In the export process: the questionnaire's PDF."""
    app = export_process.export_app()
    with app.test_request_context(), force_locale(locale):
        key = app.config["COUNTY_KEY"]
        with engine().connect() as conn:
            frame = paper.frame(conn, key, district_id)
            county = areas.county(conn, key)
            map_png = questionnaire_map(frame, areas.districts_geojson(conn, key, frame.municipality_ags))
        qr = segno.make(online_url, error="m").svg_data_uri(scale=4, border=2)
        html = render_template("paper/questionnaire.html", frame=frame, county=county, map_uri=_png_uri(map_png),
                               qr_uri=qr, online_url=online_url, workshop_title=workshop_title,
                               attributions=list(dict.fromkeys([BOUNDARY_ATTRIBUTION, *county.attributions])),
                               inline_css=PRINT_CSS.read_text(encoding="utf-8"), keys=KEYS, labels=LABELS)
        title = s_("Fragebogen %(district)s", district=frame.name)
        return reports.pdf_from_html(html, base_url=str(PRINT_CSS.parent), title=title)


# The entry page's map of a district (its grid and outlines) drawn once per district and state of
# the boundaries, in the export process (matplotlib takes ~0.5 s of CPU, which a web worker's green
# threads would wait for); kept in memory for the districts last typed in.
ENTRY_MAPS_KEPT = 64
_entry_maps: OrderedDict[str, bytes] = OrderedDict()
_entry_maps_lock = threading.Lock()


def _entry_map_drawn(district_id: int) -> bytes:
    """In the export process: the entry page's map of the district."""
    app = export_process.export_app()
    with app.app_context(), engine().connect() as conn:
        frame = paper.frame(conn, app.config["COUNTY_KEY"], district_id)
        return questionnaire_map(frame, areas.districts_geojson(conn, app.config["COUNTY_KEY"], frame.municipality_ags),
                                 dpi=110)


def _entry_map(frame, districts: dict) -> bytes:
    """The district's entry map, drawn anew only when its grid or the outlines changed."""
    key = hashlib.sha256(json.dumps([repr(frame), districts], sort_keys=True).encode("utf-8")).hexdigest()
    with _entry_maps_lock:
        if key in _entry_maps:
            _entry_maps.move_to_end(key)
            return _entry_maps[key]
    png = export_process.run_in_export_process(current_app._get_current_object(), _entry_map_drawn, frame.district_id)
    with _entry_maps_lock:
        _entry_maps[key] = png
        while len(_entry_maps) > ENTRY_MAPS_KEPT:
            _entry_maps.popitem(last=False)
    return png


@blueprint.get("/ortsteil/<int(max=2147483647):district_id>/fragebogen.pdf")
def questionnaire(district_id: int):
    with engine().connect() as conn:
        frame = paper.frame(conn, _county_key(), district_id)  # an unknown district: 404 here, at once
    online = url_for("web.municipality_map", ags=frame.municipality_ags, ortsteil=district_id, _external=True)
    return export_process.download(current_app._get_current_object(), _questionnaire_pdf, district_id, online, None,
                                   str(get_locale() or "de"),
                                   named=(f"fragebogen-ortsteil-{district_id}.pdf", "application/pdf"))


@blueprint.get("/workshop/<int(max=2147483647):workshop_id>/fragebogen.pdf")
def workshop_questionnaire(workshop_id: int):
    """A workshop's questionnaire: its Ortsteil's map (or its municipality's first), the QR code
    of its join link, so that sheets and phones end up in the same workshop."""
    workshop = _workshop(workshop_id)
    district_id = workshop["district_id"] or _first_district(workshop["municipality_ags"])
    online = url_for("web.join_workshop", join_code=workshop["join_code"], _external=True)
    return export_process.download(current_app._get_current_object(), _questionnaire_pdf, district_id, online,
                                   workshop["title"], str(get_locale() or "de"),
                                   named=(f"fragebogen-workshop-{workshop_id}.pdf", "application/pdf"))


def _first_district(ags: str) -> int:
    with engine().connect() as conn:
        districts = areas.district_list(conn, _county_key(), ags)
    if not districts:
        raise NotFound(s_("Diese Gemeinde hat noch keine Ortsteile; ohne sie gibt es keinen Fragebogen."))
    return districts[0]["id"]


@blueprint.get("/ortsteil/<int(max=2147483647):district_id>/eingabe")
def entry(district_id: int):
    workshop = _workshop(request.args.get("workshop", type=int))
    with engine().connect() as conn:
        frame = paper.frame(conn, _county_key(), district_id)
        stored = paper.sheets_stored(conn, district_id)
        districts = areas.districts_geojson(conn, _county_key(), frame.municipality_ags)
    map_png = _entry_map(frame, districts)
    return render_template("paper/entry.html", frame=frame, stored=stored, workshop=workshop, keys=KEYS, labels=LABELS,
                           map_uri=_png_uri(map_png), account=current_account(), form={}, errors={})


@blueprint.post("/ortsteil/<int(max=2147483647):district_id>/eingabe")
def store(district_id: int):
    workshop = _workshop(request.form.get("workshop", type=int))
    with engine().begin() as conn:
        frame = paper.frame(conn, _county_key(), district_id)
        sheet = paper.sheet_from_form(request.form, frame)
        paper.store_sheet(conn, _county_key(), sheet, workshop["id"] if workshop else None)
        stored = paper.sheets_stored(conn, district_id)
    flash(s_("Bogen gespeichert (%(count)s aus %(district)s bisher). Der nächste, bitte.", count=stored,
             district=frame.name))
    arguments = {"workshop": workshop["id"]} if workshop else {}
    return redirect(url_for("paper.entry", district_id=district_id, **arguments), code=303)


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
