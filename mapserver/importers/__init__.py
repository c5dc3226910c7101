"""Boundary, district and population grid import (geopandas/pyogrio -> PostGIS) and its commands."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from ..db import engine
from ..errors import GlaswaendeError
from .boundaries import import_boundaries
from .districts import import_official_districts
from .population import DEFAULT_CSV_CRS, DEFAULT_INHABITANTS_FIELD, import_population


@click.command("import-boundaries", help="Gemeinden eines Kreises (BKG VG250) und ihre Ortsteile importieren.")
@click.option("--county", "county_key", default=None,
              help="Fünfstelliger Kreisschlüssel; ohne Angabe GLASWAENDE_COUNTY_KEY (03252).")
@with_appcontext
def import_boundaries_command(county_key: str | None):
    key = county_key or current_app.config["COUNTY_KEY"]
    try:
        report = import_boundaries(
            engine(), key,
            boundaries_dir=Path(current_app.config["BOUNDARIES_DIR"]),
            geodata_dir=Path(current_app.config["GEODATA_DIR"]),
        )
    except GlaswaendeError as error:
        raise click.ClickException(error.detail) from None
    click.echo(report.summary())


@click.command("import-districts", help="Amtliche Ortsteil-Grenzen aus einer Datei (GeoPackage, Shapefile, GeoJSON …) importieren.")
@click.argument("file", type=click.Path(exists=True, dir_okay=True, path_type=Path))
@click.option("--name-field", required=True, help="Attribut mit dem Namen des Ortsteils.")
@click.option("--layer", default=None, help="Ebene in der Datei (bei GeoPackages mit mehreren Ebenen).")
@click.option("--county", "county_key", default=None, help="Kreisschlüssel; ohne Angabe GLASWAENDE_COUNTY_KEY.")
@with_appcontext
def import_districts_command(file: Path, name_field: str, layer: str | None, county_key: str | None):
    try:
        report = import_official_districts(
            engine(), file, name_field=name_field, layer=layer,
            county_key=county_key or current_app.config["COUNTY_KEY"],
        )
    except GlaswaendeError as error:
        raise click.ClickException(error.detail) from None
    click.echo(report.summary())


@click.command("import-population", help="Ein Bevölkerungsraster als Grundlage der Hotspot-Analyse importieren: "
               "das Zensus-Gitter als CSV-Datei (auch im ZIP-Archiv) oder jede Geodatei mit Punkten oder Flächen. "
               "Es ersetzt das bisherige Raster des Kreises; übernommen werden nur Punkte im Kreis.")
# Not click.Path(exists=True): its message for a missing file is English.
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--inhabitants-field", default=DEFAULT_INHABITANTS_FIELD, show_default=True, metavar="NAME",
              help="Spalte oder Attribut mit der Einwohnerzahl.")
@click.option("--layer", default=None, metavar="EBENE",
              help="Ebene in der Datei (GeoPackage mit mehreren Ebenen) oder CSV-Datei im ZIP-Archiv, z. B. 100m.")
@click.option("--crs", default=None, metavar="EPSG:CODE",
              help=f"Koordinatenreferenzsystem, z. B. EPSG:25832; bei CSV-Dateien ohne Angabe {DEFAULT_CSV_CRS} "
                   "(Zensus-Gitter), bei anderen Dateien nur nötig, wenn sie keines nennen.")
@click.option("--county", "county_key", default=None, metavar="SCHLÜSSEL",
              help="Kreisschlüssel; ohne Angabe GLASWAENDE_COUNTY_KEY.")
@with_appcontext
def import_population_command(file: Path, inhabitants_field: str, layer: str | None, crs: str | None,
                              county_key: str | None):
    try:
        report = import_population(
            engine(), file, county_key or current_app.config["COUNTY_KEY"],
            inhabitants_field=inhabitants_field, layer=layer, crs=crs,
        )
    except GlaswaendeError as error:
        raise click.ClickException(error.detail) from None
    click.echo(report.summary())


def init_app(app: Flask) -> None:
    app.cli.add_command(import_boundaries_command)
    app.cli.add_command(import_districts_command)
    app.cli.add_command(import_population_command)
