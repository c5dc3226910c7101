"""Leichte Sprache: the hard words of the resident pages and how they are explained.

Leichte Sprache explains every hard word on the page that uses it: in Leichte Sprache the base
template lists the words of WORDS that the page's content uses (its text and the messages its
scripts show), with their explanation, at the end of the page ("Schwere Wörter"). The explanations
are written in Leichte Sprache only (one sentence per line), so they live here rather than in
the catalogs of the other languages. tests/test_accessibility.py checks every resident page: each
word of WORDS its text uses is explained there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class HardWord:
    word: str          # as the list shows it
    pattern: str       # the forms it takes in the text (a regular expression, whole words)
    explanation: str   # one sentence per line

    def occurs_in(self, text: str) -> bool:
        return re.search(rf"\b(?:{self.pattern})\b", text) is not None


WORDS = {hard.word: hard for hard in (
    HardWord("Glaswand", r"Glaswand|Glaswände|Glaswänden",
             "Eine Glaswand trennt Menschen.\nMan sieht die Glaswand nicht.\nAber man merkt sie.\n"
             "Zum Beispiel: Junge und alte Menschen treffen sich nie."),
    HardWord("Pin", r"Pin|Pins",
             "Ein Pin ist ein Zeichen auf der Karte.\nDer Pin zeigt eine Stelle.\nSie setzen den Pin mit dem Finger "
             "oder mit der Maus."),
    HardWord("Hotspot", r"Hotspot|Hotspots",
             "Ein Hotspot ist ein Gebiet auf der Karte.\n"
             "In diesem Gebiet haben besonders viele Menschen einen Pin gesetzt."),
    HardWord("Ortsteil", r"Ortsteil|Ortsteile|Ortsteilen|Ortsteils",
             "Ein Ortsteil ist ein Teil von einer Stadt.\nOder ein Dorf in einer Gemeinde."),
    HardWord("Gemeinde", r"Gemeinde|Gemeinden",
             "Eine Gemeinde ist eine Stadt oder ein Ort mit einer eigenen Verwaltung.\nZum Beispiel: Salzhemmendorf."),
    HardWord("Workshop", r"Workshop|Workshops",
             "Ein Workshop ist ein Treffen.\nDort reden und planen Menschen zusammen."),
    HardWord("Projekt", r"Projekt|Projekte|Projekts|Projektes|Projekten",
             "Bei einem Projekt planen Menschen etwas zusammen.\nDann machen sie es zusammen.\n"
             "Zum Beispiel: ein Fest für Jung und Alt.\nOder einen neuen Ort zum Treffen."),
    HardWord("Moderation", r"Moderation",
             "Die Moderation sind Menschen vom Landkreis.\nSie lesen jeden Kommentar, bevor andere ihn sehen."),
    HardWord("Kommentar", r"Kommentar|Kommentare",
             "Ein Kommentar ist ein kurzer Text von Ihnen.\nZum Beispiel: Hier fehlt ein Platz zum Sitzen."),
    HardWord("Link", r"Link|Links",
             "Ein Link ist eine Adresse im Internet.\nSie tippen darauf.\nDann kommen Sie auf eine andere Seite."),
    HardWord("Datenschutz", r"Datenschutz|Daten-Schutz",
             "Datenschutz heißt: Ihre Angaben sind geschützt.\nNur wenige Menschen dürfen sie sehen."),
    HardWord("Barriere-Freiheit", r"Barriere-Freiheit|Barrierefreiheit|barrierefrei|barriere-frei",
             "Barriere-Freiheit heißt: Alle Menschen können die Seite benutzen.\nAuch Menschen mit einer Behinderung."),
    HardWord("Impressum", r"Impressum",
             "Im Impressum steht: Wer macht diese Seite?\nUnd wie erreichen Sie die Menschen?"),
    HardWord("Atom-Feed", r"Atom-Feed|Atom-Feeds",
             "Ein Atom-Feed ist eine Liste mit den Neuigkeiten.\nEin Programm auf Ihrem Gerät kann die Liste lesen.\n"
             "Dann sehen Sie sofort, wenn es etwas Neues gibt."),
)}


def explained(content: str) -> list[HardWord]:
    """The hard words a page's content uses (its HTML: the text and the scripts' messages in its
    attributes), in the order of WORDS."""
    return [hard for hard in WORDS.values() if hard.occurs_in(content)]
