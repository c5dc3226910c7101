"""`glaswaende serve`: the app under gunicorn, each connection a green thread (gevent).

A client that sends its request slowly, a byte at a time, holds only its own connection, never a
thread others wait for (with a thread per request, eight such clients froze a server of eight
threads). psycopg waits for the database cooperatively once gevent has patched the standard
library, which gunicorn does in each worker before the app is built there; so the app is never
built in gunicorn's master (psycopg chooses how to wait when it is first imported)."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication
from gunicorn.workers.ggevent import GeventPyWSGIWorker, PyWSGIHandler


def worker_count(asked: int | None, shared_limits: bool) -> tuple[int, str | None]:
    """(worker processes, note): two unless asked otherwise, but without storage shared by
    processes (GLASWAENDE_REDIS_URL) each gunicorn worker would count the rate limits on its own,
    so 30 pins per device would be 30 per worker; then one process serves (its connections are
    green threads), and a note says so if more were asked for."""
    if shared_limits:
        return asked or 2, None
    if asked is None or asked <= 1:
        return 1, None
    return 1, f"Ohne GLASWAENDE_REDIS_URL zählt jeder Prozess die Grenzen für sich: ein Prozess statt {asked}."


class _Handler(PyWSGIHandler):
    def log_request(self):
        """No access log is kept (it would hold addresses): nothing to format either. gunicorn's
        handler builds the log line's data first and asks afterwards (3 % of a pin's CPU)."""
        if self.server.log.access_log_enabled:
            super().log_request()


class GreenWorker(GeventPyWSGIWorker):
    """gunicorn's gevent worker on gevent's own HTTP server (pywsgi): ~120 µs of CPU less per
    request than on gunicorn's parser (bench/ingest.py). A chunked body is read whole and refused
    over 16 KB as one with a Content-Length (tests/test_hardening.py)."""
    wsgi_handler = _Handler


def serve(host: str, port: int, workers: int, connections: int) -> None:
    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", GreenWorker)
            self.cfg.set("worker_connections", connections)
            self.cfg.set("accesslog", None)

        def load(self):
            from . import create_app

            return create_app()

    Server().run()
