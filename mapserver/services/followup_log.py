"""The audit log of step two (ideas, answers, projects, milestones, updates, local actors): every
change with who made it and the record before and after. Shared by mapserver/ideas,
mapserver/projects and mapserver/actors; only coordinators and admins read it."""
from __future__ import annotations

import datetime as dt
import decimal
import json

from sqlalchemy import Connection

from ..db import sql
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
