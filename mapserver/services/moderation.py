"""Comment moderation: the queue (pending comments oldest first, with filters), approve / hide /
redact one by one or in bulk, and the audit log of every action.

A pin's location counts in the aggregates at once; its comment is shown only once approved
(status 'published'). Redacting replaces the text and publishes it; the original then lives
only in the audit log, where only admins can read it.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import Connection

from ..db import sql
from ..errors import InvalidInput
from ..i18n import s_
from ..vocabulary import COMMENT_MAX_LENGTH, MODERATION_ACTIONS, PIN_STATUSES
from .accounts import Account

PAGE_SIZE = 25
MAX_BULK = 200
MAX_PAGE = 10_000
_ID = re.compile(r"[0-9]{1,18}")  # a bigint (ASCII digits only: "²".isdigit() is True)
_SELECTION = re.compile(r"([0-9]{1,18}):([0-9a-f]{32})")  # pin id and md5 of the text the moderator saw


def digest(comment: str) -> str:
    """The md5 PostgreSQL computes of a comment: which version a moderator saw."""
    return hashlib.md5(comment.encode("utf-8")).hexdigest()


def page_number(value) -> int:
    """A page number from a query string: 1 when missing or malformed, at most MAX_PAGE."""
    text = str(value or "")
    return min(int(text), MAX_PAGE) if _ID.fullmatch(text) and int(text) > 0 else 1


@dataclass(frozen=True)
class QueueFilter:
    """Which comments the queue shows: a status (or all), a municipality, a workshop."""

    status: str | None = "pending"
    municipality_ags: str | None = None
    workshop_id: int | None = None

    @classmethod
    def from_args(cls, args) -> "QueueFilter":
        errors = []
        status = args.get("status", "pending") or "pending"
        if status not in (*PIN_STATUSES, "all"):
            errors.append({"field": "status", "message": s_("Bitte einen Status aus %(statuses)s oder all wählen.",
                                                              statuses=", ".join(PIN_STATUSES))})
        ags = (args.get("municipality") or "").strip() or None
        if ags is not None and not (len(ags) == 8 and ags.isdigit()):
            errors.append({"field": "municipality", "message": s_("Bitte eine Gemeinde aus der Liste wählen.")})
        workshop = (args.get("workshop") or "").strip()
        if workshop and not (_ID.fullmatch(workshop) and int(workshop) < 2**31):
            errors.append({"field": "workshop", "message": s_("Bitte einen Workshop aus der Liste wählen.")})
        if errors:
            raise InvalidInput(s_("Dieser Filter ist ungültig."), errors)
        return cls(None if status == "all" else status, ags, int(workshop) if workshop else None)

    def query_string(self) -> str:
        return urlencode({key: value for key, value in (
            ("status", self.status or "all"), ("municipality", self.municipality_ags), ("workshop", self.workshop_id),
        ) if value is not None})


def queue(conn: Connection, county_key: str, queue_filter: QueueFilter, page: int = 1) -> tuple[list[dict], int]:
    """One page of the queue, oldest first, and how many comments match in all."""
    rows = [dict(r._mapping) for r in conn.execute(sql("moderation/queue"), {
        "county_key": county_key, "status": queue_filter.status, "ags": queue_filter.municipality_ags,
        "workshop_id": queue_filter.workshop_id, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE,
    })]
    return rows, rows[0]["total"] if rows else 0


def selection(values) -> list[tuple[int, str]]:
    """Chosen comments as the forms send them: "<pin id>:<digest of the text shown>"."""
    chosen = []
    for value in values:
        match = _SELECTION.fullmatch(str(value))
        if match is None:
            raise InvalidInput(s_("Die Auswahl ist ungültig."), [{"field": "pin", "message": s_("Unbekannter Kommentar.")}])
        chosen.append((int(match.group(1)), match.group(2)))
    if not chosen:
        raise InvalidInput(s_("Bitte wählen Sie mindestens einen Kommentar aus."),
                           [{"field": "pin", "message": s_("Nichts ausgewählt.")}])
    if len(chosen) > MAX_BULK:
        raise InvalidInput(s_("Bitte höchstens %(max)s Kommentare auf einmal.", max=MAX_BULK),
                           [{"field": "pin", "message": s_("Zu viele ausgewählt.")}])
    return chosen


def _redacted_text(value: str | None) -> str:
    text = (value or "").strip()
    problem = None
    if not text:
        problem = s_("Bitte geben Sie den geschwärzten Text an (oder verbergen Sie den Kommentar).")
    elif len(text) > COMMENT_MAX_LENGTH:
        problem = s_("Der Text darf höchstens %(max)s Zeichen lang sein.", max=COMMENT_MAX_LENGTH)
    elif any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        problem = s_("Der Text enthält unzulässige Steuerzeichen.")
    if problem:
        raise InvalidInput(problem, [{"field": "comment", "message": problem}])
    return text


def moderate(conn: Connection, county_key: str, actor: Account, action: str, chosen: list[tuple[int, str]],
             comment: str | None = None) -> int:
    """Apply one action to the chosen comments (pin id, digest of the text the moderator saw) and
    log it; how many changed. A comment changed since it was shown is left alone. `comment` is
    the redacted text (redact only, one comment at a time)."""
    if action not in MODERATION_ACTIONS:
        raise InvalidInput(s_("Unbekannte Aktion."),
                           [{"field": "action", "message": s_("Bitte freigeben, verbergen oder schwärzen.")}])
    redacted = None
    if action == "redact":
        if len(chosen) != 1:
            raise InvalidInput(s_("Schwärzen geht nur für einen Kommentar auf einmal."),
                               [{"field": "pin", "message": s_("Bitte genau einen Kommentar wählen.")}])
        redacted = _redacted_text(comment)
    status_after, _ = MODERATION_ACTIONS[action]
    changed = conn.execute(sql("moderation/comments_moderate"), {
        "county_key": county_key, "pin_ids": [pin_id for pin_id, _ in chosen], "seen": [d for _, d in chosen],
        "status_after": status_after, "comment": redacted,
        "actor_id": actor.id, "action": action,
    }).all()
    return len(changed)


def log_pin_filter(value) -> int | None:
    """The ?pin= of the log: a pin id, or None for all."""
    text = str(value or "").strip()
    if not text:
        return None
    if not _ID.fullmatch(text):
        raise InvalidInput(s_("Dieser Filter ist ungültig."),
                           [{"field": "pin", "message": s_("Bitte eine Pin-Nummer angeben.")}])
    return int(text)


def audit_log(conn: Connection, reader: Account, pin_id: int | None = None, page: int = 1) -> tuple[list[dict], int]:
    """The log, newest first. Admins read every text; others only the text the pin shows now, so
    the original of a redacted comment (in the redaction and in any earlier entry) stays with admins."""
    rows = [dict(r._mapping) for r in conn.execute(sql("moderation/log"), {
        "pin_id": pin_id, "limit": PAGE_SIZE * 2, "offset": (page - 1) * PAGE_SIZE * 2})]
    if "admin" not in reader.roles:
        for row in rows:
            for key in ("comment_before", "comment_after"):
                if row[key] is not None and row[key] != row["current_comment"]:
                    row[key] = None
                    row[f"{key}_withheld"] = True
    return rows, rows[0]["total"] if rows else 0
