"""Ideas against the walls and the county's public answers (step two, issue 17): residents read
a municipality's ideas, support one once per device and send their own (moderated like comments);
moderators review them; coordinators answer publicly (drafted, then published with its date),
keep answer templates and type in ideas from paper.

Blueprints: `ideas` (residents, and GET /api/ideas), `ideas_moderation` (/moderation/ideen, role
moderator), `ideas_staff` (/koordination, role coordinator). Services other capabilities call:
reading.py (published_ideas, ideas_by_ids, idea, published_answers, current_answer, answers);
answers.py and review.py hold the writes, each logged through services/followup_log.py."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Flask

from . import coordination, moderation_pages, public


def local_day(moment, time_zone: str) -> str:
    """A moment's day in the county's time zone, as the page's language writes a date."""
    from babel.dates import format_date
    from flask_babel import get_locale

    return format_date(moment.astimezone(ZoneInfo(time_zone)), "long", locale=get_locale() or "de")


def init_app(app: Flask) -> None:
    for blueprint in (public.blueprint, moderation_pages.blueprint, coordination.blueprint):
        app.register_blueprint(blueprint)
    app.jinja_env.filters["local_day"] = lambda moment: local_day(moment, app.config["TIME_ZONE"])
