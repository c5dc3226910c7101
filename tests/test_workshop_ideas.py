"""Ideas in the workshop (issue 17): the facilitator presses I on the presentation, types an idea
and it lands linked to the hotspot on screen and to the workshop, published at once; a phone
sends one through the join link (a plain form) and it waits for moderation; nobody else posts
on the presentation; bad input is refused in German and writes nothing."""
from __future__ import annotations

import random
import re

import pytest
from sqlalchemy import text

from mapserver.services import disclosure, hotspots
from tests.helpers import (add_staff_account, insert_cluster_around, insert_uniform, insert_workshop_today,
                           seeded_app, serve_in_thread, sign_in_in_browser, signed_in_client)

SALZHEMMENDORF = "03252008"
PROJECTOR = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def room(module_db_url):
    """Salzhemmendorf with a planted glass wall around Lauenstein (a hotspot), one run released;
    anna's workshop for the whole municipality and bert's for the Ortsteil Lauenstein."""
    with seeded_app(module_db_url) as app:
        engine = app.extensions["glaswaende.engine"]
        with engine.begin() as conn:
            insert_uniform(conn, SALZHEMMENDORF, 300, seed=1711)
            insert_cluster_around(conn, SALZHEMMENDORF, "Lauenstein", 60, radius_m=300, seed=1712)
            anna = add_staff_account(conn, "anna", "facilitator")
            bert = add_staff_account(conn, "bert", "facilitator")
            add_staff_account(conn, "carla", "facilitator")  # a facilitator of no workshop
            whole = insert_workshop_today(conn, "Werkstatt Salzhemmendorf", SALZHEMMENDORF, "salz2345", anna)
            lauenstein = insert_workshop_today(conn, "Werkstatt Lauenstein", SALZHEMMENDORF, "laue2345", bert)
            district = conn.execute(text("SELECT id FROM district WHERE municipality_ags = :a AND name = 'Lauenstein'"),
                                    {"a": SALZHEMMENDORF}).scalar_one()
            conn.execute(text("UPDATE workshop SET district_id = :d WHERE id = :w"), {"d": district, "w": lauenstein})
        hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
        yield {"app": app, "engine": engine, "whole": whole, "lauenstein": lauenstein, "district": district,
               "anna": anna, "bert": bert}


@pytest.fixture
def no_ideas(room):
    def clear():
        with room["engine"].begin() as conn:
            conn.execute(text("DELETE FROM followup_event"))
            conn.execute(text("DELETE FROM idea"))
    clear()
    yield
    clear()


def _ideas(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT i.id, i.title, i.body, i.dimensions, i.source, i.status, i.workshop_id, i.created_by, "
            "i.hotspot_run_id, i.hotspot_id, i.district_ids, i.municipality_ags, i.area IS NOT NULL AS has_area, "
            "(SELECT ST_Equals(i.area, ST_Multi(h.geom)) FROM hotspot h "
            " WHERE h.run_id = i.hotspot_run_id AND h.id = i.hotspot_id) AS area_is_hotspot "
            "FROM idea i ORDER BY i.id")).all()


def _shown_hotspots(room) -> tuple[int, list[dict]]:
    """The public run's id and the hotspots as the presentation numbers them."""
    app, engine = room["app"], room["engine"]
    with engine.connect() as conn:
        run = disclosure.public_run_or_none(conn, "03252")
        shown = disclosure.public_layers(conn, run, "03252", SALZHEMMENDORF,
                                         disclosure.Rules.from_config(app.config))["hotspots"]
    return run.id, shown


@pytest.mark.browser
def test_an_idea_keyed_in_on_the_presentation_lands_linked_to_the_hotspot_on_screen(room, browser, no_ideas):
    rng = random.Random(1713)
    title = f"Bank am Dorfplatz {rng.randint(100, 999)}"
    run_id, shown = _shown_hotspots(room)
    assert shown, "the planted glass wall is a hotspot"
    # CSRF on, as in production: the page's script sends its token.
    with seeded_app(room["app"].config["DATABASE_URL"], CSRF=True) as app:
        server, base = serve_in_thread(app)
        context = browser.new_context(viewport=PROJECTOR, locale="de-DE")
        try:
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            sign_in_in_browser(page, base, "anna")
            page.wait_for_url("**/workshops/")
            page.goto(f"{base}/workshops/{room['whole']}/praesentation")
            page.wait_for_function("() => window.glaswaende.state.data !== null")
            assert "I Idee eintragen" in page.locator(".keys").inner_text(), "the key is announced"
            steps = rng.randint(1, len(shown))
            for _ in range(steps):
                page.keyboard.press("ArrowRight")
            number = page.evaluate("() => window.glaswaende.state.hotspots[window.glaswaende.state.index].number")
            assert number == steps
            page.keyboard.press("i")
            dialog = page.locator("#idea-dialog")
            dialog.wait_for(state="visible")
            assert f"Hotspot {number}" in page.locator("#idea-target").inner_text()
            # Typing in the field is not a command: "f" (freeze), "q" (QR code) and "i" are letters here.
            page.keyboard.type(title + " fqi")
            page.locator("#idea-body").fill("Eine Bank, wo Alt und Jung sich treffen.")
            page.get_by_label("Generationen").check()
            assert page.locator("#frozen-badge").is_hidden() and page.locator("#qr-overlay").is_hidden()
            page.locator("#idea-save").click()
            page.wait_for_selector("#idea-saved:not([hidden])")
            assert dialog.is_hidden()
            assert title in page.locator("#idea-saved").inner_text()
            assert title + " fqi" in page.locator("#ideas-list").inner_text()
            assert page.locator("#ideas-count").inner_text() == "1 Idee aus diesem Workshop"

            # An empty title: the dialog stays open with a German reason, nothing is written.
            page.keyboard.press("i")
            dialog.wait_for(state="visible")
            page.locator("#idea-save").click()
            page.wait_for_selector("#idea-error:not([hidden])")
            assert "Bitte geben Sie Ihrer Idee einen Titel." in page.locator("#idea-error").inner_text()
            page.keyboard.press("Escape")
            assert dialog.is_hidden()
            assert errors == []
        finally:
            context.close()
            server.shutdown()
    [idea] = _ideas(room["engine"])
    assert idea.title == title + " fqi" and idea.body == "Eine Bank, wo Alt und Jung sich treffen."
    assert (idea.source, idea.status, idea.workshop_id, idea.created_by) == ("workshop", "published", room["whole"],
                                                                           room["anna"])
    assert (idea.hotspot_run_id, idea.hotspot_id) == (run_id, shown[number - 1]["id"])
    assert idea.has_area and idea.area_is_hotspot, "its area is the hotspot's outline"
    assert idea.dimensions == ["generations"] and idea.municipality_ags == SALZHEMMENDORF
    assert room["district"] in idea.district_ids, "filed under the Ortsteile the hotspot reaches"


def test_without_a_hotspot_on_screen_the_idea_goes_to_the_workshops_district(room, no_ideas):
    client = signed_in_client(room["app"], "facilitator", name="bert")
    response = client.post(f"/workshops/{room['lauenstein']}/praesentation/idee", json={"title": "Dorfcafé"})
    assert response.status_code == 201, response.json
    assert response.json["collected"] == {"count": 1, "titles": [{"id": response.json["idea"]["id"],
                                                                  "title": "Dorfcafé"}], "pending": 0}
    [idea] = _ideas(room["engine"])
    assert idea.district_ids == [room["district"]] and idea.hotspot_id is None and idea.has_area
    assert (idea.status, idea.created_by) == ("published", room["bert"])


def test_a_phone_idea_through_the_join_link_waits_for_moderation(room, no_ideas):
    client = room["app"].test_client()
    page = client.get(f"/gemeinde/{SALZHEMMENDORF}?workshop=laue2345")
    assert page.status_code == 200 and 'id="ihre-idee"' in page.text
    assert 'action="/w/laue2345/idee"' in page.text and 'name="website"' in page.text
    response = client.post("/w/laue2345/idee", data={"title": "Spieleabend im Gemeindehaus", "body": "Jeden Freitag",
                                                     "dimensions": ["generations", "origin"], "website": ""})
    assert response.status_code == 303 and response.location.endswith("/w/laue2345/idee?gesendet=1")
    assert "Vielen Dank für Ihre Idee!" in client.get(response.location).text
    [idea] = _ideas(room["engine"])
    assert (idea.source, idea.status, idea.workshop_id, idea.created_by) == ("workshop", "pending", room["lauenstein"], None)
    assert idea.district_ids == [room["district"]] and idea.dimensions == ["generations", "origin"]
    # The room sees that one waits, not its words, until a moderator publishes it.
    staff = signed_in_client(room["app"], "facilitator", name="bert")
    collected = staff.get(f"/workshops/{room['lauenstein']}/praesentation/ideen").json
    assert collected == {"count": 0, "titles": [], "pending": 1}


@pytest.mark.parametrize("data, words", [
    ({"title": "   "}, "Bitte geben Sie Ihrer Idee einen Titel."),
    ({"title": "x" * 121}, "höchstens 120 Zeichen"),
    ({"title": "Gut", "dimensions": ["nonsense"]}, "nur Glaswände aus der Liste"),
    ({"title": "Gut", "website": "http://spam.example"}, "Bitte lassen Sie das Feld „Website“ leer."),
])
def test_bad_phone_ideas_are_refused_in_german_and_write_nothing(room, no_ideas, data, words):
    response = room["app"].test_client().post("/w/salz2345/idee", data=data)
    assert response.status_code == 422
    assert words in response.text
    assert _ideas(room["engine"]) == []


def test_an_unknown_join_link_is_a_german_404(room, no_ideas):
    response = room["app"].test_client().post("/w/zzzz9999/idee", data={"title": "Gut"})
    assert response.status_code == 404 and "Diesen Workshop-Link gibt es nicht" in response.text
    assert _ideas(room["engine"]) == []


def test_only_the_workshops_facilitator_or_an_admin_posts_on_its_presentation(room, no_ideas):
    url = f"/workshops/{room['whole']}/praesentation/idee"
    anonymous = room["app"].test_client().post(url, json={"title": "Fremd"})
    assert anonymous.status_code == 401 and anonymous.mimetype == "application/problem+json"
    other = signed_in_client(room["app"], "facilitator", name="carla").post(url, json={"title": "Fremd"})
    assert other.status_code == 403 and other.mimetype == "application/problem+json"
    assert "angelegt" in other.json["detail"]
    for role in ("planner", "moderator", "coordinator"):
        assert signed_in_client(room["app"], role).post(url, json={"title": "Fremd"}).status_code == 403, role
    assert _ideas(room["engine"]) == []
    assert signed_in_client(room["app"], "admin").post(url, json={"title": "Von der Verwaltung"}).status_code == 201


@pytest.mark.parametrize("body, status, words", [
    ({"title": ""}, 422, "Bitte geben Sie Ihrer Idee einen Titel."),
    ({"title": "Gut", "hotspot_number": 99, "run_id": "RUN"}, 422, "Diesen Hotspot gibt es auf der Karte nicht."),
    ({"title": "Gut", "hotspot_number": 1, "run_id": 987654}, 422, "Bitte laden Sie die Präsentation neu"),
    ({"title": "Gut", "hotspot_number": "eins"}, 422, "Diesen Hotspot gibt es auf der Karte nicht."),
    (["kein", "Objekt"], 400, "als JSON-Objekt"),
    # A JSON body may send any type: refused in German, not a 500.
    ({"title": "Gut", "dimensions": 5}, 422, "nur Glaswände aus der Liste"),
    ({"title": "Gut", "dimensions": True}, 422, "nur Glaswände aus der Liste"),
    ({"title": "Gut", "dimensions": "generations"}, 422, "nur Glaswände aus der Liste"),
    ({"title": "Gut", "dimensions": [1, {"a": 2}]}, 422, "nur Glaswände aus der Liste"),
    ({"title": "Gut", "dimensions": ["generations\x00"]}, 422, "nur Glaswände aus der Liste"),
    ({"title": 5}, 422, "Bitte geben Sie den Titel als Text an."),
    ({"title": ["Gut"]}, 422, "Bitte geben Sie den Titel als Text an."),
    ({"title": "Gut", "body": {"text": "x"}}, 422, "Bitte geben Sie die Beschreibung als Text an."),
    ({"title": "Gut", "hotspot_number": True, "run_id": "RUN"}, 422, "Diesen Hotspot gibt es auf der Karte nicht."),
])
def test_bad_presentation_ideas_are_refused_in_german_and_write_nothing(room, no_ideas, body, status, words):
    run_id, _ = _shown_hotspots(room)
    if isinstance(body, dict) and body.get("run_id") == "RUN":
        body = {**body, "run_id": run_id}
    client = signed_in_client(room["app"], "facilitator", name="anna")
    response = client.post(f"/workshops/{room['whole']}/praesentation/idee", json=body)
    assert response.status_code == status and response.mimetype == "application/problem+json"
    assert words in " ".join([response.json["detail"]] + [e["message"] for e in response.json["errors"]])
    assert _ideas(room["engine"]) == []


def test_phone_ideas_are_limited_per_address(room, no_ideas):
    with seeded_app(room["app"].config["DATABASE_URL"], RATE_LIMITS=True,
                    WORKSHOP_IDEA_LIMIT_PER_ADDRESS="2 per hour") as app:
        client = app.test_client()
        for n in range(2):
            assert client.post("/w/salz2345/idee", data={"title": f"Idee {n}"}).status_code == 303
        refused = client.post("/w/salz2345/idee", data={"title": "Idee 3"})
        assert refused.status_code == 429 and "Retry-After" in refused.headers
        assert re.search(r"Zu viele Anfragen", refused.text)
    assert [i.title for i in _ideas(room["engine"])] == ["Idee 0", "Idee 1"]


def test_a_join_link_on_another_day_has_the_public_idea_limit(room, no_ideas):
    """The higher limit is for the room's phones behind one address while the workshop runs
    (as for pins); on any other day the link is one more public idea form."""
    rng = random.Random(1714)
    days = rng.choice([-30, -2, 2, 30])
    engine = room["engine"]
    with engine.begin() as conn:
        stale = conn.execute(text(
            "INSERT INTO workshop (title, held_on, municipality_ags, join_code, created_by) VALUES "
            "('Werkstatt anderer Tag', current_date + :days, :ags, 'alt2345', :creator) RETURNING id"),
            {"days": days, "ags": SALZHEMMENDORF, "creator": room["anna"]}).scalar_one()
    try:
        with seeded_app(room["app"].config["DATABASE_URL"], RATE_LIMITS=True, IDEA_LIMIT_PER_ADDRESS="2 per hour",
                        WORKSHOP_IDEA_LIMIT_PER_ADDRESS="50 per hour") as app:
            client = app.test_client()
            for n in range(3):  # today's workshop: the workshop limit
                assert client.post("/w/salz2345/idee", data={"title": f"Heute {n}"}).status_code == 303
            for n in range(2):
                assert client.post("/w/alt2345/idee", data={"title": f"Anderer Tag {n}"}).status_code == 303, days
            refused = client.post("/w/alt2345/idee", data={"title": "Anderer Tag 2"})
            assert refused.status_code == 429 and "Retry-After" in refused.headers, days
            # It is the public form's count: the municipality's idea form is spent too.
            assert client.post(f"/gemeinde/{SALZHEMMENDORF}/ideen/neu", data={"title": "Online"}).status_code == 429
        assert sorted(i.title for i in _ideas(engine) if i.workshop_id == stale) == ["Anderer Tag 0", "Anderer Tag 1"]
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM idea WHERE workshop_id = :w"), {"w": stale})
            conn.execute(text("DELETE FROM workshop WHERE id = :w"), {"w": stale})


@pytest.mark.browser
@pytest.mark.parametrize("language", ["de", "ar"])
def test_the_join_idea_form_and_the_presentation_dialog_have_no_serious_axe_violation(room, browser, no_ideas,
                                                                                     language):
    from tests.test_accessibility import _axe_violations

    with room["engine"].begin() as conn:
        conn.execute(text("INSERT INTO local_actor (county_key, municipality_ags, district_id, name, kind) "
                          "VALUES ('03252', :a, :d, 'Kirchengemeinde Lauenstein', 'kirchengemeinde')"),
                     {"a": SALZHEMMENDORF, "d": room["district"]})
    server, base = serve_in_thread(room["app"])
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        found = []
        page.goto(f"{base}/gemeinde/{SALZHEMMENDORF}?workshop=laue2345&lang={language}")
        page.locator(".leaflet-container").wait_for()
        found += [("join page", v) for v in _axe_violations(page)]
        # Without script: the plain form posts, a refused idea comes back with its German reason.
        page.goto(f"{base}/w/laue2345/idee?lang={language}")
        page.locator("#idea-title").fill("   ")
        page.locator("#ihre-idee button[type=submit]").click()
        page.wait_for_selector(".notice.error")
        found += [("refused idea", v) for v in _axe_violations(page)]
        page.locator("#idea-title").fill("Mitfahrbank")
        page.locator("#ihre-idee button[type=submit]").click()
        page.wait_for_url("**gesendet=1")
        found += [("thanks", v) for v in _axe_violations(page)]
        if language == "de":
            sign_in_in_browser(page, base, "bert")
            page.wait_for_url("**/workshops/")
            page.set_viewport_size(PROJECTOR)
            page.goto(f"{base}/workshops/{room['lauenstein']}/praesentation")
            page.wait_for_function("() => window.glaswaende.state.data !== null")
            page.keyboard.press("i")
            page.locator("#idea-dialog").wait_for(state="visible")
            found += [("presentation dialog", v) for v in _axe_violations(page)]
            page.keyboard.press("Escape")
            # The layer "Hier gibt es schon …" on the projected map: off until ticked.
            assert page.locator(".actor-marker").count() == 0
            page.get_by_label("Hier gibt es schon", exact=False).check()
            page.wait_for_selector(".actor-marker")
            assert page.locator(".actor-marker").count() == 1
        assert found == []
    finally:
        context.close()
        server.shutdown()
        with room["engine"].begin() as conn:
            conn.execute(text("DELETE FROM local_actor"))
    assert [(i.title, i.status) for i in _ideas(room["engine"])] == [("Mitfahrbank", "pending")]
