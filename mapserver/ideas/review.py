"""Residents' ideas moderated like comments: the queue of waiting ideas (those flagged for personal
data first, then oldest first), approve, hide, or redact (marked flags or the whole text replaced
by "[entfernt]") and publish; each logged (subject "idea"), and supports counted once per device.
Plain functions on a connection (no request)."""
from __future__ import annotations

from sqlalchemy import Connection

from ..db import sql
from ..errors import InvalidInput
from ..i18n import s_
from ..moderation import flags as personal_data
from ..services import followup_log
from ..services.moderation import REDACTED, spans
from ..vocabulary import IDEA_TEXT_MAX_LENGTH, IDEA_TITLE_MAX_LENGTH, SHOWN_PIN_STATUSES

QUEUE_LIMIT = 200
# action -> status after it (a redacted idea is published, like a redacted comment).
ACTIONS = {"approve": SHOWN_PIN_STATUSES[0], "hide": "hidden", "redact": SHOWN_PIN_STATUSES[0]}


def queue(conn: Connection, county_key: str) -> list[dict]:
    """The waiting ideas, flagged ones first, then oldest first; each with its flags (title and
    text) and `seen`, the digest of the text shown (an action on a changed idea changes nothing)."""
    items = []
    for row in conn.execute(sql("ideas/moderation_queue"), {"county_key": county_key, "limit": QUEUE_LIMIT}):
        item = dict(row._mapping)
        item["title_flags"] = personal_data.find(row.title)
        item["body_flags"] = personal_data.find(row.body)
        items.append(item)
    return sorted(items, key=lambda i: not (i["title_flags"] or i["body_flags"]))  # stable: oldest first within


def _phrase_spans(value: str, phrase: str) -> list[str]:
    """Every place `phrase` (as the moderator copied it from the page) stands in `value`, as spans."""
    found, at = [], value.find(phrase) if phrase else -1
    while at >= 0:
        found.append(f"{at}:{at + len(phrase)}")
        at = value.find(phrase, at + len(phrase))
    return found


def _redacted(value: str, marked_spans: list[str], whole: bool) -> str | None:
    """The text with the marked spans (or all of it) replaced by "[entfernt]"; None: unchanged."""
    if whole:
        return REDACTED
    if not marked_spans:
        return None
    merged: list[list[int]] = []
    for start, end, _ in sorted(spans(marked_spans)):
        if end > len(value):
            raise InvalidInput(s_("Die markierte Stelle passt nicht zum Text."),
                               [{"field": "span", "message": s_("Bitte laden Sie die Seite neu und markieren Sie erneut.")}])
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(end, merged[-1][1])
        else:
            merged.append([start, end])
    pieces, at = [], 0
    for start, end in merged:
        pieces += [value[at:start], REDACTED]
        at = end
    return "".join(pieces + [value[at:]]).strip()


def moderate(conn: Connection, county_key: str, actor_id: int, idea_id: int, action: str, seen: str, *,
             title_spans: list[str] = (), body_spans: list[str] = (), whole_title: bool = False,
             whole_body: bool = False, phrase: str = "") -> bool:
    """Approve, hide or redact one waiting idea; whether it changed (not if it was moderated
    meanwhile). Redact needs at least one marked span (a flag's, or each place a `phrase` copied
    from the text stands) or a whole field."""
    if action not in ACTIONS:
        raise InvalidInput(s_("Unbekannte Aktion."),
                           [{"field": "action", "message": s_("Bitte freigeben, verbergen oder schwärzen.")}])
    title = body = None
    if action == "redact":
        current = next((i for i in conn.execute(sql("ideas/moderation_queue"), {"county_key": county_key,
                                                                                "limit": QUEUE_LIMIT})
                        if i.id == idea_id and i.seen == seen), None)
        if current is None:
            return False
        phrase = str(phrase or "").strip()
        if phrase and not (_phrase_spans(current.title, phrase) or _phrase_spans(current.body, phrase)):
            raise InvalidInput(s_("Diese Stelle steht nicht im Titel oder Text. Bitte kopieren Sie sie genau."),
                               [{"field": "phrase", "message": s_("Nicht gefunden.")}])
        title = _redacted(current.title, [*title_spans, *_phrase_spans(current.title, phrase)], whole_title)
        body = _redacted(current.body, [*body_spans, *_phrase_spans(current.body, phrase)], whole_body)
        if (title is not None and len(title) > IDEA_TITLE_MAX_LENGTH) or (body is not None and len(body) > IDEA_TEXT_MAX_LENGTH):
            raise InvalidInput(s_("Geschwärzt wäre der Text zu lang. Bitte schwärzen Sie den ganzen Titel oder Text."),
                               [{"field": "span", "message": s_("Zu lang.")}])
        if title is None and body is None:
            raise InvalidInput(s_("Bitte markieren oder wählen Sie mindestens eine Stelle zum Schwärzen."),
                               [{"field": "span", "message": s_("Nichts markiert.")}])
    row = conn.execute(sql("ideas/moderate"), {"county_key": county_key, "idea_id": idea_id, "seen": seen,
                                               "status_after": ACTIONS[action], "title": title, "body": body}).first()
    if row is None:
        return False
    followup_log.record(conn, county_key=county_key, actor_id=actor_id, subject="idea", subject_id=idea_id,
                        action={"approve": "approved", "hide": "hidden", "redact": "redacted"}[action],
                        before={"title": row.title_before, "body": row.body_before, "status": row.status_before},
                        after={"title": row.title, "body": row.body, "status": row.status})
    return True


def support(conn: Connection, county_key: str, idea_id: int, device_hash: bytes) -> tuple[int, bool] | None:
    """One device's support of a published idea: (support count, whether it was new); None when
    the idea is not public. The count is kept in the same statement."""
    row = conn.execute(sql("ideas/support_insert"), {"county_key": county_key, "idea_id": idea_id,
                                                     "device_hash": device_hash}).first()
    return None if row is None else (row.support_count, bool(row.added))
