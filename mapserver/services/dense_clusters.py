"""DBSCAN of the pins, exact, by grid: the same core pins, clusters of them and noise as
ST_ClusterDBSCAN or scikit-learn's DBSCAN (a pin within eps of two clusters may join the other
one), at a cost that grows with the pins and not with the pins times their neighbours.

DBSCAN (Ester et al. 1996): a pin is a core pin when at least `min_pins` pins (itself included)
lie within `eps` of it; core pins within eps of each other belong to one cluster; a pin that is
not core joins a cluster when it lies within eps of one of its core pins (here: of its nearest
core pin), and is noise otherwise. Libraries find each pin's neighbours one by one, which at a
county's 1,000,000 pins means some 100 million distances (ST_ClusterDBSCAN 8.1 s, this grid
2.3 s: bench/dense_clusters.py). The grid needs almost none of them (Gunawan 2013; de Berg, Gunawan and Roeloffzen 2017):

- squares of side eps / (2·√2): two pins in squares that touch (also at a corner) are less than
  eps apart. A pin with at least min_pins pins in its own and the eight touching squares is
  core without a distance; the others are counted exactly (a k-d tree, few pins).
- core pins in one square or in touching squares are connected without a distance. Squares up to
  three apart may hold core pins within eps: only where those squares are not connected yet is
  their closest pair measured.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

NOISE = -1
CLOSEST_PAIR_CHUNK = 2_000_000  # pin pairs measured at once (32 MB of distances)


def _gap(dx: int, dy: int) -> int:
    """The squared shortest distance between squares (dx, dy) apart, in sides squared."""
    return max(abs(dx) - 1, 0) ** 2 + max(abs(dy) - 1, 0) ** 2


# Offsets (dx, dy) of squares whose pins may be within eps of each other (side eps/(2·√2)):
# touching squares always are; squares further apart are when the gap between them is shorter
# than eps = √8 sides. TOUCHING and WITHIN_REACH hold each unordered pair once.
REACH = [(dx, dy) for dx in range(-3, 4) for dy in range(-3, 4) if (dx, dy) != (0, 0) and _gap(dx, dy) < 8]
TOUCHING = [(dx, dy) for dx, dy in REACH if (dx, dy) > (0, 0) and max(abs(dx), abs(dy)) == 1]
WITHIN_REACH = [(dx, dy) for dx, dy in REACH if (dx, dy) > (0, 0) and max(abs(dx), abs(dy)) >= 2]


def dbscan(x: np.ndarray, y: np.ndarray, eps: float, min_pins: int,
           partition: np.ndarray | None = None) -> np.ndarray:
    """Cluster number of each pin (0, 1, … in the order of each cluster's first pin) or NOISE.
    Pins of different partitions (e.g. municipalities) never share a cluster."""
    if not eps > 0 or min_pins < 1:
        raise ValueError(f"DBSCAN needs eps > 0 and min_pins >= 1, not eps={eps}, min_pins={min_pins}")
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    labels = np.full(x.size, NOISE, dtype=np.int64)
    if x.size == 0:
        return labels
    partition = np.zeros(x.size, dtype=np.int64) if partition is None else np.asarray(partition)
    next_label = 0
    for part in np.unique(partition):
        own = np.flatnonzero(partition == part)
        part_labels = _dbscan_of_part(x[own], y[own], eps, min_pins)
        clustered = part_labels >= 0
        labels[own[clustered]] = part_labels[clustered] + next_label
        next_label += part_labels.max() + 1 if clustered.any() else 0
    return _numbered_by_first_pin(labels)


def _numbered_by_first_pin(labels: np.ndarray) -> np.ndarray:
    clustered = labels >= 0
    if not clustered.any():
        return labels
    found, first = np.unique(labels[clustered], return_index=True)
    order = np.empty(found.size, dtype=np.int64)
    order[np.argsort(first)] = np.arange(found.size)
    result = labels.copy()
    result[clustered] = order[np.searchsorted(found, labels[clustered])]
    return result


class _Squares:
    """The occupied squares of a grid with their pins: keys sorted, pins grouped by square, and
    (where the grid's bounding box is not too large) a dense table from key to square."""

    DENSE_LIMIT = 20_000_000  # table entries (8 bytes each)

    def __init__(self, x: np.ndarray, y: np.ndarray, side: float):
        column = np.floor((x - x.min()) / side).astype(np.int64) + 3
        row = np.floor((y - y.min()) / side).astype(np.int64) + 3
        self.height = int(row.max()) + 4  # keys of squares up to three apart never wrap
        key = column * self.height + row
        self.order = np.argsort(key, kind="stable")  # pins grouped by square
        self.keys, self.first, self.size = np.unique(key[self.order], return_index=True, return_counts=True)
        self.square_of_pin = np.empty(x.size, dtype=np.int64)
        self.square_of_pin[self.order] = np.repeat(np.arange(self.keys.size), self.size)
        entries = (int(column.max()) + 4) * self.height
        self.table = None
        if entries <= self.DENSE_LIMIT:
            self.table = np.full(entries, -1, dtype=np.int64)
            self.table[self.keys] = np.arange(self.keys.size)

    def neighbour(self, squares: np.ndarray, dx: int, dy: int) -> np.ndarray:
        """The index of the square (dx, dy) away from each of `squares`, or -1 if it is empty."""
        wanted = self.keys[squares] + dx * self.height + dy
        if self.table is not None:
            return self.table[wanted]
        found = np.minimum(np.searchsorted(self.keys, wanted), self.keys.size - 1)
        return np.where(self.keys[found] == wanted, found, -1)


def _dbscan_of_part(x: np.ndarray, y: np.ndarray, eps: float, min_pins: int) -> np.ndarray:
    points = np.column_stack([x, y])
    squares = _Squares(x, y, eps / (2 * math.sqrt(2)))
    core = _core_pins(points, squares, eps, min_pins)
    labels = np.full(x.size, NOISE, dtype=np.int64)
    if not core.any():
        return labels

    # Squares with a core pin are the graph's nodes; within a square all core pins are connected.
    core_count = np.bincount(squares.square_of_pin[core], minlength=squares.keys.size)
    core_squares = np.flatnonzero(core_count > 0)
    edges = [_pairs(squares, core_squares, core_count, offset) for offset in TOUCHING]
    sources = np.concatenate([e[0] for e in edges] + [core_squares])
    targets = np.concatenate([e[1] for e in edges] + [core_squares])
    component = _components(sources, targets, squares.keys.size)
    # Squares further apart: measured only where the touching squares left them unconnected.
    core_points = points.copy()
    core_points[~core] = np.nan
    for offset in WITHIN_REACH:
        a, b = _pairs(squares, core_squares, core_count, offset)
        open_pairs = component[a] != component[b]
        close = _closest_within(core_points, squares, a[open_pairs], b[open_pairs], eps)
        sources = np.concatenate([sources, a[open_pairs][close]])
        targets = np.concatenate([targets, b[open_pairs][close]])
    component = _components(sources, targets, squares.keys.size)
    labels[core] = component[squares.square_of_pin[core]]

    # A pin that is not core joins the cluster of its nearest core pin within eps.
    border = np.flatnonzero(~core)
    if border.size:
        core_index = np.flatnonzero(core)
        distance, nearest = cKDTree(points[core_index]).query(points[border], k=1)
        reached = distance <= eps
        labels[border[reached]] = labels[core_index[nearest[reached]]]
    clustered = labels >= 0
    labels[clustered] = np.unique(labels[clustered], return_inverse=True)[1]
    return labels


def _core_pins(points: np.ndarray, squares: _Squares, eps: float, min_pins: int) -> np.ndarray:
    """Pins with at least min_pins pins within eps (themselves included)."""
    all_squares = np.arange(squares.keys.size)
    near = squares.size.copy()  # pins in the own and the touching squares: all within eps
    reach = squares.size.copy()  # pins in every square that may hold one within eps
    for dx, dy in REACH:
        other = squares.neighbour(all_squares, dx, dy)
        counts = np.where(other >= 0, squares.size[np.maximum(other, 0)], 0)
        reach += counts
        if max(abs(dx), abs(dy)) == 1:
            near += counts
    core_square = near >= min_pins
    core = core_square[squares.square_of_pin]
    undecided = np.flatnonzero(~core & (reach[squares.square_of_pin] >= min_pins))
    if undecided.size:
        counts = cKDTree(points).query_ball_point(points[undecided], r=eps, return_length=True)
        core[undecided] = counts >= min_pins
    return core


def _pairs(squares: _Squares, core_squares: np.ndarray, core_count: np.ndarray, offset: tuple[int, int]):
    """Pairs of squares with core pins, `offset` apart."""
    other = squares.neighbour(core_squares, *offset)
    keep = other >= 0
    keep[keep] = core_count[other[keep]] > 0
    return core_squares[keep], other[keep]


def _components(sources: np.ndarray, targets: np.ndarray, nodes: int) -> np.ndarray:
    graph = coo_matrix((np.ones(sources.size, dtype=np.int8), (sources, targets)), shape=(nodes, nodes))
    return connected_components(graph, directed=False)[1]


def _closest_within(core_points: np.ndarray, squares: _Squares, a: np.ndarray, b: np.ndarray, eps: float,
                    chunk: int | None = None) -> np.ndarray:
    """For each pair of squares (a[k], b[k]): whether a core pin of the one lies within eps of a
    core pin of the other (pins that are not core are NaN and never close)."""
    chunk = CLOSEST_PAIR_CHUNK if chunk is None else chunk
    pairs_per_item = squares.size[a] * squares.size[b]
    result = np.zeros(a.size, dtype=bool)
    # Pairs of crowded squares (more pin pairs than a chunk): the closest pair by a k-d tree.
    for k in np.flatnonzero(pairs_per_item > chunk):
        pins_a = squares.order[squares.first[a[k]]:squares.first[a[k]] + squares.size[a[k]]]
        pins_b = squares.order[squares.first[b[k]]:squares.first[b[k]] + squares.size[b[k]]]
        core_a, core_b = core_points[pins_a], core_points[pins_b]
        core_a, core_b = core_a[~np.isnan(core_a[:, 0])], core_b[~np.isnan(core_b[:, 0])]
        if len(core_a) and len(core_b):
            result[k] = bool((cKDTree(core_b).query(core_a, k=1)[0] <= eps).any())
    small = np.flatnonzero(pairs_per_item <= chunk)
    a, b, pairs_per_item, positions = a[small], b[small], pairs_per_item[small], small
    start = 0
    while start < a.size:
        # As many square pairs as fit in `chunk` pin pairs (each alone does).
        stop = max(start + 1, int(np.searchsorted(np.cumsum(pairs_per_item[start:]), chunk, side="right")) + start)
        sa, sb = a[start:stop], b[start:stop]
        n_a, n_b = squares.size[sa], squares.size[sb]
        per = n_a * n_b
        item = np.repeat(np.arange(sa.size), per)
        within = np.arange(per.sum()) - np.repeat(np.cumsum(per) - per, per)
        pin_a = squares.order[squares.first[sa][item] + within // n_b[item]]
        pin_b = squares.order[squares.first[sb][item] + within % n_b[item]]
        d2 = ((core_points[pin_a] - core_points[pin_b]) ** 2).sum(axis=1)
        close = np.zeros(sa.size, dtype=bool)
        np.logical_or.at(close, item[d2 <= eps * eps], True)
        result[positions[start:stop]] = close
        start = stop
    return result


@dataclass
class DenseCluster:
    """What the pages show of a cluster: its size, what its pins mostly say, its outline (the
    convex hull, buffered by a quarter of eps so that a cluster on a line still has an area) and
    its outline's centre, in the pins' metric CRS."""

    partition: object
    pin_count: int
    main_category: str
    main_dimension: str | None
    outline: shapely.Geometry
    centre: shapely.Geometry
    first_pin: int
    label: int  # its label in dbscan's labels


def describe(labels: np.ndarray, x: np.ndarray, y: np.ndarray, partition: np.ndarray, categories: np.ndarray,
             category_names: list[str], dimension_masks: np.ndarray, dimension_bits: dict[str, int],
             eps: float) -> list[DenseCluster]:
    """Every cluster of `labels` (from dbscan), ordered by partition, then largest first.
    `categories` are positions in `category_names`. The most frequent category and dimension are
    those of mode() in SQL: on a tie the first in alphabetical order; no dimension where no pin
    of the cluster named one."""
    clustered = np.flatnonzero(labels >= 0)
    if clustered.size == 0:
        return []
    label = labels[clustered]
    count = np.bincount(label)
    first_pin = np.full(count.size, labels.size)
    np.minimum.at(first_pin, label, clustered)
    alphabetical = sorted(range(len(category_names)), key=lambda n: category_names[n])
    rank_of = np.empty(len(category_names), dtype=np.int64)
    rank_of[alphabetical] = np.arange(len(category_names))
    by_category = np.bincount(label * len(category_names) + rank_of[np.asarray(categories)[clustered]],
                              minlength=count.size * len(category_names)).reshape(count.size, -1)
    dimension_codes = sorted(dimension_bits)
    masks = np.asarray(dimension_masks)[clustered]
    by_dimension = np.column_stack([np.bincount(label, weights=(masks & dimension_bits[code]) > 0, minlength=count.size)
                                    for code in dimension_codes])
    outlines = _outlines(label, x[clustered], y[clustered], count.size, eps)
    centres = shapely.centroid(outlines)
    part_of_cluster = np.asarray(partition)[first_pin]
    clusters = [DenseCluster(partition=part_of_cluster[n].item(), pin_count=int(count[n]),
                             main_category=category_names[alphabetical[by_category[n].argmax()]],
                             main_dimension=dimension_codes[by_dimension[n].argmax()] if by_dimension[n].max() > 0 else None,
                             outline=outlines[n], centre=centres[n], first_pin=int(first_pin[n]), label=n)
                for n in range(count.size)]
    return sorted(clusters, key=lambda c: (c.partition, -c.pin_count, c.first_pin))


# Directions whose extreme pins span a polygon inside each cluster's hull (Akl and Toussaint 1978).
DIRECTIONS = np.array([(np.cos(a), np.sin(a)) for a in np.arange(8) * np.pi / 4])


def _outlines(label: np.ndarray, x: np.ndarray, y: np.ndarray, clusters: int, eps: float) -> np.ndarray:
    """Each cluster's convex hull, buffered by eps / 4. A pin strictly inside the polygon of the
    cluster's extreme pins in 8 directions cannot be a corner of the hull, so only the pins on
    or outside it go to GEOS (a few thousand of a million)."""
    # Relative to each cluster's first pin, so that the margin below is one of the cluster's own
    # extent, not of the coordinates' size (metres in the millions).
    first = np.full(clusters, label.size)
    np.minimum.at(first, label, np.arange(label.size))
    origin = np.column_stack([x, y])[first]
    points = np.column_stack([x, y]) - origin[label]
    projection = points @ DIRECTIONS.T  # (pins, directions)
    extreme = np.full((clusters, len(DIRECTIONS)), -np.inf)
    for d in range(len(DIRECTIONS)):
        np.maximum.at(extreme[:, d], label, projection[:, d])
    extreme_pin = np.zeros((clusters, len(DIRECTIONS)), dtype=np.int64)
    for d in range(len(DIRECTIONS)):
        at_extreme = np.flatnonzero(projection[:, d] == extreme[label, d])
        extreme_pin[label[at_extreme], d] = at_extreme
    # The polygon's edges from extreme pin d to extreme pin d+1 (counter-clockwise): a pin
    # strictly left of every edge, by a margin, is inside.
    start = points[extreme_pin]
    end = points[np.roll(extreme_pin, -1, axis=1)]
    edge = end - start
    extent = np.zeros(clusters)
    np.maximum.at(extent, label, np.abs(points).max(axis=1))
    margin = 1e-9 * (extent[label] + 1.0) ** 2
    inside = np.ones(label.size, dtype=bool)
    for d in range(len(DIRECTIONS)):
        a, e = start[label, d], edge[label, d]
        cross = e[:, 0] * (points[:, 1] - a[:, 1]) - e[:, 1] * (points[:, 0] - a[:, 0])
        degenerate = np.hypot(e[:, 0], e[:, 1]) == 0
        inside &= degenerate | (cross > margin)
    keep = ~inside
    keep[extreme_pin.ravel()] = True
    kept = np.flatnonzero(keep)
    order = kept[np.argsort(label[kept], kind="stable")]
    hulls = shapely.convex_hull(shapely.multipoints(points[order] + origin[label[order]], indices=label[order]))
    return shapely.buffer(hulls, eps / 4, quad_segs=2)
