"""Importing local actors from a spreadsheet's CSV (semicolons or commas, UTF-8 with or without
BOM) or from any vector file GDAL reads (GeoPackage, GeoJSON, Shapefile …, reprojected to WGS 84).
Every row is checked as the staff form checks it (records.checked); the import is one transaction,
and nothing is written while a row is refused, unless the bad rows are to be skipped."""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection

from ..errors import ImportProblem, InvalidInput
from ..geo import STORAGE_SRID
from ..i18n import s_
from . import records

# The file's columns (any case) for each field of the form; the first one present is read.
COLUMNS = {
    "name": ("name",),
    "kind": ("kind", "art"),
    "contact": ("contact", "kontakt"),
    "description": ("description", "beschreibung"),
    "municipality": ("municipality", "ags", "gemeinde"),
    "district": ("ortsteil", "district"),
    "lat": ("lat", "breite", "latitude"),
    "lon": ("lon", "länge", "laenge", "longitude", "lng"),
}
CSV_SUFFIXES = (".csv", ".txt")


@dataclass
class ImportReport:
    """What an import did: rows imported (or, dry run / refused, that would be), rows refused with
    their line and German reasons, and whether anything was written."""
    imported: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    line_word: str = "Zeile"

    def summary(self) -> str:
        lines = [f"{self.line_word} {line}: {reason}" for line, reason in self.refused]
        if self.written:
            lines.append(s_("%(n)s Akteure importiert, %(m)s Zeilen abgelehnt.", n=self.imported, m=len(self.refused)))
        elif self.dry_run:
            lines.append(s_("Probelauf: %(n)s Akteure wären importiert worden, %(m)s Zeilen abgelehnt; nichts "
                            "geschrieben.", n=self.imported, m=len(self.refused)))
        else:
            lines.append(s_("Nichts importiert: %(m)s Zeilen abgelehnt (%(n)s wären in Ordnung). Bitte korrigieren Sie "
                            "die Datei oder überspringen Sie fehlerhafte Zeilen.", n=self.imported, m=len(self.refused)))
        return "\n".join(lines)


def _matched(header: list[str]) -> dict[str, str]:
    """Our field -> the file's column, matched by name case-insensitively."""
    by_lower = {str(column).strip().lower(): column for column in header}
    found = {}
    for target, names in COLUMNS.items():
        for name in names:
            if name in by_lower:
                found[target] = by_lower[name]
                break
    if "name" not in found:
        raise ImportProblem(s_("Die Datei hat keine Spalte „name“. Erwartet: name;kind;contact;description;"
                               "municipality (oder ags);ortsteil;lat;lon. Vorhanden: %(columns)s.",
                               columns=", ".join(str(c) for c in header) or "–"))
    return found


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e6:
        return str(int(value))  # an AGS a spreadsheet stored as a number
    return str(value)


def read_csv(content: bytes) -> list[tuple[int, records.ActorInput]]:
    """(line number, row) of a CSV; the header is line 1. Semicolon or comma, as the header has more."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportProblem(s_("Die Datei ist nicht in UTF-8 gespeichert. Bitte speichern Sie sie als „CSV UTF-8“.")) \
            from error
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise ImportProblem(s_("Die Datei ist leer."))
    columns = {target: [c.strip().lower() for c in header].index(str(column).strip().lower())
               for target, column in _matched(header).items()}
    rows = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        rows.append((line, records.ActorInput(**{target: values[index] if index < len(values) else ""
                                                 for target, index in columns.items()})))
    return rows


def read_vector_file(path: Path, layer: str | None = None) -> list[tuple[int, records.ActorInput]]:
    """(feature number, row) of a GDAL file, its points in WGS 84 (a line or area: a point on it)."""
    import geopandas as gpd
    import pyogrio

    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        # GDAL's own words name the server's temporary path: not shown, the format is what helps.
        raise ImportProblem(s_("Die Datei kann nicht gelesen werden. Bitte speichern Sie sie als GeoPackage, GeoJSON, "
                               "Shapefile im ZIP oder als CSV (UTF-8).")) from error
    spatial = isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns
    columns = _matched([c for c in frame.columns if not (spatial and c == frame.geometry.name)])
    has_geometry = spatial and bool(frame.geometry.notna().any())
    if has_geometry:
        if frame.crs is None:
            raise ImportProblem(s_("Die Datei hat kein Koordinatenreferenzsystem; bitte mit CRS speichern."))
        frame = frame.to_crs(epsg=STORAGE_SRID)
    rows = []
    for number, (_, record) in enumerate(frame.iterrows(), start=1):
        values = {target: _cell(record[column]) for target, column in columns.items()}
        geometry = record[frame.geometry.name] if has_geometry else None
        if geometry is not None and not geometry.is_empty:
            point = geometry if geometry.geom_type == "Point" else geometry.representative_point()
            values["lat"], values["lon"] = repr(point.y), repr(point.x)
        rows.append((number, records.ActorInput(**values)))
    return rows


def read_rows(path: Path, content: bytes | None = None) -> tuple[list[tuple[int, records.ActorInput]], str]:
    """The rows of a file and the word for its numbering ("Zeile" for CSV, "Objekt" for GDAL files)."""
    if path.suffix.lower() in CSV_SUFFIXES:
        return read_csv(content if content is not None else path.read_bytes()), s_("Zeile")
    return read_vector_file(path), s_("Objekt")


def import_rows(conn: Connection, county_key: str, rows: list[tuple[int, records.ActorInput]], account_id: int | None,
                dry_run: bool = False, skip_bad_rows: bool = False, line_word: str = "Zeile") -> ImportReport:
    """Check every row, then store the good ones in the caller's transaction (each logged) unless
    a row was refused (and bad rows are not to be skipped) or this is a dry run."""
    report = ImportReport(dry_run=dry_run, line_word=line_word)
    good = []
    for line, given in rows:
        try:
            good.append(records.checked(conn, county_key, given))
        except InvalidInput as error:
            report.refused.append((line, "; ".join(str(e["message"]) for e in error.errors)))
    if not rows:
        raise ImportProblem(s_("Die Datei enthält keine Zeilen."))
    report.imported = len(good)
    if dry_run or (report.refused and not skip_bad_rows):
        return report
    for actor in good:
        records.create(conn, county_key, actor, account_id, action="imported")
    report.written = bool(good)
    return report
