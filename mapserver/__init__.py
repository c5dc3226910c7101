"""Glaswände: the Flask application package. create_app() is the only place an app is built."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Flask

from .config import PROJECT_ROOT, load_config


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app from defaults, the environment (GLASWAENDE_*) and `test_config`."""
    app = Flask(
        __name__,
        static_folder=str(PROJECT_ROOT / "static"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_mapping(load_config(test_config))
    app.json.ensure_ascii = False
    app.jinja_env.filters["local_time"] = lambda moment: moment.astimezone(
        ZoneInfo(app.config["TIME_ZONE"])).strftime("%d.%m.%Y, %H:%M Uhr")

    from . import auth, csrf, db, errors, importers, jobs, limits, privacy, security, workshop
    from .api import api
    from .moderation import moderation_pages
    from .planner import planner
    from .web import web

    db.init_app(app)
    errors.init_app(app)
    importers.init_app(app)
    jobs.init_app(app)
    privacy.init_app(app)
    auth.init_app(app)
    security.init_app(app)
    csrf.init_app(app)
    app.register_blueprint(api)
    app.register_blueprint(web)
    app.register_blueprint(planner)
    app.register_blueprint(moderation_pages)
    workshop.init_app(app)
    limits.init_app(app)  # wraps views, so after every blueprint
    return app
