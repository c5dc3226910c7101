"""Taking a resident's pin: validate, store with its areas resolved, answer idempotently."""
from __future__ import annotations

import datetime as dt
import hmac
import uuid
from collections.abc import Callable
from typing import Annotated, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError
from sqlalchemy import Engine

from ..db import dbapi_autocommit, dbapi_sql
from ..errors import InvalidInput, MalformedRequest, OutsideCounty
from ..i18n import county_in_sentence
from ..vocabulary import AGE_BANDS, CATEGORIES, COMMENT_MAX_LENGTH, DIMENSIONS, YEARS_HERE
from .areas import county, place_name
from .edit_keys import EDIT_KEY_PATTERN, edit_key_hash, new_edit_key

Category = Literal[tuple(CATEGORIES)]  # type: ignore[valid-type]
Dimension = Literal[tuple(DIMENSIONS)]  # type: ignore[valid-type]
AgeBand = Literal[tuple(AGE_BANDS)]  # type: ignore[valid-type]
YearsHere = Literal[tuple(YEARS_HERE)]  # type: ignore[valid-type]


class Respondent(BaseModel):
    """The resident's optional self-description, in bands so that nobody can be singled out."""

    model_config = ConfigDict(extra="forbid", strict=True)
    age_band: AgeBand | None = None
    years_here: YearsHere | None = None


class PinDetails(BaseModel):
    """What a pin says about its place; the resident may change it later through their edit link."""

    model_config = ConfigDict(extra="forbid", strict=True)
    category: Category
    dimensions: Annotated[list[Dimension], Field(max_length=len(DIMENSIONS))] = []
    comment: Annotated[str, Field(max_length=COMMENT_MAX_LENGTH)] | None = None
    respondent: Respondent | None = None

    @field_validator("dimensions")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError(_("Jede Dimension darf nur einmal vorkommen."))
        return value

    @field_validator("comment")
    @classmethod
    def _printable_or_none(cls, value: str | None) -> str | None:
        if value is None:
            return None
        # PostgreSQL text cannot hold NUL; other control characters have no place in a comment.
        if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
            raise ValueError(_("Der Kommentar enthält unzulässige Steuerzeichen."))
        return value.strip() or None


class PinSubmission(PinDetails):
    """The body of POST /api/pins."""

    # The place: a point, or a district (the OpenAPI document says so, as the validator below does).
    # A null counts as absent, as it does for the validator: {"lat": null, "lon": null} is no point.
    model_config = ConfigDict(json_schema_extra={"oneOf": [
        {"required": ["lat", "lon"], "properties": {"lat": {"type": "number"}, "lon": {"type": "number"},
                                                    "district_id": {"type": "null"}}},
        {"required": ["district_id"], "properties": {"district_id": {"type": "integer"}, "lat": {"type": "null"},
                                                     "lon": {"type": "null"}}}]})

    id: uuid.UUID
    # Where: a point (lat, lon) set on the map, or, without the map, a district chosen from the
    # lists (the pin is then placed at its centre and stored as location_precision 'district').
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None = None
    district_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    # The join code of the workshop whose link the resident came through (/w/<code>).
    workshop: Annotated[str, Field(min_length=4, max_length=12, pattern=r"^[a-z0-9]+$")] | None = None
    # The secret of the resident's private edit link, when their page made one (it then knows the
    # link even if this answer is lost); without it the server makes one. Only its hash is stored.
    edit_key: Annotated[str, Field(pattern=EDIT_KEY_PATTERN)] | None = None
    # Honeypot: a field people never see or fill in; form-filling robots do.
    website: Annotated[str, Field(max_length=200)] | None = None

    @model_validator(mode="after")
    def _one_place(self) -> "PinSubmission":
        point = self.lat is not None or self.lon is not None
        if self.district_id is not None and point:
            raise PydanticCustomError("place_twice", _("Bitte geben Sie entweder lat und lon oder district_id an, nicht beides."))
        if self.district_id is None and (self.lat is None or self.lon is None):
            raise PydanticCustomError("place_missing", _("Bitte geben Sie den Ort an: lat und lon, oder district_id."))
        return self


def _allowed(values) -> str:
    return ", ".join(values)


# Field-specific German messages for range and choice errors; the generic table covers the rest.
_FIELD_MESSAGES = {
    ("lat", "greater_than_equal"): _l("Der Breitengrad (lat) muss zwischen -90 und 90 liegen."),
    ("lat", "less_than_equal"): _l("Der Breitengrad (lat) muss zwischen -90 und 90 liegen."),
    ("lon", "greater_than_equal"): _l("Der Längengrad (lon) muss zwischen -180 und 180 liegen."),
    ("lon", "less_than_equal"): _l("Der Längengrad (lon) muss zwischen -180 und 180 liegen."),
    ("category", "literal_error"): _l("Unbekannte Kategorie. Erlaubt sind: %(allowed)s.", allowed=_allowed(CATEGORIES)),
    ("dimensions", "literal_error"): _l("Unbekannte Dimension. Erlaubt sind: %(allowed)s.", allowed=_allowed(DIMENSIONS)),
    ("respondent.age_band", "literal_error"): _l("Unbekannte Altersgruppe. Erlaubt sind: %(allowed)s.", allowed=_allowed(AGE_BANDS)),
    ("respondent.years_here", "literal_error"): _l("Unbekannte Wohndauer. Erlaubt sind: %(allowed)s.", allowed=_allowed(YEARS_HERE)),
    ("district_id", "greater_than_equal"): _l("Bitte wählen Sie einen Ortsteil aus der Liste."),
    ("district_id", "less_than_equal"): _l("Bitte wählen Sie einen Ortsteil aus der Liste."),
    ("comment", "string_too_long"): _l("Der Kommentar darf höchstens %(max)s Zeichen lang sein.", max=COMMENT_MAX_LENGTH),
    ("workshop", "string_pattern_mismatch"): _l("Dieser Workshop-Link ist ungültig."),
    ("workshop", "string_too_short"): _l("Dieser Workshop-Link ist ungültig."),
    ("workshop", "string_too_long"): _l("Dieser Workshop-Link ist ungültig."),
    ("edit_key", "string_pattern_mismatch"): _l("Der Bearbeitungsschlüssel muss aus 32 bis 128 Zeichen "
                                                "A–Z, a–z, 0–9, - und _ bestehen."),
}

_TYPE_MESSAGES = {
    "missing": _l("Dieses Feld fehlt."),
    "extra_forbidden": _l("Dieses Feld ist unbekannt."),
    "float_type": _l("Bitte geben Sie eine Zahl an."),
    "int_type": _l("Bitte geben Sie eine ganze Zahl an."),
    "int_parsing": _l("Bitte geben Sie eine ganze Zahl an."),
    "float_parsing": _l("Bitte geben Sie eine Zahl an."),
    "finite_number": _l("Bitte geben Sie eine endliche Zahl an."),
    "string_type": _l("Bitte geben Sie einen Text an."),
    "uuid_type": _l("Bitte geben Sie eine UUID an, z. B. 3f2b8c1e-6d4a-4c2e-9f1a-2b3c4d5e6f70."),
    "uuid_parsing": _l("Bitte geben Sie eine UUID an, z. B. 3f2b8c1e-6d4a-4c2e-9f1a-2b3c4d5e6f70."),
    "list_type": _l("Bitte geben Sie eine Liste an."),
    "too_long": _l("Zu viele Einträge."),
    "model_type": _l("Bitte geben Sie ein Objekt an."),
    "model_attributes_type": _l("Bitte geben Sie ein Objekt an."),
    "dict_type": _l("Bitte geben Sie ein Objekt an."),
    "literal_error": _l("Dieser Wert ist nicht erlaubt."),
    "string_too_long": _l("Der Text ist zu lang."),
}


def _field_name(loc: tuple) -> str:
    """('dimensions', 1) -> 'dimensions[1]', ('respondent', 'age_band') -> 'respondent.age_band'."""
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


# Errors about the place as a whole (no field of their own): the field the form should mark.
_PLACE_ERRORS = {"place_missing": "lat", "place_twice": "district_id"}


def _german(error: ErrorDetails) -> dict:
    if error["type"] in _PLACE_ERRORS:
        return {"field": _PLACE_ERRORS[error["type"]], "message": error["msg"]}
    field = _field_name(error["loc"])
    base_field = _field_name(tuple(p for p in error["loc"] if not isinstance(p, int)))
    if error["type"] == "value_error":
        message = str(error["ctx"]["error"])
    else:
        message = (_FIELD_MESSAGES.get((base_field, error["type"]))
                   or _TYPE_MESSAGES.get(error["type"], _l("Dieser Wert ist ungültig.")))
    return {"field": field, "message": str(message)}


def parse_submission(body: bytes) -> PinSubmission:
    """Validate a raw request body; MalformedRequest for non-JSON, InvalidInput for bad fields."""
    try:
        return PinSubmission.model_validate_json(body or b"")
    except ValidationError as error:
        problems = error.errors(include_url=False)
        if any(p["type"] == "json_invalid" for p in problems):
            raise MalformedRequest(_("Der Inhalt der Anfrage ist kein gültiges JSON.")) from None
        if any(p["type"] in ("model_type", "model_attributes_type") and not p["loc"] for p in problems):
            raise MalformedRequest(_("Die Anfrage muss ein JSON-Objekt sein.")) from None
        raise invalid_input(error) from None


def invalid_input(error: ValidationError) -> InvalidInput:
    """A pydantic validation error as InvalidInput with a German message per field."""
    errors = [_german(p) for p in error.errors(include_url=False)]
    fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return InvalidInput(_("Bitte prüfen Sie diese Angaben: %(fields)s.", fields=fields), errors)


def _as_response(row, edit_url: str | None) -> dict:
    return {
        "id": str(row.client_id),
        "status": row.status,
        "category": row.category,
        "dimensions": list(row.dimensions),
        "lat": row.lat,
        "lon": row.lon,
        "created_at": row.created_at.astimezone(dt.timezone.utc).isoformat(),
        "location_precision": row.location_precision,
        "municipality": {"ags": row.municipality_ags, "name": row.municipality_name},
        "place": place_name(row.district_name, row.municipality_name),
        "district": None if row.district_id is None else {
            "id": row.district_id, "name": row.district_name, "approximate": row.district_approximate},
        # Present on the first answer, and on a retry that names the same edit key.
        "edit_url": edit_url,
    }


def submit_pin(engine: Engine, submission: PinSubmission, county_key: str,
               edit_url_for: Callable[[str], str]) -> tuple[dict, bool]:
    """Store the pin (or find the one stored under the same id); (pin, created).
    `edit_url_for(secret)` makes the private edit link the answer carries."""
    if submission.website:
        message = _("Dieses Formular wurde offenbar automatisch ausgefüllt. Bitte lassen Sie das Feld „Website“ leer.")
        raise InvalidInput(message, [{"field": "website", "message": message}])
    respondent = submission.respondent or Respondent()
    edit_key = submission.edit_key or new_edit_key()
    key_hash = edit_key_hash(edit_key)
    with dbapi_autocommit(engine) as cursor:
        workshop_id = None
        if submission.workshop is not None:
            found = cursor.execute(dbapi_sql("workshops/by_join_code"), {"join_code": submission.workshop}).fetchone()
            if found is None:
                message = _("Dieser Workshop-Link ist ungültig oder der Workshop wurde gelöscht.")
                raise InvalidInput(message, [{"field": "workshop", "message": message}])
            workshop_id = found.id
        # The dimensions as an array literal (of known words: nothing to quote), which the SQL
        # casts to text[]: the driver would work out a Python list's element type on every pin.
        values = dict(client_id=submission.id, category=submission.category,
                      dimensions="{" + ",".join(submission.dimensions) + "}",
                      comment=submission.comment, age_band=respondent.age_band, years_here=respondent.years_here,
                      county_key=county_key, workshop_id=workshop_id, edit_key_hash=key_hash)
        if submission.district_id is None:
            row = cursor.execute(dbapi_sql("pins/insert"), dict(lat=submission.lat, lon=submission.lon, **values)).fetchone()
        else:
            row = cursor.execute(dbapi_sql("pins/insert_at_district"), dict(district_id=submission.district_id, **values)).fetchone()
        if row is not None:
            return _as_response(row, edit_url_for(edit_key)), True
        stored = cursor.execute(dbapi_sql("pins/by_client_id"), {"client_id": submission.id}).fetchone()
        if stored is not None:
            same_key = stored.edit_key_hash is not None and hmac.compare_digest(bytes(stored.edit_key_hash), key_hash)
            return _as_response(stored, edit_url_for(edit_key) if same_key else None), False
    with engine.connect() as conn:
        info = county(conn, county_key)
    county_name = county_in_sentence(info.genitive, info.title)
    if submission.district_id is not None:
        unknown = _("Diesen Ortsteil gibt es nicht innerhalb %(county)s. Bitte wählen Sie ihn aus der Liste.",
                    county=county_name)
        raise InvalidInput(unknown, [{"field": "district_id", "message": unknown}])
    outside = _("Dieser Punkt liegt außerhalb %(county)s.", county=county_name)
    raise OutsideCounty(outside, [{"field": "lat", "message": outside}, {"field": "lon", "message": outside}])
