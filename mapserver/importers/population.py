"""Import a population grid, the baseline of the hotspot analysis: inhabitants at points, only those
inside the county. Reads the Zensus grid CSVs of Destatis (also inside their ZIP archives) and any
file GDAL reads (points as they are; polygons by a point inside each)."""
from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from babel.numbers import format_decimal
from numpy.dtypes import StringDType
from pyproj import CRS
from pyproj.exceptions import CRSError
from sqlalchemy import Engine

from ..db import sql
from ..errors import ImportProblem
from ..geo import ZENSUS_GRID_SRID, to_storage_lonlat
from ..services.areas import CountyInfo

DEFAULT_INHABITANTS_FIELD = "Einwohner"
# The Zensus CSVs carry no CRS; their cell centres are in the INSPIRE grid's.
DEFAULT_CSV_CRS = f"EPSG:{ZENSUS_GRID_SRID}"
CSV_SUFFIXES = (".csv", ".txt")
# The columns of the cell centre: x_mitte/y_mitte, or x_mp_100m/y_mp_100m (x_mp_1km …) as in the
# Zensus 2011 and 2022 downloads, or plain x/y.
X_COLUMN = re.compile(r"x_mitte|x_mp(_\w+)?|x", re.IGNORECASE)
Y_COLUMN = re.compile(r"y_mitte|y_mp(_\w+)?|y", re.IGNORECASE)
COORDINATE_COLUMNS_HINT = "x_mitte und y_mitte, x_mp_100m und y_mp_100m, x_mp_1km und y_mp_1km oder x und y"
# How statistical tables write a value that is not given: Destatis' "–" (nothing there), "."
# (unknown or secret), "/" (not reliable enough), "x" (locked), "…"; "\ufffd" where a Windows-1252
# "–" was once decoded as UTF-8; and the usual empties. Compared case-insensitively, spaces removed.
# Negative numbers (the Zensus 2011 wrote -1 for a secret value) count as not given, too.
MISSING_MARKERS = frozenset({"", "-", "–", "—", "\ufffd", ".", "..", "...", "…", "/", "x",
                             "nan", "na", "n/a", "null", "none"})
# The nationwide 100 m grid has about three million rows: it is read in chunks, each narrowed to
# the county's bounding box before the next is read, so memory stays small.
CSV_CHUNK_ROWS = 250_000
_ENCODING_PROBE_BYTES = 1 << 20
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_GERMAN_THOUSANDS = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")

Bounds = tuple[float, float, float, float]  # west, south, east, north in storage CRS
Opener = Callable[[], AbstractContextManager[BinaryIO]]


@dataclass
class PopulationPoints:
    """A file's points within the county's bounding box, in storage CRS, with their inhabitants;
    how many rows the file has, and how many of them lack a usable value or location."""

    name: str  # of the file, or of the CSV in its ZIP archive ("Zensus2022.zip/…_100m-Gitter.csv")
    crs: CRS
    lons: np.ndarray
    lats: np.ndarray
    inhabitants: np.ndarray
    read: int
    without_value: int


@dataclass
class PopulationImportReport:
    file_name: str
    county_key: str
    county_title: str
    read: int
    kept: int
    inhabitants: float
    without_value: int
    replaced: int = 0

    @property
    def outside(self) -> int:
        """Points with a value that lie outside the county (beyond its bounding box or not)."""
        return self.read - self.without_value - self.kept

    def summary(self) -> str:
        lines = [
            f"Bevölkerungsraster für {self.county_title} ({self.county_key}): "
            f"{_count(self.kept, 'Rasterpunkt', 'Rasterpunkte')} mit "
            f"{_count(self.inhabitants, 'Einwohner', 'Einwohnern')} übernommen, "
            f"{_number(self.outside)} außerhalb des Kreises, {_number(self.without_value)} ohne Angabe übersprungen "
            f"({_number(self.read)} aus {self.file_name} gelesen)."
        ]
        if self.replaced:
            lines.append(f"Das bisherige Raster mit {_count(self.replaced, 'Rasterpunkt', 'Rasterpunkten')} "
                         "wurde ersetzt.")
        return "\n".join(lines)


def _number(value: float) -> str:
    return format_decimal(value, locale="de")


def _count(value: float, singular: str, plural: str) -> str:
    return f"{_number(value)} {singular if value == 1 else plural}"


def import_population(engine: Engine, path: Path, county_key: str, inhabitants_field: str = DEFAULT_INHABITANTS_FIELD,
                      layer: str | None = None, crs: str | None = None) -> PopulationImportReport:
    """Replace the county's population grid by the file's points inside it, in one transaction."""
    with engine.connect() as conn:
        county = conn.execute(sql("areas/county"), {"county_key": county_key}).one_or_none()
    if county is None:
        raise ImportProblem(f"Den Kreis {county_key} gibt es in der Datenbank nicht. Bitte importieren Sie zuerst "
                            f"seine Gemeinden: glaswaende import-boundaries --county {county_key}")
    if county.west is None:
        raise ImportProblem(f"Für den Kreis {county_key} sind noch keine Gemeinden importiert. Bitte führen Sie "
                            f"zuerst aus: glaswaende import-boundaries --county {county_key}")
    info = CountyInfo(key=county_key, name=county.name, kind=county.kind,
                      bounds=(county.west, county.south, county.east, county.north))
    points = read_population_file(path, inhabitants_field, layer=layer, crs=crs, bounds=info.bounds)
    report = PopulationImportReport(file_name=points.name, county_key=county_key, county_title=info.title,
                                    read=points.read, kept=0, inhabitants=0.0, without_value=points.without_value)
    if points.without_value == points.read:
        raise ImportProblem(f"In {points.name} hat kein Punkt eine Einwohnerzahl in {inhabitants_field!r}: alle "
                            f"{_number(points.read)} Werte fehlen, sind gesperrt oder negativ.")
    nowhere = (f"Keiner der {_number(points.read)} Punkte aus {points.name} liegt innerhalb {info.genitive}. "
               f"Stimmt das Koordinatenreferenzsystem ({points.crs.to_string()})? "
               "Sonst geben Sie es bitte mit --crs an.")
    if len(points.lons) == 0:
        raise ImportProblem(nowhere)
    with engine.begin() as conn:
        conn.execute(sql("population/county_lock"), {"county_key": county_key})
        report.replaced = conn.execute(sql("population/delete"), {"county_key": county_key}).rowcount
        kept = conn.execute(sql("population/insert"), {
            "county_key": county_key, "lons": points.lons.tolist(), "lats": points.lats.tolist(),
            "inhabitants": points.inhabitants.tolist(),
        }).one()
        if kept.points == 0:
            raise ImportProblem(nowhere)  # rolls back the delete: the old grid stays
    report.kept, report.inhabitants = kept.points, kept.inhabitants
    return report


def read_population_file(path: Path, inhabitants_field: str = DEFAULT_INHABITANTS_FIELD, *, layer: str | None = None,
                         crs: str | None = None, bounds: Bounds) -> PopulationPoints:
    """The points of a Zensus CSV (or a ZIP archive of them) or of any file GDAL reads that lie
    within `bounds`, with their inhabitants."""
    if not path.exists():
        raise ImportProblem(f"Die Datei {path} gibt es nicht.")
    csv_source = _csv_source(path, layer)
    if csv_source is not None:
        opener, name = csv_source
        return _read_csv(opener, name, inhabitants_field, _parse_crs(crs or DEFAULT_CSV_CRS), bounds)
    return _read_gdal(path, inhabitants_field, layer, crs, bounds)


def _parse_crs(text: str) -> CRS:
    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise ImportProblem(f"Das Koordinatenreferenzsystem {text!r} ist unbekannt. Bitte geben Sie es als "
                            f"EPSG-Code an, z. B. --crs {DEFAULT_CSV_CRS}.") from None


class _Collector:
    """Gathers the chunks of a file: drops rows without value or location, transforms the rest to
    the storage CRS and keeps those within the bounding box (the database tests the outline)."""

    def __init__(self, name: str, crs: CRS, bounds: Bounds):
        self.name, self.crs, self.bounds = name, crs, bounds
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.read = self.without_value = 0

    def add(self, x: np.ndarray, y: np.ndarray, inhabitants: np.ndarray) -> None:
        given = np.isfinite(x) & np.isfinite(y) & np.isfinite(inhabitants)
        self.read += len(x)
        self.without_value += int((~given).sum())
        lons, lats = to_storage_lonlat(x[given], y[given], self.crs)
        west, south, east, north = self.bounds
        near = (lons >= west) & (lons <= east) & (lats >= south) & (lats <= north)  # False for inf
        self.parts.append((lons[near], lats[near], inhabitants[given][near]))

    def points(self) -> PopulationPoints:
        def joined(i: int) -> np.ndarray:
            return np.concatenate([part[i] for part in self.parts]) if self.parts else np.empty(0)
        return PopulationPoints(name=self.name, crs=self.crs, lons=joined(0), lats=joined(1), inhabitants=joined(2),
                                read=self.read, without_value=self.without_value)


def _numbers(values: pd.Series, german: bool | None) -> tuple[np.ndarray, object | None]:
    """A column's numbers, NaN where no value is given, and the index label of the first value
    that is neither a number nor a missing marker (None if there is none).

    Text may be German ("1.234,5") or not ("1234.5"). A value with a comma is German: the comma
    is its decimal sign, dots group thousands. Without a comma, "1.234" is more than a thousand
    only in a German table (`german`; None: one with a comma somewhere), else one and a bit.
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=float, na_value=np.nan), None
    text = np.strings.strip(values.astype(str).fillna("").to_numpy(dtype=object).astype(StringDType()))
    if german is None:
        german = bool((np.strings.find(text, ",") >= 0).any())
    # The bulk in C: an optional minus, digits and at most one decimal sign of the table's notation.
    decimal = "," if german else "."
    body = np.strings.lstrip(text, "-")
    plain = ((np.strings.str_len(text) - np.strings.str_len(body) <= 1)
             & np.strings.isdigit(np.strings.replace(body, decimal, "", 1)))
    numbers = np.full(len(text), np.nan)
    try:
        numbers[plain] = np.strings.replace(text[plain], decimal, ".", 1).astype(np.float64)
    except ValueError:  # digits float() does not read, such as "²": all by the rules below
        plain[:] = False
    rest = np.flatnonzero(~plain)
    if len(rest) == 0:
        return numbers, None
    # The rest by the rules, in Python: missing markers, grouped thousands, spaces, mistakes.
    written = pd.Series(text[rest].astype(object), dtype=object).str.replace(_SPACES, "", regex=True)
    given = ~written.str.casefold().isin(MISSING_MARKERS)
    grouped = written.str.contains(",", regex=False)
    if german:
        grouped |= written.str.fullmatch(_GERMAN_THOUSANDS)
    written = written.mask(grouped, written.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    numbers[rest] = pd.to_numeric(written.where(given), errors="coerce").to_numpy(dtype=float)
    bad = given.to_numpy() & ~np.isfinite(numbers[rest])
    return numbers, (values.index[rest[bad.argmax()]] if bad.any() else None)


def _as_inhabitants(numbers: np.ndarray) -> np.ndarray:
    """Negative counts are codes for a secret or unknown value, not people: NaN like a missing one."""
    numbers = numbers.astype(float, copy=True)
    numbers[~(numbers >= 0)] = np.nan
    return numbers


def _find_column(columns: list[str], wanted: str) -> str | None:
    """The column named `wanted`, or the only one named so up to case (shapefiles write CAPITALS)."""
    if wanted in columns:
        return wanted
    similar = [c for c in columns if c.casefold() == wanted.casefold()]
    return similar[0] if len(similar) == 1 else None


# --- CSV ------------------------------------------------------------------------------------------

def _csv_source(path: Path, layer: str | None) -> tuple[Opener, str] | None:
    """How to open the CSV the path means (itself, or one inside a ZIP archive), and its name; None
    for every other file, which GDAL reads (a zipped shapefile, too)."""
    if path.is_file() and path.suffix.lower() in CSV_SUFFIXES:
        return (lambda: open(path, "rb")), path.name
    if not (path.is_file() and path.suffix.lower() == ".zip" and zipfile.is_zipfile(path)):
        return None
    with zipfile.ZipFile(path) as archive:
        members = [n for n in archive.namelist()
                   if n.lower().endswith(CSV_SUFFIXES) and not n.startswith("__MACOSX/")]
    if not members:
        return None
    if layer is None:
        if len(members) > 1:
            raise ImportProblem(f"{path.name} enthält mehrere CSV-Dateien: {', '.join(members)}. Bitte wählen Sie "
                                f"eine mit --layer, z. B. --layer {PurePosixPath(members[0]).name}.")
        member = members[0]
    else:
        exact = [n for n in members if layer in (n, PurePosixPath(n).name, PurePosixPath(n).stem)]
        # "--layer 1km" for Zensus2022_Bevoelkerungszahl_1km-Gitter.csv, when no other name has it.
        partial = [n for n in members if layer.casefold() in PurePosixPath(n).name.casefold()]
        candidates = exact or (partial if len(partial) == 1 else [])
        if not candidates:
            raise ImportProblem(f"Eine CSV-Datei {layer!r} gibt es in {path.name} nicht (oder nicht eindeutig). "
                                f"Vorhandene CSV-Dateien: {', '.join(members)}.")
        member = candidates[0]

    @contextmanager
    def open_member() -> Iterator[BinaryIO]:
        with zipfile.ZipFile(path) as archive, archive.open(member) as handle:
            yield handle
    return open_member, f"{path.name}/{PurePosixPath(member).name}"


def _encoding(opener: Opener) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes so, else Windows-1252: older Zensus
    files write their "–" as the single byte 0x96."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with opener() as handle:
        try:
            while block := handle.read(_ENCODING_PROBE_BYTES):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _clean_header(name: str) -> str:
    # A BOM decoded as Windows-1252 (a UTF-8 file with one stray byte) shows as "ï»¿".
    return name.strip().removeprefix("ï»¿").strip().strip('"')


def _read_csv(opener: Opener, name: str, inhabitants_field: str, crs: CRS, bounds: Bounds) -> PopulationPoints:
    encoding = _encoding(opener)
    with opener() as handle:
        header = handle.readline().decode(encoding, errors="replace")
    if not header.strip():
        raise ImportProblem(f"{name} ist leer.")
    # Destatis separates with semicolons (the comma is the German decimal sign); others with commas.
    separator = max((";", ",", "\t"), key=header.count)
    german = separator == ";"
    columns = [_clean_header(c) for c in header.rstrip("\r\n").split(separator)]
    inhabitants_column = _find_column(columns, inhabitants_field)
    if inhabitants_column is None:
        raise ImportProblem(f"Die Spalte {inhabitants_field!r} gibt es in {name} nicht. Vorhandene Spalten: "
                            f"{', '.join(columns)}. Bitte geben Sie die Spalte mit der Einwohnerzahl mit "
                            "--inhabitants-field an.")
    x_column = next((c for c in columns if X_COLUMN.fullmatch(c) and c != inhabitants_column), None)
    y_column = next((c for c in columns if Y_COLUMN.fullmatch(c) and c != inhabitants_column), None)
    if x_column is None or y_column is None:
        raise ImportProblem(f"In {name} fehlen die Spalten mit den Koordinaten der Zellmitte "
                            f"({COORDINATE_COLUMNS_HINT}). Vorhandene Spalten: {', '.join(columns)}.")
    wanted = {x_column, y_column, inhabitants_column}
    collector = _Collector(name, crs, bounds)
    try:
        with opener() as handle:
            # pandas parses columns of plain numbers in C (the bulk of a Zensus file); a column with
            # anything else ("–", "1.234") stays text for _numbers, whole: low_memory would mix both.
            chunks = pd.read_csv(handle, sep=separator, decimal="," if german else ".", encoding=encoding,
                                 encoding_errors="replace", keep_default_na=False, na_filter=False, low_memory=False,
                                 usecols=lambda c: _clean_header(c) in wanted, chunksize=CSV_CHUNK_ROWS)
            for chunk in chunks:
                chunk.columns = [_clean_header(c) for c in chunk.columns]
                x, y = (_csv_numbers(chunk, column, name, german) for column in (x_column, y_column))
                collector.add(x, y, _as_inhabitants(_csv_numbers(chunk, inhabitants_column, name, german, hint=True)))
    except (pd.errors.ParserError, ValueError) as error:
        raise ImportProblem(f"{name} kann nicht als CSV-Datei gelesen werden: {error}") from None
    if collector.read == 0:
        raise ImportProblem(f"{name} enthält keine Rasterpunkte, nur die Kopfzeile.")
    return collector.points()


def _csv_numbers(chunk: pd.DataFrame, column: str, name: str, german: bool, hint: bool = False) -> np.ndarray:
    numbers, bad = _numbers(chunk[column], german)
    if bad is not None:
        # The header is line 1 and the index counts data rows from 0 across all chunks.
        raise ImportProblem(f"Die Spalte {column!r} in {name} enthält in Zeile {bad + 2} keine Zahl, sondern "
                            f"{chunk[column][bad]!r}." + (" Bitte geben Sie mit --inhabitants-field die Spalte "
                                                         "mit der Einwohnerzahl an." if hint else ""))
    return numbers


# --- Files GDAL reads -----------------------------------------------------------------------------

def _read_gdal(path: Path, inhabitants_field: str, layer: str | None, crs: str | None,
               bounds: Bounds) -> PopulationPoints:
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except pyogrio.errors.DataSourceError:
        raise ImportProblem(f"{path.name} kann nicht gelesen werden. Erwartet wird eine CSV-Datei des Zensus "
                            "oder eine Geodatei (GeoPackage, Shapefile, GeoJSON …).") from None
    if not layers:
        raise ImportProblem(f"{path.name} enthält keine Ebene mit Daten.")
    if layer is None:
        if len(layers) > 1:
            raise ImportProblem(f"{path.name} enthält mehrere Ebenen: {', '.join(layers)}. Bitte wählen Sie eine "
                                "mit --layer.")
        layer = layers[0]
    elif layer not in layers:
        raise ImportProblem(f"Die Ebene {layer!r} gibt es in {path.name} nicht. Vorhandene Ebenen: "
                            f"{', '.join(layers)}.")
    try:
        info = pyogrio.read_info(path, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        raise ImportProblem(f"Die Ebene {layer!r} in {path.name} kann nicht gelesen werden: {error}") from None
    if info["geometry_type"] is None:
        raise ImportProblem(f"Die Ebene {layer!r} in {path.name} hat keine Geometrien (Punkte oder Flächen).")
    fields = [str(f) for f in info["fields"]]
    inhabitants_column = _find_column(fields, inhabitants_field)
    if inhabitants_column is None:
        raise ImportProblem(f"Das Feld {inhabitants_field!r} gibt es in {path.name} nicht. Vorhandene Felder: "
                            f"{', '.join(fields)}. Bitte geben Sie das Feld mit der Einwohnerzahl mit "
                            "--inhabitants-field an.")
    try:
        frame = gpd.read_file(path, layer=layer, columns=[inhabitants_column], engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        raise ImportProblem(f"Die Ebene {layer!r} in {path.name} kann nicht gelesen werden: {error}") from None
    source_crs = _gdal_crs(frame.crs, crs, path)

    geometries = np.asarray(frame.geometry.array)
    invalid = ~shapely.is_valid(geometries) & ~shapely.is_missing(geometries)
    geometries[invalid] = shapely.make_valid(geometries[invalid])
    # A grid cell's centre is its centroid; a bent polygon's centroid may lie outside it (and so,
    # at the county's edge, outside the county): then a point guaranteed inside the polygon.
    centroids = shapely.centroid(geometries)
    points = np.where(shapely.covers(geometries, centroids), centroids, shapely.point_on_surface(geometries))

    collector = _Collector(path.name, source_crs, bounds)
    collector.add(shapely.get_x(points), shapely.get_y(points),
                  _as_inhabitants(_gdal_numbers(frame[inhabitants_column], inhabitants_column, path)))
    if collector.read == 0:
        raise ImportProblem(f"Die Ebene {layer!r} in {path.name} ist leer.")
    return collector.points()


def _gdal_crs(file_crs: CRS | None, option: str | None, path: Path) -> CRS:
    """The file's own CRS; --crs only supplies a missing one and must not contradict it."""
    given = _parse_crs(option) if option else None
    if file_crs is None:
        if given is None:
            raise ImportProblem(f"{path.name} nennt kein Koordinatenreferenzsystem. Bitte geben Sie es mit --crs an, "
                                f"z. B. --crs EPSG:25832.")
        return given
    if given is not None and not file_crs.equals(given, ignore_axis_order=True):
        raise ImportProblem(f"{path.name} hat das Koordinatenreferenzsystem {file_crs.to_string()}, nicht {option}. "
                            "Bitte lassen Sie --crs weg.")
    return file_crs


def _gdal_numbers(values: pd.Series, column: str, path: Path) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values) or not (pd.api.types.is_numeric_dtype(values)
                                                 or pd.api.types.is_string_dtype(values)
                                                 or pd.api.types.is_object_dtype(values)):
        raise ImportProblem(f"Das Feld {column!r} in {path.name} enthält keine Zahlen ({values.dtype}). Bitte "
                            "geben Sie mit --inhabitants-field das Feld mit der Einwohnerzahl an.")
    # Text with a decimal comma somewhere was written the German way throughout.
    numbers, bad = _numbers(values, german=None)
    if bad is not None:
        raise ImportProblem(f"Das Feld {column!r} in {path.name} enthält im {bad + 1}. Objekt keine Zahl, sondern "
                            f"{values[bad]!r}. Bitte geben Sie mit --inhabitants-field das Feld mit der "
                            "Einwohnerzahl an.")
    return numbers
