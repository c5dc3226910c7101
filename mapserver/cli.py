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


def worker_count(workers: int, shared_limits: bool) -> tuple[int, str | None]:
    """(worker processes, note): without storage shared by processes (GLASWAENDE_REDIS_URL) each
    gunicorn worker would count the rate limits on its own, so 30 pins per device would be 30 per
    worker; then one process serves (its connections are green threads, see serve)."""
    if workers <= 1 or shared_limits:
        return workers, None
    return 1, (f"Ohne GLASWAENDE_REDIS_URL zählt jeder Prozess die Grenzen für sich: ein Prozess statt {workers}.")


# No app context here: the app (and psycopg with it) is built in each worker after gevent has
# patched it, never in gunicorn's master; psycopg chooses how it waits when first imported.
@main.command("serve", help="Die Anwendung unter gunicorn ausliefern (Standard: http://127.0.0.1:5000).",
              with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int,
              help="Prozesse (mehr als einer nur mit GLASWAENDE_REDIS_URL).")
@click.option("--connections", default=1000, show_default=True, type=click.IntRange(min=1),
              help="Gleichzeitige Verbindungen je Prozess.")
def serve(host: str, port: int, workers: int, connections: int):
    from gunicorn.app.base import BaseApplication

    config = load_config()
    workers, note = worker_count(workers, bool(config["REDIS_URL"]) or not config["RATE_LIMITS"])
    if note:
        click.echo(note)

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            # Each connection a green thread (gevent): a client that sends its request slowly, a
            # byte at a time, holds only its own connection, never a thread others wait for. (With
            # a thread per request, eight such clients froze a server of eight threads.) psycopg
            # waits for the database cooperatively once gevent has patched the standard library,
            # which gunicorn does in each worker before the app is loaded.
            self.cfg.set("worker_class", "gevent")
            self.cfg.set("worker_connections", connections)
            self.cfg.set("accesslog", None)
            # The app refuses URLs over 4,096 characters in German (errors.py); gunicorn's own
            # limit (English) only beyond this, its largest value.
            self.cfg.set("limit_request_line", 8190)

        def load(self):
            return create_app()

    click.echo(f"Glaswände läuft auf http://{host}:{port}/ (Strg+C beendet).")
    Server().run()
