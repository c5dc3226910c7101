"""The raw body of a request, with the size limit enforced also for chunked bodies; and the few
forms that may send more than the app's limit (made for a pin)."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge


def allow_larger_bodies(blueprint: Blueprint, limits: dict[str, int | Callable[[dict], int]], *roles: str) -> None:
    """These endpoints of `blueprint` (endpoint: bytes, or a function of the app's config giving
    them) may receive more than MAX_CONTENT_LENGTH (an upload, a long form), from a signed-in
    account with one of `roles` only: nobody else gets a large body parsed. Set in a URL value
    preprocessor, which runs before every before_request hook (the CSRF check parses the form
    under the limit in force then). The front (deploy/nginx/locations.conf) lets the same paths
    send more."""
    from .auth import current_account

    @blueprint.url_value_preprocessor
    def _larger_body(endpoint, values):
        limit = limits.get(endpoint)
        if limit is None:
            return
        account = current_account()
        if account is not None and account.has_any_role(*roles):
            request.max_content_length = limit(current_app.config) if callable(limit) else limit


def declared_length(environ: dict) -> int | None:
    """The body's length when it is read straight from the server's stream (without Werkzeug's
    wrapper around it: a pin is timed in µs): a declared Content-Length of sane size and no
    Transfer-Encoding; None otherwise. From the WSGI environ: the pin intake below Flask
    (api/intake.py) reads bodies so too."""
    declared = environ.get("CONTENT_LENGTH", "")
    if declared.isascii() and declared.isdigit() and len(declared) <= 12 and "HTTP_TRANSFER_ENCODING" not in environ:
        return int(declared)
    return None


def read_declared(environ: dict, length: int) -> bytes:
    """Exactly `length` bytes from the server's stream. A body that ends early, or a connection
    reset on the way, is the client's disconnect (400), as in Werkzeug's wrapper."""
    try:
        body = environ["wsgi.input"].read(length)
    except (OSError, ValueError):
        raise ClientDisconnected() from None
    if len(body) < length:
        raise ClientDisconnected()
    return body


def limited_body() -> bytes:
    """The request body; 413 when it is over MAX_CONTENT_LENGTH. Werkzeug refuses a declared
    Content-Length over the limit, but silently cuts a chunked body at it, so read one byte more.
    Read it once: the stream is consumed."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    environ = request.environ
    length = declared_length(environ)
    if length is not None:
        # The usual case: refused over the limit before a byte is read.
        if length > limit:
            raise RequestEntityTooLarge()
        return read_declared(environ, length)
    chunked = request.content_length is None and environ.get("wsgi.input_terminated")
    stream = environ["wsgi.input"] if chunked else request.stream
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise RequestEntityTooLarge()
    return body
