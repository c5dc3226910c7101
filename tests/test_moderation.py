"""Moderation: the queue (oldest first, filters), approve / hide / redact one by one and in bulk,
the audit log (originals of redactions for admins only), and who may moderate."""
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


def test_queue_shows_pending_comments_oldest_first_with_a_small_map(moderation_app, comments, staff_client):
    app, _ = moderation_app
    mona = staff_client("moderator", name="mona", app=app)
    page = mona.get("/moderation/")
    assert page.status_code == 200
    html = page.text
    assert _queue_order(html, comments) == ["Erster Kommentar", "Münder eins", "Zweiter Kommentar",
                                            "Münder Workshop: Frau Meier, Tel. 05042 123456", "Dritter Kommentar"]
    assert "5 Kommentare" in html and html.count('class="mini-map"') == 5
    assert 'data-districts-url="/api/municipalities/03252008/districts"' in html


def test_queue_filters_by_municipality_workshop_and_status(moderation_app, comments, staff_client):
    app, engine = moderation_app
    mona = staff_client("moderator", name="mona", app=app)
    assert _queue_order(mona.get(f"/moderation/?municipality={BAD_MUENDER}").text, comments) == [
        "Münder eins", "Münder Workshop: Frau Meier, Tel. 05042 123456"]
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
