"""Comment moderation: the queue (pending comments oldest first, with filters), approve / hide /
redact one by one or in bulk, and the audit log of every action.

A pin's location counts in the aggregates at once; its comment is shown only once approved
(status 'published'). Redacting replaces the text and publishes it; the original then lives
only in the audit log, where only admins can read it.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import Connection

from ..db import sql
from ..errors import InvalidInput
from ..vocabulary import COMMENT_MAX_LENGTH, MODERATION_ACTIONS, PIN_STATUSES
from .accounts import Account

PAGE_SIZE = 25
MAX_BULK = 200


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
            errors.append({"field": "status", "message": f"Bitte einen Status aus {', '.join(PIN_STATUSES)} oder all wählen."})
        ags = (args.get("municipality") or "").strip() or None
        if ags is not None and not (len(ags) == 8 and ags.isdigit()):
            errors.append({"field": "municipality", "message": "Bitte eine Gemeinde aus der Liste wählen."})
        workshop = (args.get("workshop") or "").strip()
        if workshop and not workshop.isdigit():
            errors.append({"field": "workshop", "message": "Bitte einen Workshop aus der Liste wählen."})
        if errors:
            raise InvalidInput("Dieser Filter ist ungültig.", errors)
        return cls(None if status == "all" else status, ags, int(workshop) if workshop else None)

    def query_string(self) -> str:
        return urlencode({key: value for key, value in (
            ("status", self.status or "all"), ("municipality", self.municipality_ags), ("workshop", self.workshop_id),
        ) if value is not None})


def queue(conn: Connection, county_key: str, queue_filter: QueueFilter, page: int = 1) -> tuple[list[dict], int]:
    """One page of the queue, oldest first, and how many comments match in all."""
    page = max(page, 1)
    rows = [dict(r._mapping) for r in conn.execute(sql("moderation_queue"), {
        "county_key": county_key, "status": queue_filter.status, "ags": queue_filter.municipality_ags,
        "workshop_id": queue_filter.workshop_id, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE,
    })]
    return rows, rows[0]["total"] if rows else 0


def _pin_ids(values) -> list[int]:
    ids = []
    for value in values:
        if not str(value).isdigit():
            raise InvalidInput("Die Auswahl ist ungültig.", [{"field": "pin", "message": "Unbekannter Kommentar."}])
        ids.append(int(value))
    if not ids:
        raise InvalidInput("Bitte wählen Sie mindestens einen Kommentar aus.",
                           [{"field": "pin", "message": "Nichts ausgewählt."}])
    if len(ids) > MAX_BULK:
        raise InvalidInput(f"Bitte höchstens {MAX_BULK} Kommentare auf einmal.",
                           [{"field": "pin", "message": "Zu viele ausgewählt."}])
    return ids


def _redacted_text(value: str | None) -> str:
    text = (value or "").strip()
    problem = None
    if not text:
        problem = "Bitte geben Sie den geschwärzten Text an (oder verbergen Sie den Kommentar)."
    elif len(text) > COMMENT_MAX_LENGTH:
        problem = f"Der Text darf höchstens {COMMENT_MAX_LENGTH} Zeichen lang sein."
    elif any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        problem = "Der Text enthält unzulässige Steuerzeichen."
    if problem:
        raise InvalidInput(problem, [{"field": "comment", "message": problem}])
    return text


def moderate(conn: Connection, county_key: str, actor: Account, action: str, pin_ids, comment: str | None = None) -> int:
    """Apply one action to the given comments and log it; how many changed. `comment` is the
    redacted text (redact only, one comment at a time)."""
    if action not in MODERATION_ACTIONS:
        raise InvalidInput("Unbekannte Aktion.", [{"field": "action", "message": "Bitte freigeben, verbergen oder schwärzen."}])
    ids = _pin_ids(pin_ids)
    redacted = None
    if action == "redact":
        if len(ids) != 1:
            raise InvalidInput("Schwärzen geht nur für einen Kommentar auf einmal.",
                               [{"field": "pin", "message": "Bitte genau einen Kommentar wählen."}])
        redacted = _redacted_text(comment)
    status_after, _ = MODERATION_ACTIONS[action]
    changed = conn.execute(sql("moderate_comments"), {
        "county_key": county_key, "pin_ids": ids, "status_after": status_after, "comment": redacted,
        "actor_id": actor.id, "action": action,
    }).all()
    return len(changed)


def audit_log(conn: Connection, reader: Account, pin_id: int | None = None, page: int = 1) -> tuple[list[dict], int]:
    """The log, newest first. The original of a redacted comment is shown to admins only."""
    page = max(page, 1)
    rows = [dict(r._mapping) for r in conn.execute(sql("moderation_log"), {
        "pin_id": pin_id, "limit": PAGE_SIZE * 2, "offset": (page - 1) * PAGE_SIZE * 2})]
    if "admin" not in reader.roles:
        for row in rows:
            if row["action"] == "redact":
                row["comment_before"] = None
                row["original_withheld"] = True
    return rows, rows[0]["total"] if rows else 0
