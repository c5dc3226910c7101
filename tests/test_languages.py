"""Languages: every catalog has every message of the German source (none fuzzy, placeholders
kept); the language follows the browser, can be switched on every page and is kept; Arabic is
right to left; the API speaks the chosen language too. The staff pages (domain `staff`) are German
or English: the English catalog is complete, and every other language falls back to English."""
from __future__ import annotations

import re
import uuid

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from sqlalchemy import text

from mapserver.config import PROJECT_ROOT
from mapserver.i18n import LANGUAGES, TRANSLATIONS_DIR
from mapserver.services import hotspots
from mapserver.services.moderation import digest
from tests.helpers import plant_town_with_cluster, seeded_app, signed_in_client

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
STAFF_KEYWORDS = {"s_": None, "s_l": None, "sn_": (1, 2)}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")
CATALOGS = [code for code in LANGUAGES if code != "de"]


def _source_messages(keywords=KEYWORDS) -> set[str]:
    """Every message the German source asks for, extracted afresh from code and templates."""
    method_map = [("mapserver/**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(PROJECT_ROOT), method_map, keywords=keywords,
                                                options_map={"templates/**.html": {}}):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.fixture(scope="module")
def source_messages():
    messages = _source_messages()
    assert len(messages) > 150, "the extraction found the resident texts"
    return messages


def _check_catalog(path, code, source_messages):
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


@pytest.mark.parametrize("code", CATALOGS)
def test_catalog_has_every_source_message_translated_and_none_fuzzy(code, source_messages):
    _check_catalog(TRANSLATIONS_DIR / code / "LC_MESSAGES" / "messages.po", code, source_messages)


def test_staff_catalog_has_every_staff_message_translated_and_none_fuzzy():
    staff_messages = _source_messages(STAFF_KEYWORDS)
    assert len(staff_messages) > 150, "the extraction found the staff texts"
    _check_catalog(TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "staff.po", "en (staff)", staff_messages)
    # English is the staff domain's only catalog: other languages fall back to it.
    assert sorted(p.parent.parent.name for p in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/staff.po")) == ["en"]


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
    for path in ("/", "/gemeinde/03252008", "/ortsteile?name=bad", "/datenschutz", "/nirgendwo", "/anmelden"):
        page = client.get(path).text
        for name in ("Deutsch", "Leichte Sprache", "English", "Türkçe", "العربية", "Русский", "Українська", "Polski"):
            assert f">{name}</a>" in page, (path, name)
    assert 'aria-current="true">Türkçe</a>' in chosen.text
    assert client.get("/?lang=xx").status_code == 200, "an unknown choice is ignored"


def test_arabic_is_right_to_left_and_leichte_sprache_is_german(client):
    arabic = client.get("/gemeinde/03252008?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in arabic
    easy = client.get("/gemeinde/03252008?lang=de_LS").text
    assert '<html lang="de" dir="ltr" class="leichte-sprache">' in easy
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


SALZHEMMENDORF = "03252008"


@pytest.fixture(scope="module")
def staff(module_db_url):
    """An admin signed in (every staff page), pins with hotspots, a workshop, comments to moderate
    and one moderation in the log."""
    with seeded_app(module_db_url) as app:
        engine = app.extensions["glaswaende.engine"]
        with engine.begin() as conn:
            plant_town_with_cluster(conn, SALZHEMMENDORF, seed=51, cluster_pins=50)
            conn.execute(text("UPDATE pin SET comment = 'Kommentar ' || id, status = 'pending' "
                              "WHERE id IN (SELECT id FROM pin ORDER BY id LIMIT 3)"))
        hotspots.refresh(engine, "03252", hotspots.HotspotSettings())
        client = signed_in_client(app, "admin", name="chefin")
        response = client.post("/workshops/", data={"title": "Werkstatt Lauenstein", "held_on": "2026-12-03",
                                                     "municipality_ags": SALZHEMMENDORF})
        workshop_id = int(response.headers["Location"].rsplit("/", 1)[1])
        with engine.connect() as conn:
            pin_id, comment = conn.execute(text("SELECT id, comment FROM pin WHERE comment IS NOT NULL ORDER BY id")).first()
        moderated = client.post(f"/moderation/{pin_id}?lang=en", data={"action": "approve", "seen": digest(comment)})
        assert moderated.status_code == 303
        yield client, workshop_id, engine


# Per staff page: German phrases that must be gone in English, and English ones that must be there.
STAFF_PAGES = {
    "/planung/": (["Übersicht Landkreis", "Pins je Gemeinde", "Filter anwenden", "Auswertung vom", "Abmelden"],
                  ["County overview", "Pins per municipality", "Apply filters", "Analysis of", "Sign out"]),
    f"/planung/gemeinde/{SALZHEMMENDORF}": (["für den ganzen Landkreis", "Pins je Ortsteil", "Kommentare (freigegeben)",
                                             "Was trennt", "Wohnt hier seit"],
                                            ["for the whole county", "Pins per district", "Comments (approved)",
                                             "What divides", "Lived here for"]),
    "/workshops/": (["Neuen Workshop anlegen", "angelegt von", "Angemeldet als"],
                    ["Create a new workshop", "created by", "Signed in as"]),
    "/workshops/{workshop}": (["Präsentation starten", "Mitmachen per Handy", "Workshop löschen", "ganze Gemeinde"],
                              ["Start presentation", "Take part by mobile phone", "Delete workshop",
                               "whole municipality"]),
    "/workshops/{workshop}/praesentation": (["Pins aus diesem Workshop", "Taste Q oder Esc schließt",
                                             "Noch keine Auswertung berechnet", "Konfidenz"],
                                            ["pins from this workshop", "Key Q or Esc closes",
                                             "No analysis computed yet", "confidence"]),
    "/moderation/?status=all": (["Kommentare prüfen", "Warteschlange", "Schwärzen und freigeben", "älteste zuerst"],
                                ["Review comments", "Queue", "Redact and approve", "oldest first"]),
    "/moderation/protokoll": (["Protokoll der Moderation", "Wer hat wann was", "Vorher"],
                              ["Moderation log", "Who did what to which comment", "Before"]),
    "/anmelden": (["Dieser Bereich ist für Planung", "Passwort"], ["This area is for planning", "Password"]),
}


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_are_english_or_german(staff, path):
    client, workshop_id, _ = staff
    german_phrases, english_phrases = STAFF_PAGES[path]
    url = path.replace("{workshop}", str(workshop_id))
    separator = "&" if "?" in url else "?"
    german = client.get(f"{url}{separator}lang=de")
    assert german.status_code == 200
    for phrase in german_phrases:
        assert phrase in german.text, (path, "de", phrase)
    for code in ("en", "tr"):  # Turkish staff read English: the staff domain has no Turkish catalog
        page = client.get(f"{url}{separator}lang={code}")
        assert page.status_code == 200
        for phrase in german_phrases:
            assert phrase not in page.text, (path, code, phrase)
        for phrase in english_phrases:
            assert phrase in page.text, (path, code, phrase)
    # Leichte Sprache is German for staff.
    assert german_phrases[0] in client.get(f"{url}{separator}lang=de_LS").text


def test_staff_messages_from_python_follow_the_language(staff):
    client, _, engine = staff
    # Flash messages and filter errors.
    with engine.connect() as conn:
        pending = conn.execute(text("SELECT id, comment FROM pin WHERE status = 'pending' AND comment IS NOT NULL "
                                    "ORDER BY id")).all()
    (first, first_text), (second, second_text) = pending[:2]
    client.post(f"/moderation/{first}?lang=en", data={"action": "hide", "seen": digest(first_text)})
    queue = client.get("/moderation/?status=all&lang=en").text
    assert "Hide: 1 comment changed." in queue and "Kommentar geändert" not in queue
    client.post(f"/moderation/{second}?lang=de", data={"action": "hide", "seen": digest(second_text)})
    assert "Verbergen: 1 Kommentar geändert." in client.get("/moderation/?status=all&lang=de").text
    invalid = client.get("/planung/?category=nix&lang=en")
    assert invalid.status_code == 422 and "Unknown category: nix" in invalid.text
    assert "Unbekannte Kategorie: nix" in client.get("/planung/?category=nix&lang=de").text
    # The planner map: layers, legend and tooltips.
    english_map = client.get(f"/planung/gemeinde/{SALZHEMMENDORF}/karte?lang=en").text
    assert "Hotspot, 99 % confidence" in english_map and "Boundaries and names" in english_map
    assert "Konfidenz" not in english_map and "Grenzen und Namen" not in english_map
    german_map = client.get(f"/planung/gemeinde/{SALZHEMMENDORF}/karte?lang=de").text
    assert "Hotspot, 99 % Konfidenz" in german_map and "Grenzen und Namen" in german_map


def test_a_failed_sign_in_is_explained_in_the_chosen_language(app):
    client = app.test_client()
    english = client.post("/anmelden?lang=en", data={"name": "niemand", "password": "falsch-falsch"})
    assert english.status_code == 401 and "Name or password is incorrect." in english.text
    german = client.post("/anmelden?lang=de", data={"name": "niemand", "password": "falsch-falsch"})
    assert "Name oder Passwort stimmen nicht." in german.text


def test_the_language_kept_per_accept_language_header_is_the_one_each_header_asks_for(app):
    """Languages are negotiated once per Accept-Language value and kept: for headers drawn at random
    (languages, regions, q-values, wildcards, repeats in random order) the kept answer is the one
    Werkzeug's negotiation gives that header on its own, whatever header came before it."""
    import random

    from flask import request

    from mapserver.i18n import _NEGOTIABLE, DEFAULT, choose_language

    rnd = random.Random(20261205)
    tags = ["de", "de-DE", "de-AT", "en", "en-GB", "en-US", "tr", "tr-TR", "ar", "ar-SY", "ru", "uk", "pl",
            "fr", "fr-FR", "es", "it", "nl", "*", "de_LS", "zz-ZZ"]

    def header() -> str:
        parts = [f"{tag};q={rnd.choice(['1', '0.9', '0.8', '0.5', '0.3', '0.1', '0'])}" if rnd.random() < 0.7 else tag
                 for tag in rnd.sample(tags, rnd.randint(1, 5))]
        return ",".join(parts)

    headers = [header() for _ in range(150)]
    sequence = headers * 3
    rnd.shuffle(sequence)
    for value in sequence:
        with app.test_request_context("/", headers={"Accept-Language": value}):
            expected = request.accept_languages.best_match(_NEGOTIABLE) or DEFAULT
            assert choose_language() == expected, value
