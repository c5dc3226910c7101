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


def worker_layout(workers: int, threads: int, shared_limits: bool) -> tuple[int, int, str | None]:
    """(workers, threads, note): without storage shared by processes (GLASWAENDE_REDIS_URL) each
    gunicorn worker would count the rate limits on its own, so 30 pins per device would be 30 per
    worker; then one process serves with as many threads instead."""
    if workers <= 1 or shared_limits:
        return workers, threads, None
    return 1, workers * threads, (f"Ohne GLASWAENDE_REDIS_URL zählt jeder Prozess die Grenzen für sich: ein Prozess "
                                   f"mit {workers * threads} Threads statt {workers} Prozessen.")


@main.command("serve", help="Die Anwendung unter gunicorn ausliefern (Standard: http://127.0.0.1:5000).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int)
def serve(host: str, port: int, workers: int, threads: int):
    from gunicorn.app.base import BaseApplication

    config = load_config()
    workers, threads, note = worker_layout(workers, threads, bool(config["REDIS_URL"]) or not config["RATE_LIMITS"])
    if note:
        click.echo(note)

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("accesslog", None)
            # The app refuses URLs over 4,096 characters in German (errors.py); gunicorn's own
            # limit (English) only beyond this, its largest value.
            self.cfg.set("limit_request_line", 8190)

        def load(self):
            return create_app()

    click.echo(f"Glaswände läuft auf http://{host}:{port}/ (Strg+C beendet).")
    Server().run()
