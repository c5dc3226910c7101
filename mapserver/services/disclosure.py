"""Disclosure control: every number the public or a room sees passes through here (the public
API, the workshop's projected map and live view, its offline copy and poster). Signed-in
planners see the latest run's true numbers; nobody else does.

The method (the README argues it): the cell key method with which Destatis protects the
Zensus 2022 tables, plus the k rule and public releases in batches.

- Cell key method. Every pin drew a random record key once, when it was stored (pin.record_key,
  0 to 2^31 - 1). A published number's cell key is the sum of the record keys of the pins it
  counts, modulo 2^31, as a fraction of 1. Its noise is read off a perturbation table at that
  key: at most `max_deviation` away, mean 0, variance `variance`, the table of maximum entropy
  with these properties (ptable's construction, Giessing 2016; Enderle, Giessing and Tent 2018).
  The same pins always get the same noise, in every table and every snapshot, so asking again
  and averaging gains nothing; different pins get unrelated noise, so subtracting published
  numbers (a municipality minus its districts) leaves an interval of several values, not the
  truth.
- k rule. A perturbed number below k is shown as "fewer than k" (None), whether the truth is 0
  or 4: a public 0 that turns into "fewer than k" would tell that a pin arrived. Lists (cells,
  clusters) leave out what is below k, empty or not.
- Releases in batches. The public reads the latest *released* run (hotspots.refresh releases a
  run when the county has grown by at least `release_min_new_pins` ≥ k pins since the last
  released one, and that one is at least `release_min_hours` old), so two public snapshots never
  differ by a single pin, and fresh noise comes at most once per release.
- Places. Public cluster positions are the centre of the grid cell holding the cluster's
  centre, never a mean of pins; hotspots are unions of grid cells already.
- Live workshop view. The room sees a stored snapshot of the workshop's pins, taken anew only
  when the workshop has grown by k pins since the last one (a deleted and re-posted pin adds
  none), and in it each number (total, district, cell) is published anew only where its own
  pins changed by k: one tap never changes a number alone, even if an attacker in the room
  taps the other k - 1 elsewhere.

Pure functions of numbers; nothing here knows Flask. The attack suite in
tests/test_disclosure_attacks.py runs what an outsider would against the public URLs.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.optimize import root

from sqlalchemy import Connection

from ..config import DEFAULT_SETTINGS
from ..geo import METRIC_SRID, STORAGE_SRID, cell_centre, feature, feature_collection, hex_cell_of, transformer
from ..errors import NotFound
from ..i18n import s_
from . import hotspots, statistics
from .statistics import PinFilter, Tally

KEY_MODULUS = 2 ** 31  # record keys are drawn from [0, KEY_MODULUS) (migration 0009)


def perturbation_distribution(count: int, max_deviation: int, variance: float) -> tuple[np.ndarray, np.ndarray]:
    """The noise for a true count ≥ 1: (values, probabilities) on -max_deviation … max_deviation
    (never below -count: no negative number is published), mean 0 and the given variance, of
    maximum entropy among such distributions: p(v) ∝ exp(a·v + b·v²), a and b solved for."""
    values = np.arange(-min(count, max_deviation), max_deviation + 1)

    def probabilities(parameters):
        a, b = parameters
        exponent = a * values + b * values ** 2
        weights = np.exp(exponent - exponent.max())
        return weights / weights.sum()

    def moments(parameters):
        p = probabilities(parameters)
        return [p @ values, p @ values ** 2 - variance]

    solution = root(moments, x0=[0.0, -0.5], method="hybr")
    p = probabilities(solution.x)
    if not solution.success or abs(p @ values) > 1e-9 or abs(p @ values ** 2 - variance) > 1e-9:
        raise ValueError(f"no perturbation table for count {count} with deviation {max_deviation} and "
                         f"variance {variance}")
    return values, p


@dataclass(frozen=True)
class Rules:
    """The disclosure rules of a deployment (from GLASWAENDE_PRIVACY_K and the DISCLOSURE_ and
    PUBLIC_RELEASE_ settings)."""

    k: int = DEFAULT_SETTINGS.PRIVACY_K
    max_deviation: int = DEFAULT_SETTINGS.DISCLOSURE_MAX_DEVIATION
    variance: float = DEFAULT_SETTINGS.DISCLOSURE_VARIANCE
    release_min_new_pins: int = DEFAULT_SETTINGS.PUBLIC_RELEASE_MIN_NEW_PINS or DEFAULT_SETTINGS.PRIVACY_K
    release_min_hours: float = DEFAULT_SETTINGS.PUBLIC_RELEASE_MIN_HOURS

    @classmethod
    def from_config(cls, config) -> "Rules":
        return cls(k=config["PRIVACY_K"], max_deviation=config["DISCLOSURE_MAX_DEVIATION"],
                   variance=config["DISCLOSURE_VARIANCE"], release_min_new_pins=config["PUBLIC_RELEASE_MIN_NEW_PINS"],
                   release_min_hours=config["PUBLIC_RELEASE_MIN_HOURS"])

    @cached_property
    def _table(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(values, cumulative probabilities) for counts 1 … max_deviation; larger counts share
        the last entry (their noise is never cut off at 0)."""
        table = []
        for count in range(1, self.max_deviation + 1):
            values, p = perturbation_distribution(count, self.max_deviation, self.variance)
            table.append((values, np.cumsum(p)))
        return table

    def noise(self, count: int, key_sum: int) -> int:
        """The noise of a count of pins whose record keys sum to key_sum (0 for no pins)."""
        if count <= 0:
            return 0
        values, cumulative = self._table[min(count, self.max_deviation) - 1]
        cell_key = (int(key_sum) % KEY_MODULUS) / KEY_MODULUS
        return int(values[min(np.searchsorted(cumulative, cell_key, side="right"), values.size - 1)])

    def perturbed(self, count: int, key_sum: int) -> int:
        """The count as the cell key method publishes it (before the k rule)."""
        return int(count) + self.noise(count, key_sum)

    def count(self, count: int, key_sum: int) -> int | None:
        """A count as the public sees it: perturbed, and None ("fewer than k") below k."""
        shown = self.perturbed(count, key_sum)
        return shown if shown >= self.k else None

    def note(self) -> str:
        """What a public page says about its numbers (in the reader's language)."""
        return s_("Zahlen sind zum Schutz der Teilnehmenden leicht verändert: jede um höchstens %(d)s nach oben "
                  "oder unten, Summen können daher etwas abweichen. Weniger als %(k)s Pins zeigen wir nicht "
                  "(auch keine 0).", d=self.max_deviation, k=self.k)

    def as_dict(self) -> dict:
        """The rules as the public API states them."""
        return {"method": "cell_key", "k": self.k, "max_deviation": self.max_deviation, "variance": self.variance,
                "release_min_new_pins": self.release_min_new_pins, "release_min_hours": self.release_min_hours}


def public_tally(rules: Rules, tally: Tally) -> dict:
    """pins, by_category and by_dimension of a tally as the public sees them."""
    return {"pins": rules.count(tally.total, tally.key_sum),
            "by_category": {c: rules.count(n, tally.key_by_category[c]) for c, n in tally.by_category.items()},
            "by_dimension": {d: rules.count(n, tally.key_by_dimension[d]) for d, n in tally.by_dimension.items()}}


def public_area(rules: Rules, counts: statistics.Counts) -> dict:
    """A municipality or district for the public API: its numbers perturbed, its rates from the
    perturbed count."""
    shown = public_tally(rules, counts)
    pins = shown["pins"]
    return {"key": counts.key, "name": counts.name, **shown, "population": counts.population,
            "area_km2": None if counts.area_km2 is None else round(counts.area_km2, 2),
            "pins_per_1000_inhabitants": None if pins is None or not counts.population
            else round(pins * 1000 / counts.population, 2),
            "pins_per_km2": None if pins is None or not counts.area_km2 else round(pins / counts.area_km2, 2)}


def published_scale(rules: Rules, municipality: Tally) -> float:
    """Published / true pins of a municipality: what expected pins are scaled by in public, so
    that they follow the published total, not the true one."""
    return rules.perturbed(municipality.total, municipality.key_sum) / municipality.total if municipality.total else 0.0


def public_cells(rules: Rules, cells: list[dict], municipality: Tally) -> list[dict]:
    """The hexagon cells of a municipality for the public: each cell holding at least k pins (as
    published), and every cell of a hotspot or coldspot whatever it holds (its pins then None),
    so a hotspot has no holes that would say "fewer than k here". `cells` are
    statistics.cells_of_municipality's; expected pins follow the published municipality total."""
    scale = published_scale(rules, municipality)
    public = []
    for cell in cells:
        shown = public_tally(rules, cell["tally"])
        in_statistic = cell["hotspot_class"] in ("hot", "cold")
        if shown["pins"] is None and not in_statistic:
            continue
        public.append({
            "cell": cell["cell"], "geometry": cell["geometry"], "pins": shown["pins"],
            "by_category": shown["by_category"],
            "expected_pins": None if cell["expected_pins"] is None else round(cell["expected_pins"] * scale, 1),
            "hotspot_class": cell["hotspot_class"] or "none", "confidence": cell["confidence"],
            "hotspot": cell["hotspot"], "p_value": p_class(cell["p_value"]), "area_share": cell["area_share"],
            "centre": cell["centre"]})
    return public


def p_class(p_value: float | None) -> float | None:
    """A hotspot's p-value as the public sees it: the bound of its class (0.01 or 0.05). The exact
    Monte Carlo p-value comes from the true counts; with the published seed and totals it would
    narrow a borderline hotspot's count below the noise (a helper's attack: 5 candidates to 2)."""
    if p_value is None:
        return None
    return 0.01 if p_value < 0.01 else 0.05


def public_hotspot(rules: Rules, area: dict, scale: float) -> dict:
    """A hotspot area (statistics.hotspot_areas) for the room: its numbers perturbed, its expected
    pins scaled to the published total (`scale`: published / true pins of the municipality; the
    exact expectation would tell the true total) and in whole pins."""
    shown = public_tally(rules, area["tally"])
    return {key: area[key] for key in ("rank", "id", "hotspot_class", "districts", "municipalities", "cells",
                                       "confidence", "radius_m", "comments", "centre", "bounds", "geometry")} | {
        **shown, "expected_pins": round(area["expected_pins"] * scale)}


def grid_centre(lon: float, lat: float, cell_size_m: float) -> tuple[float, float]:
    """The centre (lon, lat) of the grid cell holding a point: where the public sees a cluster."""
    x, y = transformer(STORAGE_SRID, METRIC_SRID).transform(lon, lat)
    i, j = hex_cell_of(np.array([x]), np.array([y]), cell_size_m)
    centre_x, centre_y = cell_centre(int(i[0]), int(j[0]), cell_size_m)
    lon_c, lat_c = transformer(METRIC_SRID, STORAGE_SRID).transform(centre_x, centre_y)
    return round(lon_c, 5), round(lat_c, 5)


def public_clusters(rules: Rules, clusters: list[dict], cell_size_m: float) -> list[dict]:
    """DBSCAN's dense clusters for the public: those of at least k pins (as published), placed
    at the centre of their grid cell, without their outline (the hull of exact pins)."""
    public = []
    for cluster in clusters:
        pins = rules.count(cluster["pin_count"], cluster["key_sum"])
        if pins is None:
            continue
        lon, lat = grid_centre(cluster["lon"], cluster["lat"], cell_size_m)
        public.append({"id": cluster["id"], "pins": pins, "lon": lon, "lat": lat,
                       "main_category": cluster["main_category"], "main_dimension": cluster["main_dimension"],
                       "in_hotspot": cluster["in_hotspot"]})
    return public


def public_run(rules: Rules, run) -> dict:
    """What the public learns of the run it sees: when, how, and its pins (perturbed)."""
    return {"id": run.id, "computed_at": run.finished_at.isoformat(),
            "released_at": None if run.released_at is None else run.released_at.isoformat(),
            "pins": rules.count(run.pin_count, run.key_sum), "cell_size_m": run.cell_size_m,
            "method": "kulldorff_poisson_scan", "baseline": run.baseline, "replications": run.replications,
            "max_radius_m": run.max_radius_m, "dbscan_eps_m": run.dbscan_eps_m}


def live_snapshot_due(rules: Rules, pins: int, counted: int, has_snapshot: bool) -> bool:
    """Whether the room's live view takes a new snapshot: the first time, then only once the
    workshop has grown by k pins since the last one. Deleting a pin and posting one again adds
    nothing, and the newest tap is always one of k that arrived together."""
    return not has_snapshot or pins - counted >= rules.k


def live_numbers(rules: Rules, previous: dict | None, counts: dict[str, Tally]) -> dict:
    """The room's numbers after a new snapshot, each batched on its own: `counts` are the true
    tallies now ("total", "district:<id>", "cell:<i>:<j>"), `previous` the state stored with the
    last snapshot ({"shown": …, "counted": …}, None at first). A number is published anew only
    where its own pins have changed by k or more since it was last published; otherwise it keeps
    the value it had. So one tap never changes a number alone, whoever taps the other k - 1
    (an attacker's own pins elsewhere leave the victim's district as it was). Returns the new
    state to store."""
    shown, counted = dict((previous or {}).get("shown", {})), dict((previous or {}).get("counted", {}))
    for key in set(counts) | set(counted):
        tally = counts.get(key, Tally())
        if previous is None or abs(tally.total - counted.get(key, 0)) >= rules.k:
            shown[key] = rules.count(tally.total, tally.key_sum)
            counted[key] = tally.total
    return {"shown": shown, "counted": counted}


def live_view(rules: Rules, state: dict, cell_size_m: float) -> dict:
    """What the room sees of a stored live state: the workshop's total, the districts and cells
    shown (each at least k, perturbed)."""
    cells, districts = [], {}
    for key, n in state["shown"].items():
        if n is None:
            continue
        kind, _, place = key.partition(":")
        if kind == "cell":
            i, j = (int(v) for v in place.split(":"))
            lon, lat = transformer(METRIC_SRID, STORAGE_SRID).transform(*cell_centre(i, j, cell_size_m))
            cells.append({"lat": round(lat, 5), "lon": round(lon, 5), "pins": n})
        elif kind == "district":
            districts[place] = n
    return {"workshop_pins": state["shown"].get("total"), "cells": sorted(cells, key=lambda c: (c["lat"], c["lon"])),
            "districts": districts, "privacy_k": rules.k, "cell_size_m": cell_size_m, "in_steps_of": rules.k}


# Reading what the public may see: the latest released run, unfiltered, through the rules above.

def public_run_or_none(conn: Connection, county_key: str):
    """The run the public sees: the latest released one (None before the first)."""
    return hotspots.latest_run(conn, county_key, released_only=True)


def require_public_run(conn: Connection, county_key: str):
    run = public_run_or_none(conn, county_key)
    if run is None:
        raise NotFound(s_("Es gibt noch keine öffentliche Auswertung."))
    return run


def public_municipalities(conn: Connection, run, county_key: str, rules: Rules) -> list[dict]:
    return [public_area(rules, c) for c in statistics.municipality_counts(conn, run, county_key, PinFilter())]


def public_districts(conn: Connection, run, ags: str, rules: Rules) -> list[dict]:
    """Every district of the municipality, each with its published numbers (None: fewer than k):
    none is left out, so what a list leaves out tells nothing."""
    return [public_area(rules, c) for c in statistics.district_counts(conn, run, ags, PinFilter())]


def _public_cells_of(conn: Connection, run, county_key: str, ags: str, rules: Rules) -> tuple[Tally, list[dict]]:
    """A municipality's true tally and its public cells."""
    municipality = next(iter(statistics.municipality_counts(conn, run, county_key, PinFilter(), ags=ags)), Tally())
    return municipality, public_cells(rules, statistics.cells_of_municipality(conn, run, ags, PinFilter()), municipality)


def public_layers(conn: Connection, run, county_key: str, ags: str, rules: Rules) -> dict:
    """A municipality's map layers for the public and the room: cells, dense clusters and
    hotspots (hot only, as the room shows them), every number published by the rules."""
    municipality, cells = _public_cells_of(conn, run, county_key, ags, rules)
    clusters = public_clusters(rules, statistics.clusters(conn, run, ags), run.cell_size_m)
    scale = published_scale(rules, municipality)
    shown = [public_hotspot(rules, area, scale) for area in statistics.hotspot_areas(conn, run, ags, PinFilter())]
    return {"cells": cells, "clusters": clusters,
            "hotspots": [h for h in shown if h["hotspot_class"] == "hot" and h["pins"] is not None]}


def public_cells_geojson(conn: Connection, run, county_key: str, ags: str, rules: Rules) -> dict:
    """The public /api/hotspots: the municipality's public cells as GeoJSON features."""
    _, cells = _public_cells_of(conn, run, county_key, ags, rules)
    return feature_collection([feature(c["geometry"], {k: v for k, v in c.items() if k != "geometry"},
                                       feature_id=c["cell"]) for c in cells], variant=hotspots.ALL_PINS)
