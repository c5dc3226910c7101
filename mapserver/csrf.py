"""CSRF protection (Flask-WTF) for every form and cookie-authenticated write. A blueprint that takes
no cookies exempts itself in its own init_app (the JSON API)."""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_ENABLED", app.config["CSRF"])
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # valid as long as the signed session: a workshop can last
    csrf.init_app(app)
