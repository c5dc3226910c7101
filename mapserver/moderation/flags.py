"""Flags for personal data in a comment: phone numbers, e-mail addresses, IBANs, street and house
number, and names (a title or a common first name followed by a surname). Pure functions, no
Flask, no database: `find(text)` gives the flagged spans, which the queue lists first and
highlights, and which a moderator can black out with one click.

The rules lean towards finding: a flag is a hint, a moderator reads every comment anyway. But
ordinary comments ("Am Markt fehlt eine Bank", "Der Bus 12 fährt selten", "Tempo 30 auf der
Hauptstraße") must not be flagged, or the flags stop meaning anything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

NAMES_FILE = Path(__file__).with_name("names.txt")

# Kinds, in the order they win when two flags overlap (an IBAN holds digits a phone rule would see).
KINDS = ("iban", "email", "phone", "address", "name")


@dataclass(frozen=True)
class Flag:
    """One flagged span: its kind (KINDS), where it is in the text (code points, end exclusive)
    and what it says."""

    kind: str
    start: int
    end: int
    text: str


# --- Phone numbers -----------------------------------------------------------------------------
# +49 151 12345678, 0049 (0)5151 12345, 0151 1234567, 05151/12345, (05151) 12 34 5, 0151-123-4567.
_SEP = r"[ \t\-/.]?"
_PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)\s?49\s?(?:\(0\)\s?)?[\-/]?\s?|\((?=0[1-9]\d{1,4}\))0|0)"
    r"[1-9](?:" + _SEP + r"\d){1,4}\)?"
    r"(?:\s?[\-/]?\s?\d)(?:" + _SEP + r"\d){3,11}"
    r"(?![\w])"
)
# A number after a word that says it is one ("Tel. 12 34 56", "Handy: 0171…", "Nr. 123456").
_PHONE_AFTER_WORD = re.compile(
    r"\b(?:Tel(?:efon)?|Telefonnummer|Tel\.-Nr|Handy(?:nummer)?|Mobil(?:nummer)?|Fax|Rufnummer|WhatsApp|"
    r"anrufen|erreichbar)\b\.?(?:\s*(?:Nr\.?|unter|:))?\s*:?\s*"
    r"(\+?\d(?:[ \-/]?\d){4,15})(?![\w])",
    re.IGNORECASE,
)


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _phones(text: str):
    for match in _PHONE.finditer(text):
        span = match.group(0).rstrip(" -/.")
        count = _digits(span) - (2 if span.startswith("00") else 0)  # the international prefix is no digit of the number
        # A dotted date or decimal ("01.12.2026") is no phone number.
        if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{2,4}", span):
            continue
        if 7 <= count <= 15:
            yield Flag("phone", match.start(), match.start() + len(span), span)
    for match in _PHONE_AFTER_WORD.finditer(text):
        if _digits(match.group(1)) >= 5:
            yield Flag("phone", match.start(1), match.end(1), match.group(1))


# --- E-mail addresses --------------------------------------------------------------------------
_AT = r"(?:@|\s?[\(\[]\s?(?:at|ät)\s?[\)\]]\s?)"
_DOT = r"(?:\.|\s?[\(\[]\s?(?:dot|punkt)\s?[\)\]]\s?)"
_EMAIL = re.compile(
    r"(?<![\w.+\-])[\w.+\-]*\w" + _AT + r"\w[\w\-]*(?:" + _DOT + r"[\w\-]+)*" + _DOT + r"[a-zA-Z]{2,24}(?![\w\-])",
    re.IGNORECASE,
)


def _emails(text: str):
    for match in _EMAIL.finditer(text):
        yield Flag("email", match.start(), match.end(), match.group(0))


# --- IBANs -------------------------------------------------------------------------------------
_IBAN = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2})\s?(\d{2})((?:\s?[A-Z0-9]){11,30})(?![A-Za-z0-9])", re.IGNORECASE)
_IBAN_LENGTHS = {"DE": 22, "AT": 20, "CH": 21, "NL": 18, "BE": 16, "FR": 27, "PL": 28, "LU": 20, "DK": 18}


def iban_valid(value: str) -> bool:
    """Whether `value` (spaces allowed) is an IBAN with a correct check sum (ISO 13616, mod 97)."""
    compact = re.sub(r"\s", "", value).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    if compact[:2] == "DE" and not compact[2:].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _ibans(text: str):
    for match in _IBAN.finditer(text):
        span = match.group(0)
        # The rule runs on; take the longest prefix that is a valid IBAN.
        for end in range(len(span), 14, -1):
            candidate = span[:end].rstrip()
            if candidate[-1:].isalnum() and (end == len(span) or not span[end - 1].isspace()) and iban_valid(candidate):
                yield Flag("iban", match.start(), match.start() + len(candidate), candidate)
                break


# --- Street and house number -------------------------------------------------------------------
_SUFFIXES = (r"straße|strasse|str\.|weg|gasse|allee|platz|ring|damm|chaussee|ufer|wall|steig|stieg|pfad|twete|"
             r"kamp|graben|promenade|markt|berg|tor|hof|feld|garten|winkel|reihe|brink|anger|wiese|höhe|grund")
_STREET_WORDS = r"Straße|Strasse|Str\.|Weg|Gasse|Allee|Platz|Ring|Damm|Chaussee|Ufer|Wall|Steig|Pfad|Markt|Twete|Kamp"
_NUMBER = r"(\d{1,3})(?!\d)(?:\s?[a-hA-H](?![\w]))?(?:\s?[\-–/]\s?\d{1,3}(?!\d)[a-h]?(?!\w))?"
# "Hauptstraße 12", "Bahnhofstr. 7a", "Lange Str. 5", "Hamelner Straße 12-14".
_STREET = re.compile(
    r"(?<![\w])((?:[A-ZÄÖÜ][\wäöüß\-]*(?:" + _SUFFIXES + r"))|(?:[A-ZÄÖÜ][\wäöüß\-]+\s(?:" + _STREET_WORDS + r")))"
    r"(?:\.)?\s?" + _NUMBER,
)
# "Am Markt 3a", "An der Kirche 5", "Zum Bahnhof 2", "Auf dem Berge 1".
_PREFIXED = re.compile(
    r"(?<![\w])((?:Am|Im|Beim|Zum|Zur|An\sder|An\sden|Auf\sdem|Auf\sder|In\sder|In\sden|Hinter\sder|Hinter\sdem|"
    r"Unter\sden|Vor\sdem|Über\sdem|Alte[rnms]?|Neue[rnms]?|Große[rnms]?|Kleine[rnms]?|Lange[rnms]?)"
    r"\s(?:[A-ZÄÖÜ][\wäöüß\-]+\s)?[A-ZÄÖÜ][\wäöüß\-]+)\s" + _NUMBER,
)
# After the number: units and counted things ("Hauptstraße 30 km/h", "Am Markt 3 Bänke").
_UNIT_AFTER = re.compile(
    r"\s?(?:km|m|cm|kg|t|h|min|sek|std|uhr|%|€|euro|prozent|meter|kilometer|minuten|stunden|sekunden|mal|jahre?n?|"
    r"tage?n?|wochen?|monate?n?|autos?|lkws?|busse?|personen|leute|menschen|kinder|plätze|stellplätze|parkplätze|"
    r"bänke|stück|grad|zentimeter|zoll|[.,]\d)(?![\wäöüß])",
    re.IGNORECASE,
)
# After the number of a prefixed street: only the end of a clause counts ("Am Markt 3, …", "… Am Markt 3 in Hameln").
_CLAUSE_END = re.compile(r"\s*(?:$|[,;:!?)\]\"“”„'–]|\.(?:\s|$)|-\s|\s(?:in|im|bei|und|oder|wohnt|wohne|wohnen|"
                         r"ist|sind|hat|haben|gegenüber|neben|hinter|vor|ruft|rufen)\b)")
# Words ending like a street that are things, not addresses ("Radweg 2", "Bundesstraße 1").
_NOT_STREETS = frozenset(w.lower() for w in (
    "Radweg", "Fußweg", "Fussweg", "Gehweg", "Schulweg", "Feldweg", "Waldweg", "Wanderweg", "Rundweg", "Umweg",
    "Heimweg", "Weg", "Spielplatz", "Parkplatz", "Sportplatz", "Stellplatz", "Platz", "Bahnsteig", "Bürgersteig",
    "Gehsteig", "Bundesstraße", "Landesstraße", "Kreisstraße", "Staatsstraße", "Gemeindestraße", "Bundesstr.",
    "Landesstr.", "Kreisstr.", "Straße", "Str.", "Berg", "Tor", "Hof", "Feld", "Garten", "Winkel", "Reihe",
    "Bahnhof", "Friedhof", "Schulhof", "Innenhof", "Hinterhof", "Sportfeld", "Spielfeld", "Fußballfeld",
    "Kindergarten", "Biergarten", "Tiergarten", "Schrebergarten", "Höhe", "Grund", "Wiese", "Markt", "Supermarkt",
    "Wochenmarkt", "Ring", "Wall", "Damm", "Ufer", "Pfad", "Graben", "Anger", "Brink", "Kreisel", "Tempo",
    "Stadtgraben", "Burggraben", "Wassergraben", "Torweg", "Durchgang", "Wohnhof", "Gleis", "Fahrweg",
    "Kreuzweg", "Treppenweg", "Ausweg", "Zugang",
))
_NOT_PREFIX_NOUNS = frozenset(w.lower() for w in (
    "Jahr", "Jahre", "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
    "November", "Dezember", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag",
    "Wochenende", "Sommer", "Winter", "Frühling", "Herbst", "Moment", "Schnitt", "Durchschnitt", "Bus", "Zug",
    "Takt", "Stundentakt", "Morgen", "Abend", "Mittag", "Tag", "Ende", "Anfang", "Platz", "Rang", "Kapitel",
    "Bereich", "Abschnitt", "Haus", "Gebäude", "Block", "Gleis", "Bahnsteig", "Linie", "Raum", "Zimmer",
))


def _addresses(text: str):
    for match in _STREET.finditer(text):
        words = match.group(1).split()
        if match.group(1).lower() in _NOT_STREETS or words[-1].lower() in _NOT_STREETS and len(words) == 1:
            continue
        if words[0].lower() in ("die", "der", "das", "den", "dem", "eine", "ein", "einer", "diese", "dieser", "jede",
                                "jeder", "unsere", "unser", "meine", "mein", "keine", "kein", "auf", "an", "in"):
            if len(words) > 1:
                continue
        if _UNIT_AFTER.match(text, match.end()):
            continue
        yield Flag("address", match.start(), match.end(), match.group(0))
    for match in _PREFIXED.finditer(text):
        last = match.group(1).split()[-1]
        if last.lower() in _NOT_PREFIX_NOUNS or last.lower() in ("uhr", "minuten", "meter"):
            continue
        if _UNIT_AFTER.match(text, match.end()) or not _CLAUSE_END.match(text, match.end()):
            continue
        yield Flag("address", match.start(), match.end(), match.group(0))


# --- Names -------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def names() -> tuple[frozenset[str], frozenset[str]]:
    """The first names and surnames of names.txt."""
    sections: dict[str, set[str]] = {"vornamen": set(), "nachnamen": set()}
    current = None
    for line in NAMES_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections[line[1:-1]]
        elif current is not None:
            current.add(line)
    return frozenset(sections["vornamen"]), frozenset(sections["nachnamen"])


_WORD = r"[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?"
# "Herr Müller", "Frau Dr. Schmidt", "Herrn Meier", "Familie Schulze", "Dr. Weber".
_TITLED = re.compile(r"(?<![\w])(?:(?:Herrn?|Frau|Familie|Fam\.)\s(?:(?:Dr|Prof)\.\s?)*|(?:Dr|Prof)\.\s?(?:(?:Dr|Prof)\.\s?)*)"
                     r"(?:(?:von|van|de|zu)\s)?(" + _WORD + r")")
_PAIR = re.compile(r"(?<![\w])(?=(" + _WORD + r")\s(" + _WORD + r")(?![\w]))")  # overlapping: "Kontakt Bernd Dreyer"
_SURNAME_ENDINGS = re.compile(r"(?:mann|meier|meyer|maier|mayer|ski|sky|czyk|sen|ssen|ke|dorf|brink|kamp|hoff|bach)$")
# Capitalised words that follow "Frau"/"Herr" in ordinary sentences ("als Frau Angst haben").
_NOT_SURNAMES = frozenset(w.lower() for w in (
    "Angst", "Kinder", "Kind", "Hund", "Rad", "Fahrrad", "Rollator", "Rollstuhl", "Kinderwagen", "Abends", "Nachts",
    "Morgens", "Bürgermeister", "Bürgermeisterin", "Sorge", "Sorgen", "Lust", "Zeit", "Mut", "Bus", "Auto",
    "Ringe", "Lage", "Ende", "Beispiel",
))


def _names(text: str):
    first_names, surnames = names()
    for match in _TITLED.finditer(text):
        if match.group(1).lower() in _NOT_SURNAMES:
            continue
        yield Flag("name", match.start(), match.end(), match.group(0))
    for match in _PAIR.finditer(text):
        first, last = match.group(1), match.group(2)
        if first in first_names and (last in surnames or (_SURNAME_ENDINGS.search(last) and last not in first_names)):
            end = match.end(2)
            yield Flag("name", match.start(), end, text[match.start():end])


# --- All together ------------------------------------------------------------------------------
_FINDERS = (_ibans, _emails, _phones, _addresses, _names)


@lru_cache(maxsize=50_000)
def find(text: str | None) -> tuple[Flag, ...]:
    """The flags of `text`, in the order they appear; of overlapping ones the stronger kind (KINDS
    order), then the longer."""
    if not text:
        return ()
    found = [flag for finder in _FINDERS for flag in finder(text) if flag.end > flag.start]
    found.sort(key=lambda f: (KINDS.index(f.kind), -(f.end - f.start), f.start))
    kept: list[Flag] = []
    for flag in found:
        if all(flag.end <= other.start or flag.start >= other.end for other in kept):
            kept.append(flag)
    return tuple(sorted(kept, key=lambda f: f.start))


def segments(text: str, flags: tuple[Flag, ...]) -> list[tuple[str, Flag | None]]:
    """The text cut at the flags: (piece, flag or None) in order, for highlighting."""
    pieces, at = [], 0
    for flag in flags:
        if flag.start > at:
            pieces.append((text[at:flag.start], None))
        pieces.append((text[flag.start:flag.end], flag))
        at = flag.end
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces
