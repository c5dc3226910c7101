"""Comment moderation: the queue (pending comments with filters and a text search; those flagged
for personal data first, then oldest first), approve / hide / redact one by one or in bulk
(redacting a marked span or the whole text), the backlog per municipality, and the audit log of
every action (filtered, and as CSV).

A pin's location counts in the aggregates at once; its comment is shown only once approved
(status 'published'). Redacting replaces the text and publishes it; the original then lives
only in the audit log, where only admins can read it.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlalchemy import Connection

from ..db import sql
from ..errors import InvalidInput
from ..i18n import s_
from ..moderation import flags as personal_data
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


SEARCH_MAX_LENGTH = 200
REDACTED = "[entfernt]"
_SPAN = re.compile(r"(n?)([0-9]{1,4}):([0-9]{1,4})")  # [n]start:end of a marked span (spans())


def _search_text(value, field_name: str = "q") -> str | None:
    """A search text from a form: trimmed, None when empty; too long or with control characters refused."""
    text = str(value or "").strip()
    if not text:
        return None
    if len(text) > SEARCH_MAX_LENGTH or any(ord(c) < 32 for c in text):
        raise InvalidInput(s_("Dieser Filter ist ungültig."), [{"field": field_name, "message": s_(
            "Bitte einen Suchtext mit höchstens %(max)s Zeichen angeben.", max=SEARCH_MAX_LENGTH)}])
    return text


def like_pattern(text: str | None) -> str | None:
    """An ILIKE pattern that finds `text` anywhere (its % _ and \\ taken literally)."""
    if text is None:
        return None
    return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"


@dataclass(frozen=True)
class QueueFilter:
    """Which comments the queue shows: a status (or all), a municipality, a workshop, a text."""

    status: str | None = "pending"
    municipality_ags: str | None = None
    workshop_id: int | None = None
    query: str | None = None

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
        try:
            query = _search_text(args.get("q"))
        except InvalidInput as error:
            errors.extend(error.errors)
            query = None
        if errors:
            raise InvalidInput(s_("Dieser Filter ist ungültig."), errors)
        return cls(None if status == "all" else status, ags, int(workshop) if workshop else None, query)

    def query_string(self, page: int | None = None) -> str:
        return urlencode({key: value for key, value in (
            ("status", self.status or "all"), ("municipality", self.municipality_ags), ("workshop", self.workshop_id),
            ("q", self.query), ("seite", page if page and page > 1 else None),
        ) if value is not None})


@dataclass
class QueuePage:
    """One page of the queue: its comments (each with `flags` and `segments`), how many match in
    all, how many of those are flagged, the page shown (the last one if the asked one is gone)."""

    items: list[dict] = field(default_factory=list)
    total: int = 0
    flagged: int = 0
    page: int = 1
    pages: int = 1


def queue(conn: Connection, county_key: str, queue_filter: QueueFilter, page: int = 1) -> QueuePage:
    """One page of the queue: comments flagged for personal data first, then oldest first. A page
    past the end shows the last page (after the last comments of a page were approved)."""
    candidates = conn.execute(sql("moderation/queue_candidates"), {
        "county_key": county_key, "status": queue_filter.status, "ags": queue_filter.municipality_ags,
        "workshop_id": queue_filter.workshop_id, "pattern": like_pattern(queue_filter.query),
    }).all()
    flagged = {row.id for row in candidates if personal_data.find(row.comment)}
    ordered = sorted(candidates, key=lambda row: (row.id not in flagged, row.created_at, row.id))
    pages = max(1, math.ceil(len(ordered) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    ids = [row.id for row in ordered[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]]
    details = {row.id: dict(row._mapping) for row in conn.execute(sql("moderation/queue"), {
        "county_key": county_key, "ids": ids})}
    items = []
    for pin_id in ids:
        item = details.get(pin_id)
        if item is None:  # deleted by its resident between the two reads
            continue
        item["flags"] = personal_data.find(item["comment"])
        item["segments"] = personal_data.segments(item["comment"], item["flags"])
        items.append(item)
    return QueuePage(items, len(ordered), len(flagged), page, pages)


def backlog(conn: Connection, county_key: str) -> list[dict]:
    """Comments waiting for moderation per municipality (all municipalities, most waiting first)."""
    return [dict(r._mapping) for r in conn.execute(sql("moderation/backlog"), {"county_key": county_key})]


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


def _check_text(text: str) -> str:
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


def _redacted_text(value: str | None) -> str:
    return _check_text((value or "").strip())


class CommentChanged(InvalidInput):
    """The comment is no longer the text the moderator marked spans in (its resident changed or
    deleted it): nothing is redacted."""


def spans(values, required: bool = False) -> list[tuple[int, int, bool]]:
    """Marked spans as the form sends them: "<start>:<end>" in characters (code points) of the
    comment (the flags' buttons), or "n<start>:<end>" of the comment as a browser shows it, line
    breaks as one "\\n" (text selected on the page); `required`: at least one."""
    if required and not values:
        raise InvalidInput(s_("Bitte markieren oder wählen Sie mindestens eine Stelle zum Schwärzen."),
                           [{"field": "span", "message": s_("Nichts markiert.")}])
    parsed = []
    for value in values:
        match = _SPAN.fullmatch(str(value).strip())
        if match is None or int(match.group(2)) >= int(match.group(3)):
            raise InvalidInput(s_("Die Markierung ist ungültig."),
                               [{"field": "span", "message": s_("Bitte markieren Sie eine Stelle im Text.")}])
        parsed.append((int(match.group(2)), int(match.group(3)), match.group(1) == "n"))
    if len(parsed) > 50:
        raise InvalidInput(s_("Die Markierung ist ungültig."),
                           [{"field": "span", "message": s_("Bitte höchstens 50 Stellen auf einmal.")}])
    return parsed


def _shown_positions(text: str) -> list[int]:
    """For each position in `text` as a browser shows it (CR LF and CR read as LF), the position
    in `text` (one more entry: the end)."""
    positions, at = [], 0
    while at < len(text):
        positions.append(at)
        at += 2 if text.startswith("\r\n", at) else 1
    positions.append(len(text))
    return positions


def redact_spans(text: str, marked: list[tuple[int, int, bool]]) -> str:
    """`text` with each marked span (spans()) replaced by "[entfernt]" and the rest kept;
    overlapping spans count as one."""
    shown = _shown_positions(text) if any(normalized for *_, normalized in marked) else None
    limit = {False: len(text), True: len(shown) - 1 if shown else 0}
    if any(end > limit[normalized] for _, end, normalized in marked):
        raise CommentChanged(s_("Die markierte Stelle passt nicht zum Text."),
                             [{"field": "span", "message": s_("Bitte laden Sie die Seite neu und markieren Sie erneut.")}])
    merged: list[tuple[int, int]] = []
    for start, end in sorted((shown[a], shown[b]) if normalized else (a, b) for a, b, normalized in marked):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    pieces, at = [], 0
    for start, end in merged:
        pieces += [text[at:start], REDACTED]
        at = end
    pieces.append(text[at:])
    return _check_text("".join(pieces).strip())


def moderate(conn: Connection, county_key: str, actor: Account, action: str, chosen: list[tuple[int, str]],
             comment: str | None = None, marked: list[tuple[int, int, bool]] | None = None) -> int:
    """Apply one action to the chosen comments (pin id, digest of the text the moderator saw) and
    log it; how many changed. A comment changed since it was shown is left alone. Redact (one
    comment at a time) takes either the marked spans of the text shown, each replaced by
    "[entfernt]" (refused with CommentChanged if the text is no longer the one shown), or
    `comment`, the whole redacted text."""
    if action not in MODERATION_ACTIONS:
        raise InvalidInput(s_("Unbekannte Aktion."),
                           [{"field": "action", "message": s_("Bitte freigeben, verbergen oder schwärzen.")}])
    redacted = None
    if action == "redact":
        if len(chosen) != 1:
            raise InvalidInput(s_("Schwärzen geht nur für einen Kommentar auf einmal."),
                               [{"field": "pin", "message": s_("Bitte genau einen Kommentar wählen.")}])
        if marked:
            pin_id, seen = chosen[0]
            current = conn.execute(sql("moderation/pin_comment"), {"county_key": county_key, "pin_id": pin_id}).first()
            if current is None or current.comment is None or digest(current.comment) != seen:
                raise CommentChanged(s_("Der Kommentar wurde inzwischen geändert oder gelöscht; es wurde nichts "
                                        "geschwärzt. Bitte prüfen Sie ihn neu."),
                                     [{"field": "span", "message": s_("Der Text ist nicht mehr der angezeigte.")}])
            redacted = redact_spans(current.comment, marked)
        else:
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


def _day(value, field_name: str) -> dt.date | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidInput(s_("Dieser Filter ist ungültig."), [{"field": field_name, "message": s_(
            "Bitte ein Datum wie 2026-12-01 angeben.")}])
    return day


@dataclass(frozen=True)
class LogFilter:
    """Which entries the audit log shows: one pin, one moderator (by name), one action, a span of
    days (both included), a text."""

    pin_id: int | None = None
    actor: str | None = None
    action: str | None = None
    day_from: dt.date | None = None
    day_to: dt.date | None = None
    query: str | None = None

    @classmethod
    def from_args(cls, args) -> "LogFilter":
        errors = []

        def checked(parse, *parse_args):
            try:
                return parse(*parse_args)
            except InvalidInput as error:
                errors.extend(error.errors)
                return None

        pin_id = checked(log_pin_filter, args.get("pin"))
        actor = checked(_search_text, args.get("moderator"), "moderator")
        action = (args.get("action") or "").strip() or None
        if action is not None and action not in MODERATION_ACTIONS:
            errors.append({"field": "action", "message": s_("Bitte eine Aktion aus der Liste wählen.")})
        day_from = checked(_day, args.get("von"), "von")
        day_to = checked(_day, args.get("bis"), "bis")
        query = checked(_search_text, args.get("q"))
        if day_from and day_to and day_from > day_to:
            errors.append({"field": "bis", "message": s_("Das Ende liegt vor dem Anfang.")})
        if errors:
            raise InvalidInput(s_("Dieser Filter ist ungültig."), errors)
        return cls(pin_id, actor, action, day_from, day_to, query)

    def query_string(self, page: int | None = None) -> str:
        return urlencode({key: value for key, value in (
            ("pin", self.pin_id), ("moderator", self.actor), ("action", self.action),
            ("von", self.day_from.isoformat() if self.day_from else None),
            ("bis", self.day_to.isoformat() if self.day_to else None), ("q", self.query),
            ("seite", page if page and page > 1 else None),
        ) if value is not None})

    def active(self) -> bool:
        return any(value is not None for value in (self.pin_id, self.actor, self.action, self.day_from, self.day_to,
                                                   self.query))


LOG_PAGE_SIZE = PAGE_SIZE * 2
CSV_MAX_ROWS = 100_000


def audit_log(conn: Connection, reader: Account, log_filter: LogFilter | int | None = None, page: int = 1,
              time_zone: str = "Europe/Berlin", limit: int | None = LOG_PAGE_SIZE) -> tuple[list[dict], int]:
    """The log, newest first, filtered. Admins read every text; others only the text the pin
    shows now, so the original of a redacted comment (in the redaction and in any earlier entry)
    stays with admins, and their text search looks at that text only. `limit` None: all entries."""
    if not isinstance(log_filter, LogFilter):
        log_filter = LogFilter(pin_id=log_filter)
    admin = "admin" in reader.roles
    rows = [dict(r._mapping) for r in conn.execute(sql("moderation/log"), {
        "pin_id": log_filter.pin_id, "actor": log_filter.actor, "action": log_filter.action,
        "day_from": log_filter.day_from, "day_to": log_filter.day_to, "time_zone": time_zone,
        "pattern": like_pattern(log_filter.query), "all_texts": admin,
        "limit": limit if limit is not None else CSV_MAX_ROWS, "offset": (page - 1) * (limit or 0)})]
    if not admin:
        for row in rows:
            for key in ("comment_before", "comment_after"):
                if row[key] is not None and row[key] != row["current_comment"]:
                    row[key] = None
                    row[f"{key}_withheld"] = True
    return rows, rows[0]["total"] if rows else 0


def log_actors(conn: Connection) -> list[str]:
    """The names of the accounts that have moderated (for the log's filter)."""
    return list(conn.execute(sql("moderation/log_actors")).scalars())


CSV_FIELDS = ("zeitpunkt", "moderation", "aktion", "pin", "gemeinde", "status_vorher", "status_nachher",
              "text_vorher", "text_nachher")


def csv_cell(value) -> str:
    """A CSV cell a spreadsheet does not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def log_csv(rows: list[dict], action_labels: dict[str, str], status_labels: dict[str, str], time_zone: str) -> str:
    """The (already filtered and withheld) log entries as CSV: semicolon-separated, named columns
    (CSV_FIELDS), times in the county's time zone; a withheld text is left empty, as the page
    shows no text for it."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(time_zone)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for row in rows:
        writer.writerow([csv_cell(value) for value in (
            row["at"].astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"), row["actor_name"],
            action_labels.get(row["action"], row["action"]), row["pin_id"], row["municipality_name"],
            status_labels.get(row["status_before"], row["status_before"]),
            status_labels.get(row["status_after"], row["status_after"]),
            row["comment_before"], row["comment_after"])])
    return out.getvalue()
