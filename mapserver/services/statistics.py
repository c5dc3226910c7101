"""Reading the stored aggregates of the latest run: counts per municipality, district and cell
with the planner filters, the scan statistic's hotspots, DBSCAN clusters; the privacy threshold
for the public."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from sqlalchemy import Connection

from ..db import sql
from ..errors import InvalidInput, NotFound
from ..geo import feature, feature_collection
from ..i18n import s_, s_l
from ..vocabulary import AGE_BANDS, CATEGORIES, DIMENSION_BITS, DIMENSIONS, YEARS_HERE
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

    # query parameter -> (attribute, allowed values, error for unknown values (staff language))
    QUERY = {
        "category": ("categories", CATEGORIES, s_l("Unbekannte Kategorie: %(unknown)s. Erlaubt sind: %(allowed)s.")),
        "dimension": ("dimensions", DIMENSIONS, s_l("Unbekannte Dimension: %(unknown)s. Erlaubt sind: %(allowed)s.")),
        "age_band": ("age_bands", AGE_BANDS, s_l("Unbekannte Altersgruppe: %(unknown)s. Erlaubt sind: %(allowed)s.")),
        "years_here": ("years_here", YEARS_HERE, s_l("Unbekannte Wohndauer: %(unknown)s. Erlaubt sind: %(allowed)s.")),
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
            "time_zone": time_zone,
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
        if self.date_from or self.date_to:
            parts.append(s_("%(start)s bis %(end)s", start=self.date_from or "…", end=self.date_to or "…"))
        return "; ".join(parts)


def _getlist(args: Mapping, key: str) -> list[str]:
    return args.getlist(key) if hasattr(args, "getlist") else ([args[key]] if key in args else [])


@dataclass
class Counts:
    """Pins of one municipality, district or cell, with rates where a basis is known."""

    key: object
    name: str = ""
    total: int = 0
    by_category: dict[str, int] = field(default_factory=lambda: {c: 0 for c in CATEGORIES})
    by_dimension: dict[str, int] = field(default_factory=lambda: {d: 0 for d in DIMENSIONS})
    population: int | None = None
    area_km2: float | None = None
    approximate: bool | None = None

    @property
    def pins_per_1000_inhabitants(self) -> float | None:
        return None if not self.population else round(self.total * 1000 / self.population, 2)

    @property
    def pins_per_km2(self) -> float | None:
        return None if not self.area_km2 else round(self.total / self.area_km2, 2)

    def as_dict(self, k: int | None = None) -> dict:
        """As JSON; with k (public), sub-counts that are or would reveal fewer than k pins are
        null: suppressed, not zero."""
        return {"key": self.key, "name": self.name, "pins": self.total,
                "by_category": suppress_small(self.by_category, k, self.total),
                "by_dimension": suppress_small(self.by_dimension, k, self.total, additive=False),
                "population": self.population,
                "area_km2": None if self.area_km2 is None else round(self.area_km2, 2),
                "pins_per_1000_inhabitants": self.pins_per_1000_inhabitants, "pins_per_km2": self.pins_per_km2}


def suppress_small(counts: dict[str, int], k: int | None, total: int | None = None,
                   additive: bool = True) -> dict[str, int | None]:
    """Public views: no sub-count of fewer than k pins, and none that could be worked out from
    what is shown. A count v is hidden (null) if 0 < v < k, or if its complement total - v is
    between 1 and k - 1. For additive breakdowns (categories: every pin has exactly one) the
    hidden counts together must also come to 0 or at least k, so more are hidden until they do.
    Dimensions overlap (a pin names several or none), so only the first two rules apply."""
    if k is None:
        return counts
    total = sum(counts.values()) if total is None else total

    def small(n: int) -> bool:
        return 0 < n < k

    shown = {code: n for code, n in counts.items() if not small(n) and not small(total - n)}
    if additive:
        while 0 < total - sum(shown.values()) < k and any(shown.values()):
            smallest = min((code for code, n in shown.items() if n), key=lambda code: shown[code])
            del shown[smallest]
    return {code: shown.get(code) for code in counts}


def suppress_remainder(items: list, total: int, k: int | None, size=lambda item: item.total) -> list:
    """Public lists (districts, cells) of a municipality whose total is published: what the list
    leaves out must come to 0 or at least k pins, or the difference would reveal it."""
    if k is None:
        return items
    kept = sorted(items, key=size, reverse=True)
    while kept and 0 < total - sum(size(i) for i in kept) < k:
        kept.pop()
    return [i for i in items if i in kept]


def _fold(rows) -> dict:
    """Rows (key, …, category, dimension_mask, pin_count) -> Counts per key."""
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
        n, mask = int(row.pin_count), row.dimension_mask
        counts.total += n
        counts.by_category[row.category] += n
        if mask:
            for code, bit in bits:
                if mask & bit:
                    counts.by_dimension[code] += n
    return out


def _suppress(counts: list[Counts], k: int | None) -> list[Counts]:
    """Public views: aggregates of fewer than k pins are left out, never shown as zero."""
    return counts if k is None else [c for c in counts if c.total >= k]


def require_run(conn: Connection, county_key: str):
    """The latest finished run; NotFound before the first `hotspots refresh`."""
    run = hotspots.latest_run(conn, county_key)
    if run is None:
        raise NotFound(s_("Es gibt noch keine Auswertung. Bitte führen Sie `glaswaende hotspots refresh` aus."))
    return run


def municipality_counts(conn: Connection, run, county_key: str, pin_filter: PinFilter,
                        k: int | None = None) -> list[Counts]:
    rows = conn.execute(sql("counts_by_municipality"), {
        "run_id": run.id, "county_key": county_key, **pin_filter.parameters()})
    return _suppress(sorted(_fold(rows).values(), key=lambda c: c.name), k)


def district_counts(conn: Connection, run, ags: str, pin_filter: PinFilter, k: int | None = None) -> list[Counts]:
    rows = conn.execute(sql("counts_by_district"), {"run_id": run.id, "ags": ags, **pin_filter.parameters()})
    counts = sorted(_fold(rows).values(), key=lambda c: c.name)
    if k is None:
        return counts
    # The municipality's total is public too: the districts left out must not add up to < k.
    return suppress_remainder(_suppress(counts, k), sum(c.total for c in counts), k)


def cell_counts(conn: Connection, run, ags: str, pin_filter: PinFilter) -> dict[int, Counts]:
    rows = conn.execute(sql("counts_by_cell"), {"run_id": run.id, "ags": ags, **pin_filter.parameters()})
    return _fold(rows)


def cells_geojson(conn: Connection, run, ags: str, pin_filter: PinFilter, k: int | None = None) -> dict:
    """Hexagon cells with their (filtered) pin count, the pins the baseline lets expect there,
    and the hotspot or coldspot they belong to.

    Public (k given): only cells with at least k pins, no empty cells. Planners: every cell that
    has pins or belongs to a hotspot or coldspot."""
    counts = cell_counts(conn, run, ags, pin_filter)
    features = []
    for row in conn.execute(sql("cells_with_statistic"), {"run_id": run.id, "ags": ags, "variant": pin_filter.variant}):
        count = counts.get(row.id)
        total = count.total if count else 0
        in_hotspot = row.hotspot_class in ("hot", "cold")
        if k is not None and total < k:
            continue
        if k is None and total == 0 and not in_hotspot:
            continue
        features.append(feature(json.loads(row.geometry), {
            "cell": row.id, "pins": total,
            "by_category": suppress_small(count.by_category if count else {c: 0 for c in CATEGORIES}, k, total),
            "expected_pins": None if row.expected_pins is None else round(row.expected_pins, 2),
            "hotspot_class": row.hotspot_class or "none", "confidence": row.confidence,
            "hotspot": row.hotspot_id, "p_value": None if row.p_value is None else round(row.p_value, 4),
            "area_share": round(row.area_share, 3),
            "centre": [row.lon, row.lat],
        }, feature_id=row.id))
    if k is not None:
        municipality_total = sum(c.total for c in counts.values())
        features = suppress_remainder(features, municipality_total, k, size=lambda f: f["properties"]["pins"])
    return feature_collection(features, variant=pin_filter.variant, run=run_info(run),
                              statistic_matches_filter=pin_filter.statistic_matches_filter)


def clusters(conn: Connection, run, ags: str) -> list[dict]:
    """DBSCAN's dense clusters, each saying whether a significant hotspot covers it: a dense
    cluster is not by itself more than chance would explain."""
    return [dict(r._mapping) | {"geometry": json.loads(r.geometry)}
            for r in conn.execute(sql("pin_clusters_of_municipality"), {"run_id": run.id, "ags": ags})]


def hotspot_areas(conn: Connection, run, ags: str, pin_filter: PinFilter, comments_per_area: int = 5) -> list[dict]:
    """The hotspots (then coldspots) reaching into a municipality, strongest first: where, how
    many pins against how many expected, categories, dimensions and approved comments. A hotspot
    across a border is the same on both municipalities' pages."""
    areas = []
    ranks = {"hot": 0, "cold": 0}
    rows = conn.execute(sql("hotspot_areas"), {"run_id": run.id, "ags": ags, "variant": pin_filter.variant}).all()
    # One query for the cells of every hotspot on the page (a hundred hotspots: one round trip).
    by_cell = _fold(conn.execute(sql("counts_by_cells"), {
        "run_id": run.id, "cell_ids": sorted({c for row in rows for c in row.cell_ids}), **pin_filter.parameters()}))
    for row in rows:
        ranks[row.hotspot_class] += 1
        rank = ranks[row.hotspot_class]  # "Hotspot 2", "Coldspot 1": numbered within the municipality
        total = Counts(key=row.id)
        for cell in (by_cell[c] for c in row.cell_ids if c in by_cell):
            total.total += cell.total
            for c, n in cell.by_category.items():
                total.by_category[c] += n
            for d, n in cell.by_dimension.items():
                total.by_dimension[d] += n
        comments = conn.execute(sql("published_comments_in_cells"), {
            "run_id": run.id, "cell_ids": list(row.cell_ids), "last_pin_id": run.last_pin_id, "ags": ags,
            "limit": comments_per_area}).all()
        areas.append({
            "rank": rank, "id": row.id, "hotspot_class": row.hotspot_class, "districts": list(row.districts or []),
            "municipalities": list(row.municipalities or []), "cells": len(row.cell_ids),
            "confidence": row.confidence, "p_value": row.p_value, "pins": total.total,
            "expected_pins": round(row.expected_pins, 1), "radius_m": row.radius_m,
            "pins_per_expected": round(row.pin_count / row.expected_pins, 1) if row.expected_pins else None,
            "by_category": total.by_category, "by_dimension": total.by_dimension,
            "comments": [{"text": c.comment, "category": c.category} for c in comments],
            "centre": [row.lon, row.lat], "bounds": [row.west, row.south, row.east, row.north],
            "geometry": json.loads(row.geometry),
        })
    return areas


def method_summary(run) -> str:
    """One line on how a run found its hotspots (staff language), from what the run stored."""
    baseline = (s_("erwartet nach Einwohnern (Bevölkerungsraster)") if run.baseline == hotspots.BASELINE_POPULATION
                else s_("erwartet nach Fläche (gleichmäßig über jede Gemeinde)"))
    return s_("Hotspots: räumliche Scan-Statistik nach Kulldorff, Kreise bis %(radius)s m, %(replications)s "
              "Zufallsverteilungen zum Vergleich, p < 0,05 für den ganzen Landkreis; %(baseline)s.",
              radius=int(run.max_radius_m), replications=format_number(run.replications), baseline=baseline)


def format_number(value) -> str:
    """A number as the reader's language writes it (staff pages: German or English)."""
    from babel.numbers import format_decimal
    from flask_babel import get_locale

    locale = get_locale() if _has_request() else None
    return format_decimal(value, locale=str(locale or "de"))


def _has_request() -> bool:
    from flask import has_request_context

    return has_request_context()


def run_info(run) -> dict:
    return {"id": run.id, "computed_at": run.finished_at.isoformat(), "pins": run.pin_count,
            "cell_size_m": run.cell_size_m, "method": "kulldorff_poisson_scan", "baseline": run.baseline,
            "replications": run.replications, "max_radius_m": run.max_radius_m, "significance": hotspots.SIGNIFICANCE,
            "dbscan_eps_m": run.dbscan_eps_m}
