"""How far public numbers are from the truth (issue 11): the cell key method with the k rule
(services/disclosure.py, what the public API serves) against plain suppression (today's method
before issue 11, bench/baseline_suppression.py), on the same drawn counties in the same run.

Per table (municipalities, districts, cells; totals, categories, dimensions): the share of
true numbers shown, the mean absolute error of the shown ones, and the mean absolute error of
all, a number not shown read as (k - 1) / 2 (what "fewer than k" suggests) or, where a row is
left out, the same; and how often issue 11's subtraction attack (a municipality's count minus
its shown districts, taken as exact) gives the hidden districts' true count.

Run: `make bench-disclosure` (or python bench/disclosure.py --seeds 5).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import fresh_database, server_url  # noqa: E402  (bench/ is the script's folder)
from mapserver.services import disclosure, hotspots, statistics  # noqa: E402
from mapserver.services.statistics import PinFilter  # noqa: E402
import baseline_suppression  # noqa: E402  (today's method before issue 11)

BENCH_DB = "glaswaende_bench_disclosure"
COUNTY = "03252"
RULES = disclosure.Rules()  # k = 5, deviation at most 2, variance 1, releases of 5
SETTINGS = hotspots.HotspotSettings(replications=99)

DRAW = """
-- A county as residents might pin it: a uniform background of :n pins in one municipality, with
-- attributes drawn by a hash of the point's number (independent of its place).
INSERT INTO pin (client_id, geom, category, dimensions, municipality_ags, district_id)
SELECT gen_random_uuid(), g.geom,
       (ARRAY['divided', 'missing_meeting_place', 'meeting_place'])[1 + abs(hashtext(:salt || 'c' || g.path[1])) % 3],
       CASE abs(hashtext(:salt || 'd' || g.path[1])) % 5 WHEN 0 THEN ARRAY[]::text[] WHEN 1 THEN ARRAY['social']
            WHEN 2 THEN ARRAY['generations', 'mobility'] WHEN 3 THEN ARRAY['origin'] ELSE ARRAY['income'] END,
       m.ags, district_for_point(m.ags, g.geom)
FROM municipality m, LATERAL ST_Dump(ST_GeneratePoints(m.geom, :n, :seed)) AS g
WHERE m.ags = :ags
"""
GROUP = """
-- :n pins of one category within :radius m of a random point of a municipality.
WITH centre AS (SELECT (ST_Dump(ST_GeneratePoints(ST_Transform(m.geom, 25832), 1, :seed))).geom AS c
                FROM municipality m WHERE m.ags = :ags)
INSERT INTO pin (client_id, geom, category, dimensions, municipality_ags, district_id)
SELECT gen_random_uuid(), g.geom, :category, ARRAY['social'], :ags, district_for_point(:ags, g.geom)
FROM centre, LATERAL ST_Dump(ST_Transform(ST_GeneratePoints(ST_Buffer(centre.c, :radius), :n, :seed), 4326)) AS g
WHERE EXISTS (SELECT 1 FROM municipality m WHERE m.ags = :ags AND ST_Covers(m.geom, g.geom))
"""

TABLES = ["municipalities: pins", "municipalities: categories", "municipalities: dimensions",
          "districts: pins", "districts: categories", "districts: dimensions", "cells: pins", "cells: categories"]


def draw_county(engine, rng: np.random.Generator) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM pin"))
        municipalities = conn.execute(text("SELECT ags FROM municipality WHERE county_key = :c ORDER BY ags"),
                                      {"c": COUNTY}).scalars().all()
        for ags in municipalities:
            conn.execute(text(DRAW), {"ags": ags, "n": int(rng.integers(40, 600)), "seed": int(rng.integers(1, 10 ** 6)),
                                      "salt": str(rng.integers(10 ** 6))})
        for _ in range(40):
            conn.execute(text(GROUP), {"ags": str(rng.choice(municipalities)), "n": int(rng.integers(3, 60)),
                                       "radius": float(rng.uniform(50, 300)), "seed": int(rng.integers(1, 10 ** 6)),
                                       "category": str(rng.choice(["divided", "missing_meeting_place", "meeting_place"]))})


def _pairs(true_areas: list, shown: dict, with_dimensions: bool = True) -> dict[str, list[tuple[int, int | None]]]:
    """(truth, shown or None) per kind of number, for areas keyed as in `shown` (absent: left out)."""
    out = {"pins": [], "categories": [], "dimensions": []}
    for area in true_areas:
        public = shown.get(area.key)
        out["pins"].append((area.total, None if public is None else public["pins"]))
        for c, n in area.by_category.items():
            out["categories"].append((n, None if public is None else public["by_category"][c]))
        if with_dimensions:
            for d, n in area.by_dimension.items():
                out["dimensions"].append((n, None if public is None else public["by_dimension"][d]))
    return out


def compare(engine) -> dict[str, dict[str, list]]:
    """Per method and table: (truth, shown) pairs; and per method the subtraction attack's tally."""
    pairs = {"cell key": {t: [] for t in TABLES}, "suppression": {t: [] for t in TABLES}}
    subtraction = {"cell key": [0, 0], "suppression": [0, 0]}
    k = RULES.k
    with engine.connect() as conn:
        run = hotspots.latest_run(conn, COUNTY)
        municipalities = statistics.municipality_counts(conn, run, COUNTY, PinFilter())
        public_m = {m["key"]: m for m in disclosure.public_municipalities(conn, run, COUNTY, RULES)}
        plain_m = baseline_suppression.public_areas(municipalities, k)
        for method, shown in (("cell key", public_m), ("suppression", plain_m)):
            for kind, values in _pairs(municipalities, shown).items():
                pairs[method][f"municipalities: {kind}"] += values
        for m in municipalities:
            districts = statistics.district_counts(conn, run, m.key, PinFilter())
            cells = [statistics.Counts(key=c["cell"], total=c["tally"].total, by_category=c["tally"].by_category)
                     for c in statistics.cells_of_municipality(conn, run, m.key, PinFilter()) if c["tally"].total]
            public_d = {d["key"]: d for d in disclosure.public_districts(conn, run, m.key, RULES)}
            public_c = {c["cell"]: c for c in disclosure.public_layers(conn, run, COUNTY, m.key, RULES)["cells"]}
            plain_d = baseline_suppression.public_areas(districts, k, m.total)
            plain_c = baseline_suppression.public_areas(cells, k, m.total)
            for method, shown_d, shown_c, shown_m in (("cell key", public_d, public_c, public_m.get(m.key)),
                                                      ("suppression", plain_d, plain_c, plain_m.get(m.key))):
                for kind, values in _pairs(districts, shown_d).items():
                    pairs[method][f"districts: {kind}"] += values
                for kind, values in _pairs(cells, shown_c, with_dimensions=False).items():
                    if kind != "dimensions":
                        pairs[method][f"cells: {kind}"] += values
                if shown_m is not None and shown_m["pins"] is not None:
                    hidden = [d for d in districts if shown_d.get(d.key) is None or shown_d[d.key]["pins"] is None]
                    if hidden:
                        guess = shown_m["pins"] - sum(shown_d[d.key]["pins"] for d in districts
                                                      if shown_d.get(d.key) and shown_d[d.key]["pins"] is not None)
                        subtraction[method][0] += 1
                        subtraction[method][1] += guess == sum(d.total for d in hidden)
    return pairs, subtraction


def figures(values: list[tuple[int, int | None]], k: int) -> tuple[float, float, float]:
    truth = np.array([t for t, _ in values], dtype=float)
    shown = np.array([np.nan if s is None else s for _, s in values], dtype=float)
    visible = ~np.isnan(shown)
    read = np.where(visible, shown, (k - 1) / 2)
    mae_shown = float(np.abs(shown[visible] - truth[visible]).mean()) if visible.any() else float("nan")
    return float(visible.mean()), mae_shown, float(np.abs(read - truth).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    database_url = fresh_database(server_url("bench-disclosure"), BENCH_DB)
    engine = create_engine(database_url)
    totals = {"cell key": {t: [] for t in TABLES}, "suppression": {t: [] for t in TABLES}}
    attack = {"cell key": [0, 0], "suppression": [0, 0]}
    rng = np.random.default_rng(20261201)
    for seed in range(args.seeds):
        draw_county(engine, rng)
        hotspots.refresh(engine, COUNTY, SETTINGS)
        pairs, subtraction = compare(engine)
        for method in totals:
            for table in TABLES:
                totals[method][table] += pairs[method][table]
            attack[method] = [a + b for a, b in zip(attack[method], subtraction[method])]
    engine.dispose()
    print(f"{args.seeds} drawn counties; cell key method: k = {RULES.k}, deviation at most {RULES.max_deviation}, "
          f"variance {RULES.variance}; plain suppression: k = {RULES.k} with complementary suppression")
    print(f"{'table':30} {'numbers':>8} | {'shown':>6} {'MAE shown':>9} {'MAE all':>8} | "
          f"{'shown':>6} {'MAE shown':>9} {'MAE all':>8}   (cell key | suppression)")
    for table in TABLES:
        new, old = figures(totals["cell key"][table], RULES.k), figures(totals["suppression"][table], RULES.k)
        print(f"{table:30} {len(totals['cell key'][table]):8d} | {new[0]:6.1%} {new[1]:9.2f} {new[2]:8.2f} | "
              f"{old[0]:6.1%} {old[1]:9.2f} {old[2]:8.2f}")
    for method, (tried, found) in attack.items():
        print(f"subtraction attack on hidden districts ({method}): {found} of {tried} recovered exactly")


if __name__ == "__main__":
    main()
