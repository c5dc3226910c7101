"""Retention: the `privacy` commands (`glaswaende privacy purge` deletes self-descriptions when
they are due; services/retention.py does it). The rules for public numbers live in
services/disclosure.py."""
from __future__ import annotations

import datetime as dt

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .db import engine
from .legal import feedback
from .services import retention


@click.group("privacy", help="Datenschutz: Aufbewahrungsfristen durchsetzen.")
def privacy_cli():
    pass


@privacy_cli.command("purge", help="Freiwillige Angaben (Alter, Wohndauer) löschen, sobald die Frist nach dem "
                                   "Ende der Beteiligung abgelaufen ist (die Pins selbst bleiben), und "
                                   "Rückmeldungen zur Barrierefreiheit nach ihrer Frist.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Stichtag (JJJJ-MM-TT) statt heute, z. B. zum Prüfen.")
@click.option("--dry-run", is_flag=True, help="Nur zählen, nichts löschen.")
@with_appcontext
def purge_command(today: dt.datetime | None, dry_run: bool):
    config = current_app.config
    now = today.replace(tzinfo=dt.timezone.utc) if today else dt.datetime.now(dt.timezone.utc)
    with engine().begin() as conn:
        messages = feedback.purge(conn, config["COUNTY_KEY"], config["FEEDBACK_RETENTION_DAYS"], now, dry_run)
    click.echo(f"{'Probelauf: ' if dry_run else ''}{messages} Rückmeldungen zur Barrierefreiheit älter als "
               f"{config['FEEDBACK_RETENTION_DAYS']} Tage {'würden gelöscht' if dry_run else 'gelöscht'}.")
    if not config["CAMPAIGN_END"]:
        click.echo("Kein Ende der Beteiligung eingestellt (GLASWAENDE_CAMPAIGN_END); nichts gelöscht.")
        return
    day = today.date() if today else dt.date.today()
    with engine().begin() as conn:
        report = retention.purge_self_descriptions(
            conn, config["COUNTY_KEY"], dt.date.fromisoformat(config["CAMPAIGN_END"]),
            config["SELF_DESCRIPTION_RETENTION_DAYS"], day, config["TIME_ZONE"], dry_run)
    due = report.due_on.strftime("%d.%m.%Y")
    if report.done:
        click.echo(f"Freiwillige Angaben von {report.purged} Pins gelöscht.")
    elif day < report.due_on:
        click.echo(f"Noch nicht fällig: gelöscht wird ab dem {due} ({report.purged} Pins mit freiwilligen Angaben).")
    else:
        click.echo(f"Probelauf: {report.purged} Pins haben freiwillige Angaben, die gelöscht würden (fällig seit {due}).")


def init_app(app: Flask) -> None:
    app.cli.add_command(privacy_cli)
