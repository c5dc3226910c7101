"""Glaswände: the Flask application package. create_app() is the only place an app is built."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Flask

from .config import PROJECT_ROOT, load_config


def local_time(moment, time_zone: str) -> str:
    """A moment in the county's time zone, as the page's language writes date and time."""
    from babel.dates import format_date, format_time
    from flask_babel import get_locale

    local = moment.astimezone(ZoneInfo(time_zone))
    locale = get_locale() or "de"
    return f"{format_date(local, 'medium', locale=locale)}, {format_time(local, 'short', locale=locale)}"


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app from defaults, the environment (GLASWAENDE_*) and `test_config`."""
    app = Flask(
        __name__,
        static_folder=str(PROJECT_ROOT / "static"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_mapping(load_config(test_config))
    app.json.ensure_ascii = False
    app.jinja_env.filters["local_time"] = lambda moment: local_time(moment, app.config["TIME_ZONE"])

    from . import assets, auth, csrf, db, demo, errors, i18n, importers, jobs, limits, privacy, security, workshop
    from .api import api
    from .moderation import moderation_pages
    from .planner import planner
    from .web import web

    db.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    importers.init_app(app)
    jobs.init_app(app)
    privacy.init_app(app)
    demo.init_app(app)
    auth.init_app(app)
    security.init_app(app)
    csrf.init_app(app)
    app.register_blueprint(api)
    app.register_blueprint(web)
    app.register_blueprint(planner)
    app.register_blueprint(moderation_pages)
    workshop.init_app(app)
    limits.init_app(app)
    assets.init_app(app)  # wraps the WSGI app
    if app.config["TRUSTED_PROXIES"]:  # outermost: what the proxies forwarded, before anything reads it
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    return app
