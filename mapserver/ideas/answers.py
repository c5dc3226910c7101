"""The county's public answers to ideas, and the answer templates: checked, stored and logged in
the caller's transaction (services/followup_log.py). Plain functions on a connection (no request).

An answer is drafted, then published with its date; a draft can be changed or deleted, a published
answer never (a new one follows). nicht_umsetzbar needs a reason; the institution answers, never a
private person (the form says so; a name cannot be told from an institution by a program)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from ..db import sql
from ..errors import InvalidInput, NotFound
from ..i18n import s_
from ..services import followup_log
from ..services import plain_text
from ..vocabulary import ANSWER_STATES, ANSWER_STATES_NEEDING_A_REASON, IDEA_TEXT_MAX_LENGTH

INSTITUTION_MAX_LENGTH = 200
TEMPLATE_TITLE_MAX_LENGTH = 120


@dataclass(frozen=True)
class AnswerForm:
    state: str
    body: str
    institution: str

    @classmethod
    def from_form(cls, form) -> "AnswerForm":
        return cls(str(form.get("state") or ""), _text(form.get("body")), " ".join(str(form.get("institution") or "").split()))


def _text(value) -> str:
    # A browser counts a line break as one character (maxlength) but sends it as CR LF.
    return str(value or "").replace("\r\n", "\n").strip()


def _control_characters(text: str) -> bool:
    """Control characters (a lone carriage return too) or others XML 1.0 forbids (the feed)."""
    return "\r" in text or plain_text.refused(text)


def check_answer(answer: AnswerForm) -> None:
    """InvalidInput (German, per field) unless the answer can be stored."""
    errors = []
    if answer.state not in ANSWER_STATES:
        errors.append({"field": "state", "message": s_("Bitte wählen Sie einen Stand aus der Liste.")})
    elif answer.state in ANSWER_STATES_NEEDING_A_REASON and not answer.body:
        errors.append({"field": "body", "message": s_("„Nicht umsetzbar“ braucht eine Begründung: Bitte schreiben Sie, "
                                                       "warum die Idee nicht umgesetzt werden kann.")})
    if len(answer.body) > IDEA_TEXT_MAX_LENGTH:
        errors.append({"field": "body", "message": s_("Bitte höchstens %(max)s Zeichen.", max=IDEA_TEXT_MAX_LENGTH)})
    elif _control_characters(answer.body):
        errors.append({"field": "body", "message": s_("Der Text enthält unzulässige Steuerzeichen.")})
    if not answer.institution:
        errors.append({"field": "institution", "message": s_("Bitte nennen Sie die antwortende Stelle.")})
    elif len(answer.institution) > INSTITUTION_MAX_LENGTH or _control_characters(answer.institution):
        errors.append({"field": "institution", "message": s_("Bitte höchstens %(max)s Zeichen, ohne Steuerzeichen.",
                                                              max=INSTITUTION_MAX_LENGTH)})
    if errors:
        raise InvalidInput(s_("Bitte prüfen Sie die Antwort."), errors)


def _logged(row) -> dict:
    return {"idea_id": row.idea_id, "state": row.state, "body": row.body, "institution": row.institution,
            "published_at": row.published_at}


def add_answer(conn: Connection, county_key: str, idea_id: int, answer: AnswerForm, *, actor_id: int,
               publish: bool) -> int:
    """A new answer to an idea of the county, drafted or published at once; logged. Its id."""
    check_answer(answer)
    row = conn.execute(sql("ideas/answer_insert"), {
        "county_key": county_key, "idea_id": idea_id, "state": answer.state, "body": answer.body,
        "institution": answer.institution, "drafted_by": actor_id, "publish": publish}).first()
    if row is None:
        raise NotFound(s_("Diese Idee gibt es nicht."))
    followup_log.record(conn, county_key=county_key, actor_id=actor_id, subject="answer", subject_id=row.id,
                        action="published" if publish else "drafted", after=_logged(row))
    return row.id


def _before(conn: Connection, county_key: str, idea_id: int, answer_id: int):
    row = conn.execute(sql("ideas/answer_by_id"), {"county_key": county_key, "idea_id": idea_id,
                                                    "answer_id": answer_id}).first()
    if row is None:
        raise NotFound(s_("Diese Antwort gibt es nicht."))
    if row.published_at is not None:
        raise InvalidInput(s_("Eine veröffentlichte Antwort bleibt, wie sie ist. Schreiben Sie bitte eine neue Antwort."),
                           [{"field": "answer", "message": s_("Schon veröffentlicht.")}])
    return row


def change_draft(conn: Connection, county_key: str, idea_id: int, answer_id: int, answer: AnswerForm, *,
                 actor_id: int, publish: bool) -> None:
    """A draft changed, and published if `publish`; logged. A published answer is refused."""
    check_answer(answer)
    before = _before(conn, county_key, idea_id, answer_id)
    row = conn.execute(sql("ideas/answer_update"), {
        "county_key": county_key, "idea_id": idea_id, "answer_id": answer_id, "state": answer.state,
        "body": answer.body, "institution": answer.institution, "publish": publish}).first()
    if row is None:  # published meanwhile by someone else
        raise InvalidInput(s_("Diese Antwort wurde inzwischen veröffentlicht."), [{"field": "answer", "message": s_(
            "Schon veröffentlicht.")}])
    followup_log.record(conn, county_key=county_key, actor_id=actor_id, subject="answer", subject_id=answer_id,
                        action="published" if publish else "changed", before=_logged(before), after=_logged(row))


def delete_draft(conn: Connection, county_key: str, idea_id: int, answer_id: int, *, actor_id: int) -> None:
    """A draft deleted; logged. A published answer is refused."""
    before = _before(conn, county_key, idea_id, answer_id)
    if conn.execute(sql("ideas/answer_delete"), {"county_key": county_key, "idea_id": idea_id,
                                                 "answer_id": answer_id}).first() is None:
        raise InvalidInput(s_("Diese Antwort wurde inzwischen veröffentlicht."), [{"field": "answer", "message": s_(
            "Schon veröffentlicht.")}])
    followup_log.record(conn, county_key=county_key, actor_id=actor_id, subject="answer", subject_id=answer_id,
                        action="deleted", before=_logged(before))


def answer_by_id(conn: Connection, county_key: str, idea_id: int, answer_id: int):
    return conn.execute(sql("ideas/answer_by_id"), {"county_key": county_key, "idea_id": idea_id,
                                                     "answer_id": answer_id}).first()


# --- Templates ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class TemplateForm:
    title: str
    state: str
    body: str

    @classmethod
    def from_form(cls, form) -> "TemplateForm":
        return cls(" ".join(str(form.get("title") or "").split()), str(form.get("state") or ""), _text(form.get("body")))


def check_template(template: TemplateForm) -> None:
    errors = []
    if not template.title:
        errors.append({"field": "title", "message": s_("Bitte geben Sie der Vorlage einen Namen.")})
    elif len(template.title) > TEMPLATE_TITLE_MAX_LENGTH or _control_characters(template.title):
        errors.append({"field": "title", "message": s_("Bitte höchstens %(max)s Zeichen, ohne Steuerzeichen.",
                                                        max=TEMPLATE_TITLE_MAX_LENGTH)})
    if template.state not in ANSWER_STATES:
        errors.append({"field": "state", "message": s_("Bitte wählen Sie einen Stand aus der Liste.")})
    if not template.body:
        errors.append({"field": "body", "message": s_("Bitte schreiben Sie den Text der Vorlage.")})
    elif len(template.body) > IDEA_TEXT_MAX_LENGTH or _control_characters(template.body):
        errors.append({"field": "body", "message": s_("Bitte höchstens %(max)s Zeichen, ohne Steuerzeichen.",
                                                       max=IDEA_TEXT_MAX_LENGTH)})
    if errors:
        raise InvalidInput(s_("Bitte prüfen Sie die Vorlage."), errors)


def templates(conn: Connection, county_key: str) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(sql("ideas/template_list"), {"county_key": county_key})]


def template_by_id(conn: Connection, county_key: str, template_id: int) -> dict:
    row = conn.execute(sql("ideas/template_by_id"), {"county_key": county_key, "template_id": template_id}).first()
    if row is None:
        raise NotFound(s_("Diese Vorlage gibt es nicht."))
    return dict(row._mapping)


def create_template(conn: Connection, county_key: str, template: TemplateForm, *, actor_id: int) -> int:
    check_template(template)
    row = conn.execute(sql("ideas/template_insert"), {"county_key": county_key, **template.__dict__}).one()
    followup_log.record(conn, county_key=county_key, actor_id=actor_id, subject="answer_template", subject_id=row.id,
                        action="created", after=dict(row._mapping))
    return row.id


def change_template(conn: Connection, county_key: str, template_id: int, template: TemplateForm, *,
                    actor_id: int) -> None:
    check_template(template)
    before = template_by_id(conn, county_key, template_id)
    row = conn.execute(sql("ideas/template_update"), {"county_key": county_key, "template_id": template_id,
                                                      **template.__dict__}).one()
    followup_log.record(conn, county_key=county_key, actor_id=actor_id, subject="answer_template",
                        subject_id=template_id, action="changed", before=before, after=dict(row._mapping))


def delete_template(conn: Connection, county_key: str, template_id: int, *, actor_id: int) -> None:
    before = template_by_id(conn, county_key, template_id)
    conn.execute(sql("ideas/template_delete"), {"county_key": county_key, "template_id": template_id})
    followup_log.record(conn, county_key=county_key, actor_id=actor_id, subject="answer_template",
                        subject_id=template_id, action="deleted", before=before)
