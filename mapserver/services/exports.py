"""Planner exports: pins, district aggregates and hotspot cells as GeoJSON, CSV and GeoPackage,
with the current filters, a dated file name and the attribution. QGIS opens all three."""
from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
from sqlalchemy import Connection

from ..config import BOUNDARY_ATTRIBUTION
from ..db import sql
from ..errors import NotFound
from ..geo import STORAGE_SRID, shape_from_geojson, shape_from_wkb
from . import areas, statistics
from .statistics import PinFilter

DATASETS = {"pins": "Pins", "districts": "Ortsteile", "hotspots": "Hotspot-Zellen"}
FORMATS = {
    "geojson": ("application/geo+json", "GeoJSON"),
    "csv": ("text/csv; charset=utf-8", "CSV"),
    "gpkg": ("application/geopackage+sqlite3", "GPKG"),
}


@dataclass
class ExportFile:
    filename: str
    mimetype: str
    content: bytes


def _frame(conn: Connection, dataset: str, county_key: str, ags: str | None, pin_filter: PinFilter,
           time_zone: str) -> gpd.GeoDataFrame:
    if dataset == "pins":
        rows = conn.execute(sql("exports/pins"), {"county_key": county_key, "ags": ags,
                                                 **pin_filter.parameters(time_zone)}).all()
        records = [{k: v for k, v in r._mapping.items() if k != "wkb"} for r in rows]
        geometry = [shape_from_wkb(r.wkb) for r in rows]
        return gpd.GeoDataFrame(records, geometry=geometry, crs=f"EPSG:{STORAGE_SRID}", columns=[
            "id", "category", "dimensions", "comment", "age_band", "years_here", "status", "created_at",
            "municipality_ags", "municipality", "district", "location_precision", "lon", "lat"])
    run = statistics.require_run(conn, county_key)
    if dataset == "districts":
        counts = {}
        municipalities = [ags] if ags else [m["ags"] for m in areas.municipality_list(conn, county_key)]
        for code in municipalities:
            counts.update({c.key: c for c in statistics.district_counts(conn, run, code, pin_filter)})
        records, geometry = [], []
        for r in conn.execute(sql("exports/districts"), {"county_key": county_key, "ags": ags}):
            c = counts.get(r.id) or statistics.Counts(key=r.id)
            records.append({"district_id": r.id, "municipality_ags": r.municipality_ags,
                            "municipality": r.municipality, "district": r.name, "approximate": r.approximate,
                            "pins": c.total, **{f"pins_{k}": v for k, v in c.by_category.items()},
                            **{f"dimension_{k}": v for k, v in c.by_dimension.items()},
                            "area_km2": round(c.area_km2, 3) if c.area_km2 else None,
                            "pins_per_km2": c.pins_per_km2,
                            "pins_per_1000_inhabitants": c.pins_per_1000_inhabitants,
                            "computed_at": run.finished_at.isoformat()})
            geometry.append(shape_from_wkb(r.wkb))
        return gpd.GeoDataFrame(records, geometry=geometry, crs=f"EPSG:{STORAGE_SRID}")
    if dataset == "hotspots":
        municipalities = [ags] if ags else [m["ags"] for m in areas.municipality_list(conn, county_key)]
        records, geometry = [], []
        for code in municipalities:
            for f in statistics.cells_geojson(conn, run, code, pin_filter)["features"]:
                p = f["properties"]
                records.append({"cell": p["cell"], "municipality_ags": code, "pins": p["pins"],
                                **{f"pins_{k}": v for k, v in p["by_category"].items()},
                                "expected_pins": p["expected_pins"], "area_share": p["area_share"],
                                "hotspot_class": p["hotspot_class"], "confidence": p["confidence"],
                                "hotspot": p["hotspot"], "p_value": p["p_value"], "variant": pin_filter.variant,
                                "computed_at": run.finished_at.isoformat()})
                geometry.append(shape_from_geojson(f["geometry"]))
        return gpd.GeoDataFrame(records, geometry=geometry, crs=f"EPSG:{STORAGE_SRID}")
    raise NotFound(f"Unbekannter Export {dataset!r}. Möglich: {', '.join(DATASETS)}.")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A text cell that a spreadsheet would run as a formula (=, +, -, @ …) gets a leading
    apostrophe, so a comment like `=HYPERLINK(…)` stays text when a planner opens the CSV."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def check_request(conn: Connection, dataset: str, fmt: str, county_key: str, ags: str | None) -> None:
    """NotFound (German) for an unknown dataset, format or municipality."""
    if dataset not in DATASETS or fmt not in FORMATS:
        raise NotFound(f"Export als {dataset}.{fmt} gibt es nicht. Datensätze: {', '.join(DATASETS)}; "
                       f"Formate: {', '.join(FORMATS)}.")
    if ags is not None:
        areas.municipality(conn, county_key, ags)


def export(conn: Connection, dataset: str, fmt: str, county_key: str, ags: str | None,
           pin_filter: PinFilter, time_zone: str, attributions: list[str]) -> ExportFile:
    """One export file; NotFound (German) for an unknown dataset, format or municipality."""
    check_request(conn, dataset, fmt, county_key, ags)
    frame = _frame(conn, dataset, county_key, ags, pin_filter, time_zone)
    attribution = "; ".join([BOUNDARY_ATTRIBUTION, *attributions])
    description = f"Glaswände – {DATASETS[dataset]}, {pin_filter.describe()}"
    filename = f"glaswaende-{dataset}-{ags or county_key}-{dt.date.today().isoformat()}.{fmt}"
    mimetype = FORMATS[fmt][0]
    if fmt == "geojson":
        body = json.loads(frame.to_json(drop_id=True)) if len(frame) else {"type": "FeatureCollection", "features": []}
        body.update({"name": f"glaswaende_{dataset}", "description": description, "attribution": attribution,
                     "filter": pin_filter.query_string()})
        return ExportFile(filename, mimetype, json.dumps(body, ensure_ascii=False).encode("utf-8"))
    if fmt == "csv":
        table = frame.drop(columns="geometry")
        if dataset != "pins":
            table["wkt"] = frame.geometry.to_wkt()
        table["attribution"] = attribution
        table = table.map(spreadsheet_safe)
        buffer = io.StringIO()
        table.to_csv(buffer, index=False)
        return ExportFile(filename, mimetype, buffer.getvalue().encode("utf-8-sig"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / filename
        pyogrio.write_dataframe(frame, path, layer=f"glaswaende_{dataset}", driver="GPKG",
                                layer_metadata={"DESCRIPTION": description, "IDENTIFIER": f"Glaswände {DATASETS[dataset]}",
                                                "ATTRIBUTION": attribution, "FILTER": pin_filter.query_string()})
        return ExportFile(filename, mimetype, path.read_bytes())
