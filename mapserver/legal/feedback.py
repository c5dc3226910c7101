"""The feedback channel of the accessibility statement: a visitor tells about a barrier, the
moderators read it. Plain functions on a connection and plain values (no request)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Connection

from ..db import sql
from ..errors import InvalidInput

MESSAGE_MAX_LENGTH = 2000
CONTACT_MAX_LENGTH = 200
PAGE_MAX_LENGTH = 300
PAGE_SIZE = 50


@dataclass(frozen=True)
class Feedback:
    id: int
    message: str
    contact: str | None
    page: str | None
    received_at: dt.datetime


def _cleaned(value: str | None) -> str | None:
    # A browser counts a line break as one character (maxlength) but sends it as CR LF.
    value = (value or "").replace("\x00", "").replace("\r\n", "\n").strip()
    return value or None


def store(conn: Connection, county_key: str, message: str | None, contact: str | None, page: str | None) -> int:
    """Store one message; InvalidInput (German, per field) when it is empty or too long. Its id."""
    message, contact, page = _cleaned(message), _cleaned(contact), _cleaned(page)
    errors = []
    if message is None:
        errors.append({"field": "message", "message": _("Bitte schreiben Sie, was Sie gestört hat.")})
    elif len(message) > MESSAGE_MAX_LENGTH:
        errors.append({"field": "message", "message": _("Bitte schreiben Sie höchstens %(n)s Zeichen.",
                                                        n=MESSAGE_MAX_LENGTH)})
    if contact is not None and len(contact) > CONTACT_MAX_LENGTH:
        errors.append({"field": "contact", "message": _("Bitte schreiben Sie höchstens %(n)s Zeichen.",
                                                        n=CONTACT_MAX_LENGTH)})
    if page is not None and len(page) > PAGE_MAX_LENGTH:
        errors.append({"field": "page", "message": _("Bitte schreiben Sie höchstens %(n)s Zeichen.", n=PAGE_MAX_LENGTH)})
    if errors:
        raise InvalidInput(_("Bitte prüfen Sie Ihre Nachricht."), errors)
    return conn.execute(sql("legal/feedback_insert"), {"county_key": county_key, "message": message,
                                                       "contact": contact, "page": page}).one().id


def page_of_feedback(conn: Connection, county_key: str, page: int) -> tuple[list[Feedback], int]:
    """One page of the county's feedback, newest first, and how many there are in all."""
    rows = conn.execute(sql("legal/feedback_list"), {"county_key": county_key, "limit": PAGE_SIZE,
                                                     "offset": (page - 1) * PAGE_SIZE}).all()
    total = rows[0].total if rows else 0
    return [Feedback(r.id, r.message, r.contact, r.page, r.received_at) for r in rows], total


def purge(conn: Connection, county_key: str, retention_days: int, now: dt.datetime, dry_run: bool = False) -> int:
    """Delete the messages (with their contact) received more than `retention_days` days before
    `now`; how many were (or, dry run, would be) deleted."""
    row = conn.execute(sql("legal/feedback_purge"), {"county_key": county_key, "dry_run": dry_run,
                                                     "received_before": now - dt.timedelta(days=retention_days)}).one()
    return row.due if dry_run else row.deleted
