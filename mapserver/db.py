"""The database engine of an app, its SQL resources and the `db` commands."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
import weakref

import click
import numpy as np
from flask import Flask, current_app
from flask.cli import with_appcontext
import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.sql.elements import TextClause

from .config import PROJECT_ROOT
from .geo import METRIC_SRID, STORAGE_SRID
from .vocabulary import INITIAL_PIN_STATUS, SHOWN_PIN_STATUSES

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"

# SQL files name the reference systems :storage_srid and :metric_srid; the values live in geo.py.
SRID_PARAMETERS = {"storage_srid": STORAGE_SRID, "metric_srid": METRIC_SRID}
# The named state sets of vocabulary.py, bound wherever a statement names them (as FixMyStreet
# names its state sets), so no SQL file spells a state of its own.
STATE_PARAMETERS = {"shown_statuses": list(SHOWN_PIN_STATUSES), "initial_status": INITIAL_PIN_STATUS}


def make_engine(database_url: str) -> Engine:
    """One pooled engine per app.

    No pre-ping: it costs a round trip on every checkout, a third of a pin's time. A connection the
    database dropped is invalidated by SQLAlchemy on the error, and the pool recycles old ones.
    """
    # JIT compilation costs PostgreSQL up to a second on the large spatial expressions of the
    # hotspot job and the statistics, and gains nothing at our row counts: off per session.
    # A database that does not answer at all fails a request after 5 s (503), not after minutes.
    # A fixed pool, no overflow: a web process serves hundreds of connections at once (green
    # threads), and connections opened for a burst and closed after it cost PostgreSQL a process
    # each (at 32 concurrent pins the throughput fell to a third); a burst waits for a pooled one.
    return create_engine(database_url, pool_size=12, max_overflow=0, pool_recycle=1800, pool_timeout=10,
                         connect_args={"options": "-c jit=off", "connect_timeout": 5})


def engine() -> Engine:
    """The engine of the current app."""
    return current_app.extensions["glaswaende.engine"]


def _source(name: str) -> str:
    """The text of sql/<concern>/<name>.sql, e.g. "pins/insert", fragments filled in."""
    concern, _, statement = name.rpartition("/")
    return with_fragments(resources.files("mapserver.sql").joinpath(concern).joinpath(f"{statement}.sql")
                          .read_text(encoding="utf-8"))


@cache
def sql(name: str) -> TextClause:
    """A named SQL file from mapserver/sql/ ("concern/name") as a bound-parameter statement, SRIDs bound."""
    source = _source(name)
    fixed = {key: value for key, value in (SRID_PARAMETERS | STATE_PARAMETERS).items()
             if re.search(rf"(?<!:):{key}\b", source)}
    return text(source).bindparams(**fixed) if fixed else text(source)


def with_fragments(source: str) -> str:
    """Replace {{name}} with sql/fragments/name.sql (shared conditions and joins), comments dropped."""
    def fragment(match: re.Match) -> str:
        text_ = resources.files("mapserver.sql").joinpath("fragments").joinpath(f"{match.group(1)}.sql").read_text(encoding="utf-8")
        return "\n".join(line for line in text_.splitlines() if not line.lstrip().startswith("--"))
    return re.sub(r"\{\{(\w+)\}\}", fragment, source)


@cache
def dbapi_sql(name: str) -> str:
    """The same SQL file in psycopg's own parameter style (%(name)s), for dbapi_autocommit(), with
    the SRIDs written in as numbers (the driver converts each parameter anew on every execution)."""
    source = _source(name)
    if any(re.search(rf"(?<!:):{key}\b", source) for key in STATE_PARAMETERS):
        raise ValueError(f"{name}: state sets are bound by sql() only")
    for key, value in SRID_PARAMETERS.items():
        source = re.sub(rf"(?<!:):{key}\b", str(int(value)), source)
    return str(text(source).compile(dialect=PGDialect_psycopg()))


# Binary COPY: a signature, flags and header extension (19 bytes), then per row the number of
# fields (int16) and per field its length (int32) and its bytes, big-endian; -1 (int16) at the end.
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00"

# How each numpy type leaves PostgreSQL as bytes: the type's binary send function, big-endian.
# A timestamptz comes as microseconds since 2000-01-01 00:00 UTC (its binary form).
SEND_FUNCTIONS = {"int16": ("int2send", "int16"), "int32": ("int4send", "int32"), "int64": ("int8send", "int64"),
                  "float64": ("float8send", "float64"), "timestamptz": ("timestamptz_send", "int64")}


def fetch_columns(conn, name: str, parameters: dict, columns: dict[str, str]) -> dict[str, np.ndarray]:
    """The rows of a named SELECT as numpy columns: a million rows in a fraction of a second.
    Each column comes as one bytea, its values' binary forms concatenated by string_agg (every
    aggregate of one query sees the rows in the same order), so neither the driver nor Python
    touches a row (tuples cost 2 to 3 s a million, and psycopg reads a COPY row by row).
    `conn` is a SQLAlchemy connection; `columns` maps each selected column, by name, to a
    fixed-width numpy type ('int16', 'int32', 'int64', 'float64' for smallint, integer, bigint,
    double precision; 'timestamptz' for microseconds since 2000-01-01 UTC as int64); no value may
    be NULL (the lengths would not match)."""
    return query_columns(conn, dbapi_sql(name), parameters, columns, name)


def query_columns(conn, query: str, parameters: dict, columns: dict[str, str], name: str = "query") -> dict[str, np.ndarray]:
    """fetch_columns for a query in psycopg's parameter style."""
    selected = ", ".join(f"string_agg({SEND_FUNCTIONS[kind][0]}(r.{column}), ''::bytea)" for column, kind in columns.items())
    cursor = conn.connection.driver_connection.cursor()
    cursor.execute(f"SELECT count(*), {selected} FROM ({query}) AS r", parameters)
    count, *blobs = cursor.fetchone()
    result = {}
    for (column, kind), blob in zip(columns.items(), blobs):
        numpy_type = SEND_FUNCTIONS[kind][1]
        values = np.frombuffer(blob or b"", dtype=np.dtype(numpy_type).newbyteorder(">"))
        if values.size != count:
            raise ValueError(f"{name}: column {column} has NULLs or is not {kind}")
        result[column] = values.astype(numpy_type)
    return result


@dataclass(frozen=True)
class Nullable:
    """A column of numbers for copy_columns_in where `present` is False for NULL."""
    values: np.ndarray
    present: np.ndarray


@dataclass(frozen=True)
class Coded:
    """A column for copy_columns_in of few distinct values (text or None for NULL), as each row's
    position in `values`."""
    codes: np.ndarray
    values: list


def copy_columns_in(conn, table: str, columns: dict) -> None:
    """Write columns into `table` (the columns named) by binary COPY, a million rows in well
    under a second: numpy arrays of fixed-width numbers (never NULL), Nullable numbers, Coded
    text. The rows' bytes are laid out in numpy: each column's field (its length, then its value
    big-endian; -1 for NULL) at each row's offset. `table` and the column names are identifiers
    from our code, never input."""
    specs = list(columns.values())
    rows = _column_length(specs[0]) if specs else 0
    if rows == 0:
        return
    fields = [_field_writer(spec, rows) for spec in specs]  # (field length per row, writer)
    row_length = 2 + np.sum([length for length, _ in fields], axis=0)
    row_start = np.concatenate([[0], np.cumsum(row_length)[:-1]]).astype(np.int64) + len(COPY_HEADER) + 8
    buffer = np.zeros(int(row_start[-1] + row_length[-1]) + 2, dtype=np.uint8)
    buffer[:len(COPY_HEADER)] = np.frombuffer(COPY_HEADER, dtype=np.uint8)
    _scatter(buffer, row_start, np.frombuffer(len(specs).to_bytes(2, "big"), dtype=np.uint8))
    at = row_start + 2
    for length, write in fields:
        write(buffer, at)
        at = at + length
    buffer[-2:] = 0xFF
    names = ", ".join(columns)
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT binary)") as copy:
        copy.write(buffer.tobytes())


def _column_length(spec) -> int:
    return len(spec.codes if isinstance(spec, Coded) else spec.values if isinstance(spec, Nullable) else spec)


def _scatter(buffer: np.ndarray, starts: np.ndarray, data: np.ndarray) -> None:
    """Write `data` (bytes, one row of them per start or one for all) at each start."""
    width = data.shape[-1]
    buffer[starts[:, None] + np.arange(width)] = data


def _field_writer(spec, rows: int):
    if isinstance(spec, Coded):
        encoded = [b"\xff\xff\xff\xff" if value is None else
                   len(value.encode()).to_bytes(4, "big") + value.encode() for value in spec.values]
        codes = np.asarray(spec.codes)
        length = np.array([len(e) for e in encoded], dtype=np.int64)[codes]

        def write(buffer, starts):
            for code, field in enumerate(encoded):
                own = codes == code
                if own.any():
                    _scatter(buffer, starts[own], np.frombuffer(field, dtype=np.uint8))
        return length, write
    values, present = (spec.values, np.asarray(spec.present, dtype=bool)) if isinstance(spec, Nullable) \
        else (spec, np.ones(rows, dtype=bool))
    values = np.asarray(values)
    width = values.dtype.itemsize
    length = np.where(present, 4 + width, 4).astype(np.int64)
    field = np.empty((rows, 4 + width), dtype=np.uint8)
    field[:, :4] = np.frombuffer(width.to_bytes(4, "big"), dtype=np.uint8)
    field[:, 4:] = values.astype(values.dtype.newbyteorder(">")).view(np.uint8).reshape(rows, width)

    def write(buffer, starts):
        _scatter(buffer, starts[present], field[present])
        if not present.all():
            _scatter(buffer, starts[~present], np.frombuffer(b"\xff\xff\xff\xff", dtype=np.uint8))
    return length, write


@contextmanager
def dbapi_autocommit(engine: Engine) -> Iterator[psycopg.Cursor]:
    """A cursor on a pooled psycopg connection in autocommit mode, rows as named tuples.

    For the hot path only (storing a pin): SQLAlchemy's execution and result layer costs about
    200 µs of CPU per statement there, twice the database's own work (see bench/ingest.py).
    A single INSERT … RETURNING is atomic by itself, so autocommit spares BEGIN and COMMIT.
    """
    pooled = engine.raw_connection()
    connection: psycopg.Connection = pooled.driver_connection
    connection.autocommit = True
    try:
        with connection.cursor(row_factory=namedtuple_row) as cursor:
            yield cursor
    except psycopg.OperationalError:
        if connection.broken:
            # The server went away (restart, failover): every pooled connection is dead, not only
            # this one. A fresh pool connects anew; the old connections are dropped unused (this
            # one is invalidated below).
            engine.dispose(close=False)
        raise
    finally:
        # Closed, or stopped in the middle of a statement (a green thread ended while it waited):
        # not to be used again.
        if connection.closed or connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            pooled.invalidate()
        else:
            connection.autocommit = False
        pooled.close()


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic's comparisons: PostGIS ships tables of its own (spatial_ref_sys …); not ours."""
    return not (type_ == "table" and reflected and compare_to is None)


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
    """Create the app's engine (its connections are closed when the app is gone: tests build
    many apps), register the `db` commands."""
    database = app.extensions["glaswaende.engine"] = make_engine(app.config["DATABASE_URL"])
    weakref.finalize(app, database.dispose)
    app.cli.add_command(db_cli)
