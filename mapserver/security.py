"""Security headers on every response: a Content-Security-Policy without inline scripts on our
own pages, and a per-response nonce for the generated folium maps, which are inline by nature."""
from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g

_INLINE_SCRIPT = re.compile(r"<script(?=[\s>])")


def _tile_origin() -> str:
    url = current_app.config["TILE_URL"]
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "a"))
    origin = f"{parts.scheme}://{parts.netloc}"
    return " " + origin.replace("://a.", "://*.") if "{s}" in url else " " + origin


def with_nonce(html: str) -> str:
    """Give every <script> of a generated page this response's nonce (only those run)."""
    g.csp_nonce = secrets.token_urlsafe(16)
    return _INLINE_SCRIPT.sub(f'<script nonce="{g.csp_nonce}"', html)


def _policy() -> str:
    nonce = g.get("csp_nonce")
    scripts = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    # folium writes style attributes (legend swatches, map size) that a nonce cannot cover, and
    # a nonce in style-src would switch 'unsafe-inline' off: its styles are allowed inline.
    styles = "'self' 'unsafe-inline'" if nonce else "'self'"
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        f"style-src {styles}",
        f"img-src 'self' data:{_tile_origin()}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        # The planner pages frame their own maps; nobody else may frame us.
        "frame-ancestors 'self'",
    ])


def _add_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", _policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
    if current_app.config["SECURE_COOKIES"]:  # served over HTTPS only: browsers are to keep it so
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
