"""Importing local actors from a spreadsheet's CSV (semicolons or commas, UTF-8 with or without
BOM) or from a GeoPackage, a GeoJSON file or a zipped Shapefile (reprojected to WGS 84). Every row
is checked as the staff form checks it (records.checked); the import is one transaction, and
nothing is written while a row is refused, unless the bad rows are to be skipped.

A file from outside is recognised by its content before GDAL sees it, and GDAL reads a private
copy under a name of our own: GDAL would open anything (a VRT naming /etc/passwd or a URL as its
source, a GeoJSON "crs" link it fetches), so only these four formats are read, and only when GDAL
names the expected driver."""
from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
import sqlite3
import tempfile
import zipfile
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

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

SQLITE_MAGIC = b"SQLite format 3\x00"
GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")  # the SQLite header's application_id (bytes 68-71)
ZIP_MAGIC = b"PK\x03\x04"
SHAPEFILE_MAGIC = b"\x00\x00\x27\x0a"  # the .shp file code 9994
SHAPEFILE_MEMBER_SUFFIXES = frozenset({".shp", ".shx", ".dbf", ".prj", ".cpg", ".qpj", ".sbn", ".sbx", ".xml"})
SHAPEFILE_MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
# kind -> (name of GDAL's copy, the one driver GDAL must report)
VECTOR_KINDS = {"gpkg": ("akteure.gpkg", "GPKG"), "geojson": ("akteure.geojson", "GeoJSON"),
                "shapefile": ("akteure.zip", "ESRI Shapefile")}
# GDAL's settings while it reads a file from outside: no SpatiaLite (its virtual tables, e.g.
# VirtualText, read any server file a GeoPackage's schema names), no SQLite access to other files,
# no /vsicurl/ (no file should name one; were one named, nothing is fetched).
GDAL_READ_SETTINGS = {"SPATIALITE_LOAD": "NO", "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
                      "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".glaswaende-nothing"}
# The only virtual tables of a GeoPackage we read: its spatial index.
RTREE_TABLE = re.compile(r'CREATE VIRTUAL TABLE (?:IF NOT EXISTS )?(?:"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|\w+) ?'
                         r'USING RTREE(?:_I32)? ?\(')
# A GeoJSON "crs" names a coordinate system (urn:ogc:def:crs:EPSG::25832, EPSG:25832): no link,
# no path (GDAL fetches a "link"/"URL" crs from the net).
CRS_NAME = re.compile(r"[A-Za-z0-9:._-]{1,100}")


def _unsupported() -> ImportProblem:
    return ImportProblem(s_("Bitte laden Sie eine CSV-Datei, ein GeoPackage, eine GeoJSON-Datei oder ein gezipptes "
                            "Shapefile hoch."))


def _unreadable() -> ImportProblem:
    # GDAL's own words name the server's temporary path: not shown, the format is what helps.
    return ImportProblem(s_("Die Datei kann nicht gelesen werden. Bitte speichern Sie sie als GeoPackage, GeoJSON, "
                            "Shapefile im ZIP oder als CSV (UTF-8)."))


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


def file_kind(head: bytes, name: str) -> str:
    """"csv", "gpkg", "geojson" or "shapefile" (a zip) by the file's first bytes (a CSV: by its
    name); ImportProblem for anything else."""
    if head.startswith(SQLITE_MAGIC):
        if head[68:72] not in GPKG_APPLICATION_IDS:
            raise _unsupported()
        return "gpkg"
    if head.startswith(ZIP_MAGIC):
        return "shapefile"
    if head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"{"):
        return "geojson"
    if Path(name).suffix.lower() in CSV_SUFFIXES:
        return "csv"
    raise _unsupported()


def _check_crs_members(value) -> None:
    """Refuse a GeoJSON whose "crs" (at any level) is more than a name, or that is JSON-FG."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, member in item.items():
                if key == "coordRefSys":
                    raise _unsupported()
                if key == "crs" and member is not None:
                    properties = member.get("properties") if isinstance(member, dict) else None
                    name = properties.get("name") if isinstance(properties, dict) else None
                    if (not isinstance(member, dict) or member.get("type") != "name" or not isinstance(name, str)
                            or not CRS_NAME.fullmatch(name)):
                        raise ImportProblem(s_("Die GeoJSON-Datei nennt ihr Koordinatenreferenzsystem nicht als Namen "
                                               "(z. B. „EPSG:25832“). Bitte speichern Sie sie neu als GeoJSON."))
                stack.append(member)
        elif isinstance(item, list):
            stack.extend(item)


def _checked_geojson(path: Path) -> None:
    try:
        document = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _unreadable() from None
    if not isinstance(document, dict) or document.get("type") not in ("FeatureCollection", "Feature"):
        raise _unsupported()
    _check_crs_members(document)


def _checked_geopackage(path: Path) -> None:
    """Refuse a GeoPackage whose schema could make SQLite reach beyond the file: a virtual table
    other than the spatial index, a view, a generated column. Read with Python's SQLite, which
    knows no such modules or functions."""
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)) as db:
            for kind, name, statement in db.execute("SELECT type, name, sql FROM sqlite_master").fetchall():
                statement = " ".join(str(statement or "").split()).upper()
                if kind == "view":
                    raise _unsupported()
                if statement.startswith("CREATE VIRTUAL TABLE"):
                    if not RTREE_TABLE.match(statement):
                        raise _unsupported()
                elif kind == "table" and any(
                        column[6] for column in db.execute("SELECT * FROM pragma_table_xinfo(?)", (name,))):
                    raise _unsupported()
    except sqlite3.Error:
        raise _unreadable() from None


@contextmanager
def _restricted_gdal():
    import pyogrio

    before = {name: pyogrio.get_gdal_config_option(name) for name in GDAL_READ_SETTINGS}
    pyogrio.set_gdal_config_options(GDAL_READ_SETTINGS)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def _shapefile_in_zip(path: Path) -> str:
    """The GDAL path of the one Shapefile in a zip that holds nothing but a Shapefile's parts."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            shapes = []
            total = 0
            for member in members:
                name = member.filename
                parts = PurePosixPath(name).parts
                if not name or name.startswith("/") or "\\" in name or ".." in parts or any(
                        ord(c) < 32 or c in ":*?\"<>|{}" for c in name):
                    raise _unsupported()
                if member.is_dir():
                    continue
                if PurePosixPath(name).suffix.lower() not in SHAPEFILE_MEMBER_SUFFIXES:
                    raise _unsupported()
                total += member.file_size
                if PurePosixPath(name).suffix.lower() == ".shp":
                    shapes.append(member)
            if len(shapes) != 1 or total > SHAPEFILE_MAX_UNZIPPED_BYTES:
                raise ImportProblem(s_("Das ZIP muss genau ein Shapefile enthalten (.shp mit .shx, .dbf und .prj)."))
            with archive.open(shapes[0]) as shape:
                if shape.read(4) != SHAPEFILE_MAGIC:
                    raise _unsupported()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError):
        raise _unreadable() from None
    return f"/vsizip/{path}/{shapes[0].filename}"


def read_vector_file(source: str, driver: str) -> list[tuple[int, records.ActorInput]]:
    """(feature number, row) of a checked file GDAL reads with `driver` (else ImportProblem), its
    points in WGS 84 (a line or area: a point on it)."""
    import geopandas as gpd
    import pyogrio

    try:
        with _restricted_gdal():
            if pyogrio.read_info(source)["driver"] != driver:
                raise _unsupported()
            frame = gpd.read_file(source, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
            pyogrio.errors.GeometryError, pyogrio.errors.FeatureError, pyogrio.errors.CRSError) as error:
        raise _unreadable() from error
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


def read_rows(path: Path, name: str | None = None) -> tuple[list[tuple[int, records.ActorInput]], str]:
    """The rows of a local file (`name`: as the person called it, for an upload) and the word for
    their numbering ("Zeile" for CSV, "Objekt" for the others). The format is told by the content
    (a CSV by its name); GDAL reads a copy under our own name."""
    if str(path).startswith("/vsi"):
        raise _unsupported()
    with path.open("rb") as handle:
        kind = file_kind(handle.read(4096), name or path.name)
    if kind == "csv":
        return read_csv(path.read_bytes()), s_("Zeile")
    copy_name, driver = VECTOR_KINDS[kind]
    with tempfile.TemporaryDirectory(prefix="glaswaende-actors-") as folder:
        copy = Path(folder) / copy_name
        shutil.copyfile(path, copy)
        if kind == "geojson":
            _checked_geojson(copy)
        elif kind == "gpkg":
            _checked_geopackage(copy)
        source = _shapefile_in_zip(copy) if kind == "shapefile" else str(copy)
        return read_vector_file(source, driver), s_("Objekt")


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
