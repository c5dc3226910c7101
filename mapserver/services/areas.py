"""The county, its municipalities and districts, as the maps and the API show them."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Connection

from ..config import BOUNDARY_ATTRIBUTION
from ..db import sql
from ..errors import InvalidInput, NotFound, OutsideCounty
from ..geo import feature, feature_collection, geojson_geometry
from ..i18n import county_in_sentence

# German genitive of a county's designation: "außerhalb des Landkreises …", "… der Region …".
# Longest first, so "Kreisfreie Stadt" wins over "Kreis".
_GENITIVE = {
    "Kreisfreie Stadt": "der Stadt",
    "Regionalverband": "des Regionalverbands",
    "Städteregion": "der Städteregion",
    "Stadtkreis": "des Stadtkreises",
    "Landkreis": "des Landkreises",
    "Region": "der Region",
    "Kreis": "des Kreises",
}

APPROXIMATE_LABEL = "ungefähre Grenzen"
AGS_PATTERN = re.compile(r"[0-9]{8}")  # ASCII digits only: \d (and str.isdigit) take any script's digits


def county_title(name: str, kind: str) -> str:
    """"Landkreis Hameln-Pyrmont"; VG250 names some with their designation ("Region Hannover")."""
    if name.split(" ")[0] in _GENITIVE:
        return name
    return f"{kind} {name}"


@dataclass(frozen=True)
class CountyInfo:
    """The configured county as pages and messages need it."""

    key: str
    name: str
    kind: str
    bounds: tuple[float, float, float, float]  # west, south, east, north
    attributions: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """"Landkreis Hameln-Pyrmont"."""
        return county_title(self.name, self.kind)

    @property
    def genitive(self) -> str:
        """"des Landkreises Hameln-Pyrmont", "der Region Hannover"."""
        for designation, genitive in _GENITIVE.items():
            if self.title.startswith(designation + " "):
                return f"{genitive} {self.title[len(designation) + 1:]}"
        return f"von {self.title}"


def place_name(district_name: str | None, municipality_name: str) -> str:
    """How residents name a pin's place: "Lauenstein (Salzhemmendorf)"; the municipality alone
    where there is no district or the district bears its name (never "Salzhemmendorf
    (Salzhemmendorf)")."""
    if not district_name or district_name == municipality_name:
        return municipality_name
    # Leichte Sprache writes it without brackets: "Lauenstein in Salzhemmendorf".
    return _("%(district)s (%(municipality)s)", district=district_name, municipality=municipality_name)


def coordinates(lat, lon) -> dict:
    """{"lat", "lon"} as numbers on the earth; InvalidInput (German, per field) otherwise. Checked
    before the database is asked."""
    errors = []
    point = {}
    for field, value, limit in (("lat", lat, 90), ("lon", lon, 180)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not -limit <= number <= limit:
            errors.append({"field": field, "message": _("Bitte geben Sie eine Zahl zwischen -%(limit)s und %(limit)s an.",
                                                        limit=limit)})
        point[field] = number
    if errors:
        raise InvalidInput(_("Bitte prüfen Sie die Koordinaten."), errors)
    return point


def place_at(conn: Connection, county_key: str, point: dict) -> dict:
    """Where a point (coordinates()) lies: municipality, district, its name in words, as a pin stored
    there would be placed; OutsideCounty for a point outside the county."""
    row = conn.execute(sql("areas/place_at_point"), {"county_key": county_key, **point}).first()
    if row is None:
        info = county(conn, county_key)
        outside = _("Dieser Punkt liegt außerhalb %(county)s.", county=county_in_sentence(info.genitive, info.title))
        raise OutsideCounty(outside, [{"field": "lat", "message": outside}, {"field": "lon", "message": outside}])
    return {"municipality": {"ags": row.ags, "name": row.municipality_name},
            "district": None if row.district_id is None else {
                "id": row.district_id, "name": row.district_name, "approximate": row.district_approximate},
            "place": place_name(row.district_name, row.municipality_name)}


def county(conn: Connection, county_key: str) -> CountyInfo:
    """The configured county; NotFound until its boundaries are imported."""
    row = conn.execute(sql("areas/county"), {"county_key": county_key}).first()
    if row is None:
        raise NotFound(f"Der Kreis {county_key} ist noch nicht importiert (glaswaende import-boundaries).")
    return CountyInfo(row.key, row.name, row.kind, (row.west, row.south, row.east, row.north),
                      tuple(row.attributions))


def municipality_list(conn: Connection, county_key: str) -> list[dict]:
    """The county's municipalities without geometry, by name."""
    return [dict(row._mapping) for row in conn.execute(sql("areas/municipality_list"), {"county_key": county_key})]


def municipality(conn: Connection, county_key: str, ags: str) -> dict:
    """One municipality of the county, with its bounding box; NotFound otherwise."""
    if not AGS_PATTERN.fullmatch(ags):
        raise NotFound(_("Eine Gemeinde wird mit ihrem achtstelligen Gemeindeschlüssel (AGS) aufgerufen."))
    row = conn.execute(sql("areas/municipality_by_ags"), {"county_key": county_key, "ags": ags}).first()
    if row is None:
        raise NotFound(_("Die Gemeinde %(ags)s gibt es in diesem Kreis nicht.", ags=ags))
    return dict(row._mapping)


def municipalities_geojson(conn: Connection, county_key: str) -> dict:
    """The county's municipalities as a GeoJSON FeatureCollection."""
    features = []
    for row in conn.execute(sql("areas/municipalities_geojson"), {"county_key": county_key}):
        features.append(feature(geojson_geometry(row.geometry), {
            "ags": row.ags, "name": row.name, "kind": row.kind, "active": row.active,
            "population": row.population,
            "population_date": row.population_date.isoformat() if row.population_date else None,
            "area_km2": float(row.area_km2), "district_count": row.district_count,
        }, feature_id=row.ags))
    return feature_collection(features, attribution=BOUNDARY_ATTRIBUTION)


def district_list(conn: Connection, county_key: str, ags: str | None = None, name: str | None = None) -> list[dict]:
    """Districts by name (of one municipality, or those whose name contains `name`), without geometry."""
    return [dict(r._mapping) for r in conn.execute(sql("areas/district_list"),
                                                   {"county_key": county_key, "ags": ags, "name": name})]


def districts_geojson(conn: Connection, county_key: str, ags: str) -> dict:
    """The districts of one municipality as a GeoJSON FeatureCollection; NotFound for a foreign AGS."""
    owner = municipality(conn, county_key, ags)
    features = []
    for row in conn.execute(sql("areas/districts_geojson"), {"ags": ags}):
        features.append(feature(geojson_geometry(row.geometry), {
            "id": row.id, "name": row.name, "approximate": row.approximate,
            "label": APPROXIMATE_LABEL if row.approximate else None,
            "source": row.source, "label_point": [row.label_lon, row.label_lat],
            "municipality_ags": ags,
        }, feature_id=row.id))
    return feature_collection(features, municipality={"ags": owner["ags"], "name": owner["name"]},
                              attribution=BOUNDARY_ATTRIBUTION)
