"""Moderation: the queue (flagged for personal data first, then oldest first; filters, text
search, backlog per municipality), approve / hide / redact (whole text or marked spans) one by one
and in bulk, keeping filter and page, the audit log (filters, CSV; originals of redactions for
admins only), staff error pages, and who may moderate."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from mapserver.services import hotspots
from mapserver.services.moderation import digest
from tests.helpers import add_staff_account, seeded_app

SALZHEMMENDORF, BAD_MUENDER = "03252008", "03252001"


@pytest.fixture(scope="module")
def moderation_app(module_db_url):
    with seeded_app(module_db_url) as app:
        engine = app.extensions["glaswaende.engine"]
        with engine.begin() as conn:
            add_staff_account(conn, "mona", "moderator")
            add_staff_account(conn, "max", "moderator")
            creator = add_staff_account(conn, "chefin", "admin")
            add_staff_account(conn, "paula", "planner")
            conn.execute(text("INSERT INTO workshop (title, held_on, municipality_ags, join_code, created_by) VALUES "
                              "('Werkstatt Bad Münder', '2026-12-01', :ags, 'werkstat', :creator)"),
                         {"ags": BAD_MUENDER, "creator": creator})
        yield app, engine


@pytest.fixture
def comments(moderation_app):
    """Six pins: five comments (three in Salzhemmendorf, two in Bad Münder, one of them from the
    workshop), one pin without a comment; created a minute apart, newest first in insertion."""
    _, engine = moderation_app
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM moderation_event"))
        conn.execute(text("DELETE FROM pin"))
        conn.execute(text("""
            INSERT INTO pin (client_id, geom, category, comment, created_at, municipality_ags, district_id, workshop_id)
            SELECT gen_random_uuid(), ST_PointOnSurface(m.geom), 'divided', c.comment,
                   TIMESTAMPTZ '2026-11-20 10:00+01' + c.minute * INTERVAL '1 minute', m.ags,
                   district_for_point(m.ags, ST_PointOnSurface(m.geom)),
                   CASE WHEN c.workshop THEN (SELECT id FROM workshop WHERE join_code = 'werkstat') END
            FROM (VALUES (5, 'Dritter Kommentar', '03252008', false), (1, 'Erster Kommentar', '03252008', false),
                         (3, 'Zweiter Kommentar', '03252008', false), (2, 'Münder eins', '03252001', false),
                         (4, 'Münder Workshop: Frau Meier, Tel. 05042 123456', '03252001', true),
                         (6, NULL, '03252008', false)) AS c(minute, comment, ags, workshop)
            JOIN municipality m ON m.ags = c.ags"""))
        ids = dict(conn.execute(text("SELECT comment, id FROM pin WHERE comment IS NOT NULL")).all())
    return ids


def _one(shown: str, **form) -> dict:
    """A single-comment form as the queue renders it: with the digest of the text shown."""
    return {"seen": digest(shown), **form}


def _chosen(comments: dict, *texts: str) -> list[str]:
    """Bulk checkbox values: "<pin id>:<digest of the text shown>"."""
    return [f"{comments[t]}:{digest(t)}" for t in texts]


def _queue_order(page: str, ids: dict) -> list[str]:
    positions = {comment: page.find(f'id="kommentar-{pin_id}"') for comment, pin_id in ids.items()}
    return [c for c, at in sorted(positions.items(), key=lambda kv: kv[1]) if at >= 0]


def _events(engine):
    with engine.connect() as conn:
        return conn.execute(text("""SELECT e.pin_id, a.name AS actor, e.action, e.status_before, e.status_after,
                                           e.comment_before, e.comment_after
                                    FROM moderation_event e JOIN account a ON a.id = e.actor_id ORDER BY e.id""")).all()


def _status(engine, pin_id):
    with engine.connect() as conn:
        return conn.execute(text("SELECT status, comment FROM pin WHERE id = :id"), {"id": pin_id}).one()


def test_queue_shows_flagged_then_pending_comments_oldest_first_with_a_small_map(moderation_app, comments,
                                                                                 staff_client):
    app, _ = moderation_app
    mona = staff_client("moderator", name="mona", app=app)
    page = mona.get("/moderation/")
    assert page.status_code == 200
    html = page.text
    assert _queue_order(html, comments) == ["Münder Workshop: Frau Meier, Tel. 05042 123456", "Erster Kommentar",
                                            "Münder eins", "Zweiter Kommentar", "Dritter Kommentar"]
    assert "5 Kommentare" in html and html.count('class="mini-map"') == 5
    assert 'data-districts-url="/api/municipalities/03252008/districts"' in html


def test_queue_filters_by_municipality_workshop_and_status(moderation_app, comments, staff_client):
    app, engine = moderation_app
    mona = staff_client("moderator", name="mona", app=app)
    assert _queue_order(mona.get(f"/moderation/?municipality={BAD_MUENDER}").text, comments) == [
        "Münder Workshop: Frau Meier, Tel. 05042 123456", "Münder eins"]
    with engine.connect() as conn:
        workshop_id = conn.execute(text("SELECT id FROM workshop WHERE join_code = 'werkstat'")).scalar_one()
    assert _queue_order(mona.get(f"/moderation/?workshop={workshop_id}").text, comments) == [
        "Münder Workshop: Frau Meier, Tel. 05042 123456"]
    mona.post(f"/moderation/{comments['Zweiter Kommentar']}", data=_one("Zweiter Kommentar", action="hide"))
    assert _queue_order(mona.get("/moderation/?status=hidden").text, comments) == ["Zweiter Kommentar"]
    assert "Zweiter Kommentar" not in _queue_order(mona.get("/moderation/").text, comments)
    assert len(_queue_order(mona.get("/moderation/?status=all").text, comments)) == 5
    for bad in ("status=gone", "municipality=xyz", "workshop=abc"):
        response = mona.get(f"/moderation/?{bad}")
        assert response.status_code == 422 and "Dieser Filter ist ungültig." in response.text


def test_approve_and_hide_one_by_one_are_logged_with_before_and_after(moderation_app, comments, staff_client):
    app, engine = moderation_app
    mona = staff_client("moderator", name="mona", app=app)
    first = comments["Erster Kommentar"]
    response = mona.post(f"/moderation/{first}", data=_one("Erster Kommentar", action="approve", status="pending"))
    assert response.status_code == 303 and response.headers["Location"] == "/moderation/?status=pending"
    assert tuple(_status(engine, first)) == ("published", "Erster Kommentar")
    # A second click changes nothing and logs nothing.
    mona.post(f"/moderation/{first}", data=_one("Erster Kommentar", action="approve"))
    colleague = staff_client("moderator", name="max", app=app)
    colleague.post(f"/moderation/{first}", data=_one("Erster Kommentar", action="hide"))
    assert [tuple(e) for e in _events(engine)] == [
        (first, "mona", "approve", "pending", "published", "Erster Kommentar", "Erster Kommentar"),
        (first, "max", "hide", "published", "hidden", "Erster Kommentar", "Erster Kommentar"),
    ]
    log = mona.get(f"/moderation/protokoll?pin={first}").text
    assert log.count("<tr>") == 3 and "mona" in log and "max" in log and "Verbergen" in log


def test_bulk_approve_and_hide(moderation_app, comments, staff_client):
    app, engine = moderation_app
    mona = staff_client("moderator", name="mona", app=app)
    chosen = _chosen(comments, "Erster Kommentar", "Zweiter Kommentar", "Münder eins")
    response = mona.post("/moderation/", data={"action": "approve", "pin": chosen, "municipality": ""})
    assert response.status_code == 303
    assert "Freigeben: 3 Kommentare geändert." in mona.get("/moderation/").text
    with engine.connect() as conn:
        published = set(conn.execute(text("SELECT id FROM pin WHERE status = 'published'")).scalars())
    assert published == {comments["Erster Kommentar"], comments["Zweiter Kommentar"], comments["Münder eins"]}
    mona.post("/moderation/", data={"action": "hide", "pin": chosen[:2]})
    assert [e.action for e in _events(engine)] == ["approve"] * 3 + ["hide"] * 2


def test_redact_keeps_the_original_only_in_the_log_for_admins(moderation_app, comments, staff_client):
    app, engine = moderation_app
    mona = staff_client("moderator", name="mona", app=app)
    original = "Münder Workshop: Frau Meier, Tel. 05042 123456"
    redacted = "Münder Workshop: [Name], Tel. [entfernt]"
    pin_id = comments[original]
    # Approved first (the log then holds the original twice), redacted later on a second look.
    mona.post(f"/moderation/{pin_id}", data=_one(original, action="approve"))
    response = mona.post(f"/moderation/{pin_id}", data=_one(original, action="redact", comment=redacted))
    assert response.status_code == 303
    assert tuple(_status(engine, pin_id)) == ("published", redacted)
    with engine.connect() as conn:
        dump = conn.execute(text("SELECT string_agg(row_to_json(p)::text, '') FROM pin p")).scalar_one()
    assert "05042" not in dump
    assert [(e.action, e.comment_before) for e in _events(engine)] == [("approve", original), ("redact", original)]
    for reader in (mona, staff_client("moderator", name="max", app=app)):
        log = reader.get("/moderation/protokoll").text
        assert "05042 123456" not in log and "Frau Meier" not in log
        assert "frühere Fassung nur für die Verwaltung" in log and redacted in log
    admin_log = staff_client("admin", name="chefin", app=app).get("/moderation/protokoll").text
    assert admin_log.count("Frau Meier, Tel. 05042 123456") >= 2


def test_a_comment_changed_after_it_was_shown_is_not_published_unread(moderation_app, comments, staff_client):
    app, engine = moderation_app
    mona = staff_client("moderator", name="mona", app=app)
    pin_id = comments["Erster Kommentar"]
    shown = mona.get("/moderation/").text
    assert f'value="{digest("Erster Kommentar")}"' in shown
    # The resident changes the text (through their edit link) while the moderator reads the old one.
    with engine.begin() as conn:
        conn.execute(text("UPDATE pin SET comment = 'Etwas ganz anderes' WHERE id = :id"), {"id": pin_id})
    mona.post(f"/moderation/{pin_id}", data=_one("Erster Kommentar", action="approve"))
    bulk = mona.post("/moderation/", data={"action": "approve", "pin": _chosen(comments, "Erster Kommentar")})
    assert bulk.status_code == 303
    assert tuple(_status(engine, pin_id)) == ("pending", "Etwas ganz anderes")
    assert _events(engine) == []
    assert "inzwischen von der Person geändert" in mona.get("/moderation/").text


def test_bad_moderation_input_is_refused_in_german_and_writes_nothing(moderation_app, comments, staff_client):
    app, engine = moderation_app
    mona = staff_client("moderator", name="mona", app=app)
    pin_id = comments["Erster Kommentar"]
    seen = digest("Erster Kommentar")
    cases = [
        (f"/moderation/{pin_id}", {"action": "delete", "seen": seen}, "Unbekannte Aktion."),
        (f"/moderation/{pin_id}", {"action": "redact", "comment": "   ", "seen": seen}, "geschwärzten Text"),
        (f"/moderation/{pin_id}", {"action": "redact", "comment": "x" * 1001, "seen": seen}, "höchstens 1000 Zeichen"),
        (f"/moderation/{pin_id}", {"action": "redact", "comment": "a\x00b", "seen": seen}, "Steuerzeichen"),
        (f"/moderation/{pin_id}", {"action": "approve"}, "Die Auswahl ist ungültig."),
        (f"/moderation/{pin_id}", {"action": "approve", "seen": seen, "workshop": "²"}, "Dieser Filter ist ungültig."),
        ("/moderation/", {"action": "approve"}, "mindestens einen Kommentar"),
        ("/moderation/", {"action": "approve", "pin": [f"{pin_id}:{seen}", "zwei"]}, "Die Auswahl ist ungültig."),
        ("/moderation/", {"action": "approve", "pin": [f"²:{seen}"]}, "Die Auswahl ist ungültig."),
        ("/moderation/", {"action": "approve", "pin": [f"{10**20}:{seen}"]}, "Die Auswahl ist ungültig."),
        ("/moderation/", {"action": "redact", "pin": _chosen(comments, "Erster Kommentar", "Münder eins"), "comment": "x"},
         "nur für einen Kommentar"),
    ]
    for url, data, message in cases:
        response = mona.post(url, data=data)
        assert response.status_code == 422, (data, response.status_code)
        assert message in response.text, data
    assert _events(engine) == [] and _status(engine, pin_id).status == "pending"
    # Out-of-range numbers in addresses and filters: German answers, never a database error.
    assert mona.post(f"/moderation/{10**20}", data={"action": "approve", "seen": seen}).status_code == 404
    for url in ("/moderation/?workshop=²", f"/moderation/?workshop={10**11}", f"/moderation/protokoll?pin={10**20}",
                "/moderation/protokoll?pin=x"):
        response = mona.get(url)
        assert response.status_code == 422 and "Dieser Filter ist ungültig." in response.text, url
    for url in (f"/moderation/?seite={10**20}", "/moderation/?seite=-3", f"/moderation/protokoll?seite={10**20}"):
        assert mona.get(url).status_code == 200, url


def test_concurrent_moderators_leave_a_consistent_log(moderation_app, comments, staff_client):
    app, engine = moderation_app
    pin_id = comments["Dritter Kommentar"]
    clients = [staff_client("moderator", name="mona", app=app), staff_client("moderator", name="max", app=app)]
    barrier = threading.Barrier(8)

    def act(n):
        barrier.wait()
        clients[n % 2].post(f"/moderation/{pin_id}", data=_one("Dritter Kommentar",
                                                               action="approve" if n % 2 else "hide"))

    threads = [threading.Thread(target=act, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    events = _events(engine)
    assert events, "at least one action changed the comment"
    # Each entry starts where the one before ended: no action read a stale "before".
    assert events[0].status_before == "pending"
    for before, after in zip(events, events[1:]):
        assert after.status_before == before.status_after
    assert _status(engine, pin_id).status == events[-1].status_after


def test_only_moderators_and_admins_moderate(moderation_app, comments, staff_client):
    app, engine = moderation_app
    paula = staff_client("planner", name="paula", app=app)
    assert paula.get("/moderation/").status_code == 403
    form = _one("Erster Kommentar", action="approve")
    assert paula.post(f"/moderation/{comments['Erster Kommentar']}", data=form).status_code == 403
    assert app.test_client().get("/moderation/").status_code == 401
    chefin = staff_client("admin", name="chefin", app=app)
    assert chefin.post(f"/moderation/{comments['Erster Kommentar']}", data=form).status_code == 303
    assert _status(engine, comments["Erster Kommentar"]).status == "published"


def test_a_pin_counts_at_once_while_its_comment_waits(moderation_app, comments):
    _, engine = moderation_app
    report = hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
    with engine.connect() as conn:
        pending = conn.execute(text("SELECT count(*) FROM pin WHERE status = 'pending'")).scalar_one()
        cube = conn.execute(text("SELECT sum(pin_count) FROM pin_cube WHERE run_id = :id"), {"id": report.run_id}).scalar_one()
    assert report.pin_count == 6 and cube == 6 and pending == 6


# --- Moderation at the scale of a campaign (issue 16) -------------------------------------------

def _insert(engine, texts, ags=SALZHEMMENDORF, start_minute=100):
    """Pending pins with these comments (None: no comment), a minute apart in this order; their ids."""
    with engine.begin() as conn:
        return [conn.execute(text("""
            INSERT INTO pin (client_id, geom, category, comment, created_at, municipality_ags, district_id)
            SELECT gen_random_uuid(), ST_PointOnSurface(m.geom), 'divided', :comment,
                   TIMESTAMPTZ '2026-11-20 10:00+01' + :minute * INTERVAL '1 minute', m.ags,
                   district_for_point(m.ags, ST_PointOnSurface(m.geom))
            FROM municipality m WHERE m.ags = :ags RETURNING id"""),
            {"comment": comment, "minute": start_minute + n, "ags": ags}).scalar_one()
            for n, comment in enumerate(texts)]


def _ordinary(n: int, seed: int = 16) -> list[str]:
    """n ordinary comments without personal data, from a fixed seed."""
    import random

    rng = random.Random(seed)
    parts = ["Am Markt fehlt eine Bank", "Der Bus 12 fährt selten", "Tempo 30 auf der Hauptstraße wäre gut",
             "Die Ampel am Bahnhof ist zu kurz grün", "Hier fehlt ein Radweg", "Zu dunkel am Abend",
             "Der Spielplatz ist kaputt", "Im Jahr 2020 wurde hier gebaut"]
    return [f"{rng.choice(parts)} (Nr. {i})" for i in range(n)]


def _page_of(html: str) -> str:
    import re

    found = re.search(r"Seite (\d+) von (\d+)", html)
    return found.group(0) if found else ""


def test_a_comment_with_a_phone_number_is_flagged_highlighted_and_listed_first(moderation_app, comments,
                                                                                 staff_client):
    app, engine = moderation_app
    ordinary = _ordinary(40)
    # The flagged one is the newest: without flags it would be on page 2.
    ids = _insert(engine, ordinary + ["Bitte rufen Sie mich an: 0151 2345 6789, danke"])
    mona = staff_client("moderator", name="mona", app=app)
    html = mona.get("/moderation/").text
    first = html.find('id="kommentar-')
    assert html[first:].startswith(f'id="kommentar-{comments["Münder Workshop: Frau Meier, Tel. 05042 123456"]}"')
    assert html.find(f'id="kommentar-{ids[-1]}"') < html.find(f'id="kommentar-{comments["Erster Kommentar"]}"')
    assert '<mark class="flag flag-phone" title="Telefonnummer">0151 2345 6789</mark>' in html
    assert "2 davon mit möglichen persönlichen Daten" in html
    # Ordinary comments carry no flag.
    assert html.count('class="moderation-item flagged"') == 2 and html.count('<mark class="flag') == 2 * 3  # three flags, each in the text and in the redaction form
    start = len("Bitte rufen Sie mich an: ")
    assert f'name="span" value="{start}:{start + len("0151 2345 6789")}"' in html


def test_after_approving_on_page_3_the_moderator_stays_on_page_3_with_the_same_filter(moderation_app, comments,
                                                                                     staff_client):
    app, engine = moderation_app
    ids = _insert(engine, _ordinary(90, seed=3))  # with the fixture's 5: 95 pending in Salzhemmendorf … 4 pages
    mona = staff_client("moderator", name="mona", app=app)
    page3 = mona.get(f"/moderation/?municipality={SALZHEMMENDORF}&seite=3").text
    assert "Seite 3 von 4" in page3
    shown = [pin_id for pin_id in ids if f'id="kommentar-{pin_id}"' in page3]
    assert len(shown) == 25
    with engine.connect() as conn:
        shown_text = conn.execute(text("SELECT comment FROM pin WHERE id = :id"), {"id": shown[0]}).scalar_one()
    response = mona.post(f"/moderation/{shown[0]}", data={
        "action": "approve", "seen": digest(shown_text), "status": "pending", "municipality": SALZHEMMENDORF,
        "workshop": "", "q": "", "seite": "3"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/moderation/?status=pending&municipality={SALZHEMMENDORF}&seite=3"
    after = mona.get(response.headers["Location"]).text
    assert _page_of(after) == "Seite 3 von 4" and "Freigeben: 1 Kommentar geändert." in after
    # The last page emptied: the queue shows the (new) last page, not page 1.
    last = mona.get(f"/moderation/?municipality={SALZHEMMENDORF}&seite=4").text
    on_last = [pin_id for pin_id in ids if f'id="kommentar-{pin_id}"' in last]
    with engine.connect() as conn:
        texts = dict(conn.execute(text("SELECT id, comment FROM pin WHERE id = ANY(:ids)"), {"ids": on_last}).all())
    response = mona.post("/moderation/", data={
        "action": "approve", "pin": [f"{i}:{digest(texts[i])}" for i in on_last], "status": "pending",
        "municipality": SALZHEMMENDORF, "seite": "4"})
    assert "seite=4" in response.headers["Location"]
    assert _page_of(mona.get(response.headers["Location"]).text) == "Seite 3 von 3"
    # Search and page travel together too.
    hits = mona.get("/moderation/?q=radweg").text
    response = mona.post(f"/moderation/{shown[1]}", data={"action": "hide", "seen": "0" * 32, "q": "radweg",
                                                          "seite": "2"})
    assert response.headers["Location"] == "/moderation/?status=pending&q=radweg&seite=2"
    assert "Hier fehlt ein Radweg" in hits


def test_text_search_finds_comments_case_insensitively_and_takes_wildcards_literally(moderation_app, comments,
                                                                                       staff_client):
    app, engine = moderation_app
    _insert(engine, ["Rabatt 50% auf Parkplätze", "Kein Rabatt", "under_score hier"])
    mona = staff_client("moderator", name="mona", app=app)
    ids = dict(comments)
    with engine.connect() as conn:
        ids.update(dict(conn.execute(text("SELECT comment, id FROM pin WHERE comment IS NOT NULL")).all()))
    assert _queue_order(mona.get("/moderation/?q=kommentar").text, ids) == [
        "Erster Kommentar", "Zweiter Kommentar", "Dritter Kommentar"]
    assert _queue_order(mona.get("/moderation/?q=M%C3%9CNDER%20eins").text, ids) == ["Münder eins"]
    assert _queue_order(mona.get("/moderation/?q=50%25").text, ids) == ["Rabatt 50% auf Parkplätze"]
    assert _queue_order(mona.get("/moderation/?q=%25").text, ids) == ["Rabatt 50% auf Parkplätze"]
    assert _queue_order(mona.get("/moderation/?q=r_s").text, ids) == ["under_score hier"]
    assert _queue_order(mona.get("/moderation/?q=e_s").text, ids) == []  # "_" is no wildcard
    page = mona.get("/moderation/?q=kommentar")
    assert 'name="q" value="kommentar"' in page.text and "Suche: „kommentar“" in page.text
    for bad in ("q=" + "x" * 201, "q=a%01b"):
        response = mona.get(f"/moderation/?{bad}")
        assert response.status_code == 422 and "Dieser Filter ist ungültig." in response.text


def test_a_span_redaction_replaces_only_the_span_and_keeps_the_rest(moderation_app, comments, staff_client):
    app, engine = moderation_app
    original = "Münder Workshop: Frau Meier, Tel. 05042 123456"
    pin_id = comments[original]
    mona = staff_client("moderator", name="mona", app=app)
    phone = original.index("05042")
    name = original.index("Frau Meier")
    response = mona.post(f"/moderation/{pin_id}", data={
        "action": "redact", "mode": "spans", "seen": digest(original), "seite": "1",
        "span": [f"{phone}:{len(original)}", f"{name}:{name + len('Frau Meier')}"]})
    assert response.status_code == 303
    assert tuple(_status(engine, pin_id)) == ("published", "Münder Workshop: [entfernt], Tel. [entfernt]")
    assert [(e.action, e.comment_before, e.comment_after) for e in _events(engine)] == [
        ("redact", original, "Münder Workshop: [entfernt], Tel. [entfernt]")]


def test_a_span_redaction_of_a_changed_comment_is_refused_in_german_and_writes_nothing(moderation_app, comments,
                                                                                     staff_client):
    app, engine = moderation_app
    pin_id = comments["Erster Kommentar"]
    mona = staff_client("moderator", name="mona", app=app)
    with engine.begin() as conn:
        conn.execute(text("UPDATE pin SET comment = 'Ganz neu: Peter Meier' WHERE id = :id"), {"id": pin_id})
    response = mona.post(f"/moderation/{pin_id}", data={"action": "redact", "mode": "spans", "seen": digest(
        "Erster Kommentar"), "span": "0:6", "status": "pending", "seite": "2"})
    assert response.status_code == 303 and response.headers["Location"] == "/moderation/?status=pending&seite=2"
    assert "inzwischen geändert oder gelöscht" in mona.get(response.headers["Location"]).text
    assert tuple(_status(engine, pin_id)) == ("pending", "Ganz neu: Peter Meier") and _events(engine) == []
    seen = digest("Ganz neu: Peter Meier")
    for span, message in [("0:99", "passt nicht zum Text"), ("5:2", "Markierung ist ungültig"),
                          ("x", "Markierung ist ungültig"), ("1:2:3", "Markierung ist ungültig"),
                          ("0:-1", "Markierung ist ungültig")]:
        response = mona.post(f"/moderation/{pin_id}", data={"action": "redact", "mode": "spans", "seen": seen,
                                                            "span": span})
        if response.status_code == 303:
            assert message in mona.get(response.headers["Location"]).text, span
        else:
            assert response.status_code == 422 and message in response.text, span
    response = mona.post(f"/moderation/{pin_id}", data={"action": "redact", "mode": "spans", "seen": seen})
    assert response.status_code == 422 and "mindestens eine Stelle" in response.text
    assert tuple(_status(engine, pin_id)) == ("pending", "Ganz neu: Peter Meier") and _events(engine) == []


def test_backlog_counts_waiting_comments_per_municipality_and_links_the_queue(moderation_app, comments,
                                                                               staff_client):
    app, engine = moderation_app
    _insert(engine, [None, None, "   ", "Noch einer"], ags=BAD_MUENDER)
    mona = staff_client("moderator", name="mona", app=app)
    html = mona.get("/moderation/").text
    link = f'href="/moderation/?status=pending&amp;municipality={BAD_MUENDER}">Aerzen</a>'
    assert link in html
    assert f'<strong data-waiting="{BAD_MUENDER}">3</strong>' in html
    assert f'<strong data-waiting="{SALZHEMMENDORF}">3</strong>' in html
    # Every municipality is listed, those with nothing waiting too (unlinked).
    assert html.count("data-waiting=") == 8 and '<span class="muted">Hameln</span>: <strong data-waiting' in html
    # The pins without a comment (or with only blanks) are in no queue and no count.
    assert "6 Kommentare" in mona.get("/moderation/?status=all").text
    assert "3 Kommentare" in mona.get(f"/moderation/?municipality={BAD_MUENDER}").text


def test_pins_without_a_comment_never_enter_the_queue(moderation_app, comments, staff_client):
    app, engine = moderation_app
    blank = _insert(engine, ["", " \n ", None])
    mona = staff_client("moderator", name="mona", app=app)
    for query in ("", "?status=all", "?status=pending", f"?municipality={SALZHEMMENDORF}"):
        html = mona.get(f"/moderation/{query}").text
        assert not any(f'id="kommentar-{pin_id}"' in html for pin_id in blank), query
    assert "5 Kommentare" in mona.get("/moderation/?status=all").text


def _logged(engine, mona, comments):
    mona.post(f"/moderation/{comments['Erster Kommentar']}", data=_one("Erster Kommentar", action="approve"))
    mona.post(f"/moderation/{comments['Zweiter Kommentar']}", data=_one("Zweiter Kommentar", action="hide"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE moderation_event SET at = TIMESTAMPTZ '2026-11-02 23:30+01' "
                          "WHERE pin_id = :id"), {"id": comments["Zweiter Kommentar"]})


def test_the_audit_log_filters_by_moderator_action_date_and_text(moderation_app, comments, staff_client):
    app, engine = moderation_app
    mona = staff_client("moderator", name="mona", app=app)
    max_ = staff_client("moderator", name="max", app=app)
    _logged(engine, mona, comments)
    max_.post(f"/moderation/{comments['Münder eins']}", data=_one("Münder eins", action="approve"))

    def rows(query):
        html = mona.get(f"/moderation/protokoll?{query}").text
        return html.count("data-event="), html

    assert rows("")[0] == 3
    count, html = rows("moderator=max")
    assert count == 1 and "Münder eins" in html and 'value="max" selected' in html
    assert rows("action=hide")[0] == 1
    assert rows("action=approve&moderator=mona")[0] == 1
    assert rows("von=2026-11-02&bis=2026-11-02")[0] == 1  # 23:30 in Hameln is still the 2nd
    assert rows("bis=2026-11-01")[0] == 0 and "Keine Einträge mit diesem Filter." in rows("bis=2026-11-01")[1]
    assert rows("von=2026-11-03")[0] == 2
    assert rows("q=zweiter")[0] == 1 and rows("q=M%C3%BCnder")[0] == 1
    # Paging keeps the filter.
    for bad in ("action=delete", "von=2026-13-01", "von=gestern", "von=2026-11-05&bis=2026-11-01",
                "moderator=" + "x" * 300, "q=%00"):
        response = mona.get(f"/moderation/protokoll?{bad}")
        assert response.status_code == 422 and "Dieser Filter ist ungültig." in response.text, bad


def test_a_moderator_cannot_find_a_withheld_original_by_searching_the_log(moderation_app, comments, staff_client):
    app, engine = moderation_app
    original = "Münder Workshop: Frau Meier, Tel. 05042 123456"
    mona = staff_client("moderator", name="mona", app=app)
    mona.post(f"/moderation/{comments[original]}", data=_one(original, action="redact", comment="Münder Workshop"))
    assert mona.get("/moderation/protokoll?q=05042").text.count("data-event=") == 0
    assert "05042" not in mona.get("/moderation/protokoll.csv?q=05042").text
    chefin = staff_client("admin", name="chefin", app=app)
    assert chefin.get("/moderation/protokoll?q=05042").text.count("data-event=") == 1


def test_the_audit_log_exports_as_csv_with_named_fields_and_the_same_filter(moderation_app, comments, staff_client):
    import csv
    import io

    app, engine = moderation_app
    mona = staff_client("moderator", name="mona", app=app)
    _logged(engine, mona, comments)
    original = "Münder Workshop: Frau Meier, Tel. 05042 123456"
    mona.post(f"/moderation/{comments[original]}", data=_one(original, action="redact", comment="=HYPERLINK(1)"))
    page = mona.get("/moderation/protokoll?action=hide").text
    assert 'href="/moderation/protokoll.csv?action=hide"' in page
    response = mona.get("/moderation/protokoll.csv?action=hide")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0] == ["zeitpunkt", "moderation", "aktion", "pin", "gemeinde", "status_vorher", "status_nachher",
                       "text_vorher", "text_nachher"]
    assert rows[1:] == [["2026-11-02 23:30:00", "mona", "Verbergen", str(comments["Zweiter Kommentar"]), "Salzhemmendorf",
                         "wartet auf Prüfung", "verborgen", "Zweiter Kommentar", "Zweiter Kommentar"]]
    everything = list(csv.reader(io.StringIO(mona.get("/moderation/protokoll.csv").data.decode("utf-8-sig")),
                                 delimiter=";"))
    assert len(everything) == 4
    redaction = next(row for row in everything if row[2] == "Schwärzen und freigeben")
    # The original stays with admins; a formula is not run by a spreadsheet.
    assert redaction[7] == "" and redaction[8] == "'=HYPERLINK(1)"
    assert "05042" not in "".join(map(";".join, everything))
    assert mona.get("/moderation/protokoll.csv?von=kaputt").status_code == 422
    assert staff_client("planner", name="paula", app=app).get("/moderation/protokoll.csv").status_code == 403


def test_staff_error_pages_link_back_to_the_staff_pages(moderation_app, comments, staff_client):
    app, _ = moderation_app
    mona = staff_client("moderator", name="mona", app=app)
    response = mona.get("/moderation/?status=gone")
    assert response.status_code == 422
    assert '<a class="button" href="/moderation/">Zur Moderation</a>' in response.text
    missing = mona.get("/moderation/gibt-es-nicht")
    assert missing.status_code == 404 and 'href="/moderation/">Zur Moderation</a>' in missing.text
    chefin = staff_client("admin", name="chefin", app=app)
    for path, link in [("/planung/gibt-es-nicht", 'href="/planung/">Zur Planung</a>'),
                       ("/workshops/999999", 'href="/workshops/">Zu den Workshops</a>')]:
        page = chefin.get(path)
        assert page.status_code == 404 and link in page.text and 'href="/moderation/">Zur Moderation</a>' in page.text
    # Refused for lack of the role: back to the sections the account may open.
    refused = staff_client("planner", name="paula", app=app).get("/moderation/")
    assert refused.status_code == 403 and '<a class="button" href="/planung/">Zur Planung</a>' in refused.text
    assert "Zur Moderation" not in refused.text
    # A resident's error page stays as it was: the county map, no staff links.
    resident = app.test_client().get("/gibt-es-nicht")
    assert resident.status_code == 404 and "Zur Karte des Landkreises" in resident.text
    assert "Zur Moderation" not in resident.text and "Bereiche für Mitarbeitende" not in resident.text


def test_the_mini_map_keeps_its_sources_one_tap_away_outside_the_map(moderation_app, comments, staff_client):
    app, _ = moderation_app
    html = staff_client("moderator", name="mona", app=app).get("/moderation/").text
    assert html.count('<details class="mini-map-sources">') == 5
    assert "map.removeControl(map.attributionControl)" in (app.static_folder and
                                                           open(app.static_folder + "/js/moderation.js").read())


def test_the_queue_stays_quick_with_thousands_of_comments(moderation_app, comments, staff_client):
    import random
    import time

    app, engine = moderation_app
    rng = random.Random(2374)
    ordinary = _ordinary(2400, seed=7)
    personal = [f"Meine Nummer ist 0{rng.randint(150, 179)} {rng.randint(1000000, 9999999)}" for _ in range(30)]
    texts = ordinary + personal
    rng.shuffle(texts)
    with engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO pin (client_id, geom, category, comment, created_at, municipality_ags, district_id)
            SELECT gen_random_uuid(), ST_PointOnSurface(m.geom), 'divided', c.comment,
                   TIMESTAMPTZ '2026-11-01 10:00+01' + c.n * INTERVAL '1 minute', m.ags, NULL
            FROM unnest(CAST(:texts AS text[])) WITH ORDINALITY AS c(comment, n)
            JOIN municipality m ON m.ags = :ags"""), {"texts": texts, "ags": SALZHEMMENDORF})
    mona = staff_client("moderator", name="mona", app=app)
    started = time.monotonic()
    html = mona.get("/moderation/?seite=2").text
    elapsed = time.monotonic() - started
    assert "Seite 2 von 98" in html
    first_page = mona.get("/moderation/").text
    assert first_page.count('class="moderation-item flagged"') == 25
    assert mona.get("/moderation/?q=Nummer").text.count('class="moderation-item flagged"') == 25
    assert elapsed < 3, elapsed


def test_span_redaction_by_selecting_text_in_the_browser(moderation_app, comments, browser):
    from tests.helpers import serve_in_thread, sign_in_in_browser

    app, engine = moderation_app
    original = "🙂 Fragen Sie Kalle vom Kiosk, der weiß es. Tel. 05151 987654"
    [pin_id] = _insert(engine, [original])
    server, base = serve_in_thread(app)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        sign_in_in_browser(page, base, "mona")
        page.goto(f"{base}/moderation/?q=Kiosk")
        quote = page.locator(f"#kommentar-{pin_id} blockquote.comment")
        # The flagged phone number is offered at once; "Kalle" is marked by the moderator: a double click on it.
        assert page.locator(f"#schwaerzen-{pin_id} .redact-list li").count() == 1
        box = quote.evaluate("""(quote) => {
            const node = Array.from(quote.childNodes).find((n) => n.nodeType === 3 && n.data.includes("Kalle"));
            const range = document.createRange();
            const at = node.data.indexOf("Kalle");
            range.setStart(node, at); range.setEnd(node, at + 5);
            const r = range.getBoundingClientRect();
            return {x: r.x + r.width / 2, y: r.y + r.height / 2};
        }""")
        page.mouse.dblclick(box["x"], box["y"])
        page.locator(f"#kommentar-{pin_id} .mark-span").click()
        assert page.locator(f"#schwaerzen-{pin_id} .redact-list li").count() == 2
        page.locator(f"#schwaerzen-{pin_id} .redact-list input[type=checkbox]").first.check()  # the phone number too
        page.locator(f"#schwaerzen-{pin_id} button[type=submit]:not([name])").click()
        page.wait_for_load_state()
        assert page.url.endswith("/moderation/?status=pending&q=Kiosk")
    finally:
        page.close()
        server.shutdown()
    assert tuple(_status(engine, pin_id)) == ("published", "🙂 Fragen Sie [entfernt] vom Kiosk, der weiß es. Tel. [entfernt]")


def test_span_offsets_of_text_selected_on_the_page_read_line_breaks_as_the_browser_does():
    from mapserver.services.moderation import redact_spans, spans

    original = "Zeile eins\r\nHerr Müller 🙂\r\nTel. 0151 2345678\rEnde"
    shown = original.replace("\r\n", "\n").replace("\r", "\n")
    name = (shown.index("Herr"), shown.index("Herr") + len("Herr Müller"))
    phone = original.index("0151")
    assert redact_spans(original, spans([f"n{name[0]}:{name[1]}", f"{phone}:{phone + 12}"])) == \
        "Zeile eins\r\n[entfernt] 🙂\r\nTel. [entfernt]\rEnde"
    # Overlapping marks count once; the end of the text is the limit.
    assert redact_spans("abc def", spans(["0:3", "n1:2", "2:7"])) == "[entfernt]"
    with pytest.raises(Exception, match="passt nicht zum Text"):
        redact_spans("kurz", spans(["n0:5"]))
