"""Atom 1.0 feeds (RFC 4287) of step two's public events, for anyone without an account: a
municipality's news and one project's. Written with ElementTree, so every text a coordinator or
resident wrote is escaped by the serializer, never pasted into markup."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from flask_babel import gettext as _

from ..i18n import format_day
from ..services import plain_text

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_MIMETYPE = "application/atom+xml"
# Tag URIs (RFC 4151) need a date on which the authority held its name: the programme's first year.
TAG_DATE = "2026"
SUMMARY_LENGTH = 400

ET.register_namespace("", ATOM_NS)


# ElementTree escapes markup but writes what XML 1.0 forbids as it is, and one such character makes
# the whole feed not well-formed: every text is written through xml_text (services/plain_text).
xml_text = plain_text.xml_text


def _element(parent, name: str, text: str | None = None, **attributes) -> ET.Element:
    """Every text and attribute of the feed is written here, cleaned by xml_text."""
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{name}",
                            {k: xml_text(str(v)) for k, v in attributes.items() if v is not None})
    if text is not None:
        element.text = xml_text(text)
    return element


def tag_uri(host: str, *parts) -> str:
    """A stable entry id: tag:<host>,2026:glaswaende/<parts> (the host without its port)."""
    authority = host.split(":")[0].lower() or "localhost"
    return f"tag:{authority},{TAG_DATE}:glaswaende/" + "/".join(str(p) for p in parts)


def _short(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= SUMMARY_LENGTH else text[:SUMMARY_LENGTH - 1].rstrip() + "…"


def entry_title(event: dict) -> str:
    """What an event is called, in the reader's language (the content stays as written)."""
    kind = event["kind"]
    if kind == "answer":
        return _("Antwort zur Idee „%(idea)s“: %(state)s", idea=event["subject_title"], state=event["state_label"])
    if kind == "project":
        return _("Neues Projekt: %(title)s", title=event["subject_title"])
    if kind == "milestone_added":
        return _("Neuer Meilenstein: %(title)s", title=event["subject_title"])
    if kind == "milestone_done":
        return _("Meilenstein erreicht: %(title)s", title=event["subject_title"])
    return _("Neues aus dem Projekt „%(title)s“", title=event["subject_title"])


def entry_text(event: dict) -> str:
    """The event's own words (an answer's text with its institution, an update, a milestone)."""
    if event["kind"] == "answer":
        by = _("Antwort von: %(institution)s.", institution=event["institution"])
        return f"{event['body'] or ''}\n\n{by}".strip()
    if event["kind"] == "project":
        return _("Das Projekt beginnt am %(day)s.", day=format_day(event["due_on"])) if event["due_on"] else ""
    return event["body"] or ""


def atom_feed(*, feed_id: str, title: str, self_url: str, page_url: str, events: list[dict], host: str,
              link_of, language: str, generated_at: dt.datetime) -> bytes:
    """The feed as UTF-8 XML. `link_of(event)` gives an entry's page; `generated_at` is the
    feed's updated time when it has no entries (otherwise its newest entry's)."""
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})
    _element(feed, "id", feed_id)
    _element(feed, "title", title)
    updated = max((e["at"] for e in events), default=generated_at)
    _element(feed, "updated", updated.isoformat(timespec="seconds"))
    _element(feed, "link", rel="self", type=ATOM_MIMETYPE, href=self_url)
    _element(feed, "link", rel="alternate", type="text/html", href=page_url)
    author = _element(feed, "author")
    _element(author, "name", _("Finde die Glaswände!"))
    _element(feed, "generator", "Glaswände")
    for event in events:
        entry = _element(feed, "entry")
        _element(entry, "id", tag_uri(host, event["kind"], event["id"]))
        _element(entry, "title", entry_title(event))
        moment = event["at"].isoformat(timespec="seconds")
        _element(entry, "updated", moment)
        _element(entry, "published", moment)
        _element(entry, "link", rel="alternate", type="text/html", href=link_of(event))
        text = entry_text(event)
        if text:
            _element(entry, "summary", _short(text), type="text")
            _element(entry, "content", text, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
