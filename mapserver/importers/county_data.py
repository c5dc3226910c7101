"""What geodata/counties/<key>/ says about a county: active municipalities, population, Ortsteile."""
from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Ortsteil:
    name: str
    lon: float
    lat: float


@dataclass
class CountyData:
    """Facts about one county; empty for a county without a folder."""

    key: str
    active_municipalities: set[str] | None = None  # None: every municipality is active
    population: dict[str, tuple[int, dt.date]] = field(default_factory=dict)
    # Inhabitants per district, (municipality AGS, district name) -> population, where known.
    district_population: dict[tuple[str, str], int] = field(default_factory=dict)
    ortsteile: dict[str, list[Ortsteil]] = field(default_factory=lambda: defaultdict(list))
    attributions: list[str] = field(default_factory=list)


def load_county_data(geodata_dir: Path, county_key: str) -> CountyData:
    """Read a county's manifest and the files it names; a missing folder gives empty facts."""
    folder = geodata_dir / county_key
    data = CountyData(key=county_key)
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        return data
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("active_municipalities"):
        data.active_municipalities = set(manifest["active_municipalities"])
    if "population" in manifest:
        with open(folder / manifest["population"]["file"], encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                data.population[row["ags"]] = (int(row["population"]), dt.date.fromisoformat(row["reference_date"]))
        data.attributions.append(manifest["population"]["attribution"])
    if "district_population" in manifest:
        with open(folder / manifest["district_population"]["file"], encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                data.district_population[(row["municipality_ags"], row["name"])] = int(row["population"])
        data.attributions.append(manifest["district_population"]["attribution"])
    if "ortsteile" in manifest:
        with open(folder / manifest["ortsteile"]["file"], encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                data.ortsteile[row["municipality_ags"]].append(
                    Ortsteil(row["name"], float(row["lon"]), float(row["lat"])))
        data.attributions.append(manifest["ortsteile"]["attribution"])
    return data


def merge_coincident(ortsteile: list[Ortsteil]) -> list[Ortsteil]:
    """Ortsteile sharing one coordinate become one centre ("Dehmke / Multhöpen"): a Voronoi
    diagram has one cell per distinct point, and neither name may silently win."""
    by_point: dict[tuple[float, float], list[str]] = {}
    for o in ortsteile:
        by_point.setdefault((round(o.lon, 6), round(o.lat, 6)), []).append(o.name)
    return [Ortsteil(" / ".join(names), lon, lat) for (lon, lat), names in by_point.items()]
