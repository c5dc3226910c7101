"""The pages a public body must have: Impressum and Erklärung zur Barrierefreiheit in every
language, linked in every footer; the statement's feedback form reaches the moderators and
nobody else; bad input writes nothing."""
from __future__ import annotations

import html
import logging
import random
import re

import pytest
from sqlalchemy import text

from mapserver.i18n import LANGUAGES
from tests.helpers import make_test_app, seeded_app

RESIDENT_PAGES = ["/", "/gemeinde/03252008", "/datenschutz", "/impressum", "/barrierefreiheit"]


def feedback_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM accessibility_feedback")).scalar_one()


@pytest.fixture
def no_feedback(engine):
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM accessibility_feedback"))
    yield


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.parametrize("path", ["/impressum", "/barrierefreiheit"])
def test_legal_pages_answer_in_every_language(client, path, language):
    page = client.get(f"{path}?lang={language}")
    assert page.status_code == 200
    assert f'lang="{LANGUAGES[language].tag}"' in page.text
    assert "<h1>" in page.text
    if language == "en":
        assert ("Legal notice" if path == "/impressum" else "Accessibility statement") in page.text


@pytest.mark.parametrize("path", RESIDENT_PAGES)
def test_every_footer_links_the_legal_pages_and_the_staff_sign_in(client, path):
    page = client.get(path).text
    footer = page[page.index('<footer class="site-footer">'):]
    for link in ('href="/impressum"', 'href="/datenschutz"', 'href="/barrierefreiheit"', 'href="/anmelden"'):
        assert link in footer, (path, link)


def test_the_imprint_names_the_configured_provider_and_says_what_is_missing(county_db_url, client):
    # Unconfigured: the county's name, and an honest note that address and contact are missing.
    page = client.get("/impressum").text
    assert "Landkreis Hameln-Pyrmont" in page
    assert "noch nicht eingetragen" in page
    app = make_test_app(county_db_url, PRIVACY_CONTROLLER="Landkreis Hameln-Pyrmont, Der Landrat, Süntelstraße 9, 31785 Hameln",
                        PRIVACY_CONTACT="glaswaende@example.org")
    try:
        configured = app.test_client().get("/impressum").text
    finally:
        app.extensions["glaswaende.engine"].dispose()
    assert "Süntelstraße 9, 31785 Hameln" in configured and "glaswaende@example.org" in configured
    assert "noch nicht eingetragen" not in configured


def test_the_app_warns_at_start_while_provider_or_contact_are_missing(county_db_url, caplog):
    with caplog.at_level(logging.WARNING):
        app = make_test_app(county_db_url, PRIVACY_CONTROLLER="Landkreis Hameln-Pyrmont", PRIVACY_CONTACT="")
    app.extensions["glaswaende.engine"].dispose()
    assert any("GLASWAENDE_PRIVACY_CONTACT" in record.getMessage() for record in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        app = make_test_app(county_db_url, PRIVACY_CONTROLLER="Landkreis Hameln-Pyrmont", PRIVACY_CONTACT="a@b.de",
                            PRIVACY_OFFICER="Datenschutz, Süntelstraße 9, 31785 Hameln")
    app.extensions["glaswaende.engine"].dispose()
    assert not any("Impressum" in record.getMessage() for record in caplog.records)


def test_feedback_reaches_the_moderators_and_nobody_else(client, engine, no_feedback, staff_client):
    message = "Die Karte lässt sich mit der Tastatur nicht verschieben. Bitte prüfen."
    sent = client.post("/barrierefreiheit", data={"message": message, "page": "/gemeinde/03252008",
                                                  "contact": "leser@example.org"})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/barrierefreiheit#rueckmeldung")
    assert "Danke" in client.get("/barrierefreiheit").text
    assert feedback_count(engine) == 1

    assert client.get("/barrierefreiheit/rueckmeldungen").status_code == 401  # residents: sign-in form
    assert staff_client("planner").get("/barrierefreiheit/rueckmeldungen").status_code == 403
    moderator = staff_client("moderator")
    listing = moderator.get("/barrierefreiheit/rueckmeldungen")
    assert listing.status_code == 200
    assert listing.headers["Cache-Control"] == "no-store"
    assert message in listing.text and "leser@example.org" in listing.text
    assert 'href="/barrierefreiheit/rueckmeldungen"' in moderator.get("/moderation/").text


@pytest.mark.parametrize("form, field", [
    ({"message": ""}, "message"),
    ({"message": "   \n  "}, "message"),
    ({"message": "x" * 2001}, "message"),
    ({"message": "Zu lang", "contact": "c" * 201}, "contact"),
    ({"message": "Zu lang", "page": "p" * 301}, "page"),
    ({"message": "Ich bin ein Roboter", "website": "http://spam.example"}, "website"),
])
def test_bad_feedback_gets_a_german_answer_and_writes_nothing(client, engine, no_feedback, form, field):
    answer = client.post("/barrierefreiheit", data=form)
    assert answer.status_code == 422
    assert "Bitte" in answer.text and 'role="alert"' in answer.text
    if field == "message" and form["message"].strip():
        assert 'aria-invalid="true"' in answer.text
    assert feedback_count(engine) == 0


def test_random_feedback_is_stored_as_sent_or_refused_whole(client, engine, no_feedback):
    # Messages drawn at random (lengths around the limits, any characters a keyboard or a paste
    # gives, NUL included): each is stored exactly as trimmed, or refused with nothing written.
    rng = random.Random(1204)
    alphabet = "abcäöüßاсяĞ€ \n\t<>&\"'\x00😀"
    stored = 0
    for _ in range(40):
        message = "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 50, 1999, 2000, 2001, 2500])))
        before = feedback_count(engine)
        answer = client.post("/barrierefreiheit", data={"message": message})
        assert answer.status_code in (303, 422)
        cleaned = message.replace("\x00", "").strip()
        if answer.status_code == 303:
            stored += 1
            with engine.connect() as conn:
                latest = conn.execute(text("SELECT message FROM accessibility_feedback ORDER BY id DESC LIMIT 1")).scalar_one()
            assert latest == cleaned and 0 < len(cleaned) <= 2000
        else:
            assert feedback_count(engine) == before and not (0 < len(cleaned) <= 2000)
    assert stored >= 5, "the draws must store some messages, or the test proves nothing"


def test_feedback_is_rate_limited_per_address(county_db_url):
    app = make_test_app(county_db_url, RATE_LIMITS=True, FEEDBACK_LIMIT_PER_ADDRESS="3 per hour")
    try:
        client = app.test_client()
        answers = [client.post("/barrierefreiheit", data={"message": f"Meldung {i}"}).status_code for i in range(5)]
    finally:
        with app.extensions["glaswaende.engine"].begin() as conn:
            conn.execute(text("DELETE FROM accessibility_feedback"))
        app.extensions["glaswaende.engine"].dispose()
    assert answers == [303, 303, 303, 429, 429]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_resident_page_has_its_own_meta_description(client, language):
    seen = set()
    for path in RESIDENT_PAGES:
        page = client.get(f"{path}{'&' if '?' in path else '?'}lang={language}").text
        match = re.search(r'<meta name="description" content="([^"]+)">', page)
        assert match, (path, language)
        description = html.unescape(match.group(1))
        title = html.unescape(re.search(r"<title>(.*?) – ", page, re.S).group(1)).strip()
        assert description.startswith(title) and len(description) > len(title) + 40, (path, language, description)
        seen.add(description)
    assert len(seen) == len(RESIDENT_PAGES), "each page describes itself"


def test_feedback_is_deleted_after_its_retention_period(app, engine, no_feedback):
    with engine.begin() as conn:
        conn.execute(text("""INSERT INTO accessibility_feedback (county_key, message, contact, received_at) VALUES
                             ('03252', 'alt', 'a@example.org', TIMESTAMPTZ '2025-11-01 12:00+01'),
                             ('03252', 'neu', NULL, TIMESTAMPTZ '2026-11-30 12:00+01')"""))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "purge", "--today", "2026-12-04", "--dry-run"])
    assert dry.exit_code == 0 and "Probelauf: 1 Rückmeldungen" in dry.output and feedback_count(engine) == 2
    done = runner.invoke(args=["privacy", "purge", "--today", "2026-12-04"])
    assert done.exit_code == 0 and "1 Rückmeldungen zur Barrierefreiheit älter als 365 Tage gelöscht" in done.output
    with engine.connect() as conn:
        assert conn.execute(text("SELECT message FROM accessibility_feedback")).scalars().all() == ["neu"]


def test_place_look_ups_are_limited_per_address(county_db_url):
    with seeded_app(county_db_url, RATE_LIMITS=True, PLACE_LIMIT_PER_ADDRESS="3 per minute") as app:
        client = app.test_client()
        answers = [client.get("/api/place?lat=52.0790&lon=9.5510").status_code for _ in range(5)]
        bad = client.get("/api/place?lat=abc&lon=9.5").status_code
    assert answers == [200, 200, 200, 429, 429] and bad == 422
