"""Security headers on every response: a Content-Security-Policy without inline scripts on our
own pages, and a per-response nonce for the generated folium maps, which are inline by nature."""
from __future__ import annotations

import functools
import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g

_INLINE_SCRIPT = re.compile(r"<script(?=[\s>])")


def _tile_origin(url: str) -> str:
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "a"))
    origin = f"{parts.scheme}://{parts.netloc}"
    return " " + origin.replace("://a.", "://*.") if "{s}" in url else " " + origin


def with_nonce(html: str) -> str:
    """Give every <script> of a generated page this response's nonce (only those run)."""
    g.csp_nonce = secrets.token_urlsafe(16)
    return _INLINE_SCRIPT.sub(f'<script nonce="{g.csp_nonce}"', html)


def _policy(nonce: str | None, tile_url: str) -> str:
    scripts = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    # folium writes style attributes (legend swatches, map size) that a nonce cannot cover, and
    # a nonce in style-src would switch 'unsafe-inline' off: its styles are allowed inline.
    styles = "'self' 'unsafe-inline'" if nonce else "'self'"
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        f"style-src {styles}",
        f"img-src 'self' data:{_tile_origin(tile_url)}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        # The planner pages frame their own maps; nobody else may frame us.
        "frame-ancestors 'self'",
    ])


_FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Permissions-Policy", "geolocation=(self), camera=(), microphone=()"),
)
# Pages without a nonce (nearly all answers) share one policy per tile server.
_plain_policy = functools.lru_cache(maxsize=4)(lambda tile_url: _policy(None, tile_url))

# Served over HTTPS only (GLASWAENDE_SECURE_COOKIES): browsers are to keep it so.
_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def answer_headers(config, nonce: str | None = None) -> list[tuple[str, str]]:
    """The headers every answer carries unless its view set them itself: the policy (with this
    response's nonce, if with_nonce made one), the fixed ones, HSTS when served over HTTPS. The
    pin intake below Flask (api/intake.py) sends them too."""
    tile_url = config["TILE_URL"] or ""
    policy = _policy(nonce, tile_url) if nonce else _plain_policy(tile_url)
    wanted = [("Content-Security-Policy", policy), *_FIXED_HEADERS]
    if config["SECURE_COOKIES"]:
        wanted.append(_HSTS)
    return wanted


def _add_headers(response: Response) -> Response:
    """The headers a view did not set itself (looked up once each: a pin's answer is timed in µs)."""
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}
    wanted = answer_headers(current_app.config, g.get("csp_nonce"))
    headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
