"""`glaswaende serve`: the app under gunicorn, each connection a green thread (gevent).

A client that sends its request slowly, a byte at a time, holds only its own connection, never a
thread others wait for (with a thread per request, eight such clients froze a server of eight
threads). psycopg waits for the database cooperatively once gevent has patched the standard
library, which gunicorn does in each worker before the app is built there; so the app is never
built in gunicorn's master (psycopg chooses how to wait when it is first imported)."""
from __future__ import annotations

import gc
import re

from gevent.pywsgi import OldMessage
from gunicorn.app.base import BaseApplication
from gunicorn.workers.ggevent import GeventPyWSGIWorker, PyWSGIHandler

# A header field line (RFC 9112, section 5): a token, the colon right after it, the value without
# control characters other than a tab (its trailing blanks are cut off after the match). Possessive
# quantifiers: a line of blanks costs as many steps as it has bytes, not their cube.
FIELD_LINE = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*+([^\x00-\x08\x0a-\x1f\x7f]*+)\r?\n")
MAX_FIELD_LINE = 65536  # bytes, and at most MAX_FIELDS lines: the limits of http.client
MAX_FIELDS = 100
DIGITS = re.compile(rb"[0-9]+")
SMALL_BODY = 16384  # bytes: sent in one go with the head


def read_header_fields(rfile) -> OldMessage:
    """A request's header fields, read strictly, as gevent's handler takes them. What the e-mail
    parser behind http.client accepts loosely is refused (400): a folded line, a blank before the
    colon, a line without one. So is what could smuggle one request behind another: two different
    Content-Lengths, one that is not plain digits, a Transfer-Encoding other than one `chunked`,
    and a Transfer-Encoding beside a Content-Length. (That parser cost 30-40 µs per request, a
    twentieth of a pin's CPU; this one 15 µs.) The refusal names no header's value: a cookie
    would end up in the log."""
    fields = OldMessage()
    for _ in range(MAX_FIELDS + 1):
        line = rfile.readline(MAX_FIELD_LINE + 1)
        if line in (b"\r\n", b"\n"):
            break
        if len(line) > MAX_FIELD_LINE:
            raise ValueError("header line too long")
        match = FIELD_LINE.fullmatch(line)
        if match is None:
            raise ValueError("invalid header line")
        fields[match[1].decode("ascii")] = match[2].rstrip(b" \t").decode("latin-1")
    else:
        raise ValueError(f"more than {MAX_FIELDS} header lines")
    lengths = set(fields.get_all("Content-Length") or ())
    if len(lengths) > 1 or any(not DIGITS.fullmatch(length.encode("latin-1")) for length in lengths):
        raise ValueError("invalid Content-Length")
    encodings = fields.get_all("Transfer-Encoding") or []
    if encodings and ([encoding.lower() for encoding in encodings] != ["chunked"] or lengths):
        raise ValueError("invalid Transfer-Encoding")
    return fields


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
    def MessageClass(self, rfile, *args):
        return read_header_fields(rfile)

    def _write_with_headers(self, data):
        """The status line, the header fields and a small first body part in one send: gevent
        sends the head and the body apart, two system calls and two packets for every JSON
        answer. A large body is still sent on its own (copying it would cost more than the call
        it saves), and so is a chunked one (framed by gevent)."""
        if not data or len(data) > SMALL_BODY:
            return super()._write_with_headers(data)
        self.headers_sent = True
        self.finalize_headers()
        head = bytearray(b"HTTP/1.1 ")
        head += self.status
        head += b"\r\n"
        for name, value in self.response_headers:
            head += name
            head += b": "
            head += value
            head += b"\r\n"
        head += b"\r\n"
        if self.response_use_chunked:
            self._sendall(head)
            self._write(data)
            return
        head += data
        self._sendall(head)

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

            app = create_app()
            # What the app built to stay (modules, routes, catalogs: ~240,000 objects) is left out
            # of the collector's rounds, which otherwise walk it all again now and then (what is
            # garbage already is collected first, not kept for ever).
            gc.collect()
            gc.freeze()
            return app

    Server().run()
