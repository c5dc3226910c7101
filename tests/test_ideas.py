"""Ideas and answers (issue 17): a resident's idea is public only after moderation, one support per
device (a salted hash), answers invisible as drafts and public with their date once published,
nicht_umsetzbar needs a reason, bad input is refused in German and writes nothing, only
coordinators and admins answer, and every change is in the step-two audit log."""
from __future__ import annotations

import random
import re
import string
from urllib.parse import quote

import jsonschema
import pytest
from babel.dates import format_date
from sqlalchemy import text

from mapserver.services import hotspots
from mapserver.services.ideas import NewIdea, create_idea
from tests.helpers import insert_cluster_around, insert_uniform, seeded_app, signed_in_client

SALZHEMMENDORF = "03252008"
BAD_MUENDER = "03252002"


@pytest.fixture
def clean_ideas(engine):
    def wipe():
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM followup_event"))
            conn.execute(text("DELETE FROM idea"))
            conn.execute(text("DELETE FROM answer_template"))
    wipe()
    yield
    wipe()


def _districts(engine, ags: str) -> dict[str, int]:
    with engine.connect() as conn:
        return {r.name: r.id for r in conn.execute(text("SELECT id, name FROM district WHERE municipality_ags = :a"),
                                                  {"a": ags})}


def _published_idea(engine, title: str = "Ein Dorffest für alle", ags: str = SALZHEMMENDORF) -> int:
    with engine.begin() as conn:
        staff = conn.execute(text("SELECT id FROM account ORDER BY id LIMIT 1")).scalar()
        if staff is None:
            staff = conn.execute(text("INSERT INTO account (name, password_hash, roles) VALUES "
                                      "('ideen-test', 'x', ARRAY['coordinator']) RETURNING id")).scalar()
        return create_idea(conn, "03252", NewIdea(municipality_ags=ags, title=title, body="Im Sommer, am Markt."),
                           source="paper", created_by=staff)["id"]


def _count(engine, sql: str, **params) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def _log(engine, subject: str) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        return [(r.action, r.subject_id) for r in conn.execute(
            text("SELECT action, subject_id FROM followup_event WHERE subject = :s ORDER BY id"), {"s": subject})]


def test_a_residents_idea_is_public_only_after_moderation(client, engine, staff_client, clean_ideas):
    districts = _districts(engine, SALZHEMMENDORF)
    lauenstein = districts["Lauenstein"]
    municipality_page = client.get(f"/gemeinde/{SALZHEMMENDORF}").get_data(as_text=True)
    assert f'href="/gemeinde/{SALZHEMMENDORF}/ideen/neu">Ihre Idee zu dieser Glaswand</a>' in municipality_page
    assert f'href="/gemeinde/{SALZHEMMENDORF}/ideen"' in municipality_page
    form = client.get(f"/gemeinde/{SALZHEMMENDORF}/ideen/neu?ortsteil={lauenstein}").get_data(as_text=True)
    assert "Ihre Idee zu dieser Glaswand" in form and f'value="{lauenstein}" checked' in form
    response = client.post(f"/gemeinde/{SALZHEMMENDORF}/ideen/neu", data={
        "title": "Bank am Spielplatz", "body": "Damit Alt und Jung sich treffen.", "dimensions": ["generations"],
        "district_ids": [str(lauenstein)]})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/gemeinde/{SALZHEMMENDORF}/ideen/danke")
    assert "Danke, Ihre Idee wird geprüft." in client.get(response.headers["Location"]).get_data(as_text=True)
    with engine.connect() as conn:
        idea = conn.execute(text("SELECT id, status, source, district_ids, dimensions, created_by, "
                                 "ST_AsText(area) IS NOT NULL AS has_area FROM idea")).one()
    assert (idea.status, idea.source, idea.district_ids, idea.dimensions, idea.created_by, idea.has_area) == (
        "pending", "online", [lauenstein], ["generations"], None, True)

    def public_everywhere() -> tuple[bool, int, bool]:
        listing = client.get(f"/gemeinde/{SALZHEMMENDORF}/ideen").get_data(as_text=True)
        api = client.get(f"/api/ideas?municipality={SALZHEMMENDORF}").get_json()
        return ("Bank am Spielplatz" in listing, client.get(f"/ideen/{idea.id}").status_code,
                any(i["id"] == idea.id for i in api["ideas"]))

    assert public_everywhere() == (False, 404, False)
    moderator = staff_client("moderator")
    queue = moderator.get("/moderation/ideen/")
    assert queue.status_code == 200 and "Bank am Spielplatz" in queue.get_data(as_text=True)
    assert queue.headers["Cache-Control"] == "no-store"
    seen = re.search(r'name="seen" value="([0-9a-f]{32})"', queue.get_data(as_text=True)).group(1)
    assert moderator.post(f"/moderation/ideen/{idea.id}", data={"action": "approve", "seen": seen}).status_code == 303
    assert public_everywhere() == (True, 200, True)
    api = client.get(f"/api/ideas?municipality={SALZHEMMENDORF}").get_json()["ideas"][0]
    assert api["districts"] == [{"id": lauenstein, "name": "Lauenstein"}] and api["answer"] is None
    assert api["source"] == "online" and api["support_count"] == 0 and api["url"].endswith(f"/ideen/{idea.id}")
    assert _log(engine, "idea") == [("created", idea.id), ("approved", idea.id)]
    page = client.get(f"/ideen/{idea.id}").get_data(as_text=True)
    assert "Auf diese Idee gibt es noch keine Antwort." in page


def test_moderators_hide_and_redact_ideas(client, engine, staff_client, clean_ideas):
    for title, body in (("Treffpunkt", "Ruft mich an: 0151 23456789"), ("Werbung", "Kaufen Sie …"),
                        ("Gartenzaun", "Nachbar Kowalczyk baut immer höher. Frag Kowalczyk!")):
        assert client.post(f"/gemeinde/{BAD_MUENDER}/ideen/neu", data={"title": title, "body": body}).status_code == 303
    moderator = staff_client("moderator")
    page = moderator.get("/moderation/ideen/").get_data(as_text=True)
    assert page.index("Treffpunkt") < page.index("Werbung"), "the flagged idea comes first"
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT title, id FROM idea")).all())
    seen = dict(re.findall(r'action="/moderation/ideen/(\d+)">\s*<input[^>]*>\s*<input type="hidden" name="seen" value="([0-9a-f]{32})"', page))
    span = re.search(r'name="body_span" value="(\d+:\d+)"', page).group(1)
    response = moderator.post(f"/moderation/ideen/{ids['Treffpunkt']}", data={
        "action": "redact", "seen": seen[str(ids["Treffpunkt"])], "body_span": span})
    assert response.status_code == 303
    assert moderator.post(f"/moderation/ideen/{ids['Werbung']}", data={
        "action": "hide", "seen": seen[str(ids["Werbung"])]}).status_code == 303
    # A place the flags missed: copied from the page, every occurrence goes.
    assert moderator.post(f"/moderation/ideen/{ids['Gartenzaun']}", data={
        "action": "redact", "seen": seen[str(ids["Gartenzaun"])], "phrase": "Zaun"}).status_code == 303
    assert _count(engine, "SELECT count(*) FROM idea WHERE status = 'pending'") == 1, "not found: nothing changed"
    assert moderator.post(f"/moderation/ideen/{ids['Gartenzaun']}", data={
        "action": "redact", "seen": seen[str(ids["Gartenzaun"])], "phrase": "Kowalczyk"}).status_code == 303
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT title, status || '|' || body FROM idea")).all())
    assert rows == {"Treffpunkt": "published|Ruft mich an: [entfernt]", "Werbung": "hidden|Kaufen Sie …",
                    "Gartenzaun": "published|Nachbar [entfernt] baut immer höher. Frag [entfernt]!"}
    assert client.get(f"/ideen/{ids['Werbung']}").status_code == 404
    assert "0151" not in client.get(f"/ideen/{ids['Treffpunkt']}").get_data(as_text=True)
    assert [a for a, _ in _log(engine, "idea")] == ["created", "created", "created", "redacted", "hidden", "redacted"]
    # A stale digest (the idea was moderated meanwhile) changes nothing.
    moderator.post(f"/moderation/ideen/{ids['Werbung']}", data={"action": "approve", "seen": seen[str(ids["Werbung"])]})
    assert _count(engine, "SELECT count(*) FROM idea WHERE status = 'hidden'") == 1


def test_one_support_per_device_stored_as_a_salted_hash(client, engine, clean_ideas):
    idea_id = _published_idea(engine)
    device = "c0ffee-device-1234"

    def support(device_id: str, **headers):
        return client.post(f"/ideen/{idea_id}/unterstuetzen", headers={"X-Glaswaende-Device": device_id, **headers})

    first = support(device)
    assert first.status_code == 303 and first.headers["Location"].endswith(f"/ideen/{idea_id}#unterstuetzen")
    assert "Danke! Sie unterstützen diese Idee." in client.get(f"/ideen/{idea_id}").get_data(as_text=True)
    again = support(device, Accept="application/json")
    assert again.get_json()["added"] is False and again.get_json()["support_count"] == 1
    assert "schon" in again.get_json()["message"]
    assert _count(engine, "SELECT support_count FROM idea WHERE id = :i", i=idea_id) == 1
    other = support("another-phone-5678", Accept="application/json").get_json()
    assert (other["support_count"], other["added"]) == (2, True)
    # The form field (the script fills it when it cannot set the header) counts as the same device.
    assert client.post(f"/ideen/{idea_id}/unterstuetzen", data={"device": device},
                       headers={"Accept": "application/json"}).get_json()["added"] is False
    with engine.connect() as conn:
        hashes = [bytes(h) for h in conn.execute(text("SELECT device_hash FROM idea_support")).scalars()]
    assert len(hashes) == 2 and all(len(h) == 16 for h in hashes)
    assert all(device.encode() not in h and b"another" not in h for h in hashes)
    # The same device's support of another idea is another hash (supports cannot be linked).
    second = _published_idea(engine, "Zweite Idee")
    client.post(f"/ideen/{second}/unterstuetzen", headers={"X-Glaswaende-Device": device})
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(DISTINCT device_hash) FROM idea_support")).scalar() == 3
    # A pending idea cannot be supported.
    with engine.begin() as conn:
        conn.execute(text("UPDATE idea SET status = 'pending' WHERE id = :i"), {"i": idea_id})
    assert support("third-phone").status_code == 404
    assert _count(engine, "SELECT support_count FROM idea WHERE id = :i", i=idea_id) == 2


def test_an_answer_is_invisible_as_draft_and_public_with_its_date_once_published(client, engine, staff_client,
                                                                                  clean_ideas):
    idea_id = _published_idea(engine)
    coordinator = staff_client("coordinator")
    form = coordinator.get(f"/koordination/ideen/{idea_id}").get_data(as_text=True)
    assert "Programm „Finde die Glaswände!“" in form and "nie der Name einer Privatperson" in form
    response = coordinator.post(f"/koordination/ideen/{idea_id}", data={
        "state": "in_pruefung", "body": "Wir sprechen mit dem Ortsrat.", "institution": "Landkreis Hameln-Pyrmont",
        "action": "draft"})
    assert response.status_code == 303
    answer_id = _count(engine, "SELECT id FROM idea_answer")

    def public() -> tuple[bool, object]:
        page = client.get(f"/ideen/{idea_id}").get_data(as_text=True)
        api = client.get(f"/api/ideas?municipality={SALZHEMMENDORF}").get_json()["ideas"][0]["answer"]
        return "Wir sprechen mit dem Ortsrat." in page, api

    assert public() == (False, None)
    editing = coordinator.get(f"/koordination/ideen/{idea_id}?entwurf={answer_id}").get_data(as_text=True)
    assert f'id="entwurf-{answer_id}"' in editing and "Wir sprechen mit dem Ortsrat.</textarea>" in editing
    # The draft is changed, then published.
    assert coordinator.post(f"/koordination/ideen/{idea_id}/antworten/{answer_id}", data={
        "state": "in_pruefung", "body": "Wir sprechen mit dem Ortsrat im Januar.", "institution": "Landkreis Hameln-Pyrmont",
        "action": "save"}).status_code == 303
    assert public() == (False, None)
    assert coordinator.post(f"/koordination/ideen/{idea_id}/antworten/{answer_id}", data={
        "state": "in_pruefung", "body": "Wir sprechen mit dem Ortsrat im Januar.", "institution": "Landkreis Hameln-Pyrmont",
        "action": "publish"}).status_code == 303
    with engine.connect() as conn:
        published_at = conn.execute(text("SELECT published_at FROM idea_answer")).scalar()
    page = client.get(f"/ideen/{idea_id}").get_data(as_text=True)
    assert "Wir sprechen mit dem Ortsrat im Januar." in page and "in Prüfung" in page
    local_day = format_date(published_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin")), "long", locale="de")
    assert local_day in page
    answer = client.get(f"/api/ideas?municipality={SALZHEMMENDORF}").get_json()["ideas"][0]["answer"]
    assert answer["state"] == "in_pruefung" and answer["institution"] == "Landkreis Hameln-Pyrmont"
    assert answer["published_at"].startswith(published_at.isoformat()[:19])
    spec = client.get("/api/openapi.json").get_json()
    jsonschema.validate(client.get(f"/api/ideas?municipality={SALZHEMMENDORF}").get_json(),
                        {"$ref": "#/components/schemas/IdeaList", "components": spec["components"]})
    listing = client.get(f"/gemeinde/{SALZHEMMENDORF}/ideen?stand=in_pruefung").get_data(as_text=True)
    assert "Ein Dorffest für alle" in listing
    assert "Ein Dorffest für alle" not in client.get(f"/gemeinde/{SALZHEMMENDORF}/ideen?stand=keine").get_data(as_text=True)
    # A published answer is neither changed nor deleted: a new one follows.
    for action in ("save", "delete"):
        refused = coordinator.post(f"/koordination/ideen/{idea_id}/antworten/{answer_id}", data={
            "state": "erledigt", "body": "Geändert", "institution": "X", "action": action})
        assert refused.status_code == 422 and "neue Antwort" in refused.get_data(as_text=True)
    assert _count(engine, "SELECT count(*) FROM idea_answer WHERE body LIKE 'Wir sprechen%'") == 1
    # A second draft is deleted: the public sees only the published one.
    coordinator.post(f"/koordination/ideen/{idea_id}", data={"state": "erledigt", "body": "Fertig.",
                                                              "institution": "Gemeinde", "action": "draft"})
    draft_id = _count(engine, "SELECT id FROM idea_answer WHERE published_at IS NULL")
    assert "Fertig." not in client.get(f"/ideen/{idea_id}").get_data(as_text=True)
    assert coordinator.post(f"/koordination/ideen/{idea_id}/antworten/{draft_id}",
                            data={"action": "delete"}).status_code == 303
    assert _count(engine, "SELECT count(*) FROM idea_answer") == 1
    assert [a for a, _ in _log(engine, "answer")] == ["drafted", "changed", "published", "drafted", "deleted"]


def test_nicht_umsetzbar_without_a_reason_is_refused(engine, staff_client, clean_ideas):
    idea_id = _published_idea(engine)
    coordinator = staff_client("coordinator")
    for body in ("", "   \r\n  "):
        response = coordinator.post(f"/koordination/ideen/{idea_id}", data={
            "state": "nicht_umsetzbar", "body": body, "institution": "Landkreis", "action": "publish"})
        assert response.status_code == 422
        assert "braucht eine Begründung" in response.get_data(as_text=True)
    assert _count(engine, "SELECT count(*) FROM idea_answer") == 0
    assert _log(engine, "answer") == []
    assert coordinator.post(f"/koordination/ideen/{idea_id}", data={
        "state": "nicht_umsetzbar", "body": "Die Fläche gehört der Bahn.", "institution": "Landkreis",
        "action": "publish"}).status_code == 303
    assert _count(engine, "SELECT count(*) FROM idea_answer WHERE published_at IS NOT NULL") == 1


def test_answer_templates_and_paper_ideas(client, engine, staff_client, clean_ideas):
    coordinator = staff_client("coordinator")
    assert coordinator.post("/koordination/antwortvorlagen", data={
        "title": "Eingang", "state": "eingegangen", "body": "Danke für Ihre Idee."}).status_code == 303
    template_id = _count(engine, "SELECT id FROM answer_template")
    assert "Danke für Ihre Idee.</textarea>" in coordinator.get(f"/koordination/antwortvorlagen/{template_id}").get_data(
        as_text=True)
    assert coordinator.post(f"/koordination/antwortvorlagen/{template_id}", data={
        "title": "Eingang", "state": "eingegangen", "body": "Danke für Ihre Idee! Wir melden uns."}).status_code == 303
    assert coordinator.post("/koordination/antwortvorlagen", data={"title": "", "state": "xx", "body": ""}).status_code == 422
    districts = _districts(engine, SALZHEMMENDORF)
    response = coordinator.post("/koordination/ideen/neu", data={
        "municipality": SALZHEMMENDORF, "title": "Erzählcafé", "body": "Vom Papierbogen.",
        "dimensions": ["origin"], "district_ids": [str(districts["Lauenstein"]), str(districts["Salzhemmendorf"])]})
    assert response.status_code == 303
    with engine.connect() as conn:
        idea = conn.execute(text("SELECT id, status, source, created_by FROM idea")).one()
    assert (idea.status, idea.source) == ("published", "paper") and idea.created_by is not None
    assert client.get(f"/ideen/{idea.id}").status_code == 200
    page = coordinator.get(f"/koordination/ideen/{idea.id}?vorlage={template_id}").get_data(as_text=True)
    assert "Danke für Ihre Idee! Wir melden uns." in page
    # A district of another municipality is refused, nothing written.
    refused = coordinator.post("/koordination/ideen/neu", data={
        "municipality": BAD_MUENDER, "title": "Falscher Ort", "district_ids": [str(districts["Lauenstein"])]})
    assert refused.status_code == 422 and "Ortsteil" in refused.get_data(as_text=True)
    assert coordinator.post(f"/koordination/antwortvorlagen/{template_id}/loeschen").status_code == 303
    assert _count(engine, "SELECT count(*) FROM answer_template") == 0
    assert [a for a, _ in _log(engine, "answer_template")] == ["created", "changed", "deleted"]
    assert _count(engine, "SELECT count(*) FROM idea") == 1
    assert _log(engine, "idea") == [("created", idea.id)]
    listing = coordinator.get(f"/koordination/ideen?gemeinde={SALZHEMMENDORF}&stand=keine").get_data(as_text=True)
    assert "Erzählcafé" in listing


def test_api_ideas_errors_are_german_problems(client, clean_ideas):
    for query, status in (("", 422), ("?municipality=", 422), ("?municipality=abc", 422),
                          ("?municipality=0325200%00", 422), ("?municipality=03252099", 404)):
        response = client.get("/api/ideas" + query)
        assert response.status_code == status, query
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["detail"] and "Gemeinde" in response.get_json()["detail"]
    assert client.get("/gemeinde/03252099/ideen").status_code == 404
    assert "gibt es in diesem Kreis nicht" in client.get("/gemeinde/03252099/ideen").get_data(as_text=True)
    assert "/api/ideas" in client.get("/api/openapi.json").get_json()["paths"]


def _junk(rng: random.Random) -> str:
    alphabet = string.printable + "äöüß€\u202e\x00\x01\ufeff'\"<>{}%"
    return "".join(rng.choice(alphabet) for _ in range(rng.choice((0, 1, 5, 130, 2100))))


def test_bad_input_is_refused_in_german_and_writes_nothing(client, engine, staff_client, clean_ideas):
    rng = random.Random(1717)
    idea_id = _published_idea(engine)
    coordinator = staff_client("coordinator")
    before = {table: _count(engine, f"SELECT count(*) FROM {table}") for table in
              ("idea", "idea_answer", "answer_template", "followup_event", "idea_support")}
    for _ in range(40):
        junk = {key: _junk(rng) for key in ("title", "body", "state", "institution", "hotspot", "municipality")}
        junk |= {"dimensions": [_junk(rng)], "district_ids": [_junk(rng)]}
        if not junk["title"].strip() or len(junk["title"]) > 120 or rng.random() < 0.5:
            resident = client.post(f"/gemeinde/{SALZHEMMENDORF}/ideen/neu", data={**junk, "title": rng.choice(
                ["", "x" * 121, junk["title"] + "\x01"]), "dimensions": [rng.choice(["nonsense", "origin"])],
                "district_ids": [rng.choice(["abc", "999999", "-1"])]})
            assert resident.status_code == 422, resident.status_code
            assert "Bitte prüfen Sie Ihre Idee." in resident.get_data(as_text=True)
        state = rng.choice(["", "unbekannt", "nicht_umsetzbar", "Erledigt"])
        answer = coordinator.post(f"/koordination/ideen/{idea_id}", data={
            **junk, "state": state, "body": rng.choice(["", " \r\n "]) if state == "nicht_umsetzbar" else junk["body"],
            "action": rng.choice(["publish", "draft", junk["title"]])})
        assert answer.status_code == 422 and "Bitte prüfen Sie die Antwort." in answer.get_data(as_text=True)
        template = coordinator.post("/koordination/antwortvorlagen", data={**junk, "state": "falsch"})
        assert template.status_code == 422
        paper = coordinator.post("/koordination/ideen/neu", data={**junk, "title": "", "municipality": junk["municipality"]})
        assert paper.status_code == 422 and "Bitte prüfen Sie die Idee" in paper.get_data(as_text=True)
        for url in (f"/ideen/{quote(_junk(rng)[:20], safe='')}", f"/gemeinde/{quote(_junk(rng)[:12], safe='')}/ideen",
                    f"/koordination/ideen/{rng.randint(10**6, 10**9)}"):
            status = (coordinator if "koordination" in url else client).get(url).status_code
            assert status in (308, 400, 404), (url, status)  # 308: an empty segment's double slash merged
        assert client.get("/api/ideas", query_string={"municipality": _junk(rng)}).status_code in (404, 422)
        assert client.get(f"/gemeinde/{SALZHEMMENDORF}/ideen", query_string={"stand": _junk(rng)}).status_code == 200
        assert client.post(f"/ideen/{rng.randint(10**6, 10**9)}/unterstuetzen").status_code == 404
    after = {table: _count(engine, f"SELECT count(*) FROM {table}") for table in before}
    assert after == before
    # The honeypot: a robot's idea is refused.
    robot = client.post(f"/gemeinde/{SALZHEMMENDORF}/ideen/neu", data={"title": "Gute Idee", "website": "http://x"})
    assert robot.status_code == 422 and _count(engine, "SELECT count(*) FROM idea") == before["idea"]


COORDINATOR_WRITES = ("/koordination/ideen/{id}", "/koordination/ideen/{id}/antworten/{answer}",
                      "/koordination/antwortvorlagen", "/koordination/antwortvorlagen/{template}",
                      "/koordination/antwortvorlagen/{template}/loeschen", "/koordination/ideen/neu")


def test_only_coordinators_and_admins_answer(app, client, engine, staff_client, clean_ideas):
    idea_id = _published_idea(engine)
    ids = {"id": idea_id, "answer": 1, "template": 1}
    data = {"state": "eingegangen", "body": "Danke.", "institution": "Landkreis", "title": "Vorlage",
            "municipality": SALZHEMMENDORF, "action": "publish"}
    for role in ("planner", "facilitator", "moderator"):
        other = staff_client(role)
        for url in COORDINATOR_WRITES:
            assert other.post(url.format(**ids), data=data).status_code == 403, (role, url)
        assert other.get("/koordination/ideen").status_code == 403
    for url in COORDINATOR_WRITES:
        assert client.post(url.format(**ids), data=data).status_code == 401
    assert _count(engine, "SELECT count(*) FROM idea_answer") == 0
    assert _count(engine, "SELECT count(*) FROM answer_template") == 0
    # Moderators moderate ideas; planners and facilitators do not.
    for role in ("planner", "facilitator", "coordinator"):
        assert staff_client(role).get("/moderation/ideen/").status_code == 403, role
        assert staff_client(role).post(f"/moderation/ideen/{idea_id}", data={"action": "hide"}).status_code == 403
    assert staff_client("moderator").get("/moderation/ideen/").status_code == 200
    for role in ("coordinator", "admin"):
        answered = staff_client(role).post(f"/koordination/ideen/{idea_id}", data=data)
        assert answered.status_code == 303, role
    assert _count(engine, "SELECT count(*) FROM idea_answer WHERE published_at IS NOT NULL") == 2
    assert len(_log(engine, "answer")) == 2


@pytest.fixture(scope="module")
def hotspot_app(module_db_url):
    """Salzhemmendorf with a planted glass wall around Lauenstein, one run released."""
    with seeded_app(module_db_url) as app:
        engine = app.extensions["glaswaende.engine"]
        with engine.begin() as conn:
            insert_uniform(conn, SALZHEMMENDORF, 300, seed=1731)
            insert_cluster_around(conn, SALZHEMMENDORF, "Lauenstein", 60, radius_m=300, seed=1732)
        hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
        yield app


def test_an_idea_to_a_hotspot_keeps_its_outline(hotspot_app):
    engine = hotspot_app.extensions["glaswaende.engine"]
    client = hotspot_app.test_client()
    with engine.connect() as conn:
        run_id, hotspot_id = conn.execute(text(
            "SELECT h.run_id, h.id FROM hotspot h JOIN aggregate_run r ON r.id = h.run_id "
            "WHERE r.released_at IS NOT NULL AND h.hotspot_class = 'hot' AND h.variant = 'all' ORDER BY h.rank LIMIT 1")).one()
    form = client.get(f"/gemeinde/{SALZHEMMENDORF}/ideen/neu?hotspot={hotspot_id}").get_data(as_text=True)
    assert f'<option value="{hotspot_id}" selected>' in form
    assert client.post(f"/gemeinde/{SALZHEMMENDORF}/ideen/neu", data={
        "title": "Fest in Lauenstein", "hotspot": str(hotspot_id)}).status_code == 303
    # A hotspot the public does not see (an unknown number) is refused.
    assert client.post(f"/gemeinde/{SALZHEMMENDORF}/ideen/neu", data={
        "title": "Anderswo", "hotspot": "987654"}).status_code == 422
    with engine.connect() as conn:
        idea = conn.execute(text("SELECT i.hotspot_run_id, i.hotspot_id, ST_Equals(i.area, h.geom) AS same "
                                 "FROM idea i JOIN hotspot h ON h.run_id = i.hotspot_run_id AND h.id = i.hotspot_id")).one()
    assert (idea.hotspot_run_id, idea.hotspot_id, idea.same) == (run_id, hotspot_id, True)
    signed_in_client(hotspot_app, "moderator")  # the account exists for the approval below
    with engine.begin() as conn:
        conn.execute(text("UPDATE idea SET status = 'published'"))
    page = client.get(f"/gemeinde/{SALZHEMMENDORF}/ideen").get_data(as_text=True)
    assert 'id="ideas-map"' in page and "Polygon" in page and "Fest in Lauenstein" in page


@pytest.mark.browser
def test_the_ideas_page_on_a_phone(browser, live_server, engine, clean_ideas):
    """At 360 × 740 in Chromium: the areas on the map, the list, the idea's page, and "Unterstützen"
    by script (the count changes in place, the server counts the phone once)."""
    expect = pytest.importorskip("playwright.sync_api").expect
    districts = _districts(engine, SALZHEMMENDORF)
    with engine.begin() as conn:
        staff = conn.execute(text("SELECT id FROM account ORDER BY id LIMIT 1")).scalar() or conn.execute(text(
            "INSERT INTO account (name, password_hash, roles) VALUES ('ideen-test', 'x', ARRAY['coordinator']) "
            "RETURNING id")).scalar()
        idea_id = create_idea(conn, "03252", NewIdea(municipality_ags=SALZHEMMENDORF, title="Bänke am Thüster Berg",
                                                     body="Zum Ausruhen und Reden.", dimensions=("generations",),
                                                     district_ids=(districts["Lauenstein"],)),
                              source="paper", created_by=staff)["id"]
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True, locale="de-DE")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{live_server}/gemeinde/{SALZHEMMENDORF}/ideen")
        page.wait_for_selector("#ideas-map path.leaflet-interactive")
        assert page.locator("#ideas-map path.leaflet-interactive").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.get_by_text("Noch keine Antwort.").is_visible()
        page.get_by_role("link", name="Bänke am Thüster Berg").click()
        page.wait_for_url(f"**/ideen/{idea_id}")
        page.get_by_role("button", name="Unterstützen").click()
        expect(page.locator("#support-count")).to_contain_text("Danke")
        assert page.locator("#support-count").text_content().startswith("1 Unterstützung")
        # The count and the thanks each on a line of their own (not "1 Unterstützung Danke!").
        assert page.locator("#support-count p").all_text_contents() == ["1 Unterstützung",
                                                                         "Danke! Sie unterstützen diese Idee."]
        page.get_by_role("button", name="Unterstützen").click()
        expect(page.locator("#support-count")).to_contain_text("schon")
        assert page.url.endswith(f"/ideen/{idea_id}"), "the script answered in place"
        assert _count(engine, "SELECT support_count FROM idea WHERE id = :i", i=idea_id) == 1
        assert errors == []
    finally:
        context.close()


def test_ideas_and_supports_are_limited_per_address(county_db_url, engine, clean_ideas):
    idea_id = _published_idea(engine)
    with seeded_app(county_db_url, RATE_LIMITS=True, IDEA_LIMIT_PER_ADDRESS="2 per hour",
                    IDEA_SUPPORT_LIMIT_PER_ADDRESS="3 per hour") as limited:
        client = limited.test_client()
        for n in range(3):
            client.post(f"/ideen/{idea_id}/unterstuetzen", headers={"X-Glaswaende-Device": f"phone-{n}"})
        refused = client.post(f"/ideen/{idea_id}/unterstuetzen", headers={"X-Glaswaende-Device": "phone-9"})
        assert refused.status_code == 429 and "Retry-After" in refused.headers
        assert "Zu viele Anfragen." in refused.get_data(as_text=True)
        for n in range(2):
            assert client.post(f"/gemeinde/{SALZHEMMENDORF}/ideen/neu", data={"title": f"Idee {n}"}).status_code == 303
        assert client.post(f"/gemeinde/{SALZHEMMENDORF}/ideen/neu", data={"title": "Noch eine"}).status_code == 429
    assert _count(engine, "SELECT support_count FROM idea WHERE id = :i", i=idea_id) == 3
    assert _count(engine, "SELECT count(*) FROM idea WHERE source = 'online'") == 2


# --- Regression tests of the step-two review ---------------------------------------------------

def test_coordinators_who_do_not_moderate_see_no_unmoderated_idea(client, engine, staff_client, clean_ideas):
    """Pending and hidden ideas may hold personal data no moderator has removed yet: a coordinator
    sees them only by their status, without title and text, and cannot open them; moderating
    coordinators and admins see them."""
    for title, body in (("Treff bei Familie Meier", "Ruft mich an: 0151 2345678"),
                        ("Werbung für Kowalczyk", "Lindenweg 3, kaufen Sie!")):
        assert client.post(f"/gemeinde/{SALZHEMMENDORF}/ideen/neu", data={"title": title, "body": body}).status_code == 303
    with engine.begin() as conn:
        ids = dict(conn.execute(text("SELECT title, id FROM idea")).all())
        conn.execute(text("UPDATE idea SET status = 'hidden' WHERE id = :i"), {"i": ids["Werbung für Kowalczyk"]})
    published = _published_idea(engine, "Ein Dorffest für alle")
    secrets = ("Meier", "0151", "Kowalczyk", "Lindenweg")
    coordinator = staff_client("coordinator")
    listing = coordinator.get("/koordination/ideen").get_data(as_text=True)
    assert not any(s in listing for s in secrets)
    assert "wartet auf Prüfung" in listing and "verborgen" in listing and "Ein Dorffest für alle" in listing
    for idea_id in ids.values():
        assert f"/koordination/ideen/{idea_id}\"" not in listing
        page = coordinator.get(f"/koordination/ideen/{idea_id}")
        assert page.status_code == 404 and not any(s in page.get_data(as_text=True) for s in secrets)
        answered = coordinator.post(f"/koordination/ideen/{idea_id}", data={
            "state": "eingegangen", "body": "Danke.", "institution": "Landkreis", "action": "draft"})
        assert answered.status_code == 404
    assert coordinator.get(f"/koordination/ideen/{published}").status_code == 200
    assert _count(engine, "SELECT count(*) FROM idea_answer") == 0
    for roles in (("coordinator", "moderator"), ("admin",)):
        staff = staff_client(*roles)
        assert all(s in staff.get("/koordination/ideen").get_data(as_text=True) for s in ("Meier", "Kowalczyk"))
        assert "0151" in staff.get(f"/koordination/ideen/{ids['Treff bei Familie Meier']}").get_data(as_text=True)


def test_text_xml_forbids_is_refused(client, engine, staff_client, clean_ideas):
    """Noncharacters and lone surrogates would break the Atom feed (XML 1.0): refused like control
    characters, for ideas and answers; characters XML allows pass."""
    rng = random.Random(1718)
    # (A title's whitespace, "\x0b" or "\x1f" too, becomes one space: those never reach it.)
    forbidden = ["\x00", "\x08", "\x1b", "\ud800", "\udfff", "\ufffe", "\uffff"]
    idea_id = _published_idea(engine)
    coordinator = staff_client("coordinator")
    with engine.begin() as conn:
        staff = conn.execute(text("SELECT id FROM account ORDER BY id LIMIT 1")).scalar()
    before = {t: _count(engine, f"SELECT count(*) FROM {t}") for t in ("idea", "idea_answer", "followup_event")}
    for _ in range(12):
        bad = rng.choice(forbidden)
        field = rng.choice(["title", "body"])
        fields = {"title": "Dorffest", "body": "Am Markt", field: f"Dorffest {bad} am Markt"}
        with pytest.raises(Exception) as refused, engine.begin() as conn:
            create_idea(conn, "03252", NewIdea(municipality_ags=SALZHEMMENDORF, **fields), source="paper",
                        created_by=staff)
        assert "Steuerzeichen" in str(getattr(refused.value, "errors", refused.value))
        if "\ud800" <= bad <= "\udfff":
            continue  # a form's UTF-8 cannot carry a lone surrogate
        resident = client.post(f"/gemeinde/{SALZHEMMENDORF}/ideen/neu", data=fields)
        assert resident.status_code == 422 and "Steuerzeichen" in resident.get_data(as_text=True)
        answer = coordinator.post(f"/koordination/ideen/{idea_id}", data={
            "state": "in_pruefung", "body": f"Wir prüfen {bad}.", "institution": "Landkreis", "action": "publish"})
        assert answer.status_code == 422 and "Steuerzeichen" in answer.get_data(as_text=True)
    assert {t: _count(engine, f"SELECT count(*) FROM {t}") for t in before} == before
    allowed = "Fest\tam Markt 🎉 \ue000 \ufffd \U0010fffd\r\nEnde"
    assert client.post(f"/gemeinde/{SALZHEMMENDORF}/ideen/neu",
                       data={"title": "Fest 🎉", "body": allowed}).status_code == 303
    assert coordinator.post(f"/koordination/ideen/{idea_id}", data={
        "state": "in_pruefung", "body": allowed, "institution": "Landkreis", "action": "publish"}).status_code == 303


def test_supports_are_limited_per_address_and_idea(county_db_url, engine, clean_ideas):
    """Fresh device ids from one address do not inflate one idea's supports past the limit per
    address and idea; another idea, and another address, still count."""
    idea_id, other_id = _published_idea(engine), _published_idea(engine, "Zweite Idee")
    with seeded_app(county_db_url, RATE_LIMITS=True, IDEA_SUPPORT_LIMIT_PER_ADDRESS="600 per hour",
                    IDEA_SUPPORTS_PER_IDEA_AND_ADDRESS="5 per day") as limited:
        client = limited.test_client()
        answers = [client.post(f"/ideen/{idea_id}/unterstuetzen", data={"device": f"fake-{n}"},
                               headers={"Accept": "application/json"}) for n in range(8)]
        assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
        assert "Retry-After" in answers[-1].headers and "Zu viele Anfragen." in answers[-1].get_data(as_text=True)
        assert client.post(f"/ideen/{other_id}/unterstuetzen", data={"device": "fake-1"},
                           headers={"Accept": "application/json"}).status_code == 200
        elsewhere = limited.test_client()
        assert elsewhere.post(f"/ideen/{idea_id}/unterstuetzen", data={"device": "phone-elsewhere"},
                              environ_base={"REMOTE_ADDR": "192.0.2.77"}).status_code == 303
    assert _count(engine, "SELECT support_count FROM idea WHERE id = :i", i=idea_id) == 6
    assert _count(engine, "SELECT support_count FROM idea WHERE id = :i", i=other_id) == 1


def test_the_public_idea_page_names_no_staff(client, engine, staff_client, clean_ideas, app):
    """Who drafted an answer is for staff only: the public page's context carries no staff name."""
    from flask import template_rendered
    idea_id = _published_idea(engine)
    coordinator = staff_client("coordinator", name="erika-mustermann")
    assert coordinator.post(f"/koordination/ideen/{idea_id}", data={
        "state": "in_pruefung", "body": "Wir prüfen.", "institution": "Landkreis", "action": "publish"}).status_code == 303
    assert "erika-mustermann" in coordinator.get(f"/koordination/ideen/{idea_id}").get_data(as_text=True)
    rendered = []

    def remember(sender, template, context, **extra):
        rendered.append(context)

    template_rendered.connect(remember, app)
    try:
        page = client.get(f"/ideen/{idea_id}")
    finally:
        template_rendered.disconnect(remember, app)
    assert page.status_code == 200 and "Wir prüfen." in page.get_data(as_text=True)
    timeline = rendered[0]["timeline"]
    assert len(timeline) == 1 and "drafted_by" not in timeline[0]
    assert "erika-mustermann" not in repr(timeline)


def test_a_paper_idea_takes_only_a_hotspot_the_public_sees(hotspot_app):
    """Typed in from paper, an idea's hotspot is one of the released run's public hotspots of its
    municipality (as in the residents' form); any other is refused in German, nothing written.
    The residents' form names a hotspot without brackets (Leichte Sprache)."""
    from mapserver.services import disclosure
    engine = hotspot_app.extensions["glaswaende.engine"]
    rules = disclosure.Rules.from_config(hotspot_app.config)
    with engine.connect() as conn:
        run = disclosure.public_run_or_none(conn, "03252")
        public = disclosure.public_layers(conn, run, "03252", SALZHEMMENDORF, rules)["hotspots"]
        hidden = conn.execute(text(
            "SELECT h.id FROM hotspot h WHERE h.id <> ALL (CAST(:public AS integer[])) ORDER BY h.id"),
            {"public": [h["id"] for h in public]}).scalars().all()
    assert public and hidden
    form = hotspot_app.test_client().get(f"/gemeinde/{SALZHEMMENDORF}/ideen/neu").get_data(as_text=True)
    options = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', form)
    assert options and all(o.startswith("Hotspot ") and "(" not in o for o in options)
    assert any(": " in o for o in options)
    coordinator = signed_in_client(hotspot_app, "coordinator")
    with engine.connect() as conn:
        ideas_before = conn.execute(text("SELECT count(*) FROM idea")).scalar()
    for hotspot_id in random.Random(1719).sample(hidden, min(5, len(hidden))):
        refused = coordinator.post("/koordination/ideen/neu", data={
            "municipality": SALZHEMMENDORF, "title": "Papieridee", "hotspot": str(hotspot_id)})
        assert refused.status_code == 422 and "Hotspot" in refused.get_data(as_text=True), hotspot_id
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM idea")).scalar() == ideas_before
    accepted = coordinator.post("/koordination/ideen/neu", data={
        "municipality": SALZHEMMENDORF, "title": "Papieridee", "hotspot": str(public[0]["id"])})
    assert accepted.status_code == 303
    with engine.begin() as conn:
        idea = conn.execute(text("SELECT i.hotspot_run_id, ST_Equals(i.area, ST_Multi(h.geom)) AS same FROM idea i "
                                 "JOIN hotspot h ON h.run_id = i.hotspot_run_id AND h.id = i.hotspot_id "
                                 "WHERE i.title = 'Papieridee'")).one()
        conn.execute(text("DELETE FROM followup_event"))
        conn.execute(text("DELETE FROM idea WHERE title = 'Papieridee'"))
    assert (idea.hotspot_run_id, idea.same) == (run.id, True)
