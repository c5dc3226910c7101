"""The spatial scan statistic on the real county grid: clusters drawn at random (sizes, spreads
and places the method was not tuned to) are found, uniform pins give no hotspot, a cluster
across a municipal border is one hotspot, and a municipality where more residents took part is
no hotspot for that. Points are simulated (numpy), the grid is the production grid."""
from __future__ import annotations

import math

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from bench import scenarios
from mapserver.geo import hex_cell_of
from mapserver.services import hotspots, scan

SETTINGS = hotspots.HotspotSettings()
SALZHEMMENDORF, BAD_MUENDER, COPPENBRUEGGE = "03252008", "03252002", "03252004"


@pytest.fixture(scope="module")
def grid(module_db_url):
    engine = create_engine(module_db_url)
    yield scenarios.load_county_grid(engine, "03252", SETTINGS.cell_size_m)
    engine.dispose()


@pytest.fixture(scope="module")
def hexagons(grid):
    return scenarios.part_hexagons(grid)


def _found(clusters, grid_surface, hexagons, place, within_m=300.0):
    return [c for c in clusters
            if scenarios.distance_m([hexagons[int(grid_surface.cell_ids[p])] for p in c.cells], place) <= within_m]


def test_log_likelihood_ratio_is_kulldorffs():
    c, e, total = 20.0, 5.0, 1000.0
    expected = c * math.log(c / e) + (total - c) * math.log((total - c) / (total - e))
    assert scan.log_likelihood_ratio(np.array([c]), np.array([e]), total, scan.HIGH)[0] == pytest.approx(expected)
    assert scan.log_likelihood_ratio(np.array([c]), np.array([e]), total, scan.LOW)[0] == 0.0
    low = 1.0 * math.log(1 / 5.0) + 999 * math.log(999 / 995)
    assert scan.log_likelihood_ratio(np.array([1.0]), np.array([5.0]), total, scan.LOW)[0] == pytest.approx(low)
    # Single precision (the simulation's) agrees with double precision at a million pins.
    big = scan.log_likelihood_ratio(np.array([260.0]), np.array([200.0]), 1e6, scan.HIGH)[0]
    small = scan.log_likelihood_ratio(np.array([260.0], dtype=np.float32), np.array([200.0], dtype=np.float32),
                                      np.float32(1e6), scan.HIGH)[0]
    assert small == pytest.approx(big, abs=1e-3)


def test_windows_are_all_circles_up_to_the_radius(grid):
    rng = np.random.default_rng(5)
    grid_surface, _ = scenarios.surface(grid, scenarios.background(grid, 1, rng))
    windows = scan.build_windows(grid_surface.x, grid_surface.y, grid_surface.weight > 0, 1200)
    points = np.column_stack([grid_surface.x, grid_surface.y])
    for w in rng.choice(windows.count, 300, replace=False):
        centre = points[windows.centre[w]]
        distance = np.hypot(*(points - centre).T)
        members = set(windows.members[w].indices)
        assert members == set(np.flatnonzero(distance <= windows.radius_m[w] + 0.01)), w
        assert windows.radius_m[w] <= 1200
    # Every cell centres windows of every radius at which a further cell enters (hexagon rings:
    # 0, 433, 750, 866, 1146 m at 250 m edges).
    radii = sorted({round(r) for r in windows.radius_m})
    assert radii == [0, 433, 750, 866, 1146]


def test_numpy_binning_matches_the_sql_cells(grid, module_db_url):
    engine = create_engine(module_db_url)
    rng = np.random.default_rng(9)
    points = scenarios.uniform_points(grid.municipalities[SALZHEMMENDORF], 500, rng)
    i, j = hex_cell_of(points[:, 0], points[:, 1], SETTINGS.cell_size_m)
    with engine.connect() as conn:
        for (x, y), a, b in zip(points, i, j):
            cell = conn.execute(text("""SELECT h.i, h.j FROM ST_HexagonGrid(:size, ST_MakeEnvelope(:x - 1, :y - 1, :x + 1, :y + 1, 25832)) h
                                        WHERE ST_Covers(h.geom, ST_SetSRID(ST_MakePoint(:x, :y), 25832))"""),
                                {"size": SETTINGS.cell_size_m, "x": float(x), "y": float(y)}).first()
            assert (cell.i, cell.j) == (a, b)
    engine.dispose()


def test_clusters_drawn_at_random_are_found(grid, hexagons):
    """Clusters of 25-100 pins with sigma 50-200 m anywhere in the county, over a uniform
    background of 2-10 pins per km²: found within 300 m in at least 90 % of draws, no hotspot
    elsewhere in all but a few."""
    rng = np.random.default_rng(20261201)
    found = false_alarms = 0
    draws = 16
    for _ in range(draws):
        density = rng.uniform(2, 10)
        n = int(rng.integers(25, 101))
        sigma = rng.uniform(50, 200)
        place = scenarios.random_place(grid, rng, margin_m=300)
        points = np.concatenate([scenarios.background(grid, density, rng),
                                 scenarios.gaussian_cluster(place, n, sigma, rng)])
        grid_surface, _ = scenarios.surface(grid, points)
        clusters = scenarios.scan_hotspots(grid_surface, SETTINGS)
        found += bool(_found(clusters, grid_surface, hexagons, place))
        false_alarms += bool([c for c in clusters if c not in _found(clusters, grid_surface, hexagons, place, 1000)])
    assert found >= 0.9 * draws, found
    assert false_alarms <= 2, false_alarms


def test_uniform_pins_give_no_hotspot_in_nearly_every_run(grid):
    """Pins spread at random over every municipality: at most 5 % of runs may show any hotspot
    (the scan's family-wise error), counted over 40 seeds (binomially, 6 or more would happen by
    chance in 1.4 % of such tests)."""
    runs_with_hotspots = 0
    for seed in range(40):
        rng = np.random.default_rng(1000 + seed)
        grid_surface, _ = scenarios.surface(grid, scenarios.background(grid, rng.uniform(2, 10), rng))
        clusters = scenarios.scan_hotspots(grid_surface, hotspots.HotspotSettings(seed=seed))
        runs_with_hotspots += bool(clusters)
    assert runs_with_hotspots <= 5, runs_with_hotspots


def test_more_pins_in_one_municipality_is_no_hotspot(grid):
    """Salzhemmendorf took part eagerly (12 per km²), Bad Münder less (2 per km²), the others
    not yet: each municipality's pins are spread over its own area, so none of this is a hotspot."""
    rng = np.random.default_rng(77)
    points = np.concatenate([scenarios.background(grid, 12, rng, [SALZHEMMENDORF]),
                             scenarios.background(grid, 2, rng, [BAD_MUENDER])])
    grid_surface, _ = scenarios.surface(grid, points)
    assert scenarios.scan_hotspots(grid_surface, SETTINGS) == []


def test_a_cluster_across_a_border_is_one_hotspot_in_both_municipalities(grid, hexagons):
    rng = np.random.default_rng(31)
    place = scenarios.border_place(grid, SALZHEMMENDORF, COPPENBRUEGGE, rng)
    points = np.concatenate([scenarios.background(grid, 5, rng), scenarios.gaussian_cluster(place, 40, 150, rng)])
    grid_surface, _ = scenarios.surface(grid, points)
    clusters = _found(scenarios.scan_hotspots(grid_surface, SETTINGS), grid_surface, hexagons, place)
    # The strongest hotspot there takes the cluster's core on both sides of the border (a tail
    # may form a weaker secondary hotspot beside it, as in SaTScan).
    assert clusters and clusters[0].observed >= 20
    municipalities = {int(grid_surface.municipality[p]) for p in clusters[0].cells}
    assert len(municipalities) == 2
    # Its pins are counted on both sides: more than either side holds alone.
    counts = grid_surface.counts[hotspots.ALL_PINS]
    by_side = [counts[[p for p in clusters[0].cells if grid_surface.municipality[p] == m]].sum() for m in municipalities]
    assert clusters[0].observed == sum(by_side) and min(by_side) > 0


def test_border_cells_are_expected_to_hold_pins_by_their_area_inside(grid):
    """A cell half outside the county expects half the pins of a full one; parts of one cell
    in two municipalities expect each municipality's own rate."""
    rng = np.random.default_rng(3)
    grid_surface, _ = scenarios.surface(grid, scenarios.background(grid, 5, rng))
    expected = grid_surface.null.expected(grid_surface.counts[hotspots.ALL_PINS])
    for stratum in np.unique(grid_surface.municipality):
        own = grid_surface.municipality == stratum
        per_area = expected[own] / grid_surface.area_share[own]
        assert np.allclose(per_area, per_area[0])
    partial = grid_surface.area_share < 0.5
    assert partial.sum() > 100  # the county has hundreds of such cells


def test_a_planted_cluster_stands_out_whatever_the_seed(grid):
    """The same data under different Monte Carlo seeds: the verdict does not hang on the draw."""
    rng = np.random.default_rng(8)
    place = scenarios.random_place(grid, rng, margin_m=500)
    points = np.concatenate([scenarios.background(grid, 5, rng), scenarios.gaussian_cluster(place, 30, 150, rng)])
    grid_surface, _ = scenarios.surface(grid, points)
    verdicts = {len(scenarios.scan_hotspots(grid_surface, hotspots.HotspotSettings(seed=s))) >= 1 for s in range(3)}
    assert verdicts == {True}


def test_null_maxima_equal_a_brute_force_over_every_window(grid):
    """The grouping shortcut and single-precision counts change nothing: the same draws, every
    window's ratio in double precision, the same maxima; both directions, few pins and many."""
    rng = np.random.default_rng(12)
    for n, direction in ((18, scan.HIGH), (400, scan.HIGH), (400, scan.LOW)):
        points = scenarios.uniform_points(grid.municipalities[SALZHEMMENDORF], n, rng)
        grid_surface, _ = scenarios.surface(grid, points)
        counts = grid_surface.counts[hotspots.ALL_PINS]
        windows = scan.build_windows(grid_surface.x, grid_surface.y, grid_surface.weight > 0, 1200)
        null = grid_surface.null
        fast = scan.null_maxima(windows, null, counts, direction, 300, 4, min_pins=5)
        expected = windows.members @ null.expected(counts)
        brute = []
        for _, draw in scan.simulated_batches(null, [counts], 300, 4):
            (simulated,) = draw()
            in_windows = simulated.astype(float) @ windows.members.T.toarray()
            brute.extend(scan.log_likelihood_ratio(in_windows, expected[None, :], counts.sum(), direction, 5).max(axis=1))
        assert np.allclose(fast, brute, rtol=1e-12, atol=1e-12), (n, direction)


def test_a_tie_with_the_simulation_counts_against_the_hotspot():
    """p = (simulated maxima >= observed + 1) / (replications + 1), ties included."""
    x, y = np.arange(10) * 500.0, np.zeros(10)
    windows = scan.build_windows(x, y, np.ones(10, bool), 0)
    null = scan.Null(stratum=np.zeros(10, int), weight=np.ones(10))
    counts = np.array([8, 1, 1, 0, 0, 1, 0, 1, 0, 0], dtype=float)
    observed = scan.log_likelihood_ratio(np.array([8.0]), np.array([1.2]), 12.0, scan.HIGH)[0]
    for maxima, p in ((np.full(19, observed), 1.0), (np.full(19, observed * 0.999), 1 / 20),
                      (np.r_[np.full(18, 0.0), observed], 2 / 20)):
        found = scan.scan(counts, windows, null, maxima=maxima, alpha=1.01)
        assert found and found[0].p_value == pytest.approx(p) and found[0].observed == 8


def test_all_pins_in_one_cell_are_a_hotspot(grid):
    """Every pin of the municipality inside one window: the strongest possible hotspot (no NaN
    from the empty outside)."""
    rng = np.random.default_rng(2)
    place = tuple(scenarios.uniform_points(grid.municipalities[BAD_MUENDER], 1, rng)[0])
    grid_surface, _ = scenarios.surface(grid, scenarios.gaussian_cluster(place, 12, 5, rng))
    total = grid_surface.counts[hotspots.ALL_PINS].sum()
    c = np.array([total])
    assert np.isfinite(scan.log_likelihood_ratio(c, np.array([0.2]), total, scan.HIGH)).all()
    clusters = scenarios.scan_hotspots(grid_surface, SETTINGS)
    assert len(clusters) == 1 and clusters[0].observed == total and clusters[0].p_value < 0.01


def test_all_pins_simulated_as_the_sum_of_the_categories_follow_the_null_of_all_pins(grid):
    """All pins' replications are the sums of the categories' replications (the sum of
    independent multinomials over the same cells is the multinomial of the summed pins): their
    largest ratios follow the same distribution as replications drawn for all pins directly
    (two-sample Kolmogorov-Smirnov test on independent seeds)."""
    from scipy.stats import ks_2samp

    rng = np.random.default_rng(21)
    parts = {}
    for name, n in (("a", 300), ("b", 120), ("c", 40)):
        points = np.concatenate([scenarios.uniform_points(grid.municipalities[a], n // 3, rng)
                                 for a in (SALZHEMMENDORF, BAD_MUENDER, COPPENBRUEGGE)])
        parts[name] = scenarios.surface(grid, points)[0]
    null = parts["a"].null
    counts = {name: s.counts[hotspots.ALL_PINS] for name, s in parts.items()}
    windows = scan.build_windows(parts["a"].x, parts["a"].y, parts["a"].weight > 0, 1200)
    together = scan.null_maxima_of_parts({scan.HIGH: windows}, null, counts, "whole", 600, seed=3, min_pins=5)
    direct = scan.null_maxima(windows, null, sum(counts.values()), scan.HIGH, 600, seed=99, min_pins=5)
    assert ks_2samp(together[("whole", scan.HIGH)], direct).pvalue > 0.01
    # Each part's own null is untouched by being simulated together with the others.
    alone = scan.null_maxima(windows, null, counts["b"], scan.HIGH, 600, seed=98, min_pins=5)
    assert ks_2samp(together[("b", scan.HIGH)], alone).pvalue > 0.01
    # And a sum that was not simulated as one differs from a wrong null (the test can fail):
    # all pins against the null of a third of them.
    assert ks_2samp(together[("whole", scan.HIGH)], alone).pvalue < 1e-6


def test_the_monte_carlo_gives_the_same_maxima_on_one_thread_and_on_two(grid):
    rng = np.random.default_rng(22)
    points = scenarios.uniform_points(grid.municipalities[SALZHEMMENDORF], 200, rng)
    grid_surface = scenarios.surface(grid, points)[0]
    windows = {scan.HIGH: scan.build_windows(grid_surface.x, grid_surface.y, grid_surface.weight > 0, 1200)}
    parts = {"pins": grid_surface.counts[hotspots.ALL_PINS]}
    one, two = (scan.null_maxima_of_parts(windows, grid_surface.null, parts, "whole", 500, seed=5, threads=t)
                for t in (1, 2))
    assert one.keys() == two.keys() and all(np.array_equal(one[k], two[k]) for k in one)


def test_a_category_without_pins_gives_no_hotspot_and_no_error(grid):
    rng = np.random.default_rng(23)
    grid_surface = scenarios.surface(grid, scenarios.uniform_points(grid.municipalities[SALZHEMMENDORF], 50, rng))[0]
    windows = {scan.HIGH: scan.build_windows(grid_surface.x, grid_surface.y, grid_surface.weight > 0, 1200)}
    empty = np.zeros_like(grid_surface.counts[hotspots.ALL_PINS])
    maxima = scan.null_maxima_of_parts(windows, grid_surface.null, {"none": empty, "some": grid_surface.counts["all"]},
                                       "whole", 99, seed=1)
    assert not maxima[("none", scan.HIGH)].any()
    assert scan.scan(empty, windows[scan.HIGH], grid_surface.null, maxima=maxima[("none", scan.HIGH)]) == []


def test_the_fast_multinomial_is_a_multinomial():
    """scan.multinomial (Poisson counts conditioned and completed) against the multinomial's
    own moments: every total exact; each cell's mean and variance, and the variance of a group
    of cells (the negative covariances), as Multinomial(pins, share) has them."""
    rng = np.random.default_rng(24)
    share = np.ones(600)
    share[:150] = rng.uniform(0.02, 1.0, 150)  # border cells; the rest lie wholly inside
    share /= share.sum()
    for pins in (0, 1, 4, 60):
        assert (scan.multinomial(pins, share, 50, rng).sum(axis=1) == pins).all()
    pins, draws = 3000, 4000
    x = np.concatenate([scan.multinomial(pins, share, 500, rng) for _ in range(draws // 500)])
    assert (x.sum(axis=1) == pins).all()
    expected, variance = pins * share, pins * share * (1 - share)
    z = (x.mean(axis=0) - expected) / np.sqrt(variance / draws)
    assert abs(z.mean()) < 0.15 and 0.85 < z.std() < 1.15
    ratio = x.var(axis=0) / variance
    assert 0.9 < np.median(ratio) < 1.1
    group = share[:300].sum()
    assert x[:, :300].sum(axis=1).var() / (pins * group * (1 - group)) == pytest.approx(1.0, abs=0.1)


def test_a_single_pin_gives_ratios_not_nan_and_the_cdf_search_is_exact():
    """Review findings: with one pin in all, a window expecting every pin must give ratio 0 (not
    NaN, which would count as exceeding every observed ratio); and the guide-table search equals
    np.searchsorted also for u one float below an entry lying on a bin edge."""
    x, y = np.array([0, 100, 0, 100.0]), np.array([0, 0, 100, 100.0])
    windows = scan.build_windows(x, y, np.ones(4, bool), 200.0)
    null = scan.Null(np.zeros(4, int), np.ones(4))
    for direction in (scan.HIGH, scan.LOW):
        maxima = scan.null_maxima(windows, null, np.array([1.0, 0, 0, 0]), direction, 5, seed=0)
        assert np.isfinite(maxima).all()
    for entries in (40, 300, 5000):
        cdf = np.cumsum(np.full(entries, 1 / entries))
        cdf /= cdf[-1]
        u = np.concatenate([cdf[:-1], np.nextafter(cdf[:-1], 0), np.nextafter(cdf[:-1], 1), [0.0, np.nextafter(1.0, 0)]])
        assert np.array_equal(scan._inverse_cdf(cdf, u), np.searchsorted(cdf, u, side="right")), entries
