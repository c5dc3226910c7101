"""Planner exports: pins, district aggregates and hexagon cells as GeoPackage, GeoJSON and CSV,
with the current filters, a dated file name and the attribution, in WGS 84 (EPSG:4326) or
ETRS89 / UTM 32N (EPSG:25832).

What QGIS takes as it is (issue 15):
- a GeoPackage 1.2 (GDAL 3.6, the GDAL under QGIS 3.28 LTR, warns on every 1.4 file), with true
  field types (Integer, Real, DateTime; timestamps in UTC, as the GeoPackage standard wants them),
  German column titles and value lists beside the stable codes, and a layer style as the
  layer's default (services/export_styles/);
- every hexagon cell part with what the scan stored (also the empty ones), geometries at full
  precision, so the statistic can be recomputed from the export;
- two CSVs: `csv` plain (comma, decimal point, UTF-8 without BOM, nothing but the table) and
  `csv-de` for German spreadsheets (semicolon, decimal comma, UTF-8 with BOM, text quoted, so the
  AGS stays 03252008 for a reader that takes quoted fields as text, label columns beside the
  codes, WAHR/FALSCH, the source in one first comment line).
GeoJSON and CSV give timestamps in the county's time zone with their offset."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import mapping
from sqlalchemy import Connection

from ..config import BOUNDARY_ATTRIBUTION
from ..db import sql
from ..errors import InvalidInput, NotFound
from ..geo import METRIC_SRID, STORAGE_SRID
from ..i18n import s_, s_l
from ..vocabulary import AGE_BANDS, CATEGORIES, DIMENSIONS, PIN_SOURCES, PIN_STATUS_LABELS, YEARS_HERE
from . import areas, hotspots, statistics
from .export_styles import BOOLEAN, DATETIME, INTEGER, REAL, TEXT, Domain, Field
from .export_styles import describe_geopackage, hotspot_rules, pin_ranges, qml
from .statistics import PinFilter

DATASETS = {"pins": s_l("Pins"), "districts": s_l("Ortsteile"), "hotspots": s_l("Hotspot-Zellen")}


@dataclass(frozen=True)
class Format:
    mimetype: str
    extension: str
    file_suffix: str = ""  # before the extension: the two CSVs have different names


# The page (templates/planner/_exports.html) offers each with its label.
FORMATS = {
    "gpkg": Format("application/geopackage+sqlite3", "gpkg"),
    "geojson": Format("application/geo+json", "geojson"),
    "csv": Format("text/csv; charset=utf-8", "csv"),
    "csv-de": Format("text/csv; charset=utf-8", "csv", "-excel"),
}
# The coordinate reference systems a planner may choose (?crs=): the storage CRS and the metric
# one of Lower Saxony's own data.
CRS_CHOICES = {STORAGE_SRID: "WGS 84 (EPSG:4326)", METRIC_SRID: "ETRS89 / UTM 32N (EPSG:25832)"}
DEFAULT_SRID = STORAGE_SRID
GEOMETRY_COLUMN = "geom"
GEOPACKAGE_VERSION = "1.2"


@dataclass
class ExportFile:
    filename: str
    mimetype: str
    content: bytes


@dataclass
class Table:
    """One dataset as rows of plain values (str, int, float, bool, aware datetime, None) with
    their fields, geometries in the chosen CRS, and what its layer style needs."""

    dataset: str
    fields: list[Field]
    records: list[dict]
    geometries: list
    geometry_type: str
    srid: int
    metadata: dict = field(default_factory=dict)
    style: dict = field(default_factory=dict)


def domains() -> dict[str, Domain]:
    """The value lists of the coded columns, labelled in the staff language. Named with a
    prefix, so that they do not clash with other domains in a planner's own GeoPackage."""
    return {domain.name: domain for domain in (
        Domain("glaswaende_category", s_("Kategorie des Pins"), {c: str(label) for c, label in CATEGORIES.items()}),
        Domain("glaswaende_age_band", s_("Altersgruppe"), {c: str(label) for c, label in AGE_BANDS.items()},
               null_label=s_("keine Angabe")),
        Domain("glaswaende_years_here", s_("Wohndauer"), {c: str(label) for c, label in YEARS_HERE.items()},
               null_label=s_("keine Angabe")),
        Domain("glaswaende_comment_status", s_("Prüfung des Kommentars"),
               {c: str(label) for c, label in PIN_STATUS_LABELS.items()}, null_label=s_("kein Kommentar")),
        Domain("glaswaende_source", s_("Herkunft des Pins"), {c: str(label) for c, label in PIN_SOURCES.items()}),
        Domain("glaswaende_location_precision", s_("Lage des Pins"),
               {"exact": s_("auf der Karte gesetzt"), "grid": s_("Feld eines Papierbogens (Mitte des Feldes)"),
                "district": s_("Ortsteil gewählt (Mitte des Ortsteils)")}),
        Domain("glaswaende_hotspot_class", s_("Ergebnis der Scan-Statistik"),
               {"hot": s_("Hotspot"), "cold": s_("Coldspot"), "none": s_("weder Hotspot noch Coldspot")}),
        Domain("glaswaende_variant", s_("Ausgewertete Pins"),
               {hotspots.ALL_PINS: s_("alle Pins"),
                **{f"category:{c}": s_("nur „%(category)s“", category=label) for c, label in CATEGORIES.items()}}),
    )}


def _pin_fields(srid: int) -> list[Field]:
    codes = ", ".join(f"{code} = {label}" for code, label in DIMENSIONS.items())
    fields = [
        Field("id", TEXT, s_("Pin-ID"), s_("Kennung des Pins (UUID)")),
        Field("category", TEXT, s_("Kategorie"), domain="glaswaende_category"),
        Field("dimensions", TEXT, s_("Was trennt hier"), s_("Codes, durch Komma getrennt: %(codes)s", codes=codes)),
        Field("comment", TEXT, s_("Kommentar"), s_("Nur freigegebene Kommentare; alle anderen bleiben leer.")),
        Field("age_band", TEXT, s_("Altersgruppe"), domain="glaswaende_age_band"),
        Field("years_here", TEXT, s_("Wohndauer"), domain="glaswaende_years_here"),
        Field("status", TEXT, s_("Prüfung des Kommentars"), s_("Leer: Der Pin hat keinen Kommentar."),
              domain="glaswaende_comment_status"),
        Field("created_at", DATETIME, s_("Gesetzt am"), s_("Zeitpunkt mit Zeitzone")),
        Field("municipality_ags", TEXT, s_("Gemeindeschlüssel (AGS)")),
        Field("municipality", TEXT, s_("Gemeinde")),
        Field("district", TEXT, s_("Ortsteil")),
        Field("location_precision", TEXT, s_("Lage"), domain="glaswaende_location_precision"),
        Field("source", TEXT, s_("Herkunft"), s_("online, im Workshop oder von einem Papierbogen abgetippt"),
              domain="glaswaende_source"),
        Field("lon", REAL, s_("Längengrad (WGS 84)")),
        Field("lat", REAL, s_("Breitengrad (WGS 84)")),
    ]
    if srid != STORAGE_SRID:
        fields += [Field("x", REAL, s_("Ostwert (EPSG:%(srid)s, m)", srid=srid)),
                   Field("y", REAL, s_("Nordwert (EPSG:%(srid)s, m)", srid=srid))]
    return fields


def _count_fields() -> list[Field]:
    return [Field(f"pins_{code}", INTEGER, s_("Pins: %(category)s", category=label)) for code, label in CATEGORIES.items()]


def _district_fields() -> list[Field]:
    return [
        Field("district_id", INTEGER, s_("Ortsteil-Nr.")),
        Field("municipality_ags", TEXT, s_("Gemeindeschlüssel (AGS)")),
        Field("municipality", TEXT, s_("Gemeinde")),
        Field("district", TEXT, s_("Ortsteil")),
        Field("approximate", BOOLEAN, s_("Grenzen ungefähr")),
        Field("inhabitants", INTEGER, s_("Einwohner")),
        Field("pins", INTEGER, s_("Pins")),
        *_count_fields(),
        *[Field(f"dimension_{code}", INTEGER, s_("Trennt: %(dimension)s", dimension=label))
          for code, label in DIMENSIONS.items()],
        Field("area_km2", REAL, s_("Fläche (km²)")),
        Field("pins_per_km2", REAL, s_("Pins je km²")),
        Field("pins_per_1000_inhabitants", REAL, s_("Pins je 1.000 Einwohner")),
        Field("computed_at", DATETIME, s_("Auswertung vom")),
    ]


def _cell_fields() -> list[Field]:
    return [
        Field("cell", INTEGER, s_("Zellteil-Nr."), s_("Ein Sechseck an einer Gemeindegrenze hat je Gemeinde einen Teil.")),
        Field("i", INTEGER, s_("Rasterspalte"), s_("Gleiche Spalte und Zeile: dasselbe Sechseck")),
        Field("j", INTEGER, s_("Rasterzeile"), s_("Gleiche Spalte und Zeile: dasselbe Sechseck")),
        Field("municipality_ags", TEXT, s_("Gemeindeschlüssel (AGS)")),
        Field("municipality", TEXT, s_("Gemeinde")),
        Field("area_share", REAL, s_("Flächenanteil in der Gemeinde")),
        Field("pins", INTEGER, s_("Pins (mit Filtern)")),
        *_count_fields(),
        Field("statistic_pins", INTEGER, s_("Pins in der Auswertung"),
              s_("Die Pins, die die Scan-Statistik in diesem Zellteil gezählt hat")),
        Field("expected_pins", REAL, s_("Erwartete Pins"), s_("Die Pins, die die Grundlage hier erwarten lässt")),
        Field("hotspot_class", TEXT, s_("Ergebnis"), domain="glaswaende_hotspot_class"),
        Field("confidence", INTEGER, s_("Konfidenz (%)")),
        Field("hotspot", INTEGER, s_("Hotspot-Nr.")),
        Field("p_value", REAL, s_("p-Wert")),
        Field("variant", TEXT, s_("Ausgewertete Pins"), domain="glaswaende_variant"),
        Field("computed_at", DATETIME, s_("Auswertung vom")),
    ]


def _instant(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A stored time in the county's time zone (with its offset), to the second: the same
    instant in every format."""
    return moment.astimezone(zone).replace(microsecond=0)


def _municipalities(conn: Connection, county_key: str, ags: str | None) -> list[str]:
    return [ags] if ags else [m["ags"] for m in areas.municipality_list(conn, county_key)]


PIN_BATCH = 2000  # pins read from the database at a time


def _pins(conn: Connection, county_key: str, ags: str | None, pin_filter: PinFilter, zone: ZoneInfo,
          srid: int) -> Table:
    """Every pin the filter keeps, read in batches from a server-side cursor: PostgreSQL works
    on an export a little at a time, between residents' pins, instead of in one burst (and
    without a second core of parallel workers)."""
    result = conn.execute(sql("exports/pins"), {"county_key": county_key, "ags": ags, "srid": srid,
                                                **pin_filter.parameters(zone.key)},
                          execution_options={"yield_per": PIN_BATCH})
    records, geometries = [], []
    for rows in result.partitions():
        if srid == STORAGE_SRID:
            batch = shapely.points([(r.lon, r.lat) for r in rows])
        else:
            batch = shapely.from_wkb([bytes(r.wkb) for r in rows])
        for row, geometry in zip(rows, batch):
            record = {k: v for k, v in row._mapping.items() if k != "wkb"}
            record["created_at"] = _instant(row.created_at, zone)
            if srid != STORAGE_SRID:
                record["x"], record["y"] = geometry.x, geometry.y
            records.append(record)
        geometries.extend(batch)
    return Table("pins", _pin_fields(srid), records, geometries, "Point", srid)


def _districts(conn: Connection, run, county_key: str, ags: str | None, pin_filter: PinFilter, zone: ZoneInfo,
               srid: int) -> Table:
    counts = {}
    for code in _municipalities(conn, county_key, ags):
        counts.update({c.key: c for c in statistics.district_counts(conn, run, code, pin_filter)})
    computed_at = _instant(run.finished_at, zone)
    records, geometries = [], []
    for r in conn.execute(sql("exports/districts"), {"county_key": county_key, "ags": ags, "srid": srid}):
        c = counts.get(r.id) or statistics.Counts(key=r.id, population=r.population)
        records.append({"district_id": r.id, "municipality_ags": r.municipality_ags, "municipality": r.municipality,
                        "district": r.name, "approximate": r.approximate, "inhabitants": r.population,
                        "pins": c.total, **{f"pins_{k}": v for k, v in c.by_category.items()},
                        **{f"dimension_{k}": v for k, v in c.by_dimension.items()},
                        "area_km2": c.area_km2, "pins_per_km2": c.pins_per_km2,
                        "pins_per_1000_inhabitants": c.pins_per_1000_inhabitants, "computed_at": computed_at})
        geometries.append(shapely.from_wkb(bytes(r.wkb)))
    style = {"ranges": pin_ranges([r["pins"] for r in records], s_("keine Pins"))}
    return Table("districts", _district_fields(), records, geometries, "MultiPolygon", srid,
                 metadata={"COMPUTED_AT": computed_at.isoformat(timespec="seconds"),
                           "METHOD": statistics.method_summary(run)}, style=style)


def _cells(conn: Connection, run, county_key: str, ags: str | None, pin_filter: PinFilter, zone: ZoneInfo,
           srid: int) -> Table:
    """Every cell part of the run with the scan's stored result for the filter's variant (the
    pins it counted, the pins expected, hotspot, p-value) and the filtered pins now."""
    counts = {}
    for code in _municipalities(conn, county_key, ags):
        counts.update(statistics.cell_counts(conn, run, code, pin_filter))
    computed_at = _instant(run.finished_at, zone)
    records, geometries = [], []
    for r in conn.execute(sql("exports/hotspot_cells"), {"county_key": county_key, "ags": ags, "srid": srid,
                                                         "run_id": run.id, "variant": pin_filter.variant}):
        c = counts.get(r.cell) or statistics.Counts(key=r.cell)
        records.append({"cell": r.cell, "i": r.i, "j": r.j, "municipality_ags": r.municipality_ags,
                        "municipality": r.municipality, "area_share": r.area_share, "pins": c.total,
                        **{f"pins_{k}": v for k, v in c.by_category.items()},
                        "statistic_pins": r.statistic_pins, "expected_pins": r.expected_pins,
                        "hotspot_class": r.hotspot_class, "confidence": r.confidence, "hotspot": r.hotspot,
                        "p_value": r.p_value, "variant": pin_filter.variant, "computed_at": computed_at})
        geometries.append(shapely.from_wkb(bytes(r.wkb)))
    metadata = {"COMPUTED_AT": computed_at.isoformat(timespec="seconds"), "METHOD": statistics.method_summary(run),
                "CELL_SIZE_M": str(run.cell_size_m), "VARIANT": pin_filter.variant}
    return Table("hotspots", _cell_fields(), records, geometries, "Polygon", srid, metadata=metadata,
                 style={"rules": hotspot_rules(s_("weder Hotspot noch Coldspot"))})


def _table(conn: Connection, dataset: str, county_key: str, ags: str | None, pin_filter: PinFilter,
           time_zone: str, srid: int) -> Table:
    zone = ZoneInfo(time_zone)
    if dataset == "pins":
        return _pins(conn, county_key, ags, pin_filter, zone, srid)
    run = statistics.require_run(conn, county_key)
    if dataset == "districts":
        return _districts(conn, run, county_key, ags, pin_filter, zone, srid)
    return _cells(conn, run, county_key, ags, pin_filter, zone, srid)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A text cell that a spreadsheet would run as a formula (=, +, -, @ …) gets a leading
    apostrophe, so a comment like `=HYPERLINK(…)` stays text when a planner opens the CSV."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def parse_crs(value: str | None) -> int:
    """The EPSG code of `?crs=` (4326 or 25832, also as "EPSG:25832"); 4326 when not given.
    InvalidInput (staff language) for any other."""
    if value is None or not value.strip():
        return DEFAULT_SRID
    code = value.strip().upper().removeprefix("EPSG:")
    if code.isdigit() and int(code) in CRS_CHOICES:
        return int(code)
    allowed = ", ".join(f"{srid} ({name.split(' (')[0]})" for srid, name in CRS_CHOICES.items())
    raise InvalidInput(s_("Das Koordinatensystem für den Export ist ungültig."), [{
        "field": "crs", "message": s_("Unbekanntes Koordinatensystem: %(unknown)s. Möglich sind: %(allowed)s.",
                                      unknown=value.strip()[:40], allowed=allowed)}])


def check_request(conn: Connection, dataset: str, fmt: str, county_key: str, ags: str | None) -> None:
    """NotFound (German) for an unknown dataset, format or municipality."""
    if dataset not in DATASETS or fmt not in FORMATS:
        raise NotFound(f"Export als {dataset}.{fmt} gibt es nicht. Datensätze: {', '.join(DATASETS)}; "
                       f"Formate: {', '.join(FORMATS)}.")
    if ags is not None:
        areas.municipality(conn, county_key, ags)


def export(conn: Connection, dataset: str, fmt: str, county_key: str, ags: str | None,
           pin_filter: PinFilter, time_zone: str, attributions: list[str], srid: int = DEFAULT_SRID) -> ExportFile:
    """One export file; NotFound (German) for an unknown dataset, format or municipality,
    InvalidInput for a CRS not offered."""
    check_request(conn, dataset, fmt, county_key, ags)
    srid = parse_crs(str(srid))
    table = _table(conn, dataset, county_key, ags, pin_filter, time_zone, srid)
    attribution = "; ".join(dict.fromkeys([BOUNDARY_ATTRIBUTION, *attributions]))
    description = s_("Glaswände – %(dataset)s, %(filter)s", dataset=DATASETS[dataset], filter=pin_filter.describe())
    crs_part = "" if srid == DEFAULT_SRID else f"-epsg{srid}"
    chosen = FORMATS[fmt]
    filename = (f"glaswaende-{dataset}-{ags or county_key}-{dt.date.today().isoformat()}{crs_part}"
                f"{chosen.file_suffix}.{chosen.extension}")
    about = {"description": description, "attribution": attribution, "filter": pin_filter.query_string()}
    if fmt == "geojson":
        content = _geojson(table, about)
    elif fmt == "csv":
        content = _plain_csv(table)
    elif fmt == "csv-de":
        content = _german_csv(table, about)
    else:
        content = _geopackage(table, about, filename)
    return ExportFile(filename, chosen.mimetype, content)


# --- GeoJSON -------------------------------------------------------------------------------------

def _json_value(value):
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _geojson(table: Table, about: dict) -> bytes:
    """RFC 7946 in WGS 84; in another CRS with the `crs` member GDAL and QGIS read. Beside the
    features: the columns' titles and the value lists of the coded ones."""
    used = {f.domain for f in table.fields if f.domain}
    body = {"type": "FeatureCollection", "name": f"glaswaende_{table.dataset}", **about}
    if table.srid != STORAGE_SRID:
        body["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{table.srid}"}}
    body["fields"] = [{"name": f.name, "type": f.kind, "title": f.alias, **({"domain": f.domain} if f.domain else {})}
                      for f in table.fields]
    body["domains"] = {name: domain.values for name, domain in domains().items() if name in used}
    body.update({key.lower(): value for key, value in table.metadata.items()})
    body["features"] = [
        {"type": "Feature", "properties": {f.name: _json_value(record.get(f.name)) for f in table.fields},
         "geometry": mapping(geometry)}
        for record, geometry in zip(table.records, table.geometries)]
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


# --- CSV -----------------------------------------------------------------------------------------

def _decimal(value: float) -> str:
    """The shortest digits that read back as the same float, never in exponent notation."""
    return np.format_float_positional(value, trim="-")


def _csv_columns(table: Table) -> tuple[list[Field], list]:
    """The table's fields, and where it is no point layer its geometry as WKT (full precision)."""
    if table.geometry_type == "Point":
        return table.fields, []
    return table.fields, [shapely.to_wkt(g, rounding_precision=-1) for g in table.geometries]


def _plain_cell(value, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == BOOLEAN:
        return "true" if value else "false"
    if kind == REAL:
        return _decimal(float(value))
    if kind == DATETIME:
        return value.isoformat(timespec="seconds")
    return spreadsheet_safe(str(value))


def _plain_csv(table: Table) -> bytes:
    """Comma, decimal point, UTF-8 without BOM, a header row and nothing else (RFC 4180): for
    QGIS's delimited text, pandas, R and the like."""
    fields, wkt = _csv_columns(table)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f.name for f in fields] + (["wkt"] if wkt else []))
    for n, record in enumerate(table.records):
        writer.writerow([_plain_cell(record.get(f.name), f.kind) for f in fields] + ([wkt[n]] if wkt else []))
    return buffer.getvalue().encode("utf-8")


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _german_cell(value, kind: str) -> str:
    """Numbers bare with a decimal comma, truth values as German Excel writes them, all text
    quoted (the AGS keeps its leading zero wherever quoted fields are read as text)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == BOOLEAN:
        return "WAHR" if value else "FALSCH"
    if kind == INTEGER:
        return str(int(value))
    if kind == REAL:
        return _decimal(float(value)).replace(".", ",")
    if kind == DATETIME:
        return _quoted(value.isoformat(timespec="seconds"))
    return _quoted(spreadsheet_safe(str(value)))


def _german_csv(table: Table, about: dict) -> bytes:
    """Semicolon, decimal comma, UTF-8 with BOM (German Excel and LibreOffice open it as it is).
    Beside each coded column its label (`category_label`); the source and filters in one first
    comment line and an empty line, which pandas skips with comment="#"."""
    labels = domains()
    fields, wkt = _csv_columns(table)
    header = []
    for f in fields:
        header.append(f.name)
        if f.domain or f.name == "dimensions":
            header.append(f"{f.name}_label")
    lines = ["# " + s_("%(description)s. Stand: %(date)s. Quelle: %(attribution)s", date=dt.date.today().isoformat(),
                       **about).replace(";", ",").replace("\n", " "), ""]
    lines.append(";".join(_quoted(name) for name in header + (["wkt"] if wkt else [])))
    for n, record in enumerate(table.records):
        cells = []
        for f in fields:
            value = record.get(f.name)
            cells.append(_german_cell(value, f.kind))
            if f.domain:
                label = labels[f.domain].label(value)
                cells.append("" if label is None else _quoted(label))
            elif f.name == "dimensions":
                cells.append(_quoted(", ".join(str(DIMENSIONS.get(code, code)) for code in (value or "").split(",") if code)))
        if wkt:
            cells.append(_quoted(wkt[n]))
        lines.append(";".join(cells))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


# --- GeoPackage ----------------------------------------------------------------------------------

def _column(values: list, kind: str):
    """A column with the dtype that makes GDAL write the field's true type (a column of Nones
    would otherwise become String)."""
    if kind == INTEGER:
        return pd.array(values, dtype="Int32")
    if kind == REAL:
        return np.array([np.nan if v is None else float(v) for v in values], dtype="float64")
    if kind == BOOLEAN:
        return pd.array(values, dtype="boolean")
    if kind == DATETIME:
        # The GeoPackage standard's DATETIME is UTC ("…Z"); GDAL warns on any other offset.
        return pd.to_datetime(pd.Series(values, dtype=object), utc=True).astype("datetime64[ms, UTC]")
    return pd.Series(values, dtype=object)


def _geopackage(table: Table, about: dict, filename: str) -> bytes:
    layer = f"glaswaende_{table.dataset}"
    frame = gpd.GeoDataFrame({f.name: _column([r.get(f.name) for r in table.records], f.kind) for f in table.fields},
                             geometry=gpd.GeoSeries(table.geometries, crs=f"EPSG:{table.srid}"),
                             crs=f"EPSG:{table.srid}")
    identifier = s_("Glaswände %(dataset)s", dataset=DATASETS[table.dataset])
    source = s_("Quelle: %(attribution)s", attribution=about["attribution"])
    style = qml(table.dataset, table.fields, domains(), **table.style)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / filename
        pyogrio.write_dataframe(
            frame, path, layer=layer, driver="GPKG", geometry_type=table.geometry_type,
            dataset_options={"VERSION": GEOPACKAGE_VERSION},
            layer_options={"GEOMETRY_NAME": GEOMETRY_COLUMN, "IDENTIFIER": identifier,
                           "DESCRIPTION": f"{about['description']}. {source}"},
            layer_metadata={"DESCRIPTION": about["description"], "IDENTIFIER": identifier,
                            "ATTRIBUTION": about["attribution"], "FILTER": about["filter"],
                            "CRS": CRS_CHOICES[table.srid], **table.metadata})
        describe_geopackage(path, layer, GEOMETRY_COLUMN, table.fields, domains(), identifier, style,
                            f"{about['description']}. {source}")
        return path.read_bytes()
