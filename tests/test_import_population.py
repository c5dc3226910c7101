"""Importing a population grid: Zensus CSVs and geodata files, only the points inside the county,
the county's grid replaced as a whole, bad input refused in German with nothing changed.

Test data is drawn at random with fixed seeds; what should be stored is computed here, with
pyproj and shapely against the municipality polygons read from the database."""
from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pytest
import shapely
from babel.numbers import format_decimal
from pyproj import Transformer
from shapely.geometry import Point, box
from sqlalchemy import text

from tests.helpers import HAMELN_PYRMONT, seeded_app

SEED = 20220515  # the Zensus 2022 reference day
COUNTY_TITLE = "Landkreis Hameln-Pyrmont"
IN_THE_COUNTY = "innerhalb des Landkreises Hameln-Pyrmont"
LAEA = "EPSG:3035"  # the Zensus grid
UTM = "EPSG:25832"
LAEA_TO_LONLAT = Transformer.from_crs(LAEA, "EPSG:4326", always_xy=True)
LONLAT_TO_LAEA = Transformer.from_crs("EPSG:4326", LAEA, always_xy=True)
UTM_TO_LONLAT = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
LONLAT_TO_UTM = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
# What Destatis and others write for a value that is not given; -1 was the Zensus 2011's secret.
SUPPRESSED = ["–", "-", "", "-1", ".", "/", " "]


def de(value) -> str:
    return format_decimal(value, locale="de")


@pytest.fixture(scope="module")
def population_app(module_db_url):
    with seeded_app(module_db_url) as app:
        yield app


@pytest.fixture(scope="module")
def db(population_app):
    return population_app.extensions["glaswaende.engine"]


@pytest.fixture(scope="module")
def county(db):
    """The county as the union of its municipality polygons from the database, in WGS84."""
    with db.connect() as conn:
        wkbs = conn.execute(text("SELECT ST_AsBinary(geom) FROM municipality WHERE county_key = :key"),
                            {"key": HAMELN_PYRMONT}).scalars().all()
    union = shapely.union_all([shapely.from_wkb(bytes(wkb)) for wkb in wkbs])
    shapely.prepare(union)
    return union


def run(app, *args):
    return app.test_cli_runner().invoke(args=["import-population", *map(str, args)])


def metres_apart(lonlat, other) -> float:
    (x1, x2), (y1, y2) = LONLAT_TO_UTM.transform([lonlat[0], other[0]], [lonlat[1], other[1]])
    return float(np.hypot(x1 - x2, y1 - y2))


def inside(county, lons, lats) -> np.ndarray:
    return shapely.covers(county, shapely.points(lons, lats))


def stored(db) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Longitudes, latitudes and inhabitants of the county's grid."""
    with db.connect() as conn:
        rows = conn.execute(text("SELECT ST_X(geom), ST_Y(geom), inhabitants FROM population_cell "
                                 "WHERE county_key = :key ORDER BY id"), {"key": HAMELN_PYRMONT}).all()
    return tuple(np.array([row[i] for row in rows], dtype=float) for i in range(3))


def table(db) -> list[tuple]:
    """All of population_cell but the ids (a sequence hands them out)."""
    with db.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(text(
            "SELECT county_key, inhabitants, encode(ST_AsEWKB(geom), 'hex') FROM population_cell")).all())


def stored_lattice(db, resolution: int) -> dict[tuple[float, float], float]:
    """The stored points as cells of the Zensus lattice, each within 1 m of its cell centre."""
    lons, lats, inhabitants = stored(db)
    x, y = LONLAT_TO_LAEA.transform(lons, lats)
    half = resolution / 2
    cx, cy = (np.round((v - half) / resolution) * resolution + half for v in (x, y))
    assert np.hypot(x - cx, y - cy).max() < 1.0, "the points must lie at their cell centres"
    cells = dict(zip(zip(cx.tolist(), cy.tolist()), inhabitants.tolist()))
    assert len(cells) == len(inhabitants), "one point per cell"
    return cells


def summary(kept: int, total: float, outside: int, skipped: int, read: int, file_name: str) -> str:
    return (f"Bevölkerungsraster für {COUNTY_TITLE} ({HAMELN_PYRMONT}): {de(kept)} Rasterpunkte mit {de(total)} "
            f"Einwohnern übernommen, {de(outside)} außerhalb des Kreises, {de(skipped)} ohne Angabe übersprungen "
            f"({de(read)} aus {file_name} gelesen).")


@dataclass
class Grid:
    """Zensus-like cells: centres in EPSG:3035, the values as written and as meant (NaN: none)."""

    x: np.ndarray
    y: np.ndarray
    texts: list[str]
    numbers: np.ndarray

    def expected(self, county) -> dict[tuple[float, float], float]:
        lons, lats = LAEA_TO_LONLAT.transform(self.x, self.y)
        keep = inside(county, lons, lats) & ~np.isnan(self.numbers)
        return dict(zip(zip(self.x[keep].tolist(), self.y[keep].tolist()), self.numbers[keep].tolist()))

    def summary(self, county, file_name: str) -> str:
        expected = self.expected(county)
        given = int((~np.isnan(self.numbers)).sum())
        return summary(len(expected), sum(expected.values()), given - len(expected), len(self.x) - given,
                       len(self.x), file_name)

    def write(self, path, resolution: int = 100,
              columns=("GITTER_ID_100m", "x_mitte", "y_mitte", "Einwohner")) -> None:
        """As Destatis writes them: semicolons, CRLF, UTF-8 with a BOM."""
        half, label = resolution // 2, ("100m" if resolution == 100 else "1km")
        lines = [";".join(columns)] + [
            f"CRS3035RES{label}N{int(y) - half}E{int(x) - half};{int(x)};{int(y)};{value}"
            for x, y, value in zip(self.x, self.y, self.texts)]
        path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))


def zensus_grid(county, rng, cells: int = 70, resolution: int = 100, share: float = 0.6,
                far_away: int = 40, clean: bool = False) -> Grid:
    """Populated cells of a lattice over a square window around a random point of the county
    boundary (so some lie inside, some outside), plus a few far away in Berlin. Some values are
    suppressed, a few have a German decimal comma or thousands dot; `clean`: only whole numbers,
    many of them in the thousands, grouped the German way ("1.234")."""
    anchor = shapely.line_interpolate_point(county.boundary, rng.uniform(0, county.boundary.length))
    ax, ay = LONLAT_TO_LAEA.transform(anchor.x, anchor.y)
    bx, by = LONLAT_TO_LAEA.transform(13.40, 52.52)
    centres = []
    for (cx, cy), n in (((ax, ay), cells), ((bx, by), int(np.sqrt(far_away)) + 1)):
        origin_x = np.floor(cx / resolution - n / 2) * resolution + resolution / 2
        origin_y = np.floor(cy / resolution - n / 2) * resolution + resolution / 2
        gx, gy = np.meshgrid(origin_x + resolution * np.arange(n), origin_y + resolution * np.arange(n))
        centres.append((gx.ravel(), gy.ravel()))
    x = np.concatenate([centres[0][0], centres[1][0][:far_away]])
    y = np.concatenate([centres[0][1], centres[1][1][:far_away]])
    populated = rng.random(len(x)) < share
    populated[-far_away:] = True
    x, y = x[populated], y[populated]
    if clean:
        numbers = rng.integers(1, 5000, len(x)).astype(float)
        return Grid(x, y, [de(n) for n in numbers], numbers)
    numbers = rng.integers(1, 150, len(x)).astype(float)
    texts = [str(int(n)) for n in numbers]
    for i in rng.choice(len(x), len(x) // 20, replace=False):
        numbers[i] += 0.5
        texts[i] = f"{int(numbers[i])},5"
    for i in rng.choice(len(x), 5, replace=False):  # a high-rise, grouped the German way: "1.234"
        numbers[i] = rng.integers(1000, 3000)
        texts[i] = de(numbers[i])
    for k, i in enumerate(rng.choice(len(x), 3 * len(SUPPRESSED), replace=False)):
        numbers[i] = np.nan
        texts[i] = SUPPRESSED[k % len(SUPPRESSED)]
    return Grid(x, y, texts, numbers)


def random_points_in(polygon, rng, n: int, outside: bool = False) -> np.ndarray:
    """n points (lon, lat) in the polygon's bounding box, all inside it (or all outside)."""
    west, south, east, north = polygon.bounds
    found = np.empty((0, 2))
    while len(found) < n:
        candidates = np.column_stack([rng.uniform(west, east, 4 * n), rng.uniform(south, north, 4 * n)])
        keep = shapely.covers(polygon, shapely.points(candidates)) != outside
        found = np.vstack([found, candidates[keep]])
    return found[:n]


# --- What is stored -------------------------------------------------------------------------------

def test_a_zensus_csv_keeps_the_cells_inside_the_county_at_their_centres(population_app, db, county, tmp_path):
    grid = zensus_grid(county, np.random.default_rng(SEED))
    expected = grid.expected(county)
    given = int((~np.isnan(grid.numbers)).sum())
    assert 500 < len(expected) < given - 500, "the window straddles the county boundary"
    path = tmp_path / "Zensus2022_Bevoelkerungszahl_100m-Gitter.csv"
    grid.write(path)

    result = run(population_app, path)

    assert result.exit_code == 0, result.output
    assert stored_lattice(db, 100) == expected
    assert result.output.splitlines()[0] == grid.summary(county, path.name)


def test_polygons_of_a_geopackage_count_at_a_point_inside_each(population_app, db, county, tmp_path):
    rng = np.random.default_rng(SEED + 1)
    county_utm = shapely.transform(county, lambda c: np.column_stack(LONLAT_TO_UTM.transform(c[:, 0], c[:, 1])))
    west, south, east, north = county_utm.bounds
    centres = np.column_stack([rng.uniform(west, east, 300), rng.uniform(south, north, 300)])
    squares = [box(x - 50, y - 50, x + 50, y + 50) for x, y in centres]
    # U shapes well inside the county: their centroid lies in the notch, outside the polygon.
    well_inside = county_utm.buffer(-400)
    bend_centres = [LONLAT_TO_UTM.transform(lon, lat) for lon, lat in random_points_in(county, rng, 60)]
    bends = [box(x - 150, y - 150, x + 150, y + 150).difference(box(x - 50, y - 50, x + 50, y + 151))
             for x, y in bend_centres if well_inside.covers(Point(x, y))][:5]
    assert len(bends) == 5 and not any(b.covers(b.centroid) for b in bends)
    values = rng.choice(np.arange(1, 100_000), len(squares) + len(bends), replace=False).astype(float)
    values[rng.choice(len(squares), 9, replace=False)] = np.nan
    values[rng.choice(np.flatnonzero(~np.isnan(values[:len(squares)])), 3, replace=False)] = -1
    path = tmp_path / "bevoelkerung.gpkg"
    gpd.GeoDataFrame({"EW_2022": values, "Name": [f"Zelle {i}" for i in range(len(values))]},
                     geometry=squares + bends, crs=UTM).to_file(path, layer="raster", driver="GPKG", engine="pyogrio")
    gpd.GeoDataFrame({"Name": ["Hameln"]}, geometry=[county_utm], crs=UTM).to_file(
        path, layer="kreis", driver="GPKG", engine="pyogrio")

    result = run(population_app, path, "--layer", "raster", "--inhabitants-field", "EW_2022")

    assert result.exit_code == 0, result.output
    polygons = squares + bends
    points = [p.centroid for p in squares] + [None] * len(bends)
    lonlat = np.array([UTM_TO_LONLAT.transform(p.x, p.y) if p else (np.nan, np.nan) for p in points])
    counted = ~np.isnan(values) & (values >= 0)
    expected = {values[i] for i in range(len(values))
                if counted[i] and (i >= len(squares) or inside(county, *lonlat[i]))}
    lons, lats, inhabitants = stored(db)
    assert set(inhabitants.tolist()) == expected and len(inhabitants) == len(expected)
    for lon, lat, value in zip(lons, lats, inhabitants):
        i = int(np.flatnonzero(values == value)[0])
        x, y = LONLAT_TO_UTM.transform(lon, lat)
        if i < len(squares):
            assert Point(x, y).distance(squares[i].centroid) < 1.0, "a grid cell counts at its centre"
        else:
            assert polygons[i].covers(Point(x, y)), "a bent polygon counts at a point inside it"
    skipped = int((~counted).sum())
    assert result.output.splitlines()[0] == summary(len(expected), sum(expected), len(values) - skipped - len(expected),
                                                    skipped, len(values), path.name)


def test_points_of_a_geojson_with_inhabitants_as_german_text(population_app, db, county, tmp_path):
    rng = np.random.default_rng(SEED + 2)
    points = np.vstack([random_points_in(county, rng, 40), random_points_in(county, rng, 10, outside=True)])
    numbers = rng.choice(np.arange(1, 10_000), len(points), replace=False) / 2  # halves: "1234,5"
    texts = [de(n).replace(".", "") if n >= 1000 and i % 2 else de(n) for i, n in enumerate(numbers)]  # "1.234,5" too
    for i in range(0, 14, 2):
        texts[i], numbers[i] = SUPPRESSED[i // 2], np.nan
    path = tmp_path / "punkte.geojson"
    gpd.GeoDataFrame({"Einwohner": texts}, geometry=shapely.points(points), crs="EPSG:4326").to_file(
        path, driver="GeoJSON", engine="pyogrio")

    result = run(population_app, path)

    assert result.exit_code == 0, result.output
    keep = ~np.isnan(numbers) & inside(county, points[:, 0], points[:, 1])
    lons, lats, inhabitants = stored(db)
    assert sorted(inhabitants.tolist()) == sorted(numbers[keep].tolist())
    for lon, lat, value in zip(lons, lats, inhabitants):  # the values are distinct: each names its point
        i = int(np.flatnonzero(numbers == value)[0])
        assert metres_apart((lon, lat), points[i]) < 1.0


def test_a_csv_in_another_crs_with_commas_and_windows_1252(population_app, db, county, tmp_path):
    rng = np.random.default_rng(SEED + 3)
    points = np.vstack([random_points_in(county, rng, 200), random_points_in(county, rng, 50, outside=True)])
    x, y = LONLAT_TO_UTM.transform(points[:, 0], points[:, 1])
    x, y = np.round(x, 2), np.round(y, 2)
    numbers = rng.choice(np.arange(1, 100_000), len(points), replace=False) / 2
    texts = [f"{n:g}" for n in numbers]  # "1234.5": a decimal point where commas separate
    assert any("." in t for t in texts) and any(n >= 1000 for n in numbers)
    for i in rng.choice(len(points), 12, replace=False):
        texts[i], numbers[i] = "–", np.nan
    path = tmp_path / "utm.csv"
    # Windows-1252: "–" is the byte 0x96, and the column name has an umlaut.
    path.write_bytes(("x,y,Bevölkerung\n" + "".join(f"{a:.2f},{b:.2f},{t}\n" for a, b, t in zip(x, y, texts)))
                     .encode("cp1252"))

    result = run(population_app, path, "--crs", UTM, "--inhabitants-field", "Bevölkerung")

    assert result.exit_code == 0, result.output
    lons, lats = UTM_TO_LONLAT.transform(x, y)
    keep = ~np.isnan(numbers) & inside(county, lons, lats)
    assert 150 < keep.sum() < 200
    stored_lons, stored_lats, inhabitants = stored(db)
    assert sorted(inhabitants.tolist()) == sorted(numbers[keep].tolist())
    for lon, lat, value in zip(stored_lons, stored_lats, inhabitants):  # distinct values name the points
        i = int(np.flatnonzero(numbers == value)[0])
        assert metres_apart((lon, lat), (lons[i], lats[i])) < 1.0
    assert f"{de(int(keep.sum()))} Rasterpunkte" in result.output and "12 ohne Angabe übersprungen" in result.output

    # Without --crs a CSV is read as the Zensus grid (EPSG:3035): these coordinates lie nowhere near.
    before = table(db)
    result = run(population_app, path, "--inhabitants-field", "Bevölkerung")
    assert result.exit_code == 1
    assert (f"Keiner der 250 Punkte aus utm.csv liegt {IN_THE_COUNTY}. Stimmt das "
            f"Koordinatenreferenzsystem ({LAEA})?") in result.output
    assert table(db) == before


def test_a_zensus_zip_archive_with_several_grids(population_app, db, county, tmp_path):
    rng = np.random.default_rng(SEED + 4)
    fine = zensus_grid(county, rng, cells=30)
    # 1 km cells hold thousands of people; nothing suppressed, so pandas' C parser sees the column.
    coarse = zensus_grid(county, rng, cells=24, resolution=1000, share=0.8, far_away=4, clean=True)
    assert 0 < len(coarse.expected(county)) < len(coarse.x) and any("." in t for t in coarse.texts)
    path = tmp_path / "Zensus2022_Bevoelkerungszahl.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for grid, resolution, label in ((fine, 100, "100m"), (coarse, 1000, "1km")):
            csv = tmp_path / f"Zensus2022_Bevoelkerungszahl_{label}-Gitter.csv"
            grid.write(csv, resolution, (f"GITTER_ID_{label}", f"x_mp_{label}", f"y_mp_{label}", "Einwohner"))
            archive.write(csv, f"Zensus2022_Bevoelkerungszahl/{csv.name}")
        archive.writestr("Zensus2022_Bevoelkerungszahl/Datensatzbeschreibung_Bevoelkerungszahl.xlsx", b"PK\x03\x04")

    result = run(population_app, path)
    assert result.exit_code == 1
    assert ("enthält mehrere CSV-Dateien: Zensus2022_Bevoelkerungszahl/Zensus2022_Bevoelkerungszahl_100m-Gitter.csv, "
            "Zensus2022_Bevoelkerungszahl/Zensus2022_Bevoelkerungszahl_1km-Gitter.csv. Bitte wählen Sie eine mit "
            "--layer") in result.output

    result = run(population_app, path, "--layer", "1km")
    assert result.exit_code == 0, result.output
    assert stored_lattice(db, 1000) == coarse.expected(county)
    assert result.output.splitlines()[0] == coarse.summary(
        county, "Zensus2022_Bevoelkerungszahl.zip/Zensus2022_Bevoelkerungszahl_1km-Gitter.csv")


# --- Replacing -------------------------------------------------------------------------------------

def test_an_import_replaces_the_county_grid_as_a_whole_and_only_it(population_app, db, county, tmp_path):
    with db.begin() as conn:
        conn.execute(text("INSERT INTO county (key, name, kind, geom) VALUES ('03999', 'Anderswo', 'Landkreis', "
                          "ST_Multi(ST_Buffer(ST_MakePoint(13.4, 52.5)::geography, 1000)::geometry)) "
                          "ON CONFLICT DO NOTHING"))
        conn.execute(text("INSERT INTO population_cell (county_key, inhabitants, geom) "
                          "VALUES ('03999', 42, ST_SetSRID(ST_MakePoint(13.4, 52.5), 4326))"))
    first = zensus_grid(county, np.random.default_rng(SEED + 5), cells=40)
    path = tmp_path / "zensus.csv"
    first.write(path)
    assert run(population_app, path).exit_code == 0
    once = table(db)

    again = run(population_app, path)

    assert again.exit_code == 0, again.output
    assert table(db) == once, "importing the same file twice leaves the same table"
    assert again.output.splitlines()[1] == (f"Das bisherige Raster mit {de(len(first.expected(county)))} "
                                            "Rasterpunkten wurde ersetzt.")

    second = zensus_grid(county, np.random.default_rng(SEED + 6), cells=20)
    other = tmp_path / "andere.csv"
    second.write(other)
    assert run(population_app, other).exit_code == 0
    assert stored_lattice(db, 100) == second.expected(county), "nothing of the first grid is left"
    with db.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM population_cell WHERE county_key = '03999'")).scalar_one() == 1
        conn.execute(text("DELETE FROM county WHERE key = '03999'"))


# --- Bad input -------------------------------------------------------------------------------------

def _zensus(county, tmp_path, name="zensus.csv", texts: dict | None = None, fill: str | None = None):
    grid = zensus_grid(county, np.random.default_rng(SEED + 7), cells=20)
    for i, value in (texts or {}).items():
        grid.texts[i] = value
    if fill is not None:
        grid.texts = [fill] * len(grid.texts)
    path = tmp_path / name
    grid.write(path)
    return path


def _csv_of(tmp_path, name, lonlats):
    x, y = LONLAT_TO_LAEA.transform(lonlats[:, 0], lonlats[:, 1])
    path = tmp_path / name
    path.write_text("x_mitte;y_mitte;Einwohner\n" + "".join(f"{a:.0f};{b:.0f};5\n" for a, b in zip(x, y)),
                    encoding="utf-8")
    return path


def _geopackage(tmp_path, layers: dict, name="daten.gpkg"):
    path = tmp_path / name
    for layer, frame in layers.items():
        frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
    return path


def _cells(county, crs=UTM, **columns):
    centre = county.representative_point()
    frame = gpd.GeoDataFrame(columns or {"Einwohner": [5.0, 7.0]},
                             geometry=[centre.buffer(0.001), centre.buffer(0.002)], crs="EPSG:4326")
    return frame.to_crs(crs)


def _in_box_not_in_county(county, tmp_path):
    west, south, east, north = county.bounds
    outline = box(west, south, east, north)
    return _csv_of(tmp_path, "rand.csv", random_points_in(outline.difference(county.buffer(0.001)),
                                                           np.random.default_rng(SEED + 8), 30))


def _file(path, content: str):
    path.write_text(content, encoding="utf-8")
    return path


def _not_geodata(tmp_path):
    path = tmp_path / "notizen.pdf"
    path.write_bytes(np.random.default_rng(SEED + 9).bytes(2000))
    return path


def _without_crs(county, tmp_path):
    path = tmp_path / "ohne_crs.shp"
    cells = _cells(county, crs="EPSG:4326")
    with warnings.catch_warnings():  # pyogrio warns of what this test wants: a file without CRS
        warnings.simplefilter("ignore", UserWarning)
        gpd.GeoDataFrame({"Einwohner": cells["Einwohner"]}, geometry=list(cells.geometry)).to_file(
            path, driver="ESRI Shapefile", engine="pyogrio")
    assert not path.with_suffix(".prj").exists()
    return path


BAD_INPUTS = {
    "missing file": (lambda c, t: [t / "fehlt.csv"], "Die Datei {tmp}/fehlt.csv gibt es nicht."),
    # The BOM is not part of the first column's name.
    "unknown column": (lambda c, t: [_zensus(c, t), "--inhabitants-field", "EW"],
                       "Die Spalte 'EW' gibt es in zensus.csv nicht. Vorhandene Spalten: GITTER_ID_100m, x_mitte, "
                       "y_mitte, Einwohner. Bitte geben Sie die Spalte mit der Einwohnerzahl mit "
                       "--inhabitants-field an."),
    "column of text": (lambda c, t: [_zensus(c, t), "--inhabitants-field", "GITTER_ID_100m"],
                       "Die Spalte 'GITTER_ID_100m' in zensus.csv enthält in Zeile 2 keine Zahl, sondern "
                       "'CRS3035RES100mN"),
    "a word among the numbers": (lambda c, t: [_zensus(c, t, texts={30: "viele"})],
                                 "Die Spalte 'Einwohner' in zensus.csv enthält in Zeile 32 keine Zahl, sondern "
                                 "'viele'."),
    "all values suppressed": (lambda c, t: [_zensus(c, t, fill="–")],
                              "In zensus.csv hat kein Punkt eine Einwohnerzahl in 'Einwohner': alle "),
    "points only in the county's bounding box": (
        lambda c, t: [_in_box_not_in_county(c, t)],
        f"Keiner der 30 Punkte aus rand.csv liegt {IN_THE_COUNTY}. Stimmt das Koordinatenreferenzsystem "
        f"({LAEA})? Sonst geben Sie es bitte mit --crs an."),
    "points far away": (lambda c, t: [_csv_of(t, "berlin.csv", np.array([[13.40, 52.52], [13.41, 52.52]]))],
                        f"Keiner der 2 Punkte aus berlin.csv liegt {IN_THE_COUNTY}."),
    "unknown CRS": (lambda c, t: [_zensus(c, t), "--crs", "EPSG:999999"],
                    "Das Koordinatenreferenzsystem 'EPSG:999999' ist unbekannt. Bitte geben Sie es als EPSG-Code an"),
    "unknown county": (lambda c, t: [_zensus(c, t), "--county", "09999"],
                       "Den Kreis 09999 gibt es in der Datenbank nicht. Bitte importieren Sie zuerst seine Gemeinden"),
    "several layers": (lambda c, t: [_geopackage(t, {"raster": _cells(c), "kreis": _cells(c)})],
                       "daten.gpkg enthält mehrere Ebenen: raster, kreis. Bitte wählen Sie eine mit --layer."),
    "unknown layer": (lambda c, t: [_geopackage(t, {"raster": _cells(c)}), "--layer", "gitter"],
                      "Die Ebene 'gitter' gibt es in daten.gpkg nicht. Vorhandene Ebenen: raster."),
    "unknown field": (lambda c, t: [_geopackage(t, {"raster": _cells(c)}), "--inhabitants-field", "EW"],
                      "Das Feld 'EW' gibt es in daten.gpkg nicht. Vorhandene Felder: Einwohner."),
    "field of names": (lambda c, t: [_geopackage(t, {"raster": _cells(c, Name=["Hameln", "Aerzen"])}),
                                     "--inhabitants-field", "Name"],
                       "Das Feld 'Name' in daten.gpkg enthält im 1. Objekt keine Zahl, sondern 'Hameln'."),
    "file without CRS": (lambda c, t: [_without_crs(c, t)],
                         "ohne_crs.shp nennt kein Koordinatenreferenzsystem. Bitte geben Sie es mit --crs an"),
    "--crs against the file's": (lambda c, t: [_geopackage(t, {"raster": _cells(c)}), "--crs", LAEA],
                                 f"daten.gpkg hat das Koordinatenreferenzsystem {UTM}, nicht {LAEA}. "
                                 "Bitte lassen Sie --crs weg."),
    "not a geodata file": (lambda c, t: [_not_geodata(t)], "notizen.pdf kann nicht gelesen werden."),
    "empty CSV": (lambda c, t: [_file(t / "leer.csv", "")], "leer.csv ist leer."),
    "only the header": (lambda c, t: [_file(t / "kopf.csv", "x_mitte;y_mitte;Einwohner\n")],
                        "kopf.csv enthält keine Rasterpunkte, nur die Kopfzeile."),
    "no coordinate columns": (lambda c, t: [_file(t / "ags.csv", "AGS;Einwohner\n03252006;57916\n")],
                              "In ags.csv fehlen die Spalten mit den Koordinaten der Zellmitte"),
}


@pytest.fixture
def imported_grid(population_app, db, county, tmp_path_factory):
    """A valid grid in the table, so that a failed import has something to destroy."""
    path = tmp_path_factory.mktemp("gueltig") / "zensus.csv"
    zensus_grid(county, np.random.default_rng(SEED + 10), cells=30).write(path)
    assert run(population_app, path).exit_code == 0
    rows = table(db)
    assert any(row[0] == HAMELN_PYRMONT for row in rows)
    return rows


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_is_refused_in_german_and_changes_nothing(population_app, db, county, tmp_path, imported_grid, case):
    make_args, message = BAD_INPUTS[case]

    result = run(population_app, *make_args(county, tmp_path))

    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert f"Error: {message.format(tmp=tmp_path)}" in result.output
    assert table(db) == imported_grid
