"""Planner exports built off the request path: in an export process of their own, started once
per web process (spawned, not forked: the web process runs threads), at a lower CPU priority.

An export of 100,000 pins is 20-odd MB built in 12-18 s of pure Python and GDAL work; built in the
web process it held the interpreter from residents' pins (four at once raised their p99 from 79 ms
to 2.5 s). Here the request thread only waits for the file, one export is built at a time in the
whole server (an advisory lock across the web processes' export processes), and the operating
system gives residents' requests the CPU first (nice 10)."""
from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from urllib.parse import parse_qsl

from flask import Flask
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

EXPORT_NICENESS = 10
_POOL_LOCK = threading.Lock()
_APP: Flask | None = None  # in the export process: the app it builds exports with


def _settings(app: Flask) -> dict:
    """What the export process's app needs of this one's configuration."""
    return {key: app.config[key] for key in ("DATABASE_URL", "COUNTY_KEY", "TIME_ZONE", "SECRET_KEY", "TRUSTED_HOSTS",
                                             "INSTANCE_DIR")} | {"RATE_LIMITS": False}


def _start(settings: dict) -> None:
    """In the export process, once: lower priority, then an app of its own."""
    global _APP
    os.nice(EXPORT_NICENESS)
    from .. import create_app

    _APP = create_app(settings)


def _build(dataset: str, fmt: str, ags: str | None, query: str, locale: str, attributions: list[str],
           srid: int = 4326):
    """In the export process: one export file (services/exports.export) in the staff language:
    the request's language (?lang=) chooses the catalogs, the locale the number formats."""
    from ..db import engine, sql
    from ..services import exports
    from ..services.statistics import PinFilter

    with _APP.test_request_context(query_string={"lang": locale}), force_locale(locale):
        pin_filter = PinFilter.from_query(MultiDict(parse_qsl(query)))
        with engine().connect() as conn:
            # One export at a time in the whole server, whatever web process asked: the other core
            # stays with the residents. The lock ends with the transaction.
            conn.execute(sql("exports/lock"))
            return exports.export(conn, dataset, fmt, _APP.config["COUNTY_KEY"], ags, pin_filter,
                                  _APP.config["TIME_ZONE"], attributions, srid)


def _pool(app: Flask) -> ProcessPoolExecutor:
    with _POOL_LOCK:
        pool = app.extensions.get("glaswaende.export_pool")
        if pool is None:
            pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_start, initargs=(_settings(app),))
            app.extensions["glaswaende.export_pool"] = pool
        return pool


def build_export(app: Flask, dataset: str, fmt: str, ags: str | None, query: str, locale: str,
                 attributions: list[str], srid: int = 4326):
    """The export file, built in the export process; its errors (NotFound, InvalidInput) come
    back as they were raised."""
    return _pool(app).submit(_build, dataset, fmt, ags, query, locale, attributions, srid).result()


def export_app() -> Flask:
    """In the export process: its app (for work other than exports that runs there too)."""
    return _APP


def run_in_export_process(app: Flask, function, *args):
    """`function(*args)` in the export process (a module-level function: it is pickled by name),
    e.g. the municipality report's PDF; its result or its exception."""
    return _pool(app).submit(function, *args).result()
