"""Reading the stored aggregates of a run: counts per municipality, district and cell with the
planner filters, the scan statistic's hotspots, DBSCAN clusters. True numbers, for signed-in
planners; what the public sees of them is services/disclosure.py's."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from sqlalchemy import Connection

from ..db import sql
from ..errors import InvalidInput, NotFound
from ..geo import feature, feature_collection, geojson_geometry
from ..i18n import format_day, format_number, s_, s_l
from ..vocabulary import AGE_BANDS, CATEGORIES, DIMENSION_BITS, DIMENSIONS, PIN_SOURCES, YEARS_HERE
from . import hotspots


@dataclass(frozen=True)
class PinFilter:
    """What planners narrow every view and export by. Empty means: all pins."""

    categories: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    age_bands: tuple[str, ...] = ()
    years_here: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    # query parameter -> (attribute, allowed values, error for unknown values (staff language))
    QUERY = {
        "category": ("categories", CATEGORIES, s_l("Unbekannte Kategorie: %(unknown)s. Erlaubt sind: %(allowed)s.")),
        "dimension": ("dimensions", DIMENSIONS, s_l("Unbekannte Dimension: %(unknown)s. Erlaubt sind: %(allowed)s.")),
        "age_band": ("age_bands", AGE_BANDS, s_l("Unbekannte Altersgruppe: %(unknown)s. Erlaubt sind: %(allowed)s.")),
        "years_here": ("years_here", YEARS_HERE, s_l("Unbekannte Wohndauer: %(unknown)s. Erlaubt sind: %(allowed)s.")),
        "source": ("sources", PIN_SOURCES, s_l("Unbekannte Herkunft: %(unknown)s. Erlaubt sind: %(allowed)s.")),
    }

    @classmethod
    def from_query(cls, args: Mapping) -> "PinFilter":
        """From a query string (repeated or comma-separated values); InvalidInput in the staff language."""
        values: dict = {}
        errors = []
        for parameter, (attribute, allowed, problem) in cls.QUERY.items():
            raw = [v for item in _getlist(args, parameter) for v in item.split(",") if v.strip()]
            chosen = tuple(dict.fromkeys(v.strip() for v in raw))
            unknown = [v for v in chosen if v not in allowed]
            if unknown:
                errors.append({"field": parameter, "message": str(problem) % {
                    "unknown": ", ".join(unknown), "allowed": ", ".join(allowed)}})
            values[attribute] = chosen
        for parameter in ("from", "to"):
            raw = (_getlist(args, parameter) or [""])[-1].strip()
            if raw:
                try:
                    values[f"date_{parameter}"] = dt.date.fromisoformat(raw)
                except ValueError:
                    errors.append({"field": parameter, "message": s_("Bitte ein Datum als JJJJ-MM-TT angeben.")})
        if not errors and values.get("date_from") and values.get("date_to") and values["date_from"] > values["date_to"]:
            errors.append({"field": "from", "message": s_("Das Anfangsdatum liegt nach dem Enddatum.")})
        if errors:
            raise InvalidInput(s_("Die Filter sind ungültig."), errors)
        return cls(**values)

    @property
    def is_empty(self) -> bool:
        return self == PinFilter()

    @property
    def variant(self) -> str:
        """The hotspot variant that fits: one category chosen -> that category's, else all pins'."""
        return f"category:{self.categories[0]}" if len(self.categories) == 1 else hotspots.ALL_PINS

    @property
    def statistic_matches_filter(self) -> bool:
        """Hotspots are stored for all pins and per category; other filters narrow counts only."""
        return len(self.categories) <= 1 and self == replace(PinFilter(), categories=self.categories)

    def parameters(self, time_zone: str = "Europe/Berlin") -> dict:
        """Bound parameters for the cube_filter and pin_filter SQL fragments."""
        mask = sum(DIMENSION_BITS[d] for d in self.dimensions) or None
        return {
            "categories": list(self.categories) or None, "dimensions": list(self.dimensions) or None,
            "dimension_mask": mask, "date_from": self.date_from, "date_to": self.date_to,
            "age_bands": list(self.age_bands) or None, "years_here": list(self.years_here) or None,
            "pin_sources": list(self.sources) or None, "time_zone": time_zone,
        }

    def query_string(self) -> str:
        pairs = [(p, v) for p, (attribute, _, _) in self.QUERY.items() for v in getattr(self, attribute)]
        pairs += [("from", self.date_from.isoformat())] if self.date_from else []
        pairs += [("to", self.date_to.isoformat())] if self.date_to else []
        return urlencode(pairs)

    def describe(self) -> str:
        """One line for titles and exports (staff language)."""
        if self.is_empty:
            return s_("alle Pins")
        parts = []
        if self.categories:
            parts.append(s_(" oder ").join(str(CATEGORIES[c]) for c in self.categories))
        if self.dimensions:
            parts.append(s_("trennt: %(dimensions)s", dimensions=", ".join(str(DIMENSIONS[d]) for d in self.dimensions)))
        if self.age_bands:
            parts.append(s_("Alter %(ages)s", ages=", ".join(str(AGE_BANDS[a]) for a in self.age_bands)))
        if self.years_here:
            parts.append(s_("wohnt hier %(years)s", years=", ".join(str(YEARS_HERE[y]) for y in self.years_here)))
        if self.sources:
            parts.append(s_("Herkunft: %(sources)s", sources=", ".join(str(PIN_SOURCES[s]) for s in self.sources)))
        if self.date_from or self.date_to:
            parts.append(s_("%(start)s bis %(end)s", start=format_day(self.date_from) if self.date_from else "…",
                            end=format_day(self.date_to) if self.date_to else "…"))
        return "; ".join(parts)


def _getlist(args: Mapping, key: str) -> list[str]:
    return args.getlist(key) if hasattr(args, "getlist") else ([args[key]] if key in args else [])


@dataclass
class Tally:
    """Pins of one place (municipality, district, cell, hotspot, cluster) with the sums of their
    record keys: what the rules need to publish it. Tallies add up (a hotspot's is its cells')."""

    total: int = 0
    key_sum: int = 0
    by_category: dict[str, int] = field(default_factory=lambda: {c: 0 for c in CATEGORIES})
    key_by_category: dict[str, int] = field(default_factory=lambda: {c: 0 for c in CATEGORIES})
    by_dimension: dict[str, int] = field(default_factory=lambda: {d: 0 for d in DIMENSIONS})
    key_by_dimension: dict[str, int] = field(default_factory=lambda: {d: 0 for d in DIMENSIONS})

    def add(self, other: "Tally") -> None:
        self.total += other.total
        self.key_sum += other.key_sum
        for own, theirs in ((self.by_category, other.by_category), (self.key_by_category, other.key_by_category),
                            (self.by_dimension, other.by_dimension), (self.key_by_dimension, other.key_by_dimension)):
            for code, n in theirs.items():
                own[code] += n


@dataclass
class Counts(Tally):
    """Pins of one municipality, district or cell (a Tally: true numbers with their record keys'
    sums, which services/disclosure.py needs to publish them), with rates where a basis is known.
    These are the planners' numbers; the public sees them only through disclosure."""

    key: object = None
    name: str = ""
    population: int | None = None
    area_km2: float | None = None
    approximate: bool | None = None

    @property
    def pins_per_1000_inhabitants(self) -> float | None:
        return None if not self.population else round(self.total * 1000 / self.population, 2)

    @property
    def pins_per_km2(self) -> float | None:
        return None if not self.area_km2 else round(self.total / self.area_km2, 2)


def fold_counts(rows) -> dict:
    """Rows (key, …, category, dimension_mask, pin_count, key_sum) -> Counts per key."""
    out: dict[object, Counts] = {}
    bits = list(DIMENSION_BITS.items())
    for row in rows:
        counts = out.get(row.key)
        if counts is None:
            extra = row._mapping
            counts = out[row.key] = Counts(
                key=row.key, name=extra.get("name", ""), population=extra.get("population"),
                area_km2=extra.get("area_km2"), approximate=extra.get("approximate"))
        if row.category is None:
            continue
        n, mask, key_sum = int(row.pin_count), row.dimension_mask, int(row.key_sum)
        counts.total += n
        counts.key_sum += key_sum
        counts.by_category[row.category] += n
        counts.key_by_category[row.category] += key_sum
        if mask:
            for code, bit in bits:
                if mask & bit:
                    counts.by_dimension[code] += n
                    counts.key_by_dimension[code] += key_sum
    return out


def require_run(conn: Connection, county_key: str):
    """The latest finished run; NotFound before the first `hotspots refresh`."""
    run = hotspots.latest_run(conn, county_key)
    if run is None:
        raise NotFound(s_("Es gibt noch keine Auswertung. Bitte führen Sie `glaswaende hotspots refresh` aus."))
    return run


def municipality_counts(conn: Connection, run, county_key: str, pin_filter: PinFilter,
                        ags: str | None = None) -> list[Counts]:
    """Every municipality of the county (or the one of `ags`), by name."""
    rows = conn.execute(sql("statistics/counts_by_municipality"), {
        "run_id": run.id, "county_key": county_key, "ags": ags, **pin_filter.parameters()})
    return sorted(fold_counts(rows).values(), key=lambda c: c.name)


def district_counts(conn: Connection, run, ags: str, pin_filter: PinFilter) -> list[Counts]:
    rows = conn.execute(sql("statistics/counts_by_district"), {"run_id": run.id, "ags": ags, **pin_filter.parameters()})
    return sorted(fold_counts(rows).values(), key=lambda c: c.name)


def cell_counts(conn: Connection, run, ags: str, pin_filter: PinFilter) -> dict[int, Counts]:
    rows = conn.execute(sql("statistics/counts_by_cell"), {"run_id": run.id, "ags": ags, **pin_filter.parameters()})
    return fold_counts(rows)


def cells_of_municipality(conn: Connection, run, ags: str, pin_filter: PinFilter) -> list[dict]:
    """Every hexagon cell part of one municipality: its (filtered) pins as a Counts (`tally`),
    the pins the baseline lets expect there, and the hotspot or coldspot it belongs to."""
    counts = cell_counts(conn, run, ags, pin_filter)
    cells = []
    for row in conn.execute(sql("statistics/cells_with_statistic"), {"run_id": run.id, "ags": ags, "variant": pin_filter.variant}):
        cells.append({
            "cell": row.id, "geometry": geojson_geometry(row.geometry),
            "tally": counts.get(row.id) or Counts(key=row.id),
            "expected_pins": None if row.expected_pins is None else round(row.expected_pins, 2),
            "hotspot_class": row.hotspot_class, "confidence": row.confidence, "hotspot": row.hotspot_id,
            "p_value": None if row.p_value is None else round(row.p_value, 4), "area_share": round(row.area_share, 3),
            "centre": [row.lon, row.lat]})
    return cells


def cells_geojson(conn: Connection, run, ags: str, pin_filter: PinFilter) -> dict:
    """The planners' hexagon cells: every cell that has pins or belongs to a hotspot or coldspot,
    with its true (filtered) pin count."""
    features = []
    for cell in cells_of_municipality(conn, run, ags, pin_filter):
        tally, in_hotspot = cell["tally"], cell["hotspot_class"] in ("hot", "cold")
        if tally.total == 0 and not in_hotspot:
            continue
        properties = {name: value for name, value in cell.items() if name not in ("geometry", "tally")}
        features.append(feature(cell["geometry"], properties | {
            "pins": tally.total, "by_category": dict(tally.by_category), "hotspot_class": cell["hotspot_class"] or "none",
        }, feature_id=cell["cell"]))
    return feature_collection(features, variant=pin_filter.variant, run=run_info(run),
                              statistic_matches_filter=pin_filter.statistic_matches_filter)


def clusters(conn: Connection, run, ags: str) -> list[dict]:
    """DBSCAN's dense clusters, each saying whether a significant hotspot covers it: a dense
    cluster is not by itself more than chance would explain."""
    return [dict(r._mapping) | {"geometry": geojson_geometry(r.geometry)}
            for r in conn.execute(sql("statistics/pin_clusters_of_municipality"), {"run_id": run.id, "ags": ags})]


def hotspot_areas(conn: Connection, run, ags: str, pin_filter: PinFilter, comments_per_area: int = 5) -> list[dict]:
    """The hotspots (then coldspots) reaching into a municipality, strongest first: where, how
    many pins against how many expected, categories, dimensions and approved comments. A hotspot
    across a border is the same on both municipalities' pages."""
    areas = []
    ranks = {"hot": 0, "cold": 0}
    rows = conn.execute(sql("statistics/hotspot_areas"), {"run_id": run.id, "ags": ags, "variant": pin_filter.variant}).all()
    # One query for the cells of every hotspot on the page (a hundred hotspots: one round trip).
    by_cell = fold_counts(conn.execute(sql("statistics/counts_by_cells"), {
        "run_id": run.id, "cell_ids": sorted({c for row in rows for c in row.cell_ids}), **pin_filter.parameters()}))
    for row in rows:
        ranks[row.hotspot_class] += 1
        rank = ranks[row.hotspot_class]  # "Hotspot 2", "Coldspot 1": numbered within the municipality
        total = Tally()
        for cell in (by_cell[c] for c in row.cell_ids if c in by_cell):
            total.add(cell)
        comments = conn.execute(sql("statistics/published_comments_in_cells"), {
            "run_id": run.id, "cell_ids": list(row.cell_ids), "last_pin_id": run.last_pin_id, "ags": ags,
            "limit": comments_per_area}).all()
        areas.append({
            "rank": rank, "id": row.id, "hotspot_class": row.hotspot_class, "districts": list(row.districts or []),
            "municipalities": list(row.municipalities or []), "cells": len(row.cell_ids),
            "confidence": row.confidence, "p_value": row.p_value, "pins": total.total,
            "expected_pins": round(row.expected_pins, 1), "radius_m": row.radius_m,
            "pins_per_expected": round(row.pin_count / row.expected_pins, 1) if row.expected_pins else None,
            "by_category": total.by_category, "by_dimension": total.by_dimension, "tally": total,
            "comments": [{"text": c.comment, "category": c.category} for c in comments],
            "centre": [row.lon, row.lat], "bounds": [row.west, row.south, row.east, row.north],
            "geometry": geojson_geometry(row.geometry),
        })
    return areas


def method_summary(run) -> str:
    """One line on how a run found its hotspots (staff language), from what the run stored."""
    baseline = (s_("erwartet nach Einwohnern (Bevölkerungsraster)") if run.baseline == hotspots.BASELINE_POPULATION
                else s_("erwartet nach Fläche (gleichmäßig über jede Gemeinde)"))
    return s_("Hotspots: räumliche Scan-Statistik nach Kulldorff, Kreise bis %(radius)s m, %(replications)s "
              "Zufallsverteilungen zum Vergleich, p < 0,05 für den ganzen Landkreis; %(baseline)s.",
              radius=int(run.max_radius_m), replications=format_number(run.replications), baseline=baseline)


def run_info(run) -> dict:
    return {"id": run.id, "computed_at": run.finished_at.isoformat(), "pins": run.pin_count,
            "cell_size_m": run.cell_size_m, "method": "kulldorff_poisson_scan", "baseline": run.baseline,
            "replications": run.replications, "max_radius_m": run.max_radius_m, "significance": hotspots.SIGNIFICANCE,
            "dbscan_eps_m": run.dbscan_eps_m}
