"""Local actors and places (clubs, initiatives, schools, parishes, meeting places): checked,
placed and stored; every change in the step-two audit log (services/followup_log.py). Plain
functions on a connection and plain values, no request: the staff pages, the import and the
public API share them."""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import asdict, dataclass

from sqlalchemy import Connection

from ..db import sql
from ..errors import InvalidInput, NotFound
from ..geo import feature, feature_collection
from ..i18n import s_
from ..services import areas, followup_log
from ..vocabulary import ACTOR_KINDS

NAME_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000
CONTACT_MAX_LENGTH = 500
PLACE_MAX_LENGTH = 200  # a municipality's or Ortsteil's name as typed in a file
DISTRICT_ID = re.compile(r"[0-9]{1,9}")  # fits PostgreSQL's integer

# What people write in a spreadsheet's "Art" column, mapped to the codes (lower case, without
# spaces at the ends). The codes and the German labels of ACTOR_KINDS are read too.
KIND_WORDS = {
    "verein": "verein", "vereine": "verein", "sportverein": "verein", "heimatverein": "verein",
    "förderverein": "verein", "schützenverein": "verein", "chor": "verein", "feuerwehr": "verein",
    "initiative": "initiative", "bürgerinitiative": "initiative", "gruppe": "initiative",
    "nachbarschaftshilfe": "initiative", "ehrenamt": "initiative",
    "schule": "schule", "schule oder kita": "schule", "grundschule": "schule", "oberschule": "schule",
    "gymnasium": "schule", "kita": "schule", "kindergarten": "schule", "kindertagesstätte": "schule",
    "kirchengemeinde": "kirchengemeinde", "kirche": "kirchengemeinde", "pfarrei": "kirchengemeinde",
    "pfarramt": "kirchengemeinde", "moscheegemeinde": "kirchengemeinde", "religionsgemeinschaft": "kirchengemeinde",
    "treffpunkt": "treffpunkt", "ort": "treffpunkt", "dorfgemeinschaftshaus": "treffpunkt",
    "gemeinschaftshaus": "treffpunkt", "begegnungsstätte": "treffpunkt", "jugendzentrum": "treffpunkt",
    "jugendtreff": "treffpunkt", "café": "treffpunkt", "cafe": "treffpunkt", "bücherei": "treffpunkt",
    "bibliothek": "treffpunkt", "spielplatz": "treffpunkt",
    "verwaltung": "verwaltung", "rathaus": "verwaltung", "behörde": "verwaltung", "amt": "verwaltung",
    "sonstiges": "sonstiges", "sonstige": "sonstiges", "andere": "sonstiges", "anderes": "sonstiges",
}


@dataclass(frozen=True)
class ActorInput:
    """An actor as typed in a form or read from a file row (text as given; checked by `checked`)."""
    name: str = ""
    kind: str = ""
    description: str = ""
    contact: str = ""
    municipality: str = ""  # an AGS or a municipality's name
    district: str = ""      # an Ortsteil's id (the form's list) or name (a file)
    lat: str = ""
    lon: str = ""

    @classmethod
    def from_form(cls, form) -> "ActorInput":
        return cls(**{field: str(form.get(field, "") or "") for field in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Actor:
    """An actor ready to store: a known kind and municipality, an Ortsteil if known, a point if given."""
    name: str
    kind: str
    description: str | None
    contact: str | None
    municipality_ags: str
    district_id: int | None
    lat: float | None
    lon: float | None


def kind_code(word: str) -> str | None:
    """The kind's code for a code, a German label or a common word ("Verein", "Kita"), else None."""
    key = " ".join(str(word or "").split()).lower()
    if key in ACTOR_KINDS:
        return key
    for code, label in ACTOR_KINDS.items():
        if key == str(label).lower():
            return code
    return KIND_WORDS.get(key)


def _text(value: str, field: str, maximum: int, errors: list, required: bool = False) -> str | None:
    text = str(value or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if field == "name":
        text = " ".join(text.split())
    if required and not text:
        errors.append({"field": field, "message": s_("Bitte geben Sie einen Namen an.")})
    elif len(text) > maximum:
        errors.append({"field": field, "message": s_("Bitte schreiben Sie höchstens %(n)s Zeichen.", n=maximum)})
    elif any(ord(c) < 32 and c not in "\n\t" for c in text):
        errors.append({"field": field, "message": s_("Dieser Text enthält Steuerzeichen.")})
    return text or None


def _place(value: str, field: str, errors: list) -> str:
    """A municipality's or Ortsteil's name, AGS or id as given, spaces folded; "" (and an error)
    for control characters (NUL would break the query) or an overlong text."""
    text = " ".join(str(value or "").split())
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in text):
        errors.append({"field": field, "message": s_("Dieser Text enthält Steuerzeichen.")})
        return ""
    if len(text) > PLACE_MAX_LENGTH:
        errors.append({"field": field, "message": s_("Bitte schreiben Sie höchstens %(n)s Zeichen.",
                                                     n=PLACE_MAX_LENGTH)})
        return ""
    return text


def _coordinate(value: str, field: str, low: float, high: float, errors: list) -> float | None:
    text = str(value or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not low <= number <= high:
        words = s_("Breite") if field == "lat" else s_("Länge")
        errors.append({"field": field, "message": s_("Die geografische %(what)s muss eine Zahl zwischen %(low)s und "
                                                     "%(high)s sein (z. B. 52,0790).", what=words, low=int(low),
                                                     high=int(high))})
        return None
    return number


def checked(conn: Connection, county_key: str, given: ActorInput) -> Actor:
    """The actor checked and placed; InvalidInput (German, per field) when something does not fit.
    A point must lie in the county (and in the municipality named, if one is); without an Ortsteil
    the point's Ortsteil is taken; without a municipality the point's."""
    errors: list = []
    name = _text(given.name, "name", NAME_MAX_LENGTH, errors, required=True)
    description = _text(given.description, "description", DESCRIPTION_MAX_LENGTH, errors)
    contact = _text(given.contact, "contact", CONTACT_MAX_LENGTH, errors)
    kind = kind_code(given.kind)
    if kind is None:
        errors.append({"field": "kind", "message": s_("Die Art „%(kind)s“ kennen wir nicht. Bitte wählen Sie eine "
                                                      "der Arten: %(kinds)s.", kind=given.kind.strip(),
                                                      kinds=", ".join(str(k) for k in ACTOR_KINDS.values()))
                       if given.kind.strip() else s_("Bitte wählen Sie die Art.")})
    lat = _coordinate(given.lat, "lat", -90, 90, errors)
    lon = _coordinate(given.lon, "lon", -180, 180, errors)
    if (lat is None) != (lon is None) and not any(e["field"] in ("lat", "lon") for e in errors):
        errors.append({"field": "lat" if lat is None else "lon",
                       "message": s_("Für einen Punkt braucht es Breite und Länge.")})
        lat = lon = None
    municipality = _place(given.municipality, "municipality", errors)
    district = _place(given.district, "district", errors)
    district_id = int(district) if DISTRICT_ID.fullmatch(district) else None
    place = conn.execute(sql("actors/resolve_place"), {
        "county_key": county_key, "municipality": municipality or None, "lat": lat, "lon": lon,
        "district_id": district_id,
        "district_name": None if district_id is not None or not district else district}).one()
    ags = place.named_ags
    if municipality and ags is None:
        errors.append({"field": "municipality", "message": s_("Die Gemeinde „%(name)s“ gehört nicht zum Landkreis.",
                                                              name=municipality)})
    if lat is not None and lon is not None:
        if place.point_ags is None:
            errors.append({"field": "lat", "message": s_("Dieser Punkt liegt außerhalb des Landkreises. Bitte prüfen "
                                                         "Sie Breite und Länge.")})
        elif ags is not None and place.point_ags != ags:
            errors.append({"field": "lat", "message": s_("Dieser Punkt liegt in %(name)s, nicht in der gewählten "
                                                         "Gemeinde.", name=place.point_name)})
        ags = ags or place.point_ags
    if ags is None and not municipality and not any(e["field"] in ("lat", "municipality") for e in errors):
        errors.append({"field": "municipality", "message": s_("Bitte wählen Sie die Gemeinde oder setzen Sie einen "
                                                              "Punkt.")})
    district_id = place.named_district_id
    if district and district_id is None and ags is not None:
        errors.append({"field": "district", "message": s_("Den Ortsteil „%(name)s“ gibt es in dieser Gemeinde nicht.",
                                                          name=district)})
    if not district:
        district_id = place.point_district_id if ags == place.point_ags else None
    if errors:
        raise InvalidInput(s_("Bitte prüfen Sie die Angaben: %(fields)s.",
                              fields=", ".join(dict.fromkeys(e["field"] for e in errors))), errors)
    return Actor(name, kind, description, contact, ags, district_id, lat, lon)


def _logged(actor: Actor) -> dict:
    return asdict(actor)


def create(conn: Connection, county_key: str, actor: Actor, account_id: int | None, action: str = "created") -> int:
    """Store a checked actor and log it; its id."""
    actor_id = conn.execute(sql("actors/insert"), {"county_key": county_key, **_parameters(actor)}).one().id
    followup_log.record(conn, county_key=county_key, actor_id=account_id, subject="actor", subject_id=actor_id,
                        action=action, after=_logged(actor))
    return actor_id


def _parameters(actor: Actor) -> dict:
    return {"municipality_ags": actor.municipality_ags, "district_id": actor.district_id, "name": actor.name,
            "kind": actor.kind, "description": actor.description, "contact": actor.contact,
            "lat": actor.lat, "lon": actor.lon}


def _as_logged(row: dict) -> dict:
    return {"name": row["name"], "kind": row["kind"], "description": row["description"], "contact": row["contact"],
            "municipality_ags": row["municipality_ags"], "district_id": row["district_id"],
            "lat": row["point_lat"], "lon": row["point_lon"]}


def update(conn: Connection, county_key: str, actor_id: int, actor: Actor, account_id: int | None) -> None:
    """Change an actor and log before and after; NotFound if it is not (any longer) there."""
    before = one(conn, county_key, actor_id)
    changed = conn.execute(sql("actors/update"), {"county_key": county_key, "id": actor_id, **_parameters(actor)})
    if changed.first() is None:
        raise NotFound(s_("Diesen Akteur gibt es nicht (mehr)."))
    followup_log.record(conn, county_key=county_key, actor_id=account_id, subject="actor", subject_id=actor_id,
                        action="changed", before=_as_logged(before), after=_logged(actor))


def delete(conn: Connection, county_key: str, actor_id: int, account_id: int | None) -> None:
    """Delete an actor and log what it was; NotFound if it is not (any longer) there."""
    before = one(conn, county_key, actor_id)
    if conn.execute(sql("actors/delete"), {"county_key": county_key, "id": actor_id}).first() is None:
        raise NotFound(s_("Diesen Akteur gibt es nicht (mehr)."))
    followup_log.record(conn, county_key=county_key, actor_id=account_id, subject="actor", subject_id=actor_id,
                        action="deleted", before=_as_logged(before))


def listing(conn: Connection, county_key: str, ags: str | None = None, kind: str | None = None) -> list[dict]:
    """The county's actors (of one municipality and kind), by municipality and name."""
    return [dict(r._mapping) for r in conn.execute(sql("actors/list"), {"county_key": county_key, "id": None,
                                                                        "ags": ags, "kind": kind})]


def one(conn: Connection, county_key: str, actor_id: int) -> dict:
    row = conn.execute(sql("actors/list"), {"county_key": county_key, "id": actor_id, "ags": None, "kind": None}).first()
    if row is None:
        raise NotFound(s_("Diesen Akteur gibt es nicht (mehr)."))
    return dict(row._mapping)


def as_input(row: dict) -> ActorInput:
    """A stored actor as the edit form shows it."""
    def number(value):
        return "" if value is None else f"{value:.6f}"
    return ActorInput(name=row["name"], kind=row["kind"], description=row["description"] or "",
                      contact=row["contact"] or "", municipality=row["municipality_ags"],
                      district="" if row["district_id"] is None else str(row["district_id"]),
                      lat=number(row["point_lat"]), lon=number(row["point_lon"]))


def geojson(conn: Connection, county_key: str, ags: str) -> dict:
    """The public layer of a municipality's actors: each at its point, or at its Ortsteil's centre
    (`at_district_centre`), with name, kind, description and public contact; an actor without
    either is left off the map. Their contacts are public by definition (the form says so)."""
    municipality = areas.municipality(conn, county_key, ags)
    features = [feature({"type": "Point", "coordinates": [round(r["lon"], 6), round(r["lat"], 6)]}, {
        "id": r["id"], "name": r["name"], "kind": r["kind"], "kind_label": str(ACTOR_KINDS[r["kind"]]),
        "description": r["description"], "contact": r["contact"], "district": r["district_name"],
        "at_district_centre": r["at_district_centre"]}, feature_id=r["id"])
        for r in listing(conn, county_key, ags) if r["lat"] is not None]
    return feature_collection(features, municipality={"ags": municipality["ags"], "name": municipality["name"]})
