"""The grid DBSCAN against the two DBSCANs of the field (scikit-learn and PostGIS's
ST_ClusterDBSCAN) on pins drawn at random: the same core pins, the same clusters of them, the
same noise; a pin that is not core joins a cluster of a core pin within eps."""
from __future__ import annotations

import numpy as np
import pytest
import shapely
from sklearn.cluster import DBSCAN
from sqlalchemy import text

from mapserver.services import dense_clusters
from mapserver.vocabulary import DIMENSION_BITS


def _scenario(seed: int):
    """Villages of random size and spread on a random background, some pins on one spot, some
    on a line (a street), in up to three partitions; eps and min_pins drawn too."""
    rng = np.random.default_rng(seed)
    eps = float(rng.choice([40.0, 100.0, 150.0, 275.0]))
    min_pins = int(rng.integers(2, 12))
    side = float(rng.uniform(2_000, 12_000))
    n_background = int(rng.integers(0, 3_000))
    points = [rng.uniform(0, side, (n_background, 2))]
    for _ in range(int(rng.integers(1, 25))):
        size, spread = int(rng.integers(3, 400)), float(rng.uniform(10, 600))
        points.append(rng.uniform(0, side, 2) + rng.normal(0, spread, (size, 2)))
    points.append(np.repeat(rng.uniform(0, side, (1, 2)), int(rng.integers(1, 20)), axis=0))  # one spot
    start = rng.uniform(0, side, 2)
    points.append(start + np.outer(np.arange(int(rng.integers(2, 60))), rng.uniform(-1, 1, 2) * eps * 0.9))
    points = np.concatenate(points) + rng.uniform(-1e6, 1e6, 2)  # anywhere in the CRS
    partition = rng.integers(0, int(rng.integers(1, 4)), len(points))
    return points, partition, eps, min_pins


def _assert_same_dbscan(points, partition, eps, min_pins, labels, reference_core, reference_labels):
    core = np.zeros(len(points), dtype=bool)
    core[reference_core] = True
    # The same clusters of core pins (a one-to-one map between the numberings) and the same noise.
    pairs = set(zip(labels[core].tolist(), reference_labels[core].tolist()))
    assert len(pairs) == len(set(labels[core].tolist())) == len(set(reference_labels[core].tolist()))
    np.testing.assert_array_equal(labels < 0, reference_labels < 0)
    # A border pin's cluster is one of a core pin within eps in its partition.
    for pin in np.flatnonzero(~core & (labels >= 0)):
        near = (np.hypot(*(points[core] - points[pin]).T) <= eps) & (partition[core] == partition[pin])
        assert labels[pin] in set(labels[core][near].tolist())
    # Numbered 0, 1, … in the order of each cluster's first pin.
    if (labels >= 0).any():
        _, first = np.unique(labels[labels >= 0], return_index=True)
        assert np.all(np.diff(np.sort(first)) > 0) and labels[labels >= 0][np.sort(first)].tolist() == list(range(len(first)))


@pytest.mark.parametrize("seed", range(40))
def test_grid_dbscan_equals_scikit_learn(seed):
    points, partition, eps, min_pins = _scenario(seed)
    labels = dense_clusters.dbscan(points[:, 0], points[:, 1], eps, min_pins, partition)
    # scikit-learn per partition, numbered apart.
    reference_labels = np.full(len(points), -1)
    reference_core = []
    offset = 0
    for part in np.unique(partition):
        own = np.flatnonzero(partition == part)
        fitted = DBSCAN(eps=eps, min_samples=min_pins).fit(points[own])
        reference_labels[own] = np.where(fitted.labels_ >= 0, fitted.labels_ + offset, -1)
        reference_core.extend(own[fitted.core_sample_indices_])
        offset += fitted.labels_.max() + 1
    _assert_same_dbscan(points, partition, eps, min_pins, labels, np.array(reference_core, dtype=int), reference_labels)


@pytest.mark.parametrize("seed", range(40, 48))
def test_crowded_squares_are_measured_by_tree(seed, monkeypatch):
    # With a tiny chunk every pair of squares takes the k-d tree's way: still scikit-learn's clusters.
    monkeypatch.setattr(dense_clusters, "CLOSEST_PAIR_CHUNK", 3)
    test_grid_dbscan_equals_scikit_learn(seed)


@pytest.mark.parametrize("seed", range(100, 106))
def test_grid_dbscan_equals_st_clusterdbscan(engine, seed):
    points, partition, eps, min_pins = _scenario(seed)
    points = points - points.min(axis=0) + (500_000, 5_700_000)  # in Lower Saxony, EPSG:25832
    labels = dense_clusters.dbscan(points[:, 0], points[:, 1], eps, min_pins, partition)
    with engine.connect() as conn:
        rows = conn.execute(text("""
            WITH pins AS (
                SELECT n, part, ST_SetSRID(ST_MakePoint(x, y), 25832) AS geom
                FROM unnest(CAST(:x AS float8[]), CAST(:y AS float8[]), CAST(:part AS int[])) WITH ORDINALITY AS p(x, y, part, n))
            SELECT n, part, ST_ClusterDBSCAN(geom, eps => :eps, minpoints => :min_pins) OVER (PARTITION BY part) AS cluster,
                   (SELECT count(*) FROM pins o WHERE o.part = pins.part AND ST_DWithin(o.geom, pins.geom, :eps)) >= :min_pins AS core
            FROM pins ORDER BY n"""), {"x": points[:, 0].tolist(), "y": points[:, 1].tolist(),
                                        "part": partition.tolist(), "eps": eps, "min_pins": min_pins}).all()
    reference_labels = np.array([-1 if r.cluster is None else r.part * 100_000 + r.cluster for r in rows])
    reference_core = np.flatnonzero([r.core for r in rows])
    _assert_same_dbscan(points, partition, eps, min_pins, labels, reference_core, reference_labels)


def test_exactly_eps_apart_is_within_reach():
    # Five pins on a line, eps apart: each has its neighbours at exactly eps (DBSCAN's "within"
    # includes eps), so with min_pins 3 the inner three are core and all five one cluster.
    x = np.arange(5) * 100.0
    labels = dense_clusters.dbscan(x, np.zeros(5), 100.0, 3)
    assert labels.tolist() == [0, 0, 0, 0, 0]
    assert dense_clusters.dbscan(x, np.zeros(5), 99.999, 3).tolist() == [-1] * 5


def test_no_pins_and_no_cluster():
    assert dense_clusters.dbscan(np.array([]), np.array([]), 150.0, 5).tolist() == []
    assert dense_clusters.dbscan(np.array([0.0, 1000.0]), np.array([0.0, 0.0]), 150.0, 2).tolist() == [-1, -1]
    assert dense_clusters.describe(np.array([-1, -1]), np.zeros(2), np.zeros(2), np.array(["a", "a"]),
                                   np.zeros(2, dtype=int), ["divided"], np.zeros(2, dtype=int), DIMENSION_BITS, 150.0) == []


def test_description_counts_like_sql_mode():
    rng = np.random.default_rng(7)
    # Cluster 0 in "b": 3 × divided, 3 × meeting_place (a tie: the first in alphabetical order),
    # dimensions income ×2, social ×2 (tie: income); cluster 1 in "a": no dimension named.
    x = np.concatenate([rng.normal(0, 20, 6), rng.normal(5_000, 20, 5)])
    y = np.concatenate([rng.normal(0, 20, 6), rng.normal(0, 20, 5)])
    labels = np.array([0] * 6 + [1] * 5)
    partition = np.array(["b"] * 6 + ["a"] * 5)
    names = ["missing_meeting_place", "meeting_place", "divided"]  # not in alphabetical order
    categories = np.array([1, 2] * 3 + [0] * 5)
    masks = np.array([DIMENSION_BITS["income"], DIMENSION_BITS["social"]] * 2 + [0, 0] + [0] * 5)
    found = dense_clusters.describe(labels, x, y, partition, categories, names, masks, DIMENSION_BITS, 100.0)
    assert [(c.partition, c.pin_count, c.main_category, c.main_dimension) for c in found] == [
        ("a", 5, "missing_meeting_place", None), ("b", 6, "divided", "income")]
    for cluster, members in zip(found, (labels == 1, labels == 0)):
        pins = shapely.points(x[members], y[members])
        assert shapely.contains(cluster.outline, pins).all()
        # Buffered by a quarter of eps around the hull (arcs of at most two segments a quarter
        # circle, so no chord comes closer than r·cos 45°), and no more.
        assert shapely.distance(cluster.outline.exterior, pins).min() >= 25.0 * np.cos(np.pi / 4) - 1e-6
        assert shapely.distance(cluster.outline.exterior, pins).max() <= shapely.distance(
            shapely.convex_hull(shapely.multipoints(np.column_stack([x[members], y[members]]))).boundary, pins).max() + 25.0 + 1e-6
        assert cluster.outline.contains(cluster.centre)


@pytest.mark.parametrize("seed", range(10))
def test_outlines_are_the_buffered_hulls(seed):
    # Only the pins that may be corners of a hull go to GEOS: the outlines must equal the
    # buffered hulls of all pins, for clusters of every shape (round, on a line, on one spot).
    rng = np.random.default_rng(seed)
    shapes = [rng.normal(0, rng.uniform(5, 500), (int(rng.integers(5, 3000)), 2)) for _ in range(6)]
    shapes.append(np.outer(np.arange(20), rng.uniform(-1, 1, 2)) * 30)  # a street
    shapes.append(np.zeros((7, 2)))  # one spot
    shapes.append(np.array([[0, 0], [100, 0], [100, 100], [0, 100], [50, 50]] * 3, dtype=float))  # a square, corners repeated
    points = np.concatenate([s + rng.uniform(-1e5, 1e5, 2) + (500_000, 5_750_000) for s in shapes])
    labels = np.repeat(np.arange(len(shapes)), [len(s) for s in shapes])
    outlines = dense_clusters._outlines(labels, points[:, 0], points[:, 1], len(shapes), 150.0)
    for n in range(len(shapes)):
        expected = shapely.buffer(shapely.convex_hull(shapely.multipoints(points[labels == n])), 150.0 / 4, quad_segs=2)
        assert outlines[n].equals_exact(expected, 1e-6) or outlines[n].symmetric_difference(expected).area < 1e-6
