"""The paper table: for residents without a smartphone, a printable A4 questionnaire per district
(the district's map with a labelled grid and the Ortsteil names, the same questions as the online
form, the QR code to it), and the staff's entry of a stack of answered sheets, fast and by keyboard
alone: a grid field ("C4") or a point clicked on the map, the category by its number, what divides
by letters, then the next sheet. Each sheet is stored as a pin with source 'paper'; moderation and
the disclosure rules treat it as any other pin.

A field's pin is placed at the field's centre: the grid's fields are 250 m wide where the district
allows (the hexagons of the analysis are as wide), wider only for a district that would otherwise
need more than 12 columns or 16 rows on the page.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import Connection

from ..db import sql
from ..errors import InvalidInput, NotFound
from ..geo import METRIC_SRID, STORAGE_SRID, transformer
from ..i18n import s_
from ..vocabulary import AGE_BANDS, CATEGORIES, DIMENSIONS, YEARS_HERE
from .pins import PinDetails, Respondent, invalid_input

MAX_COLUMNS, MAX_ROWS = 12, 16
SMALLEST_FIELD_M = 250.0
FIELD_STEP_M = 50.0

# The keys of the entry form: a category by its number, what divides by a letter, the optional
# self-description by its number, in the order the printed sheet lists them.
CATEGORY_KEYS = {str(number): code for number, code in enumerate(CATEGORIES, start=1)}
DIMENSION_KEYS = {"s": "social", "g": "generations", "h": "origin", "e": "income", "v": "mobility", "a": "other"}
AGE_KEYS = {str(number): code for number, code in enumerate(AGE_BANDS, start=1)}
YEARS_KEYS = {str(number): code for number, code in enumerate(YEARS_HERE, start=1)}
if set(DIMENSION_KEYS.values()) != set(DIMENSIONS):
    raise RuntimeError("paper.DIMENSION_KEYS must give every dimension a letter")

_FIELD = re.compile(r"\s*([A-Za-z])\s*-?\s*(\d{1,2})\s*")


@dataclass(frozen=True)
class Grid:
    """A district's grid in metres (EPSG:25832): columns A, B, … from west to east, rows 1, 2, …
    from north to south, as on the printed map."""
    west: float
    north: float
    field_m: float
    columns: int
    rows: int

    @classmethod
    def around(cls, west: float, south: float, east: float, north: float) -> "Grid":
        width, height = max(east - west, 1.0), max(north - south, 1.0)
        needed = max(width / MAX_COLUMNS, height / MAX_ROWS, SMALLEST_FIELD_M)
        field_m = math.ceil(needed / FIELD_STEP_M) * FIELD_STEP_M
        columns, rows = math.ceil(width / field_m), math.ceil(height / field_m)
        # centred on the district
        west -= (columns * field_m - width) / 2
        north += (rows * field_m - height) / 2
        return cls(west, north, field_m, columns, rows)

    def column_labels(self) -> list[str]:
        return [chr(ord("A") + i) for i in range(self.columns)]

    def field(self, label: str) -> tuple[int, int]:
        """(column, row), 0-based, of a label like "C4" or "c 4"; InvalidInput otherwise."""
        match = _FIELD.fullmatch(label or "")
        column = ord(match.group(1).upper()) - ord("A") if match else -1
        row = int(match.group(2)) - 1 if match else -1
        if not (0 <= column < self.columns and 0 <= row < self.rows):
            last = f"{self.column_labels()[-1]}{self.rows}"
            message = s_("Dieses Feld gibt es auf dem Bogen nicht. Bitte ein Feld von A1 bis %(last)s eingeben.", last=last)
            raise InvalidInput(message, [{"field": "feld", "message": message}])
        return column, row

    def centre(self, label: str) -> tuple[float, float]:
        """The field's centre in metres."""
        column, row = self.field(label)
        return self.west + (column + 0.5) * self.field_m, self.north - (row + 0.5) * self.field_m


@dataclass(frozen=True)
class Frame:
    """A district with its grid: what the questionnaire prints and the entry page reads."""
    district_id: int
    name: str
    municipality_ags: str
    municipality_name: str
    grid: Grid


def frame(conn: Connection, county_key: str, district_id: int) -> Frame:
    row = conn.execute(sql("paper/district_frame"), {"county_key": county_key, "district_id": district_id}).first()
    if row is None:
        raise NotFound(s_("Diesen Ortsteil gibt es im Landkreis nicht."))
    return Frame(row.id, row.name, row.ags, row.municipality_name, Grid.around(row.west, row.south, row.east, row.north))


@dataclass(frozen=True)
class Sheet:
    """One answered questionnaire as typed in."""
    lon: float
    lat: float
    details: PinDetails


def _keys(value: str, table: dict[str, str], field: str, what: str) -> list[str]:
    chosen = []
    for key in re.sub(r"[\s,;]+", "", value or "").lower():
        if key not in table:
            message = s_("Unbekannte Taste „%(key)s“ bei %(what)s. Erlaubt sind: %(allowed)s.", key=key, what=what,
                         allowed=", ".join(table))
            raise InvalidInput(message, [{"field": field, "message": message}])
        chosen.append(table[key])
    return list(dict.fromkeys(chosen))


def _one_key(value: str, table: dict[str, str], field: str, what: str, required: bool) -> str | None:
    chosen = _keys(value, table, field, what)
    if len(chosen) > 1 or (required and not chosen):
        message = s_("Bitte bei %(what)s genau eine Taste eingeben: %(allowed)s.", what=what, allowed=", ".join(table))
        raise InvalidInput(message, [{"field": field, "message": message}])
    return chosen[0] if chosen else None


def sheet_from_form(form, current: Frame) -> Sheet:
    """A sheet from the entry form: a grid field, or lon/lat of a point clicked on the map (the
    page's script fills them), then the keys. InvalidInput (German, per field) for what does not fit."""
    lon, lat = (form.get("lon") or "").strip(), (form.get("lat") or "").strip()
    if lon and lat:
        try:
            point = float(lon), float(lat)
        except ValueError:
            point = None
        if point is None or not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
            message = s_("Der Punkt auf der Karte ist ungültig. Bitte noch einmal klicken oder ein Feld eingeben.")
            raise InvalidInput(message, [{"field": "feld", "message": message}])
    else:
        x, y = current.grid.centre(form.get("feld", ""))
        point = transformer(METRIC_SRID, STORAGE_SRID).transform(x, y)
    category = _one_key(form.get("kategorie", ""), CATEGORY_KEYS, "kategorie", s_("Kategorie"), required=True)
    data = {
        "category": category,
        "dimensions": _keys(form.get("trennt", ""), DIMENSION_KEYS, "trennt", s_("Was trennt")),
        "comment": (form.get("kommentar") or "").strip() or None,
        "respondent": {"age_band": _one_key(form.get("alter", ""), AGE_KEYS, "alter", s_("Alter"), required=False),
                       "years_here": _one_key(form.get("wohndauer", ""), YEARS_KEYS, "wohndauer", s_("Wohndauer"),
                                              required=False)},
    }
    try:
        details = PinDetails.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as error:
        raise invalid_input(error) from None
    return Sheet(point[0], point[1], details)


def store_sheet(conn: Connection, county_key: str, sheet: Sheet, workshop_id: int | None) -> int:
    """Store the sheet as a pin (source 'paper'); its id. InvalidInput for a point outside the county."""
    respondent = sheet.details.respondent or Respondent()
    row = conn.execute(sql("paper/insert"), {
        "lon": sheet.lon, "lat": sheet.lat, "county_key": county_key, "category": sheet.details.category,
        "dimensions": sheet.details.dimensions, "comment": sheet.details.comment, "age_band": respondent.age_band,
        "years_here": respondent.years_here, "workshop_id": workshop_id}).first()
    if row is None:
        message = s_("Dieser Ort liegt außerhalb des Landkreises. Bitte ein Feld innerhalb der Grenze wählen.")
        raise InvalidInput(message, [{"field": "feld", "message": message}])
    return row.id


def sheets_stored(conn: Connection, district_id: int) -> int:
    return conn.execute(sql("paper/count"), {"district_id": district_id}).scalar_one()
