"""POST /api/pins answered below Flask when it is plain, as WhiteNoise answers static files.

Residents send this request by the thousand, and Flask's request machinery (request and
response objects, contexts, routing, hooks) cost each pin about a quarter of its CPU
(bench/pin_instructions.py). A plain pin is stored here with the same services, counted against
the same limits and answered with the same body and headers as the view (api.create_pin) would.

Plain means: this path and method, no query string, no cookies, no Transfer-Encoding, a declared
length within the limit, `Content-Type: application/json`, German as the asked-for language
(its answer names the place in German, as the view's does), a trusted host the view has built an
edit link for already, a body that is a valid pin without a join link, limits within, a point in
the county, a database that answers. Everything else goes on to Flask as it came (the body read
here handed on with it), where the view answers it as before: every refusal and every error page
comes from one place. What the intake did is handed on too, so nothing is done twice: the limits
it counted (limits.PIN_LIMITS_COUNTED) and the refusal or failure of storing (STORE_FAILED: the
view raises it, its handlers answer and log it, as if the view had tried).
"""
from __future__ import annotations

import io

from flask import Flask
from werkzeug.exceptions import ClientDisconnected, SecurityError
from werkzeug.http import parse_options_header
from werkzeug.wsgi import get_host

from .. import i18n, limits, security
from ..request_body import declared_length, read_declared
from ..services import pins
from ..web import known_edit_link

PATH = "/api/pins"
# Each of these sends a request to the view: it reads them (cookies: the language and the session).
NOT_PLAIN = ("QUERY_STRING", "HTTP_COOKIE", "HTTP_TRANSFER_ENCODING")
# Set in the environ when storing was refused or failed here: the exception, for the view to raise.
STORE_FAILED = "glaswaende.pin_store_failed"


class PinIntake:
    """WSGI middleware: plain pins answered here, every other request passed to `wsgi_app`."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict, start_response):
        if (environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") == "POST"
                and not any(environ.get(name) for name in NOT_PLAIN)):
            answer = self._answer(environ)
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                return [body]
        return self.wsgi_app(environ, start_response)

    def _answer(self, environ: dict) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """(status, headers, body) of a plain pin, stored; None to leave the request to the view."""
        app, config = self.app, self.app.config
        # As the view reads it (request.mimetype): a type it refuses is not plain.
        if parse_options_header(environ.get("CONTENT_TYPE", ""))[0].lower() != "application/json":
            return None
        if i18n.language_of_header(environ.get("HTTP_ACCEPT_LANGUAGE")) != i18n.DEFAULT:
            return None
        length = declared_length(environ)
        if length is None or length > config["MAX_CONTENT_LENGTH"]:
            return None
        try:
            host = get_host(environ, config["TRUSTED_HOSTS"])
        except SecurityError:
            return None
        root = environ.get("SCRIPT_NAME", "")
        link = known_edit_link(app, (environ["wsgi.url_scheme"], host, root.rstrip("/"))) if root.isascii() else None
        if link is None:
            return None

        try:
            body = read_declared(environ, length)
        except ClientDisconnected:
            environ["wsgi.input"] = io.BytesIO()  # the view finds the body short: the same 400
            return None
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            submission = pins.PinSubmission.model_validate_json(body)
        except Exception:  # noqa: BLE001 (the view parses it again and names what is wrong)
            return None
        if submission.website or submission.workshop is not None:
            return None
        try:
            limits.count_new_pin(app.extensions["glaswaende.limiter"], environ)
        except Exception:  # noqa: BLE001 (a 429 is noted for the view; anything else the view meets itself)
            return None
        before, after = link
        try:
            pin, created = pins.submit_pin(app.extensions["glaswaende.engine"], submission, config["COUNTY_KEY"],
                                           lambda edit_key: before + edit_key + after)
        except Exception as error:  # noqa: BLE001 (outside the county, an unknown district, the database gone)
            environ[STORE_FAILED] = error
            return None
        answer = app.json.dumps(pin, ensure_ascii=False).encode("utf-8")
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(answer))),
                   *security.answer_headers(config), ("Vary", i18n.VARY)]
        return ("201 CREATED" if created else "200 OK"), headers, answer


def init_app(app: Flask) -> None:
    """Listed after static_files in create_app (around WhiteNoise, which pins need not pass) and
    before proxies (inside ProxyFix: the forwarded address, scheme and host are applied first)."""
    app.wsgi_app = PinIntake(app.wsgi_app, app)
