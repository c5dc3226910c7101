"""The audit log of step two (ideas, answers, projects, milestones, updates, local actors): every
change with who made it and the record before and after. Shared by mapserver/ideas,
mapserver/projects and mapserver/actors; only coordinators and admins read it, and only admins
read an idea's title and text in it (for_reader): the original of a redacted idea, and what a
resident wrote before moderation, may hold personal data (the rule of the comments' log,
services/moderation.py)."""
from __future__ import annotations

import datetime as dt
import decimal
import json

from sqlalchemy import Connection

from ..db import sql
from ..i18n import s_
from ..vocabulary import FOLLOWUP_SUBJECTS


def _plain(value):
    """Dates, decimals and bytes as JSON can hold them (a photo is logged by its size only)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} Bytes>"
    raise TypeError(f"not JSON: {type(value).__name__}")


def record(conn: Connection, *, county_key: str, actor_id: int | None, subject: str, subject_id: int,
           action: str, before: dict | None = None, after: dict | None = None) -> int:
    """Log one change, in the caller's transaction (so a change and its record land together)."""
    if subject not in FOLLOWUP_SUBJECTS:
        raise ValueError(f"unknown subject {subject!r}")
    dumped = {key: None if value is None else json.dumps(value, default=_plain, ensure_ascii=False)
              for key, value in (("before", before), ("after", after))}
    return conn.execute(sql("followup_log/insert"), {
        "county_key": county_key, "actor_id": actor_id, "subject": subject, "subject_id": subject_id,
        "action": action, **dumped}).one().id


def entries(conn: Connection, county_key: str, *, subject: str | None = None, subject_id: int | None = None,
            limit: int = 100, offset: int = 0) -> list:
    return conn.execute(sql("followup_log/list"), {"county_key": county_key, "subject": subject,
                                                    "subject_id": subject_id, "limit": limit,
                                                    "offset": offset}).all()


# What only admins read in the log: of these subjects, these keys of the records before and after.
ADMIN_ONLY_KEYS = {"idea": ("title", "body")}


def withheld_text() -> str:
    """What a reader who is not an admin sees in place of a withheld value."""
    return s_("[nur für die Verwaltung sichtbar]")


def for_reader(rows, admin: bool) -> list[dict]:
    """Log entries (rows of entries()) as one reader may see them, as dicts: everything for an
    admin; for anyone else the values of ADMIN_ONLY_KEYS in before and after replaced by
    withheld_text() (an idea's title and text, whatever the entry's action). The one place
    that decides this, for the log's page and its CSV."""
    shown = []
    for row in rows:
        entry = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
        keys = () if admin else ADMIN_ONLY_KEYS.get(entry.get("subject"), ())
        for side in ("before", "after"):
            record = entry.get(side)
            if keys and isinstance(record, dict):
                entry[side] = {key: (withheld_text() if key in keys and value is not None else value)
                               for key, value in record.items()}
        shown.append(entry)
    return shown
