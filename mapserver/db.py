"""The database engine of an app, its SQL resources and the `db` commands."""
from __future__ import annotations

from functools import cache
from importlib import resources

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.sql.elements import TextClause

from .config import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def make_engine(database_url: str) -> Engine:
    """One pooled engine per app; pre-ping so a restarted database does not fail the next request."""
    return create_engine(database_url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def engine() -> Engine:
    """The engine of the current app."""
    return current_app.extensions["glaswaende.engine"]


@cache
def sql(name: str) -> TextClause:
    """A named SQL file from mapserver/sql/ as a bound-parameter statement."""
    return text(resources.files("mapserver.sql").joinpath(f"{name}.sql").read_text(encoding="utf-8"))


def alembic_config(database_url: str):
    """An Alembic configuration for our migrations folder and this database."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Alembic's ini interpolation treats % specially; URLs may contain %-escapes.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema to `revision` (PostGIS is created by the first migration)."""
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


@click.group("db", help="Datenbank: Schema anlegen und aktualisieren.")
def db_cli():
    pass


@db_cli.command("upgrade", help="Alle Migrationen anwenden (legt PostGIS und die Tabellen an).")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def upgrade_command(revision: str):
    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo("Datenbank ist auf dem neuesten Stand.")


@db_cli.command("check", help="Prüfen, ob die Datenbank erreichbar ist und PostGIS hat.")
@with_appcontext
def check_command():
    with engine().connect() as conn:
        version = conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
    click.echo(f"PostGIS {version} erreichbar.")


def init_app(app: Flask) -> None:
    """Create the app's engine, dispose it on shutdown, register the `db` commands."""
    app.extensions["glaswaende.engine"] = make_engine(app.config["DATABASE_URL"])
    app.cli.add_command(db_cli)
