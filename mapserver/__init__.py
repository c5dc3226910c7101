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


def _capabilities() -> tuple:
    """Every part of the app, in the order it is wired: each module or package has one
    `init_app(app)` that registers its blueprint, commands, hooks and error handlers. A new
    capability is a package listed here (README: "Adding a capability")."""
    from . import (api, auth, csrf, db, demo, errors, i18n, importers, jobs, legal, limits, moderation, paper,
                   planner, proxies, reports, retention, security, static_files, web, workshops)
    from . import actors
    from . import ideas
    from . import projects
    from . import results
    from .api import intake

    return (
        db, i18n, errors, security, csrf, limits, auth,  # the ground every request stands on
        api, web, legal, planner, reports, moderation, workshops, paper,  # the audiences' pages, one blueprint each
        actors,  # step two: local actors and places (staff pages and GET /api/actors)
        ideas,  # step two: ideas, supports, moderation of ideas, public answers and templates (GET /api/ideas)
        projects,  # step two: the coordinators' projects, year clock, audit log (`projects remind`)
        results,  # step two: the loop closed publicly (projects, feeds, /api/projects, exports, report)
        importers, jobs, retention, demo,                # commands only
        static_files,  # wraps the WSGI app (fingerprinted static files, compression)
        intake,        # wraps the WSGI app: plain pins (POST /api/pins) answered below Flask
        proxies,       # outermost: what the proxies forwarded, before anything reads it
    )


class GlaswaendeApp(Flask):
    """Flask, asking once per view and hook whether it is a coroutine function (Flask asks on
    every request, for each hook anew: a sixtieth of a pin's CPU). None of ours is; one that
    were would still be run through async_to_sync."""

    KNOWN_CALLABLES = 4096  # views, hooks and handlers are a few hundred: a bound against leaks

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync_callables: dict = {}

    def ensure_sync(self, func):
        try:
            known = self._sync_callables.get(func)
        except TypeError:  # a callable that cannot be a key is asked about each time
            return super().ensure_sync(func)
        if known is None:
            known = super().ensure_sync(func)
            if len(self._sync_callables) < self.KNOWN_CALLABLES:
                self._sync_callables[func] = known
        return known


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app from defaults, the environment (GLASWAENDE_*) and `test_config`."""
    app = GlaswaendeApp(
        __name__,
        static_folder=str(PROJECT_ROOT / "static"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_mapping(load_config(test_config))
    app.json.ensure_ascii = False
    app.jinja_env.filters["local_time"] = lambda moment: local_time(moment, app.config["TIME_ZONE"])

    for capability in _capabilities():
        capability.init_app(app)
    return app
