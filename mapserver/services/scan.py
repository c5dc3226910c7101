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

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree
from scipy.special import xlogy
from scipy.stats import poisson as poisson_distribution

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
        """`size` data sets (size, cells): each stratum's observed number of pins, spread
        multinomially over its cells by their weight."""
        out = np.zeros((size, self.stratum.size), dtype=np.float32)  # counts below 2**24 are exact
        totals = np.bincount(self.stratum, weights=counts, minlength=self.stratum.max() + 1)
        for stratum in np.flatnonzero(totals > 0):
            cells = np.flatnonzero((self.stratum == stratum) & (self.weight > 0))
            if cells.size:
                share = self.weight[cells] / self.weight[cells].sum()
                out[:, cells] = multinomial(int(round(totals[stratum])), share, size, rng)
        return out


def multinomial(pins: int, share: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """`size` draws of Multinomial(pins, share), exactly, about three times faster than
    Generator.multinomial (which also holds the GIL, while Poisson draws release it).

    Poisson counts with mean m * share, conditioned on their total t, are Multinomial(t, share);
    draws with t > pins are drawn again, and the other pins - t are added one by one by share.
    Multinomials with the same shares add up: the result is Multinomial(pins, share) whatever
    t was. m is three standard deviations below pins, so a redraw is rare (about 1 in 700) and
    only a few pins per data set are placed one by one."""
    m = max(0.0, pins - 3.0 * np.sqrt(pins) - 1.0)
    drawn = _poisson(m * share, size, rng)
    placed = drawn.sum(axis=1)
    while (over := np.flatnonzero(placed > pins)).size:
        drawn[over] = _poisson(m * share, over.size, rng)
        placed[over] = drawn[over].sum(axis=1)
    rows = np.repeat(np.arange(size), pins - placed)
    cumulative = np.cumsum(share)
    cells = np.minimum(_inverse_cdf(cumulative / cumulative[-1], rng.random(rows.size)), share.size - 1)
    drawn += np.bincount(rows * share.size + cells, minlength=drawn.size).reshape(drawn.shape)
    return drawn


def _poisson(mean: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """(size, cells) independent Poisson counts with the given means. Most cells of a
    municipality lie wholly inside it and share one mean: those are drawn by inverting its
    distribution function (one uniform and a short search per count, a quarter of
    Generator.poisson's time); the others by Generator.poisson."""
    drawn = np.zeros((size, mean.size), dtype=np.int64)
    if mean.size == 0 or not (mean > 0).any():
        return drawn
    values, frequency = np.unique(mean, return_counts=True)
    common = values[np.argmax(frequency)]
    same = mean == common
    if common > 0 and same.sum() >= 64:
        # Tabulated until the distribution function is 1.0 in double precision (12 standard
        # deviations and more): every u < 1 then finds its count in the table.
        reach = common + 12.0 * np.sqrt(common) + 30.0
        while (cdf := poisson_distribution.cdf(np.arange(int(reach)), common))[-1] < 1.0:
            reach *= 1.5
        drawn[:, same] = _inverse_cdf(cdf, rng.random((size, int(same.sum()))))
        rest = ~same
    else:
        rest = np.ones(mean.size, dtype=bool)
    if rest.any():
        drawn[:, rest] = rng.poisson(mean[rest], size=(size, int(rest.sum())))
    return drawn


def _inverse_cdf(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """For each u, the number of entries of the increasing `cdf` that are <= u (the count whose
    distribution function first exceeds u; cdf.size where none does): np.searchsorted(cdf, u,
    side="right"), two to five times as fast by a guide table (Chen and Asau 1974): the answer
    for the start of u's bin (at least four bins per entry), then a step up for the few u past
    a further entry in their bin."""
    # A power of two: u * bins is then exact, so no u just below a bin's edge is put in the next bin.
    bins = 1 << int(np.ceil(np.log2(max(1024, 4 * cdf.size))))
    guide = np.searchsorted(cdf, np.arange(bins) / bins, side="right")
    padded = np.append(cdf, np.inf)
    found = guide[(u * bins).astype(np.intp)]
    rows = np.flatnonzero(padded[found] <= u)
    while rows.size:
        found.flat[rows] += 1
        rows = rows[padded[found.flat[rows]] <= u.flat[rows]]
    return found


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
    other way, or holds fewer than min_pins for a hotspot): c ln(c/e) + (C-c) ln((C-c)/(C-e)).

    The observed windows and every simulated one go through this one function, so a simulated
    window equal to an observed one has the very same ratio (ties are common with few pins)."""
    c = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)  # per window: broadcast over the rows of replications
    usable = (e > 0) & (e < total)  # a window that expects every pin has no outside to compare with
    e = np.where(usable, e, 0.5 * total if total > 0 else 1.0)  # any value with 0 < e < total: ratio 0
    deviates = ((c > e) & (c >= min_pins)) if direction == HIGH else (c < e)
    deviates &= usable
    # A window that does not deviate is given its expected count: its ratio is then exactly 0,
    # with no branch per element (x log x is 0 at x = 0, so an empty window and a window holding
    # every pin need no special case).
    c = np.where(deviates, c, e)
    rest = total - c
    ratio = xlogy(c, c / e)
    ratio += xlogy(rest, rest / (total - e))
    return ratio


@dataclass(frozen=True)
class _Grouped:
    """The windows of one variant and direction, sorted by expected count: among windows
    expecting the same number of pins the ratio rises with the count (high) or falls with it
    (low), so a replication needs only the extreme count of each group (about 11,400 groups
    instead of 28,000 windows in the county; 8,900 of them are one window each).

    Counts are whole numbers, so each group's ratios are tabulated once for every count a
    replication plausibly gives (4 standard deviations and 10 pins beyond the expected count;
    farther out, in a few groups per thousand, the ratio is computed): a replication looks its ratios up instead of taking two
    logarithms per group. The table holds the very values log_likelihood_ratio gives, and one
    0 per group for every count that does not deviate in the direction sought."""

    direction: str
    transposed: sparse.csc_matrix  # (cells, windows in group order), single precision
    singles: int  # the first `singles` windows are groups of their own
    small: np.ndarray  # starts of the groups of 2 to 63 windows (after the singles)
    large: list[tuple[int, int]]  # (first, end) window of each group of 64 and more
    expected: np.ndarray  # (groups,) in the order singles, small, large
    total: float
    min_pins: int
    base: np.ndarray  # (groups,) count at a group's first table entry
    length: np.ndarray  # (groups,) the group's last table entry (it has length + 1)
    offset: np.ndarray  # (groups,) where a group's entries begin in `table`
    table: np.ndarray

    @classmethod
    def of(cls, windows: Windows, null: Null, counts: np.ndarray, direction: str, min_pins: int) -> "_Grouped":
        expected_in = windows.members @ null.expected(counts)
        keep = np.flatnonzero(expected_in > 0)
        rounded = np.round(expected_in[keep], 9)
        _, group, size = np.unique(rounded, return_inverse=True, return_counts=True)
        kind = np.digitize(size, [2, 64])[group]  # 0 alone, 1 small group, 2 large group
        order = np.lexsort((group, kind))
        windows_in_order, group, kind = keep[order], group[order], kind[order]
        starts = np.flatnonzero(np.append(True, group[1:] != group[:-1])) if group.size else np.zeros(0, int)
        ends = np.append(starts[1:], group.size)
        singles = int((kind == 0).sum())
        small = starts[kind[starts] == 1]
        large = [(int(a), int(b)) for a, b in zip(starts, ends) if kind[a] == 2]
        # Counts below 2**24 are exact in single precision, and (replications, cells) @ it is fast.
        transposed = windows.members[windows_in_order].T.tocsc().astype(np.float32)
        expected = expected_in[windows_in_order][starts]
        total = float(counts.sum())
        spread = 4.0 * np.sqrt(expected) + 10.0
        if direction == HIGH:  # entry 0: every count that is no excess (or below min_pins)
            first = np.maximum(np.floor(expected) + 1, min_pins)
            last = np.maximum(np.minimum(np.ceil(expected + spread), total), first - 1)
            base = first - 1
        else:  # the last entry: every count that is no shortfall
            last = np.ceil(expected) - 1
            first = np.minimum(np.maximum(np.floor(expected - spread), 0), last + 1)
            base = first
        length = (last - first + 1).astype(np.int64)
        offset = np.cumsum(length + 1) - (length + 1)
        if length.size and offset[-1] + length[-1] >= 2**31:
            raise ValueError("too many counts to tabulate")
        entry = np.repeat(np.arange(expected.size), length + 1)
        count = base[entry] + (np.arange(entry.size) - offset[entry])
        table = log_likelihood_ratio(count, expected[entry], total, direction, min_pins)
        return cls(direction, transposed, singles, small - singles, large, expected, total, min_pins,
                   base.astype(np.int32), length.astype(np.int32), offset.astype(np.int32), table)

    def largest_ratios(self, simulated: np.ndarray) -> np.ndarray:
        """The largest ratio over all windows of each simulated data set (rows)."""
        if self.expected.size == 0:
            return np.zeros(simulated.shape[0])
        extreme = np.maximum if self.direction == HIGH else np.minimum
        in_windows = simulated @ self.transposed
        step = np.empty((in_windows.shape[0], self.expected.size), dtype=np.int32)
        step[:, :self.singles] = in_windows[:, :self.singles]
        small_end = self.singles + self.small.size
        if self.small.size:
            end = self.large[0][0] if self.large else in_windows.shape[1]
            step[:, self.singles:small_end] = extreme.reduceat(in_windows[:, self.singles:end], self.small, axis=1)
        for column, (first, end) in enumerate(self.large, start=small_end):
            step[:, column] = extreme.reduce(in_windows[:, first:end], axis=1)
        counts = step.copy()
        step -= self.base
        beyond = (step > self.length) if self.direction == HIGH else (step < 0)
        np.clip(step, 0, self.length, out=step)
        step += self.offset
        ratios = self.table.take(step)
        if beyond.any():  # farther out than the table reaches (rare): computed
            rows, groups = np.nonzero(beyond)
            ratios[rows, groups] = log_likelihood_ratio(counts[rows, groups], self.expected[groups], self.total,
                                                        self.direction, self.min_pins)
        return ratios.max(axis=1)


def simulated_batches(null: Null, parts: list[np.ndarray], replications: int, seed: int):
    """The replications in batches, as functions that draw them: (first replication,
    draw() -> [simulated (size, cells) per part]). Batch b draws from a random stream of its
    own (seed, b), so the result does not depend on which thread draws which batch."""
    def drawer(number: int, size: int):
        def draw() -> list[np.ndarray]:
            rng = np.random.default_rng([seed, number])
            return [null.simulate(counts, size, rng) for counts in parts]
        return draw

    for number, start in enumerate(range(0, replications, _BATCH)):
        yield start, drawer(number, min(_BATCH, replications - start))


def null_maxima_of_parts(windows: dict[str, Windows], null: Null, parts: dict[str, np.ndarray], whole: str | None,
                         replications: int, seed: int, min_pins: int = 0,
                         threads: int = 2) -> dict[tuple[str, str], np.ndarray]:
    """The null distribution of the largest ratio, for several variants and directions at once:
    {(variant, direction): largest ratio of each replication}.

    `parts` are variants of disjoint pins (the categories); `whole`, if named, is the variant of
    all of them together (all pins). Its replications are the sums of the parts' replications:
    within a municipality the pins of each part spread multinomially over the same cells, and
    the sum of independent multinomials with the same cell probabilities is the multinomial of
    the summed pins, so the whole's null is exact and costs no draw of its own."""
    names = list(parts)
    counts = dict(parts)
    if whole is not None:
        counts[whole] = np.sum([parts[name] for name in names], axis=0) if names else np.zeros(null.stratum.size)
    keys = [(variant, direction) for variant in counts for direction in windows]

    def grouped_of(key):
        variant, direction = key
        return _Grouped.of(windows[direction], null, counts[variant], direction, min_pins)

    grouped: dict[tuple[str, str], _Grouped] = {}
    maxima = {key: np.zeros(replications) for key in keys}

    def batch(item):
        start, draw = item
        simulated = draw()
        by_variant = dict(zip(names, simulated))
        if whole is not None:
            by_variant[whole] = np.sum(simulated, axis=0)
        for (variant, direction), group in grouped.items():
            ratios = group.largest_ratios(by_variant[variant])
            maxima[(variant, direction)][start:start + ratios.size] = ratios

    # Poisson draws, products, reductions and look-ups release the GIL: threads use the cores.
    batches = simulated_batches(null, [parts[name] for name in names], replications, seed)
    if threads > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            grouped.update(zip(keys, pool.map(grouped_of, keys)))
            list(pool.map(batch, batches))
    else:
        grouped.update((key, grouped_of(key)) for key in keys)
        for item in batches:
            batch(item)
    return maxima


def null_maxima(windows: Windows, null: Null, counts: np.ndarray, direction: str, replications: int,
                seed: int, min_pins: int = 0) -> np.ndarray:
    """The largest log likelihood ratio over all windows in each of `replications` data sets
    drawn from the null with the observed pins per stratum."""
    return null_maxima_of_parts({direction: windows}, null, {"pins": counts}, None, replications, seed, min_pins,
                                threads=1)[("pins", direction)]


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
        maxima = null_maxima(windows, null, counts, direction, replications, seed, min_pins)
    maxima = np.sort(maxima)

    candidates = np.flatnonzero(ratios > 0)
    candidates = candidates[np.argsort(-ratios[candidates], kind="stable")]
    # p = (simulated maxima >= the ratio, + 1) / (replications + 1); a simulated maximum equal to
    # the observed ratio (up to rounding) counts as exceeding it.
    exceeding = maxima.size - np.searchsorted(maxima, ratios[candidates] * (1 - 1e-9), side="left")
    p_values = (exceeding + 1) / (maxima.size + 1)
    significant = int((p_values < alpha).sum())  # the candidates run from the largest ratio: p rises
    taken = np.zeros(counts.size, dtype=bool)
    clusters: list[Cluster] = []
    members = windows.members
    for w, p in zip(candidates[:significant], p_values[:significant]):
        cells = members.indices[members.indptr[w]:members.indptr[w + 1]]
        if taken[cells].any():
            continue
        taken[cells] = True
        clusters.append(Cluster(direction=direction, centre=int(windows.centre[w]), radius_m=float(windows.radius_m[w]),
                                cells=np.sort(cells), observed=int(round(observed[w])), expected=float(expected[w]),
                                log_likelihood_ratio=float(ratios[w]), p_value=float(p)))
        if len(clusters) >= max_clusters:
            break
    return clusters
