"""Boundary and district import (geopandas/pyogrio -> PostGIS) and its commands."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from ..db import engine
from ..errors import GlaswaendeError
from .boundaries import import_boundaries
from .districts import import_official_districts


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


def init_app(app: Flask) -> None:
    app.cli.add_command(import_boundaries_command)
    app.cli.add_command(import_districts_command)
