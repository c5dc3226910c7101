"""Realistic pin scenarios on the real county grid, without a database per scenario: uniform
backgrounds over the real municipalities, compact clusters the way a village marks one place,
binned into the very cells `hotspots refresh` uses. Shared by bench/detection.py and the tests
(tests/test_scan.py), so both measure the same thing.

The grid comes from the production SQL (create_aggregate_run + insert_hex_cells) in a
transaction that is rolled back; points are binned with geo.hex_cell_of, the numpy twin of
sql/fragments/hex_cell.sql (a test proves they agree)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import shapely
from shapely import from_wkb
from shapely.geometry import Point
from shapely.ops import unary_union
from sqlalchemy import text

from mapserver.db import sql
from mapserver.geo import METRIC_SRID, hex_cell_of, hexagon
from mapserver.services import hotspots, scan


@dataclass
class CountyGrid:
    """The hexagon cell parts of a county (a hex_cell row each) and its municipalities."""

    cell_size_m: float
    parts: list[SimpleNamespace]  # id, municipality_ags, i, j, area_share
    municipalities: dict[str, object]  # ags -> metric shapely polygon
    index: dict[tuple[str, int, int], int]  # (ags, i, j) -> part id

    @property
    def area_km2(self) -> dict[str, float]:
        return {ags: polygon.area / 1e6 for ags, polygon in self.municipalities.items()}


def load_county_grid(engine, county_key: str, cell_size_m: float) -> CountyGrid:
    """The production grid of the county, read inside a transaction that is rolled back."""
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            run = conn.execute(sql("hotspots/run_create"), {
                "county_key": county_key, "cell_size_m": cell_size_m, "dbscan_eps_m": 150.0, "dbscan_min_pins": 5,
                "replications": 999, "max_radius_m": 1200.0}).one()
            conn.execute(sql("hotspots/hex_cells_insert"), {"run_id": run.id, "county_key": county_key, "cell_size_m": cell_size_m})
            parts = [SimpleNamespace(**r._mapping) for r in conn.execute(text(
                "SELECT id, municipality_ags, i, j, area_share FROM hex_cell WHERE run_id = :run ORDER BY id"),
                {"run": run.id})]
            municipalities = {r.ags: from_wkb(bytes(r.wkb)) for r in conn.execute(text(
                f"SELECT ags, ST_AsBinary(ST_Transform(geom, {METRIC_SRID})) AS wkb FROM municipality "
                "WHERE county_key = :key"), {"key": county_key})}
        finally:
            transaction.rollback()
    index = {(p.municipality_ags, p.i, p.j): p.id for p in parts}
    return CountyGrid(cell_size_m, parts, municipalities, index)


def uniform_points(polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """n points uniformly at random inside a metric polygon (rejection sampling)."""
    west, south, east, north = polygon.bounds
    shapely.prepare(polygon)
    found, kept = 0, []
    while found < n:
        x = rng.uniform(west, east, max(64, 2 * (n - found)))
        y = rng.uniform(south, north, x.size)
        inside = shapely.contains_xy(polygon, x, y)
        kept.append(np.column_stack([x[inside], y[inside]]))
        found += int(inside.sum())
    return np.concatenate(kept)[:n]


def background(grid: CountyGrid, pins_per_km2: float, rng: np.random.Generator,
               municipalities: list[str] | None = None) -> np.ndarray:
    """A uniform background: round(density x area) pins in each (chosen) municipality."""
    chosen = municipalities or sorted(grid.municipalities)
    return np.concatenate([uniform_points(grid.municipalities[a], int(round(pins_per_km2 * grid.area_km2[a])), rng)
                           for a in chosen])


def gaussian_cluster(centre: tuple[float, float], n: int, sigma_m: float, rng: np.random.Generator) -> np.ndarray:
    """n pins around one place, normal with sigma_m in each direction."""
    return np.asarray(centre) + rng.normal(0.0, sigma_m, size=(n, 2))


def random_place(grid: CountyGrid, rng: np.random.Generator, margin_m: float = 0.0) -> tuple[float, float]:
    """A point inside the county, at least margin_m inside its outer boundary."""
    county = unary_union(list(grid.municipalities.values())).buffer(-margin_m)
    return tuple(uniform_points(county, 1, rng)[0])


def border_place(grid: CountyGrid, first: str, second: str, rng: np.random.Generator) -> tuple[float, float]:
    """A random point on the boundary two municipalities share."""
    shared = grid.municipalities[first].boundary.intersection(grid.municipalities[second].boundary)
    lines = [g for g in getattr(shapely.line_merge(shared) if shared.geom_type != "LineString" else shared, "geoms",
                                [shapely.line_merge(shared) if shared.geom_type != "LineString" else shared])
             if g.geom_type == "LineString" and g.length > 0]
    if not lines:
        raise ValueError(f"{first} and {second} share no border")
    line = max(lines, key=lambda g: g.length)  # the longest stretch of their common border
    point = line.interpolate(rng.uniform(0.2, 0.8), normalized=True)
    return point.x, point.y


def surface(grid: CountyGrid, points: np.ndarray, category: str = "divided") -> tuple[hotspots.Surface, list]:
    """The scan's surface for these points, as `hotspots refresh` would build it: each point in
    the municipality that covers it (points outside the county are dropped), in its cell part."""
    counts: dict[int, int] = {}
    x, y = points[:, 0], points[:, 1]
    i, j = hex_cell_of(x, y, grid.cell_size_m)
    for ags, polygon in grid.municipalities.items():
        inside = shapely.contains_xy(polygon, x, y)
        for a, b in zip(i[inside], j[inside]):
            part = grid.index.get((ags, int(a), int(b)))
            if part is not None:
                counts[part] = counts.get(part, 0) + 1
    rows = [SimpleNamespace(id=p.id, municipality_ags=p.municipality_ags, i=p.i, j=p.j, area_share=p.area_share,
                            category=category if p.id in counts else None, pin_count=counts.get(p.id, 0))
            for p in grid.parts]
    return hotspots.Surface.from_rows(rows, grid.cell_size_m), rows


def part_hexagons(grid: CountyGrid) -> dict[int, object]:
    return {p.id: hexagon(p.i, p.j, grid.cell_size_m) for p in grid.parts}


def distance_m(cell_polygons: list, place: tuple[float, float]) -> float:
    """Distance from a place to the nearest of some cells (0 inside one)."""
    point = Point(place)
    return min(polygon.distance(point) for polygon in cell_polygons) if cell_polygons else math.inf


def scan_hotspots(grid_surface: hotspots.Surface, settings: hotspots.HotspotSettings, maxima=None,
                  windows=None) -> list[scan.Cluster]:
    """The new method on one surface, all pins (what the planner page shows first)."""
    windows = windows or scan.build_windows(grid_surface.x, grid_surface.y, grid_surface.weight > 0, settings.max_radius_m)
    return scan.scan(grid_surface.counts[hotspots.ALL_PINS], windows, grid_surface.null, direction=scan.HIGH,
                     replications=settings.replications, alpha=hotspots.SIGNIFICANCE, seed=settings.seed,
                     min_pins=settings.min_pins, maxima=maxima)
