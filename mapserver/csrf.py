"""CSRF protection (Flask-WTF) for every form and cookie-authenticated write. The JSON API takes
no cookies (residents have no account), so it needs none."""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_ENABLED", app.config["CSRF"])
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # valid as long as the signed session: a workshop can last
    from .api import api

    csrf.init_app(app)
    csrf.exempt(api)
