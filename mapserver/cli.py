"""The `glaswaende` console script: Flask's click group with our app and commands."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup

from . import create_app
from .config import load_config


def _create_app():
    return create_app()


class GlaswaendeGroup(FlaskGroup):
    """Flask's command group with our app, without Flask's developer commands and options
    (run, shell, routes, --app, --env-file, --debug): administrators see only what is theirs."""

    def __init__(self, **extra):
        super().__init__(create_app=_create_app, add_default_commands=False, add_version_option=False,
                         load_dotenv=False, set_debug_flag=False, **extra)
        self.params = [p for p in self.params if p.name not in ("app", "env_file", "debug")]


@click.group(cls=GlaswaendeGroup, help="Glaswände – Verwaltung auf der Kommandozeile.",
             context_settings={"help_option_names": ["-h", "--help"]})
def main():
    pass


# No app context here: the app is built in each worker (serving.py), never in this process.
@main.command("serve", help="Die Anwendung unter gunicorn ausliefern (Standard: http://127.0.0.1:5000).",
              with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", type=click.IntRange(min=1),
              help="Prozesse (Standard: 2 mit GLASWAENDE_REDIS_URL, sonst 1; mehr als einer nur mit Redis).")
@click.option("--connections", default=1000, show_default=True, type=click.IntRange(min=1),
              help="Gleichzeitige Verbindungen je Prozess.")
def serve(host: str, port: int, workers: int | None, connections: int):
    from . import serving

    config = load_config()
    workers, note = serving.worker_count(workers, bool(config["REDIS_URL"]) or not config["RATE_LIMITS"])
    if note:
        click.echo(note)
    click.echo(f"Glaswände läuft auf http://{host}:{port}/ (Strg+C beendet).")
    serving.serve(host, port, workers, connections)
