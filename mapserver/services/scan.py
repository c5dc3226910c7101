"""Kulldorff's spatial scan statistic (Poisson model, circular windows, Monte Carlo inference)
on the cells of a grid, the method SaTScan made the epidemiologists' standard.

Why this method (the README argues it at length): a hotspot is a place where more pins lie than
the baseline lets expect. The scan statistic looks at every circle of every size up to a
maximum radius around every cell, so a cluster that fits into one cell is seen as well as one
spread over a village; it counts a window's own excess (no conditional randomisation that holds
the cell fixed); and its Monte Carlo null distribution is the distribution of the *largest*
likelihood ratio over all windows, so the chance that pins spread by chance give any hotspot
anywhere in the county is the stated significance level (family-wise error), whatever the
number of cells. No well-kept Python library implements it (PySAL has Gi*, Moran, join counts;
scikit-learn has density clustering), so it is written here and tested in tests/test_scan.py.

Pure numpy/scipy: cells in, clusters out; nothing here knows the database or Flask.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

HIGH = "high"  # more pins than expected: hotspots
LOW = "low"  # fewer pins than expected: coldspots (only meaningful with a population baseline)

# Replicates are simulated in batches so memory stays small at any number of windows.
_BATCH = 128


@dataclass(frozen=True)
class Windows:
    """The circular windows of a grid: window w holds the cells of row w of `members`."""

    centre: np.ndarray  # (windows,) index of the cell at the window's centre
    radius_m: np.ndarray  # (windows,) distance to the window's farthest cell centre
    members: sparse.csr_matrix  # (windows, cells) 1 where the cell belongs to the window

    @property
    def count(self) -> int:
        return self.centre.size


@dataclass(frozen=True)
class Null:
    """Where pins fall by chance: each stratum's pins (a municipality's: how many took part there
    is the campaign's doing, not a wall) spread over its cells in proportion to their weight
    (area inside, or inhabitants). Expected counts are indirectly standardised by stratum."""

    stratum: np.ndarray  # (cells,) stratum of each cell
    weight: np.ndarray  # (cells,) the cell's weight within its stratum

    def expected(self, counts: np.ndarray) -> np.ndarray:
        """Pins each cell should hold by chance, given how many pins each stratum has."""
        if self.stratum.size == 0:
            return np.zeros(0)
        totals = np.bincount(self.stratum, weights=counts, minlength=self.stratum.max() + 1)
        weights = np.bincount(self.stratum, weights=self.weight, minlength=self.stratum.max() + 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_weight = np.where(weights > 0, totals / weights, 0.0)
        return self.weight * per_weight[self.stratum]

    def simulate(self, counts: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
        """`size` data sets (size, cells): each stratum's observed number of pins, multinomial."""
        out = np.zeros((size, self.stratum.size), dtype=np.float32)  # counts below 2**24 are exact
        totals = np.bincount(self.stratum, weights=counts, minlength=self.stratum.max() + 1)
        for stratum in np.flatnonzero(totals > 0):
            cells = np.flatnonzero((self.stratum == stratum) & (self.weight > 0))
            if cells.size:
                share = self.weight[cells] / self.weight[cells].sum()
                out[:, cells] = rng.multinomial(int(round(totals[stratum])), share, size=size)
        return out


@dataclass(frozen=True)
class Cluster:
    """A significant window: where, how many pins against how many expected, and its p-value."""

    direction: str
    centre: int  # cell index
    radius_m: float
    cells: np.ndarray  # cell indices
    observed: int
    expected: float
    log_likelihood_ratio: float
    p_value: float



def build_windows(x: np.ndarray, y: np.ndarray, usable: np.ndarray, max_radius_m: float) -> Windows:
    """All circles around every usable cell, of every radius at which a further cell centre
    enters, up to max_radius_m. Cells at one place (the parts of a cell in two municipalities)
    enter a window together."""
    usable = np.asarray(usable, dtype=bool)
    cells = usable.size
    used = np.flatnonzero(usable)
    if used.size == 0:
        return Windows(np.zeros(0, int), np.zeros(0), sparse.csr_matrix((0, cells)))
    tree = cKDTree(np.column_stack([x[used], y[used]]))
    pairs = tree.query_pairs(max_radius_m + 1e-6, output_type="ndarray")
    # Every pair both ways, and each cell with itself (distance 0).
    centre = np.concatenate([pairs[:, 0], pairs[:, 1], np.arange(used.size)])
    member = np.concatenate([pairs[:, 1], pairs[:, 0], np.arange(used.size)])
    distance = np.round(np.hypot(x[used][centre] - x[used][member], y[used][centre] - y[used][member]), 2)
    order = np.lexsort((distance, centre))
    centre, member, distance = centre[order], member[order], distance[order]
    # A window ends where a farther cell enters: one window per distinct distance of a centre.
    new_centre = np.append(True, centre[1:] != centre[:-1])
    new_level = new_centre | np.append(True, distance[1:] != distance[:-1])
    level = np.cumsum(new_level) - 1  # number of the smallest window holding the pair
    first_window = level[new_centre]  # per centre: its first window
    windows_of_centre = np.diff(np.append(first_window, level[-1] + 1))
    last_window = (first_window + windows_of_centre - 1)[np.cumsum(new_centre) - 1]
    # A pair belongs to its own level's window and to every larger window of the same centre.
    repeats = last_window - level + 1
    rows = np.repeat(level, repeats) + (np.arange(repeats.sum()) - np.repeat(np.cumsum(repeats) - repeats, repeats))
    columns = np.repeat(used[member], repeats)
    members = sparse.csr_matrix((np.ones(rows.size), (rows, columns)), shape=(int(level[-1]) + 1, cells))
    return Windows(used[centre[new_level]], distance[new_level], members)


def log_likelihood_ratio(observed: np.ndarray, expected: np.ndarray, total: float, direction: str,
                         min_pins: int = 0) -> np.ndarray:
    """Kulldorff's Poisson log likelihood ratio of windows (0 where the window deviates the
    other way, or holds fewer than min_pins for a hotspot): c ln(c/e) + (C-c) ln((C-c)/(C-e))."""
    c = np.asarray(observed, dtype=float)
    e = np.broadcast_to(np.asarray(expected, dtype=float), c.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.where(c > 0, c * np.log(c / e), 0.0)
        # log1p keeps the outside term exact where the window is a tiny part of many pins; a
        # window holding every pin has no outside term (0 * log 0 = 0).
        rest = total - c
        outside = np.where(rest > 0, rest * np.log1p((e - c) / (total - e)), 0.0)
    deviates = ((c > e) & (c >= min_pins)) if direction == HIGH else (c < e)
    return np.where(deviates & (e > 0), inside + outside, 0.0)


def null_maxima(windows: Windows, null: Null, counts: np.ndarray, direction: str, replications: int,
                rng: np.random.Generator, min_pins: int = 0) -> np.ndarray:
    """The largest log likelihood ratio over all windows in each of `replications` data sets
    drawn from the null with the observed pins per stratum."""
    total = float(counts.sum())
    expected_in = windows.members @ null.expected(counts)
    keep = np.flatnonzero(expected_in > 0)
    # Among windows expecting the same number of pins, the ratio rises with the count (high) or
    # falls with it (low): the simulation needs only the extreme count of each such group
    # (about 5,500 groups instead of 26,000 windows in the county).
    rounded = np.round(expected_in[keep], 9)
    order = keep[np.argsort(rounded, kind="stable")]
    rounded = np.round(expected_in[order], 9)
    starts = np.flatnonzero(np.append(True, rounded[1:] != rounded[:-1]))
    # (cells, windows) in single precision: simulated (size, cells) @ it is fast and the counts
    # exact; the ratios are then computed in double precision like the observed ones, so a
    # simulated maximum equal to the observed one counts as equal (ties are common with few pins).
    transposed = windows.members[order].T.tocsc().astype(np.float32)
    group_expected = expected_in[order][starts][None, :]
    extreme = np.maximum if direction == HIGH else np.minimum
    maxima = np.zeros(replications)
    for start in range(0, replications, _BATCH):
        size = min(_BATCH, replications - start)
        in_windows = null.simulate(counts, size, rng) @ transposed  # (size, windows)
        in_groups = extreme.reduceat(in_windows, starts, axis=1)
        maxima[start:start + size] = log_likelihood_ratio(in_groups, group_expected, total, direction,
                                                          min_pins).max(axis=1)
    return maxima


def scan(counts: np.ndarray, windows: Windows, null: Null, *, direction: str = HIGH, replications: int = 999,
         alpha: float = 0.05, seed: int = 0, max_clusters: int = 100, min_pins: int = 0,
         maxima: np.ndarray | None = None) -> list[Cluster]:
    """The significant clusters of `counts` (pins per cell), strongest first.

    The most likely cluster is the window with the largest log likelihood ratio; further
    (secondary) clusters are the next strongest windows that share no cell with one already
    taken. Each is judged against the same null distribution of the *largest* ratio, as SaTScan
    does: conservative for secondary clusters, and it keeps the chance of any false hotspot in
    the whole surface at alpha. A hotspot needs at least min_pins pins (SaTScan's "minimum
    number of cases"), in the data and in every replication alike. `maxima` may pass a null distribution already simulated for the
    same windows, null and pins per stratum (the benchmark reuses it across seeds)."""
    counts = np.asarray(counts, dtype=float)
    total = float(counts.sum())
    if total == 0 or windows.count == 0:
        return []
    observed = windows.members @ counts
    expected = windows.members @ null.expected(counts)
    ratios = log_likelihood_ratio(observed, expected, total, direction, min_pins)
    if not (ratios > 0).any():
        return []
    if maxima is None:
        maxima = null_maxima(windows, null, counts, direction, replications, np.random.default_rng(seed), min_pins)
    maxima = np.sort(maxima)

    def p_value(ratio: float) -> float:
        # A simulated maximum equal to the observed ratio (up to rounding) counts as exceeding it.
        exceeding = maxima.size - np.searchsorted(maxima, ratio * (1 - 1e-9), side="left")
        return (exceeding + 1) / (maxima.size + 1)

    candidates = np.flatnonzero(ratios > 0)
    candidates = candidates[np.argsort(-ratios[candidates], kind="stable")]
    taken = np.zeros(counts.size, dtype=bool)
    clusters: list[Cluster] = []
    members = windows.members
    for w in candidates:
        ratio = float(ratios[w])
        p = p_value(ratio)
        if p >= alpha:
            break
        cells = members.indices[members.indptr[w]:members.indptr[w + 1]]
        if taken[cells].any():
            continue
        taken[cells] = True
        clusters.append(Cluster(direction=direction, centre=int(windows.centre[w]), radius_m=float(windows.radius_m[w]),
                                cells=np.sort(cells), observed=int(round(observed[w])), expected=float(expected[w]),
                                log_likelihood_ratio=ratio, p_value=p))
        if len(clusters) >= max_clusters:
            break
    return clusters
