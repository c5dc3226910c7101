"""Demo data: `glaswaende demo seed` fills a database of its own with realistic pins, comments, a
workshop and the demo account, for training and a newcomer's first look (`make demo`)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import sqlalchemy.exc
from flask import Flask, current_app
from flask.cli import with_appcontext
from psycopg import errors as pg_errors

from ..db import engine
from ..errors import DATABASE_DOWN_ERRORS, GlaswaendeError
from ..jobs import refresh_now
from ..services import demo


def _problem(error: GlaswaendeError) -> click.ClickException:
    return click.ClickException(" ".join([error.detail, *(e["message"] for e in error.errors)]))


@click.group("demo", help="Demodaten für Schulungen und einen ersten Blick (in einer eigenen Datenbank).")
def demo_cli():
    pass


@demo_cli.command("seed", short_help="Demodaten anlegen oder ersetzen, dann die Auswertung.", help=(
    "Die Datenbank mit Demodaten füllen: Pins über alle Gemeinden des Kreises und Häufungen an "
    "einzelnen Orten, Kommentare in allen Prüfständen, freiwillige Angaben, ein Workshop und das Konto "
    f"{demo.ACCOUNT_NAME} ({', '.join(demo.ACCOUNT_ROLES)}); danach die Auswertung. Frühere Demodaten und "
    "gespeicherte Auswertungen werden ersetzt. Eine Datenbank mit echten Pins bleibt unverändert, außer mit --force."))
@click.option("--force", is_flag=True,
              help="Auch echte Pins löschen (ihre Einträge im Moderationsprotokoll verlieren den Text). Nur für "
                   "Datenbanken, deren Pins entbehrlich sind.")
@click.option("--seed", "seed", default=demo.DEFAULT_SEED, show_default=True, type=click.IntRange(min=0),
              help="Startwert des Zufalls: derselbe Wert gibt dieselben Demodaten.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="JJJJ-MM-TT",
              help="Stichtag (JJJJ-MM-TT) statt heute: die Pins reichen bis zum Vortag und sechs Wochen davor zurück. "
                   "Derselbe Startwert am selben Stichtag gibt dieselben Demodaten.")
@click.option("--password", default=None, envvar="GLASWAENDE_DEMO_PASSWORD", show_envvar=True,
              help=f"Passwort des Kontos {demo.ACCOUNT_NAME} (mindestens 12 Zeichen); ohne Angabe ein zufälliges, "
                   "das einmal am Ende angezeigt wird.")
@with_appcontext
def seed_command(force: bool, seed: int, today: dt.datetime | None, password: str | None):
    config = current_app.config
    try:
        with engine().begin() as conn:
            counts = demo.count_pins(conn, config["COUNTY_KEY"])
            if counts.real and force:
                click.echo(f"{demo.real_pins_phrase(counts.real)} {'wird' if counts.real == 1 else 'werden'} "
                           "gelöscht (--force).")
            report = demo.seed(conn, config["COUNTY_KEY"], Path(config["GEODATA_DIR"]), seed=seed,
                               today=today.date() if today else None, time_zone=config["TIME_ZONE"],
                               password=password, force=force)
    except GlaswaendeError as error:
        raise _problem(error) from None
    except DATABASE_DOWN_ERRORS as error:
        reason = str(getattr(error, "orig", None) or error).strip()
        raise click.ClickException(f"Die Datenbank ist nicht erreichbar: {reason}") from None
    except sqlalchemy.exc.ProgrammingError as error:
        if isinstance(error.orig, pg_errors.UndefinedTable):
            raise click.ClickException("Die Datenbank hat noch keine Tabellen. Bitte zuerst glaswaende db upgrade "
                                       "und glaswaende import-boundaries ausführen.") from None
        raise
    click.echo(report.summary())

    click.echo("Auswertung wird berechnet …")
    refresh_failure = None
    try:
        click.echo(refresh_now().summary())
    except Exception as error:  # the demo data are stored; the account must still be usable
        refresh_failure = error
    if report.password is not None:
        click.echo(f"Anmelden als {demo.ACCOUNT_NAME} mit Passwort {report.password}")
    else:
        click.echo(f"Anmelden als {demo.ACCOUNT_NAME} mit dem angegebenen Passwort.")
    if refresh_failure is not None:
        raise click.ClickException(
            f"Die Demodaten sind gespeichert, aber die Auswertung ist fehlgeschlagen ({type(refresh_failure).__name__}: "
            f"{refresh_failure}). Bitte später glaswaende hotspots refresh ausführen.")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
