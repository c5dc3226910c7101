"""Exports of step two for coordinators and planners: the published ideas (with the state of their
latest published answer and their supports) and the projects (status, progress, dates, partners)
as GeoPackage, GeoJSON and CSV, in the way of services/exports.py: a GeoPackage 1.2 with true
field types written by pyogrio, RFC 7946 GeoJSON, a plain CSV with the area as WKT; built in the
export process (planner/export_process.py), one at a time in the whole server."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import mapping
from sqlalchemy import Connection

from ..config import BOUNDARY_ATTRIBUTION
from ..db import sql
from ..errors import NotFound
from ..geo import STORAGE_SRID
from ..i18n import s_, s_l
from ..services import areas
from ..services.export_styles import DATETIME, INTEGER, TEXT, Field
from ..services.exports import FORMATS as PLANNER_FORMATS
from ..services.exports import GEOPACKAGE_VERSION, GEOMETRY_COLUMN, ExportFile, spreadsheet_safe
from ..vocabulary import ANSWER_STATES, IDEA_SOURCES, PROJECT_STATUSES

DATASETS = {"ideen": s_l("Ideen"), "projekte": s_l("Projekte")}
FORMATS = {name: PLANNER_FORMATS[name] for name in ("gpkg", "geojson", "csv")}


def _idea_fields() -> list[Field]:
    states = ", ".join(f"{code} = {label}" for code, label in ANSWER_STATES.items())
    return [
        Field("id", INTEGER, s_("Idee-Nr.")),
        Field("title", TEXT, s_("Titel")),
        Field("body", TEXT, s_("Text")),
        Field("municipality_ags", TEXT, s_("AGS der Gemeinde")),
        Field("municipality_name", TEXT, s_("Gemeinde")),
        Field("district_names", TEXT, s_("Ortsteile")),
        Field("dimensions", TEXT, s_("Glaswände")),
        Field("source", TEXT, s_("Herkunft"), ", ".join(f"{c} = {label}" for c, label in IDEA_SOURCES.items())),
        Field("workshop_id", INTEGER, s_("Workshop-Nr.")),
        Field("support_count", INTEGER, s_("Unterstützungen")),
        Field("answer_state", TEXT, s_("Stand der Antwort"), states),
        Field("answered_at", DATETIME, s_("Antwort veröffentlicht")),
        Field("created_at", DATETIME, s_("Eingegangen")),
    ]


def _project_fields() -> list[Field]:
    statuses = ", ".join(f"{code} = {label}" for code, label in PROJECT_STATUSES.items())
    return [
        Field("id", INTEGER, s_("Projekt-Nr.")),
        Field("title", TEXT, s_("Titel")),
        Field("description", TEXT, s_("Beschreibung")),
        Field("status", TEXT, s_("Status"), statuses),
        Field("progress", INTEGER, s_("Fortschritt in Prozent")),
        Field("start_on", TEXT, s_("Beginn")),
        Field("accompaniment_end", TEXT, s_("Ende der Begleitung")),
        Field("municipality_ags", TEXT, s_("AGS der Gemeinde")),
        Field("municipality_name", TEXT, s_("Gemeinde")),
        Field("district_names", TEXT, s_("Ortsteile")),
        Field("partner_names", TEXT, s_("Partner")),
        Field("idea_ids", TEXT, s_("Ideen (Nr.)")),
        Field("milestones", INTEGER, s_("Meilensteine")),
        Field("milestones_done", INTEGER, s_("Meilensteine erreicht")),
        Field("created_at", DATETIME, s_("Angelegt")),
        Field("updated_at", DATETIME, s_("Zuletzt geändert")),
    ]


def check_request(conn: Connection, dataset: str, fmt: str, county_key: str, ags: str | None) -> None:
    """NotFound (German) for an unknown dataset, format or municipality."""
    if dataset not in DATASETS or fmt not in FORMATS:
        raise NotFound(s_("Export als %(name)s gibt es nicht. Datensätze: %(datasets)s; Formate: %(formats)s.",
                          name=f"{dataset}.{fmt}", datasets=", ".join(DATASETS), formats=", ".join(FORMATS)))
    if ags is not None:
        areas.municipality(conn, county_key, ags)


def _rows(conn: Connection, dataset: str, county_key: str, ags: str | None, zone: ZoneInfo, srid: int):
    statement = "results/ideas_export" if dataset == "ideen" else "results/projects_export"
    fields = _idea_fields() if dataset == "ideen" else _project_fields()
    records, geometries = [], []
    for row in conn.execute(sql(statement), {"county_key": county_key, "ags": ags, "srid": srid}):
        record = dict(row._mapping)
        wkb = record.pop("geom_wkb")
        geometries.append(shapely.from_wkb(bytes(wkb)) if wkb is not None else None)
        for f in fields:
            value = record.get(f.name)
            if isinstance(value, dt.datetime):
                record[f.name] = value.astimezone(zone)
            elif isinstance(value, dt.date):
                record[f.name] = value.isoformat()
        records.append(record)
    return fields, records, geometries


def export(conn: Connection, dataset: str, fmt: str, county_key: str, ags: str | None, time_zone: str,
           attributions: list[str]) -> ExportFile:
    """One export file of ideas or projects (WGS 84)."""
    check_request(conn, dataset, fmt, county_key, ags)
    fields, records, geometries = _rows(conn, dataset, county_key, ags, ZoneInfo(time_zone), STORAGE_SRID)
    attribution = "; ".join(dict.fromkeys([BOUNDARY_ATTRIBUTION, *attributions]))
    description = s_("Glaswände – %(dataset)s", dataset=DATASETS[dataset])
    chosen = FORMATS[fmt]
    filename = f"glaswaende-{dataset}-{ags or county_key}-{dt.date.today().isoformat()}.{chosen.extension}"
    if fmt == "geojson":
        content = _geojson(dataset, fields, records, geometries, description, attribution)
    elif fmt == "csv":
        content = _csv(fields, records, geometries)
    else:
        content = _geopackage(dataset, fields, records, geometries, description, attribution, filename)
    return ExportFile(filename, chosen.mimetype, content)


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return value


def _geojson(dataset, fields, records, geometries, description, attribution) -> bytes:
    body = {"type": "FeatureCollection", "name": f"glaswaende_{dataset}", "description": description,
            "attribution": attribution,
            "fields": [{"name": f.name, "type": f.kind, "title": f.alias} for f in fields],
            "features": [{"type": "Feature", "geometry": None if g is None else mapping(g),
                          "properties": {f.name: _plain(r.get(f.name)) for f in fields}}
                         for r, g in zip(records, geometries)]}
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _csv(fields, records, geometries) -> bytes:
    """Comma, decimal point, UTF-8 without BOM, a header row and the data; the area as WKT."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f.name for f in fields] + ["wkt"])
    for record, geometry in zip(records, geometries):
        cells = ["" if record.get(f.name) is None else spreadsheet_safe(str(_plain(record.get(f.name)))) for f in fields]
        writer.writerow(cells + ["" if geometry is None else shapely.to_wkt(geometry, rounding_precision=-1)])
    return buffer.getvalue().encode("utf-8")


def _column(values: list, kind: str):
    """The dtype that makes GDAL write the field's true type (as services/exports.py does)."""
    if kind == INTEGER:
        return pd.array(values, dtype="Int32")
    if kind == DATETIME:
        return pd.to_datetime(pd.Series(values, dtype=object), utc=True).astype("datetime64[ms, UTC]")
    return pd.Series(values, dtype=object)


def _geopackage(dataset, fields, records, geometries, description, attribution, filename) -> bytes:
    layer = f"glaswaende_{dataset}"
    frame = gpd.GeoDataFrame({f.name: _column([r.get(f.name) for r in records], f.kind) for f in fields},
                             geometry=gpd.GeoSeries(geometries, crs=f"EPSG:{STORAGE_SRID}"), crs=f"EPSG:{STORAGE_SRID}")
    if frame.empty:  # an empty column has no dtype GDAL could read a type from
        frame = frame.astype({f.name: ("Int32" if f.kind == INTEGER else object) for f in fields if f.kind != DATETIME})
    identifier = s_("Glaswände %(dataset)s", dataset=DATASETS[dataset])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / filename
        pyogrio.write_dataframe(
            frame, path, layer=layer, driver="GPKG", geometry_type="MultiPolygon", promote_to_multi=True,
            dataset_options={"VERSION": GEOPACKAGE_VERSION},
            layer_options={"GEOMETRY_NAME": GEOMETRY_COLUMN, "IDENTIFIER": identifier,
                           "DESCRIPTION": f"{description}. {s_('Quelle: %(attribution)s', attribution=attribution)}"},
            layer_metadata={"DESCRIPTION": description, "IDENTIFIER": identifier, "ATTRIBUTION": attribution})
        return path.read_bytes()

