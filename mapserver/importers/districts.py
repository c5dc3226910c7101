"""Import official district (Ortsteil) polygons from any file GDAL reads; they replace the
Voronoi approximation of each municipality they fall in."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pyogrio
from shapely import make_valid
from sqlalchemy import Engine

from ..db import sql
from ..errors import ImportProblem
from ..geo import STORAGE_SRID, as_multipolygon, shape_to_wkb
from .boundaries import replace_districts


@dataclass
class DistrictImportReport:
    file: Path
    districts_by_municipality: dict[str, int] = field(default_factory=dict)
    outside: list[str] = field(default_factory=list)

    def summary(self) -> str:
        total = sum(self.districts_by_municipality.values())
        lines = [f"{total} amtliche Ortsteile aus {self.file.name} importiert "
                 f"({', '.join(f'{ags}: {n}' for ags, n in sorted(self.districts_by_municipality.items()))})."]
        if self.outside:
            lines.append("Außerhalb des Kreises, nicht importiert: " + ", ".join(self.outside))
        return "\n".join(lines)


def read_district_file(path: Path, name_field: str, layer: str | None = None) -> gpd.GeoDataFrame:
    """District polygons with a `name` column, in WGS84."""
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        raise ImportProblem(f"Die Datei {path} kann nicht gelesen werden: {error}") from error
    if name_field not in frame.columns:
        fields = ", ".join(c for c in frame.columns if c != "geometry")
        raise ImportProblem(f"Das Feld {name_field!r} gibt es in {path.name} nicht. Vorhandene Felder: {fields}.")
    if frame.crs is None:
        raise ImportProblem(f"{path.name} hat kein Koordinatenreferenzsystem; bitte mit CRS speichern.")
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    frame = frame.to_crs(epsg=STORAGE_SRID)
    # A polygon without a name cannot become a district (it would be called "nan").
    frame = frame[frame[name_field].notna()]
    frame["name"] = frame[name_field].astype(str).str.strip()
    frame = frame[frame["name"] != ""]
    frame["geometry"] = [make_valid(g) for g in frame.geometry]
    frame = frame[frame.geom_type.isin(["Polygon", "MultiPolygon", "GeometryCollection"])]
    frame["geometry"] = [as_multipolygon(g) for g in frame.geometry]
    frame = frame[~frame.geometry.is_empty]
    if frame.empty:
        raise ImportProblem(f"{path.name} enthält keine Flächen mit einem Namen im Feld {name_field!r}.")
    return frame[["name", "geometry"]]


def import_official_districts(engine: Engine, path: Path, name_field: str, county_key: str,
                              layer: str | None = None) -> DistrictImportReport:
    """Replace the districts of every municipality the file covers, and re-assign their pins."""
    frame = read_district_file(path, name_field, layer)
    report = DistrictImportReport(file=path)
    with engine.begin() as conn:
        conn.execute(sql("boundaries/incoming_district_create"))
        conn.execute(sql("boundaries/incoming_district_insert"),
                     [{"name": row.name, "wkb": shape_to_wkb(row.geometry)} for row in frame.itertuples()])
        assigned = conn.execute(sql("boundaries/official_districts_assign"), {"county_key": county_key}).all()
        report.outside = sorted(set(frame["name"]) - {row.name for row in assigned})
        if not assigned:
            raise ImportProblem(f"Keine Fläche aus {path.name} liegt im Kreis {county_key}.")
        ids_by_municipality: dict[str, list[int]] = {}
        for row in assigned:
            district_id = conn.execute(sql("boundaries/district_upsert"), {
                "municipality_ags": row.ags, "name": row.name, "approximate": False,
                "source": f"amtlich: {path.name}", "wkb": bytes(row.wkb), "lon": None, "lat": None,
            }).scalar_one()
            ids_by_municipality.setdefault(row.ags, []).append(district_id)
        for ags, district_ids in ids_by_municipality.items():
            replace_districts(conn, ags, district_ids)
            report.districts_by_municipality[ags] = len(district_ids)
    return report
