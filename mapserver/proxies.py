"""Reverse proxies in front of the app (GLASWAENDE_TRUSTED_PROXIES: how many stand there, as
Werkzeug's ProxyFix counts them): their X-Forwarded-For/-Proto/-Host/-Port are believed, no one
else's."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    """Listed last in create_app: the outermost wrapper, so nothing reads the request before the
    forwarded fields are applied."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
