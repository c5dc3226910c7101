"""Batch jobs on the command line: `glaswaende hotspots refresh` and `glaswaende hotspots watch`."""
from __future__ import annotations

import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .db import engine
from .services import hotspots


def refresh_now() -> hotspots.RefreshReport:
    return hotspots.refresh(engine(), current_app.config["COUNTY_KEY"],
                            hotspots.HotspotSettings.from_config(current_app.config))


def refresh_needed() -> bool:
    """True before the first run and once REFRESH_EVERY_N_PINS new pins have arrived."""
    with engine().connect() as conn:
        if hotspots.latest_run(conn, current_app.config["COUNTY_KEY"]) is None:
            return True
        return hotspots.pins_since_last_run(conn, current_app.config["COUNTY_KEY"]) >= current_app.config["REFRESH_EVERY_N_PINS"]


@click.group("hotspots", help="Auswertungen: Raster, Hotspots (Scan-Statistik), Cluster (DBSCAN).")
def hotspots_cli():
    pass


@hotspots_cli.command("refresh", help="Alle Auswertungen des Kreises neu berechnen und speichern.")
@click.option("--if-needed", is_flag=True,
              help="Nur rechnen, wenn es noch keine Auswertung gibt oder genug neue Pins da sind.")
@with_appcontext
def refresh_command(if_needed: bool):
    if if_needed and not refresh_needed():
        click.echo("Keine Neuberechnung nötig.")
        return
    click.echo(refresh_now().summary())


@hotspots_cli.command("watch", help="Dauerlauf: prüft regelmäßig und rechnet nach jeweils N neuen Pins neu.")
@click.option("--interval", default=60, show_default=True, type=click.IntRange(min=5), help="Sekunden zwischen Prüfungen.")
@click.option("--max-age", default=3600, show_default=True, type=click.IntRange(min=60),
              help="Spätestens nach so vielen Sekunden neu rechnen, wenn neue Pins da sind.")
@with_appcontext
def watch_command(interval: int, max_age: int):
    click.echo(f"Prüfe alle {interval} s (Strg+C beendet).")
    while True:
        with engine().connect() as conn:
            run = hotspots.latest_run(conn, current_app.config["COUNTY_KEY"])
            new_pins = hotspots.pins_since_last_run(conn, current_app.config["COUNTY_KEY"])
        age = hotspots.run_age(run)
        if run is None or new_pins >= current_app.config["REFRESH_EVERY_N_PINS"] or (
                new_pins and age is not None and age.total_seconds() >= max_age):
            click.echo(refresh_now().summary())
        else:  # a run held back by the release hours goes public once they have passed
            with engine().begin() as conn:
                released = hotspots.release_if_due(conn, current_app.config["COUNTY_KEY"],
                                                   hotspots.HotspotSettings.from_config(current_app.config))
            if released:
                click.echo(f"Auswertung {released} öffentlich freigegeben.")
        time.sleep(interval)


def init_app(app: Flask) -> None:
    app.cli.add_command(hotspots_cli)
