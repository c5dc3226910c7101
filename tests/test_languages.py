"""Languages: every catalog has every message of the German source (none fuzzy, placeholders
kept); the language follows the browser, can be switched on every page and is kept; Arabic is
right to left; the API speaks the chosen language too."""
from __future__ import annotations

import re
import uuid

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from mapserver.config import PROJECT_ROOT
from mapserver.i18n import LANGUAGES, TRANSLATIONS_DIR

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")
CATALOGS = [code for code in LANGUAGES if code != "de"]


def _source_messages() -> set[str]:
    """Every message the German source asks for, extracted afresh from code and templates."""
    method_map = [("mapserver/**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(PROJECT_ROOT), method_map, keywords=KEYWORDS,
                                                options_map={"templates/**.html": {}}):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.fixture(scope="module")
def source_messages():
    messages = _source_messages()
    assert len(messages) > 150, "the extraction found the resident texts"
    return messages


@pytest.mark.parametrize("code", CATALOGS)
def test_catalog_has_every_source_message_translated_and_none_fuzzy(code, source_messages):
    path = TRANSLATIONS_DIR / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    missing, untranslated, fuzzy, placeholders = [], [], [], []
    for msgid in sorted(source_messages):
        entry = catalog.get(msgid)
        if entry is None:
            missing.append(msgid)
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(strings):
            untranslated.append(msgid)
        if entry.fuzzy:
            fuzzy.append(msgid)
        expected = set(PLACEHOLDER.findall(msgid))
        if any(set(PLACEHOLDER.findall(s)) != expected for s in strings if s) and not isinstance(entry.id, tuple):
            placeholders.append(msgid)
    assert missing == [], f"{code} lacks {len(missing)}: {missing[:5]}"
    assert untranslated == [], f"{code} leaves {len(untranslated)} untranslated: {untranslated[:5]}"
    assert fuzzy == [], f"{code} has fuzzy entries: {fuzzy[:5]}"
    assert placeholders == [], f"{code} changes placeholders in: {placeholders[:5]}"


def test_the_browser_language_is_followed_and_a_choice_is_kept(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8,de;q=0.5"})
    assert '<html lang="en" dir="ltr">' in page.text
    assert "Where does a glass wall" in page.text or "glass wall" in page.text.lower()
    german = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="de" dir="ltr">' in german.text, "German where nothing fits"
    # A choice on the page wins over the browser and is kept in a cookie.
    chosen = client.get("/datenschutz?lang=tr", headers={"Accept-Language": "en"})
    assert '<html lang="tr" dir="ltr">' in chosen.text
    assert "glaswaende_sprache=tr" in chosen.headers["Set-Cookie"]
    assert '<html lang="tr"' in client.get("/", headers={"Accept-Language": "en"}).text
    # Every language is offered on every page, in its own name, with the current one marked.
    for name in ("Deutsch", "Leichte Sprache", "English", "Türkçe", "العربية", "Русский", "Українська", "Polski"):
        assert f">{name}</a>" in chosen.text
    assert 'aria-current="true">Türkçe</a>' in chosen.text
    assert client.get("/?lang=xx").status_code == 200, "an unknown choice is ignored"


def test_arabic_is_right_to_left_and_leichte_sprache_is_german(client):
    arabic = client.get("/gemeinde/03252008?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in arabic
    easy = client.get("/gemeinde/03252008?lang=de_LS").text
    assert '<html lang="de" dir="ltr">' in easy
    standard = client.get("/gemeinde/03252008?lang=de").text
    assert easy != standard, "Leichte Sprache has texts of its own"


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != "de"])
def test_resident_pages_categories_and_errors_are_translated(client, code):
    page = client.get(f"/gemeinde/03252008?lang={code}").text
    german = client.get("/gemeinde/03252008?lang=de").text
    for phrase in ("Hier verläuft eine Glaswand", "Hier fehlt ein Ort der Begegnung", "Was trennt hier?",
                   "Ohne Karte: Ortsteil wählen"):
        assert phrase in german and phrase not in page, (code, phrase)
    assert "Datenschutz: was mit Ihren Angaben geschieht" not in client.get(f"/datenschutz?lang={code}").text
    # The API answers in the chosen language as well.
    problem = client.post("/api/pins", json={"id": str(uuid.uuid4()), "lat": 52.07, "lon": 9.55, "category": "x"},
                          headers={"Cookie": f"glaswaende_sprache={code}"})
    assert problem.status_code == 422 and "Unbekannte Kategorie" not in problem.json["errors"][0]["message"]
    assert problem.json["title"] != "Die Angaben sind unvollständig oder ungültig."
