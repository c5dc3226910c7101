"""The raw body of a request, with the size limit enforced also for chunked bodies."""
from __future__ import annotations

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge


def limited_body() -> bytes:
    """The request body; 413 when it is over MAX_CONTENT_LENGTH. Werkzeug refuses a declared
    Content-Length over the limit, but silently cuts a chunked body at it, so read one byte more.
    Read it once: the stream is consumed."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    chunked = request.content_length is None and request.environ.get("wsgi.input_terminated")
    stream = request.environ["wsgi.input"] if chunked else request.stream
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise RequestEntityTooLarge()
    return body
