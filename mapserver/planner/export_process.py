"""Planner exports built off the request path: in an export process of their own, started once
per web process (spawned, not forked: the web process runs threads), at a lower CPU priority.

An export of 100,000 pins is 20-odd MB built in 12-18 s of pure Python and GDAL work; built in the
web process it held the interpreter from residents' pins (four at once raised their p99 from 79 ms
to 2.5 s). Here the request thread only waits for the file, one export is built at a time in the
whole server (an advisory lock across the web processes' export processes), and the operating
system gives residents' requests the CPU first (nice 10).

What the export process makes comes back through a file in a spool folder, never through the
pool's pipe: the web process's green threads share one OS thread, and reading a 16 MB answer from
the pipe blocked them all for as long as the niced export process took to write it (residents'
pins slowest exactly as an export ended). A download is then sent from its file piece by piece
(and gzip-compressed in the export process when the planner's browser accepts it), so the web
process neither holds it in memory nor spends its CPU on it."""
from __future__ import annotations

import gzip
import multiprocessing
import os
import pickle
import shutil
import tempfile
import threading
import time
import weakref
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

from flask import Flask, Response, request
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import ServiceUnavailable
from werkzeug.wsgi import FileWrapper

from ..services.exports import ExportFile

EXPORT_NICENESS = 10
SPOOL_PREFIX = "glaswaende-exports-"  # + the web process's pid: a spool folder in the temporary folder
SEND_CHUNK = 256 * 1024  # bytes of a download read from its file at a time
# Downloads worth compressing (a PDF already is): text, and the GeoPackage's SQLite pages.
COMPRESSIBLE = ("text/", "application/json", "application/geo+json", "application/geopackage+sqlite3")
_POOL_LOCK = threading.Lock()
_APP: Flask | None = None  # in the export process: the app it builds exports with
_SPOOL: str | None = None  # in the export process: the folder its results are written to


@dataclass(frozen=True)
class SpooledDownload:
    """A file the export process wrote for a download: the planner's file name, its type, where
    it lies in the spool folder, and its content coding (gzip or None)."""
    filename: str
    mimetype: str
    path: str
    encoding: str | None = None


def _settings(app: Flask) -> dict:
    """What the export process's app needs of this one's configuration."""
    return {key: app.config[key] for key in ("DATABASE_URL", "COUNTY_KEY", "TIME_ZONE", "SECRET_KEY", "TRUSTED_HOSTS",
                                             "INSTANCE_DIR")} | {"RATE_LIMITS": False}


def _lower_priority(pid: int, niceness: int) -> None:
    try:
        if os.getpriority(os.PRIO_PROCESS, pid) < niceness:
            os.setpriority(os.PRIO_PROCESS, pid, niceness)
    except ProcessLookupError:  # a child that has just ended
        pass


def _start(settings: dict, spool: str, niceness: int) -> None:
    """In the export process, once: lower priority (if the web process has not lowered it yet),
    then an app of its own."""
    global _APP, _SPOOL
    _lower_priority(0, niceness)
    _SPOOL = spool
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


def _spooled(write) -> str:
    """In the export process: a new spool file written by `write(file)`; its path (no file left
    behind if writing fails)."""
    os.makedirs(_SPOOL, mode=0o700, exist_ok=True)  # a cleaner of old temporary files may have taken it
    handle, path = tempfile.mkstemp(dir=_SPOOL, prefix="export-")
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
    except BaseException:
        os.unlink(path)
        raise
    return path


def _result_in_file(function, args: tuple) -> str:
    """In the export process: `function(*args)`, pickled into a spool file; its path."""
    result = function(*args)
    return _spooled(lambda file: pickle.dump(result, file, protocol=pickle.HIGHEST_PROTOCOL))


def _download_in_file(function, args: tuple, gzip_accepted: bool, named: tuple[str, str] | None) -> SpooledDownload:
    """In the export process: the export file `function(*args)` returns (filename, mimetype,
    content; or only the content when `named` gives filename and mimetype), its content written
    to a spool file, compressed if worth it and accepted."""
    built = function(*args)
    if named:
        built = ExportFile(*named, built)
    content, encoding = built.content, None
    if gzip_accepted and built.mimetype.startswith(COMPRESSIBLE):
        content, encoding = gzip.compress(content, compresslevel=6, mtime=0), "gzip"
    return SpooledDownload(built.filename, built.mimetype, _spooled(lambda file: file.write(content)), encoding)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _remove_stale_spools() -> None:
    """The spool folders of web processes that are gone without removing theirs (killed): they
    may hold finished exports."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SPOOL_PREFIX}*"):
        pid = folder.name.removeprefix(SPOOL_PREFIX).split("-", 1)[0]
        try:
            ours = not folder.is_symlink() and folder.is_dir() and folder.stat().st_uid == os.getuid()
        except OSError:
            continue
        if ours and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _pool(app: Flask) -> ProcessPoolExecutor:
    with _POOL_LOCK:
        pool = app.extensions.get("glaswaende.export_pool")
        if pool is None:
            _remove_stale_spools()
            spool = tempfile.mkdtemp(prefix=f"{SPOOL_PREFIX}{os.getpid()}-")
            niceness = os.getpriority(os.PRIO_PROCESS, 0) + EXPORT_NICENESS
            try:
                pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                           initializer=_start, initargs=(_settings(app), spool, niceness))
            except BaseException:
                shutil.rmtree(spool, ignore_errors=True)
                raise
            weakref.finalize(pool, shutil.rmtree, spool, ignore_errors=True)
            app.extensions["glaswaende.export_pool"] = pool
            app.extensions["glaswaende.export_spool"] = spool
            # The export process starts with the first task; lowered at once, not only once it
            # has imported the app (a second of the CPU at residents' priority, at every start).
            pool.submit(int)
            for child in multiprocessing.active_children():
                _lower_priority(child.pid, niceness)
        return pool


def _run(app: Flask, function, *args):
    """`function(*args)` in the export process. An export process that died (the kernel's OOM
    killer, a crash in GDAL) breaks its pool for good: the pool is replaced for the next request,
    and this one is answered 503."""
    pool = _pool(app)
    try:
        return pool.submit(function, *args).result()
    except BrokenProcessPool:
        with _POOL_LOCK:
            if app.extensions.get("glaswaende.export_pool") is pool:
                del app.extensions["glaswaende.export_pool"]
        pool.shutdown(wait=False)
        app.logger.error("Der Exportprozess ist abgebrochen; ein neuer wird gestartet.")
        raise ServiceUnavailable(retry_after=5) from None


class _Pieces(FileWrapper):
    """A download's file as the pieces it is sent in; before each piece the other green threads
    of the web process get their turn (time.sleep(0) is gevent's yield once gevent has patched
    the standard library): a fast reader would otherwise have 16 MB sent in one go."""

    def __next__(self) -> bytes:
        time.sleep(0)
        return super().__next__()


def _taken(path: str):
    """The spool file opened and its name removed: it is gone once closed, whatever happens to
    the answer (a planner who leaves before the download starts leaves nothing behind)."""
    file = open(path, "rb")
    os.unlink(path)
    return file


def download(app: Flask, function, *args, named: tuple[str, str] | None = None) -> Response:
    """The answer to a download: `function(*args)` (a module-level function returning an
    ExportFile, or the content of the file `named` (filename, mimetype)) run in the export
    process, its file sent from the spool folder piece by piece, with its length; its errors
    (NotFound, InvalidInput) raised here as they were there."""
    gzip_accepted = request.accept_encodings["gzip"] > 0
    spooled = _run(app, _download_in_file, function, args, gzip_accepted, named)
    file = _taken(spooled.path)
    response = Response(_Pieces(file, SEND_CHUNK), content_type=spooled.mimetype,  # the type names its charset
                        direct_passthrough=True,
                        headers={"Content-Disposition": f'attachment; filename="{spooled.filename}"',
                                 "Vary": "Accept-Encoding"})
    response.content_length = os.fstat(file.fileno()).st_size
    if spooled.encoding:
        response.headers["Content-Encoding"] = spooled.encoding
    return response


def export_download(app: Flask, dataset: str, fmt: str, ags: str | None, query: str, locale: str,
                    attributions: list[str], srid: int = 4326) -> Response:
    """A planner's export (services/exports.export) as a download, built in the export process."""
    return download(app, _build, dataset, fmt, ags, query, locale, attributions, srid)


def export_app() -> Flask:
    """In the export process: its app (for work other than exports that runs there too)."""
    return _APP


def run_in_export_process(app: Flask, function, *args):
    """`function(*args)` in the export process (a module-level function: it is pickled by name),
    e.g. a district's map for a questionnaire; its result or its exception."""
    path = _run(app, _result_in_file, function, args)
    with _taken(path) as file:
        return pickle.load(file)
