"""The coordinators' projects (mapserver/projects, services/projects.py): a project made from ideas
with its Ortsteile, partners, milestones, progress and public updates; the accompaniment's default
end; the year clock; `glaswaende projects remind` against a local SMTP server; photos stripped of
their metadata; bad input refused in German; only coordinators and admins write; every change in
the step-two audit log."""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import time

import pytest
from sqlalchemy import text

from mapserver.services import projects
from mapserver.services.ideas import NewIdea, create_idea
from tests.helpers import free_port, seeded_app, signed_in_client

SALZHEMMENDORF, BAD_MUENDER = "03252008", "03252002"
STEP_TWO_TABLES = ("followup_event", "project", "idea", "local_actor")


def _county_today() -> dt.date:
    """The county's day, as the pages and `projects remind` count (not the machine's)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Europe/Berlin")).date()


def _clean(engine) -> None:
    with engine.begin() as conn:
        for table in STEP_TWO_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def step_two(engine):
    _clean(engine)
    yield
    _clean(engine)


def _account_id(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM account WHERE name = :name"), {"name": name}).scalar_one()


def _districts(engine, ags: str) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT id, name FROM district WHERE municipality_ags = :ags "
                                                    "ORDER BY name"), {"ags": ags})]


def _idea(engine, ags: str, title: str, district_ids=(), author: int | None = None) -> int:
    with engine.begin() as conn:
        return create_idea(conn, "03252", NewIdea(municipality_ags=ags, title=title, district_ids=tuple(district_ids)),
                           source="paper", created_by=author)["id"]


def _actor(engine, ags: str, name: str) -> int:
    with engine.begin() as conn:
        return conn.execute(text("INSERT INTO local_actor (county_key, municipality_ags, name, kind) "
                                 "VALUES ('03252', :ags, :name, 'verein') RETURNING id"),
                            {"ags": ags, "name": name}).scalar_one()


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def _log(engine, subject: str | None = None) -> list:
    with engine.connect() as conn:
        return conn.execute(text("SELECT subject, subject_id, action, before, after FROM followup_event "
                                 "WHERE CAST(:subject AS text) IS NULL OR subject = :subject ORDER BY id"),
                            {"subject": subject}).all()


def _project_form(title: str, idea_ids, start: str = "2027-01-31", **extra) -> dict:
    return {"title": title, "description": "Ein Treffpunkt für Alt und Neu.", "municipality_ags": SALZHEMMENDORF,
            "idea_id": [str(i) for i in idea_ids], "status": "laeuft", "start_on": start, "accompaniment_end": "",
            "progress_set": "", **extra}


def _created_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/koordination/projekte/(\d+)$", response.headers["Location"]).group(1))


def test_accompaniment_ends_a_year_after_the_start_even_at_month_ends():
    assert projects.accompaniment_end(dt.date(2027, 1, 31)) == dt.date(2028, 1, 31)
    assert projects.accompaniment_end(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)
    assert projects.accompaniment_end(dt.date(2027, 1, 31), months=1) == dt.date(2027, 2, 28)
    assert projects.accompaniment_end(dt.date(2028, 1, 31), months=1) == dt.date(2028, 2, 29)
    rng = random.Random(1717)
    for _ in range(200):
        start = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(3 * 366))
        end = projects.accompaniment_end(start)
        assert (end.year, end.month) == (start.year + 1, start.month)
        assert end.day == start.day or (start.month == 2 and start.day == 29 and end.day == 28)
        assert projects.accompaniment_month(start, end, start) == (1, 12)
        assert projects.accompaniment_month(start, end, end - dt.timedelta(days=1)) == (12, 12)
        assert projects.accompaniment_month(start, end, start - dt.timedelta(days=1)) == (0, 12)
    assert projects.accompaniment_month(dt.date(2026, 1, 15), dt.date(2027, 1, 15), dt.date(2026, 4, 20)) == (4, 12)


def test_the_form_fills_in_the_default_end_for_31_january_and_29_february(app, engine, staff_client, step_two):
    client = staff_client("coordinator")
    idea = _idea(engine, SALZHEMMENDORF, "Bank am Dorfplatz", author=_account_id(engine, "staff-coordinator"))
    ends = {}
    for start in ("2027-01-31", "2028-02-29"):
        project_id = _created_id(client.post("/koordination/projekte/neu", data=_project_form(f"Start {start}", [idea],
                                                                                                start=start)))
        with engine.connect() as conn:
            ends[start] = conn.execute(text("SELECT accompaniment_end FROM project WHERE id = :id"),
                                       {"id": project_id}).scalar_one()
    assert ends == {"2027-01-31": dt.date(2028, 1, 31), "2028-02-29": dt.date(2029, 2, 28)}


def test_a_project_from_two_ideas_shows_them_its_partners_milestones_and_progress(app, engine, staff_client, step_two):
    rng = random.Random(4242)
    client = staff_client("coordinator")
    me = _account_id(engine, "staff-coordinator")
    districts = _districts(engine, SALZHEMMENDORF)
    first, second = rng.sample(districts, 2)
    ideas = [_idea(engine, SALZHEMMENDORF, f"Idee {rng.randrange(10**6)} für {first[1]}", [first[0]], author=me),
             _idea(engine, SALZHEMMENDORF, f"Idee {rng.randrange(10**6)} für {second[1]}", [second[0]], author=me)]
    actors = [_actor(engine, SALZHEMMENDORF, f"Verein {rng.randrange(10**6)}") for _ in range(2)]
    form = _project_form("Dorfmitte für alle", ideas, actor_id=[str(a) for a in actors],
                         **{f"role_{actors[0]}": "stellt den Raum", "responsible_id": str(me)})
    project_id = _created_id(client.post("/koordination/projekte/neu", data=form))

    page = client.get(f"/koordination/projekte/{project_id}").get_data(as_text=True)
    with engine.connect() as conn:
        titles = conn.execute(text("SELECT title FROM idea ORDER BY id")).scalars().all()
        actor_names = conn.execute(text("SELECT name FROM local_actor ORDER BY id")).scalars().all()
        area_ok = conn.execute(text("""
            SELECT ST_Covers(ST_Buffer(p.area, 0.000001), (SELECT ST_Union(geom) FROM district WHERE id IN (:a, :b)))
                   AND ST_Area(p.area) < ST_Area((SELECT geom FROM municipality WHERE ags = :ags))
            FROM project p WHERE p.id = :id"""), {"a": first[0], "b": second[0], "ags": SALZHEMMENDORF,
                                                    "id": project_id}).scalar_one()
    assert area_ok, "the area is the union of the ideas' areas (their districts), not the whole municipality"
    for title in titles:
        assert re.search(rf'value="{ideas[titles.index(title)]}" checked> {re.escape(title)}', page), title
    for name in actor_names:
        assert re.search(rf'value="{actors[actor_names.index(name)]}" checked> {re.escape(name)}', page), name
    assert 'value="stellt den Raum"' in page

    due_days = sorted(rng.sample(range(10, 300), 4))
    for number, days in enumerate(due_days):
        due = dt.date(2027, 1, 31) + dt.timedelta(days=days)
        response = client.post(f"/koordination/projekte/{project_id}/meilensteine",
                               data={"title": f"Schritt {number + 1}", "due_on": due.isoformat()})
        assert response.status_code == 303
    with engine.connect() as conn:
        milestone_ids = conn.execute(text("SELECT id FROM project_milestone WHERE project_id = :id ORDER BY due_on"),
                                     {"id": project_id}).scalars().all()
    assert client.post(f"/koordination/projekte/{project_id}/meilensteine/{milestone_ids[0]}/erledigt",
                       data={}).status_code == 303

    with engine.connect() as conn:
        item = projects.project(conn, "03252", project_id)
        listed = {p["id"]: p for p in projects.projects_list(conn, "03252", SALZHEMMENDORF)}
    assert item["progress"] == 25 and listed[project_id]["progress"] == 25, "1 of 4 milestones done"
    assert [i["id"] for i in item["ideas"]] == ideas
    assert {p["id"]: p["role"] for p in item["partners"]} == {actors[0]: "stellt den Raum", actors[1]: None}
    assert [m["title"] for m in item["milestones"]] == ["Schritt 1", "Schritt 2", "Schritt 3", "Schritt 4"]
    assert item["milestones"][0]["done_on"] is not None and item["area"]["type"] == "MultiPolygon"
    page = client.get(f"/koordination/projekte/{project_id}").get_data(as_text=True)
    assert "Fortschritt 25 %" in page and "Schritt 4" in page

    set_by_hand = {**form, "progress_set": "70"}
    assert client.post(f"/koordination/projekte/{project_id}", data=set_by_hand).status_code == 303
    with engine.connect() as conn:
        assert projects.project(conn, "03252", project_id)["progress"] == 70, "progress set by hand wins"
    assert client.post(f"/koordination/projekte/{project_id}", data=form).status_code == 303
    with engine.connect() as conn:
        assert projects.project(conn, "03252", project_id)["progress"] == 25, "empty again: from the milestones"


def test_the_year_clock_flags_a_project_without_an_update_for_60_days(app, engine, staff_client, step_two):
    client = staff_client("coordinator")
    me = _account_id(engine, "staff-coordinator")
    idea = _idea(engine, SALZHEMMENDORF, "Sprachcafé", author=me)
    today = _county_today()
    quiet = _created_id(client.post("/koordination/projekte/neu", data=_project_form(
        "Stilles Projekt", [idea], start=(today - dt.timedelta(days=90)).isoformat())))
    busy = _created_id(client.post("/koordination/projekte/neu", data=_project_form(
        "Lebendiges Projekt", [idea], start=(today - dt.timedelta(days=90)).isoformat())))
    assert client.post(f"/koordination/projekte/{busy}/neuigkeiten",
                       data={"body": "Das erste Treffen war voll."}).status_code == 303
    old_update = _created_id(client.post("/koordination/projekte/neu", data=_project_form(
        "Alte Neuigkeit", [idea], start=(today - dt.timedelta(days=200)).isoformat())))
    assert client.post(f"/koordination/projekte/{old_update}/neuigkeiten", data={
        "body": "Lange her.", "day": (today - dt.timedelta(days=61)).isoformat()}).status_code == 303

    page = client.get("/koordination/").get_data(as_text=True)
    rows = {int(m.group(1)): m.group(2) for m in re.finditer(r'<tr data-project="(\d+)">(.*?)</tr>', page, re.S)}
    assert set(rows) == {quiet, busy, old_update}
    assert 'data-flag="quiet"' in rows[quiet] and "ohne Bericht seit 60 Tagen" in rows[quiet]
    assert 'data-flag="quiet"' in rows[old_update]
    assert 'data-flag="quiet"' not in rows[busy] and ">heute" in rows[busy].replace(" ", "").replace("\n", "")
    assert "Monat 3 von 12" in rows[quiet] or "Monat 4 von 12" in rows[quiet]
    assert list(rows)[-1] == busy, "the project with nothing due comes last"


def test_the_year_clock_flags_overdue_milestones_ending_soon_and_ended_but_running(app, engine, staff_client,
                                                                                   step_two):
    staff_client("coordinator")
    admin = _account_id(engine, "staff-coordinator")
    idea = _idea(engine, SALZHEMMENDORF, "Bürgerbus", author=admin)
    today = dt.date(2027, 6, 1)
    rules = projects.disclosure.Rules()
    with engine.begin() as conn:
        made = {}
        for title, start, end in (("endet bald", "2026-06-20", "2027-06-20"), ("vorbei", "2026-01-01", "2027-01-01"),
                                  ("ruhig", "2027-05-01", "2028-05-01")):
            data = projects.ProjectInput.from_form({"title": title, "municipality_ags": SALZHEMMENDORF,
                                                    "idea_id": [str(idea)], "status": "laeuft", "start_on": start,
                                                    "accompaniment_end": end})
            made[title] = projects.create_project(conn, "03252", admin, data, rules)
        projects.add_milestone(conn, "03252", admin, made["ruhig"], projects.MilestoneInput("Plakat", "", dt.date(2027, 5, 20)))
        clock = {e.title: e for e in projects.year_clock(conn, "03252", today, "Europe/Berlin", 60)}
    assert clock["endet bald"].ending_soon and clock["endet bald"].days_left == 19
    assert clock["vorbei"].ended_still_running and clock["vorbei"].month == 12
    assert clock["ruhig"].overdue_titles == ["Plakat"] and not clock["ruhig"].quiet
    assert [e.title for e in sorted(clock.values(), key=lambda e: -e.urgency)][0] == "vorbei"
    assert projects.due_lines(clock["endet bald"], 60) == [
        "Seit dem Start vor 346 Tagen noch keine öffentliche Neuigkeit (Grenze: 60 Tage).",
        "Die Begleitung endet in 19 Tagen, am 20.06.2027."]
    assert projects.due_lines(clock["ruhig"], 60) == ["Überfällige Meilensteine: Plakat"]
    assert projects.due_lines(clock["vorbei"], 60)[-1] == \
        "Die Begleitung ist seit dem 01.01.2027 beendet, der Status ist aber noch „läuft“."


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def test_projects_remind_mails_the_responsible_account(county_db_url, engine, step_two):
    from email import message_from_string
    from email.header import decode_header, make_header

    from aiosmtpd.controller import Controller

    port = free_port()
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with seeded_app(county_db_url, SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_FROM="glaswaende@landkreis.test",
                        PUBLIC_URL="https://glaswaende.example.de") as mail_app:
            client = signed_in_client(mail_app, "coordinator", name="koordinatorin")
            coordinator = _account_id(engine, "koordinatorin")
            with engine.begin() as conn:
                conn.execute(text("UPDATE account SET email = 'koordinatorin@landkreis.test' WHERE id = :id"),
                             {"id": coordinator})
            idea = _idea(engine, SALZHEMMENDORF, "Nachbarschaftsgarten", author=coordinator)
            start = (_county_today() - dt.timedelta(days=75)).isoformat()
            project_id = _created_id(client.post("/koordination/projekte/neu", data=_project_form(
                "Garten der Generationen", [idea], start=start, responsible_id=str(coordinator))))
            runner = mail_app.test_cli_runner()
            dry = runner.invoke(args=["projects", "remind", "--dry-run"])
            assert dry.exit_code == 0, dry.output
            assert "Garten der Generationen" in dry.output and "Probelauf" in dry.output and not inbox.messages
            result = runner.invoke(args=["projects", "remind"])
            assert result.exit_code == 0, result.output
            assert "E-Mail an koordinatorin@landkreis.test gesendet" in result.output
            for _ in range(50):
                if inbox.messages:
                    break
                time.sleep(0.05)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    recipients, raw = inbox.messages[0]
    assert recipients == ["koordinatorin@landkreis.test"]
    mail = message_from_string(raw)
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject == "Glaswände: 1 Projekt braucht Ihre Aufmerksamkeit"
    body = mail.get_payload(decode=True).decode(mail.get_content_charset())
    assert "Garten der Generationen" in body and "Seit dem Start vor 75 Tagen noch keine öffentliche Neuigkeit" in body
    assert f"https://glaswaende.example.de/koordination/projekte/{project_id}" in body


def test_remind_without_smtp_only_lists_and_says_so(runner, engine, staff_client, step_two):
    staff_client("coordinator")
    admin = _account_id(engine, "staff-coordinator")
    idea = _idea(engine, SALZHEMMENDORF, "Spielplatz", author=admin)
    with engine.begin() as conn:
        data = projects.ProjectInput.from_form({"title": "Spielplatzfest", "municipality_ags": SALZHEMMENDORF,
                                                "idea_id": [str(idea)], "status": "laeuft", "start_on": "2026-01-01"})
        projects.create_project(conn, "03252", admin, data, projects.disclosure.Rules())
    result = runner.invoke(args=["projects", "remind", "--today", "2027-01-15"])
    assert result.exit_code == 0, result.output
    assert "Spielplatzfest" in result.output and "Status ist aber noch „läuft“" in result.output
    assert "Keine SMTP-Einstellungen" in result.output


def _jpeg_with_gps(seed: int) -> bytes:
    from PIL import Image

    rng = random.Random(seed)
    image = Image.new("RGB", (2400, 1200), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    exif = Image.Exif()
    exif[0x010F] = "Kamerahersteller"  # Make
    exif[0x0112] = 6  # Orientation: turned 90° (shown upright after rotating)
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 3.0, 55.0), 3: "E", 4: (9.0, 33.0, 4.0)})  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"Privat")
    return out.getvalue()


def test_an_update_photo_loses_its_exif_and_gps(app, engine, staff_client, step_two):
    from PIL import Image

    client = staff_client("coordinator")
    idea = _idea(engine, SALZHEMMENDORF, "Dorffest", author=_account_id(engine, "staff-coordinator"))
    project_id = _created_id(client.post("/koordination/projekte/neu", data=_project_form("Dorffest", [idea])))
    original = _jpeg_with_gps(99)
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get_ifd(0x8825), "the test photo carries GPS"
    response = client.post(f"/koordination/projekte/{project_id}/neuigkeiten", data={
        "body": "Fotos vom Fest", "photo": (io.BytesIO(original), "fest.jpg"), "photo_caption": "Die Bühne"},
        content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    with engine.connect() as conn:
        update_id, stored = conn.execute(text("SELECT id, photo FROM project_update")).one()
    stored = bytes(stored)
    with Image.open(io.BytesIO(stored)) as photo:
        assert photo.format == "JPEG"
        assert len(photo.getexif()) == 0 and not photo.getexif().get_ifd(0x8825)
        assert "exif" not in photo.info and "comment" not in photo.info and "icc_profile" not in photo.info
        assert photo.size == (800, 1600), "turned upright first, then at most 1600 px"
    assert b"Exif" not in stored and b"Kamerahersteller" not in stored and b"Privat" not in stored
    served = client.get(f"/koordination/neuigkeiten/{update_id}/foto.jpg")
    assert served.status_code == 200 and served.data == stored and served.mimetype == "image/jpeg"
    update_log = _log(engine, "update")
    assert update_log[-1].action == "created" and update_log[-1].after["photo"].endswith("Bytes>")


def test_bad_input_is_refused_in_german_and_writes_nothing(app, engine, staff_client, step_two):
    client = staff_client("coordinator")
    me = _account_id(engine, "staff-coordinator")
    own = _idea(engine, SALZHEMMENDORF, "Eigene Idee", author=me)
    foreign = _idea(engine, BAD_MUENDER, "Idee aus Bad Münder", author=me)
    pending = _idea(engine, SALZHEMMENDORF, "Noch nicht freigegeben", author=None)
    foreign_district = _districts(engine, BAD_MUENDER)[0][0]
    cases = {
        "start_on": (_project_form("Datum", [own], start="31.01.2027"), "Bitte geben Sie ein Datum wie 2027-03-31 an."),
        "impossible day": (_project_form("Datum", [own], start="2027-02-30"), "Bitte geben Sie ein Datum wie 2027-03-31 an."),
        "progress_set": (_project_form("Fortschritt", [own], progress_set="101"), "Bitte eine ganze Zahl von 0 bis 100"),
        "negative progress": (_project_form("Fortschritt", [own], progress_set="-5"), "Bitte eine ganze Zahl von 0 bis 100"),
        "idea_ids": (_project_form("Fremde Idee", [own, foreign]), "Bitte nur veröffentlichte Ideen der gewählten Gemeinde"),
        "pending idea": (_project_form("Offene Idee", [pending]), "Bitte nur veröffentlichte Ideen der gewählten Gemeinde"),
        "no idea": (_project_form("Ohne Idee", []), "Bitte wählen Sie mindestens eine Idee."),
        "accompaniment_end": (_project_form("Ende", [own], accompaniment_end="2027-01-30"),
                              "Die Begleitung kann nicht vor dem Start enden."),
        "district_ids": (_project_form("Ortsteil", [own], district_id=[str(foreign_district)]),
                         "Bitte nur Ortsteile der gewählten Gemeinde wählen."),
        "municipality": (_project_form("Gemeinde", [own], municipality_ags="99999999"),
                         "Diese Gemeinde gehört nicht zum Landkreis."),
        "huge id": (_project_form("Riesig", ["99999999999999999999"]), "Diese Auswahl gibt es nicht."),
        "title": (_project_form("", [own]), "Bitte füllen Sie dieses Feld aus."),
        "status": (_project_form("Status", [own], status="fertig"), "Bitte einen Status aus der Liste wählen."),
        "description": (_project_form("Lang", [own], description="ä" * 5001), "Bitte höchstens 5000 Zeichen."),
    }
    for case, (form, message) in cases.items():
        response = client.post("/koordination/projekte/neu", data=form)
        body = response.get_data(as_text=True)
        assert response.status_code == 422, (case, response.status_code)
        assert message in body and "Es wurde nichts gespeichert." in body, case
    assert _count(engine, "project") == 0 and not _log(engine, "project")

    project_id = _created_id(client.post("/koordination/projekte/neu", data=_project_form(
        "Gut", [own], description="Öffentlicher Raum für Jüngere & Ältere? " * 125)))  # 5,000 characters
    before = _log(engine)
    refused = {
        "change": client.post(f"/koordination/projekte/{project_id}", data=_project_form(
            "Gut", [own], progress_set="101", description="Öffentlicher Raum für Jüngere & Ältere? " * 125)),
        "milestone date": client.post(f"/koordination/projekte/{project_id}/meilensteine",
                                      data={"title": "Plakat", "due_on": "morgen"}),
        "milestone title": client.post(f"/koordination/projekte/{project_id}/meilensteine",
                                       data={"title": " ", "due_on": "2027-03-01"}),
        "no image": client.post(f"/koordination/projekte/{project_id}/neuigkeiten", data={
            "body": "Text", "photo": (io.BytesIO(b"%PDF-1.4 kein Bild"), "bild.jpg")}, content_type="multipart/form-data"),
        "too large": client.post(f"/koordination/projekte/{project_id}/neuigkeiten", data={
            "body": "Text", "photo": (io.BytesIO(b"\xff\xd8" + bytes(projects.PHOTO_MAX_BYTES)), "gross.jpg")},
            content_type="multipart/form-data"),
        "future update": client.post(f"/koordination/projekte/{project_id}/neuigkeiten", data={
            "body": "Text", "day": (_county_today() + dt.timedelta(days=3)).isoformat()}),
        "empty update": client.post(f"/koordination/projekte/{project_id}/neuigkeiten", data={"body": ""}),
    }
    for case, response in refused.items():
        assert response.status_code == 422, (case, response.status_code)
        assert "Es wurde nichts gespeichert." in response.get_data(as_text=True), case
    assert "Bitte ein Foto als JPEG, PNG oder WebP hochladen." in refused["no image"].get_data(as_text=True)
    assert "Das Foto ist größer als 8 MB." in refused["too large"].get_data(as_text=True)
    assert _log(engine) == before
    assert _count(engine, "project_milestone") == 0 and _count(engine, "project_update") == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT progress_set FROM project")).scalar_one() is None
    for url in (f"/koordination/projekte/{project_id + 1000}", "/koordination/projekte/99999999999",
                f"/koordination/projekte/{project_id}/meilensteine/424242/erledigt"):
        response = client.get(url) if "erledigt" not in url else client.post(url)
        assert response.status_code == 404, (url, response.status_code)


def test_only_coordinators_and_admins_write(app, engine, staff_client, step_two):
    from tests.test_access import SAMPLE_ARGUMENTS

    routes = [(rule.endpoint, method, rule.build({k: v for k, v in SAMPLE_ARGUMENTS.items() if k in rule.arguments})[1])
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("projects.")
              for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    assert {"POST", "GET"} <= {method for _, method, _ in routes} and len(routes) >= 14
    for role in ("planner", "moderator", "facilitator"):
        client = staff_client(role)
        for endpoint, method, url in routes:
            assert client.open(url, method=method).status_code == 403, (role, endpoint)
    assert _count(engine, "project") == 0
    me = _account_id(engine, "staff-planner")
    idea = _idea(engine, SALZHEMMENDORF, "Für die Verwaltung", author=me)
    for role in ("admin", "coordinator"):
        client = staff_client(role)
        assert client.get("/koordination/").status_code == 200
        _created_id(client.post("/koordination/projekte/neu", data=_project_form(f"Von {role}", [idea])))
    assert _count(engine, "project") == 2


def test_each_change_is_in_the_audit_log_and_its_csv(app, engine, staff_client, step_two):
    client = staff_client("coordinator")
    me = _account_id(engine, "staff-coordinator")
    idea = _idea(engine, SALZHEMMENDORF, "Begegnungsort", author=me)
    form = _project_form("=HYPERLINK(\"http://x\")", [idea])
    project_id = _created_id(client.post("/koordination/projekte/neu", data=form))
    assert client.post(f"/koordination/projekte/{project_id}", data={**form, "status": "pausiert"}).status_code == 303
    assert client.post(f"/koordination/projekte/{project_id}/meilensteine",
                       data={"title": "Erstes Treffen", "due_on": "2027-03-01"}).status_code == 303
    with engine.connect() as conn:
        milestone = conn.execute(text("SELECT id FROM project_milestone")).scalar_one()
    base = f"/koordination/projekte/{project_id}/meilensteine/{milestone}"
    assert client.post(base, data={"title": "Erstes großes Treffen", "due_on": "2027-03-02"}).status_code == 303
    assert client.post(f"{base}/erledigt", data={"done_on": "2027-03-02"}).status_code == 303
    assert client.post(f"{base}/erledigt", data={"offen": "1"}).status_code == 303
    assert client.post(f"{base}/loeschen").status_code == 303
    assert client.post(f"/koordination/projekte/{project_id}/neuigkeiten", data={"body": "Es geht los."}).status_code == 303
    with engine.connect() as conn:
        update = conn.execute(text("SELECT id FROM project_update")).scalar_one()
    assert client.post(f"/koordination/projekte/{project_id}/neuigkeiten/{update}/loeschen").status_code == 303
    assert client.post(f"/koordination/projekte/{project_id}/loeschen").status_code == 303

    events = [(e.subject, e.action) for e in _log(engine) if e.subject != "idea"]
    assert events == [("project", "created"), ("project", "changed"), ("milestone", "created"),
                      ("milestone", "changed"), ("milestone", "done"), ("milestone", "reopened"),
                      ("milestone", "deleted"), ("update", "created"), ("update", "deleted"), ("project", "deleted")]
    changed = [e for e in _log(engine, "project") if e.action == "changed"][0]
    assert changed.before["status"] == "laeuft" and changed.after["status"] == "pausiert"
    created = _log(engine, "project")[0]
    assert created.after["baseline"]["run_id"] is None or "pins" in created.after["baseline"]
    assert _count(engine, "project") == 0 and _count(engine, "project_milestone") == 0

    page = client.get("/koordination/protokoll?gegenstand=milestone").get_data(as_text=True)
    assert page.count("<tr data-event=") == 5 and "Meilenstein" in page and "erledigt" in page
    assert client.get("/koordination/protokoll?gegenstand=kaputt").status_code == 404
    download = client.get("/koordination/protokoll.csv?gegenstand=project")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == list(projects.LOG_CSV_FIELDS) and len(rows) == 4
    assert {row[4] for row in rows[1:]} == {"angelegt", "geändert", "gelöscht"}
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row), "formulas are guarded"


def test_the_start_page_counts_ideas_without_a_published_answer(app, engine, staff_client, step_two):
    rng = random.Random(77)
    client = staff_client("coordinator")
    me = _account_id(engine, "staff-coordinator")
    n = rng.randrange(2, 6)
    ideas = [_idea(engine, SALZHEMMENDORF, f"Idee Nummer {i}", author=me) for i in range(n)]
    _idea(engine, SALZHEMMENDORF, "Wartet auf Moderation", author=None)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO idea_answer (idea_id, state, body, institution, drafted_by, published_at) "
                          "VALUES (:idea, 'in_pruefung', 'Wir prüfen das.', 'Landkreis', :me, now())"),
                     {"idea": ideas[0], "me": me})
        conn.execute(text("INSERT INTO idea_answer (idea_id, state, body, institution, drafted_by) "
                          "VALUES (:idea, 'in_pruefung', 'Entwurf', 'Landkreis', :me)"), {"idea": ideas[1], "me": me})
    page = client.get("/koordination/").get_data(as_text=True)
    assert f'data-unanswered="{n - 1}"' in page
    assert "Idee Nummer 0" not in page and "Idee Nummer 1" in page and "Wartet auf Moderation" not in page
    if "ideas_staff.index" in app.view_functions:
        assert 'href="/koordination/ideen"' in page


def test_user_add_takes_an_email(runner, engine):
    result = runner.invoke(args=["user", "add", "mailkoordination", "--role", "coordinator", "--email",
                                 "koordination@landkreis.test"], input="ein-langes-passwort\nein-langes-passwort\n")
    try:
        assert result.exit_code == 0, result.output
        bad = runner.invoke(args=["user", "email", "mailkoordination", "keine-adresse"])
        assert bad.exit_code != 0 and "E-Mail-Adresse wie" in bad.output
        with engine.connect() as conn:
            assert conn.execute(text("SELECT email FROM account WHERE name = 'mailkoordination'")).scalar_one() == \
                "koordination@landkreis.test"
        assert runner.invoke(args=["user", "email", "mailkoordination", "neu@landkreis.test"]).exit_code == 0
        with engine.connect() as conn:
            assert conn.execute(text("SELECT email FROM account WHERE name = 'mailkoordination'")).scalar_one() == \
                "neu@landkreis.test"
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM account WHERE name = 'mailkoordination'"))


def test_the_baseline_is_the_areas_published_pin_count_when_the_project_starts(app, engine, staff_client, clean_pins,
                                                                                step_two):
    from mapserver.services import hotspots
    from tests.helpers import insert_cluster_around, insert_uniform

    with engine.begin() as conn:
        insert_uniform(conn, SALZHEMMENDORF, 150, seed=2718)
        insert_cluster_around(conn, SALZHEMMENDORF, "Lauenstein", 40, radius_m=300, seed=2719)
    hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
    with engine.begin() as conn:  # whichever run the public sees now is the one a new project counts from
        conn.execute(text("UPDATE aggregate_run SET released_at = now() WHERE released_at IS NULL "
                          "AND id = (SELECT max(id) FROM aggregate_run)"))
        run = hotspots.latest_run(conn, "03252", released_only=True)
    client = staff_client("coordinator")
    idea = _idea(engine, SALZHEMMENDORF, "Treffpunkt Lauenstein", author=_account_id(engine, "staff-coordinator"))
    lauenstein = next(d for d, name in _districts(engine, SALZHEMMENDORF) if name == "Lauenstein")
    project_id = _created_id(client.post("/koordination/projekte/neu", data=_project_form(
        "Lauenstein verbindet", [idea], district_id=[str(lauenstein)])))
    with engine.connect() as conn:
        baseline = conn.execute(text("SELECT baseline FROM project WHERE id = :id"), {"id": project_id}).scalar_one()
        # The truth, counted from the pins themselves: those of the run in cells whose centre lies in the area.
        true_pins = conn.execute(text("""
            SELECT count(DISTINCT pin.id) FROM pin
            JOIN hex_cell c ON c.run_id = :run AND ST_Covers(c.geom, pin.geom)
            JOIN project p ON p.id = :id AND ST_Intersects(c.centre, p.area)
            WHERE pin.id <= (SELECT last_pin_id FROM aggregate_run WHERE id = :run)"""),
                                 {"run": run.id, "id": project_id}).scalar_one()
    assert baseline["run_id"] == run.id and true_pins >= 40
    rules = projects.disclosure.Rules()
    assert baseline["pins"] is not None and abs(baseline["pins"] - true_pins) <= rules.max_deviation
    assert sum(v for v in baseline["by_category"].values() if v) <= true_pins + 3 * rules.max_deviation
    page = client.get(f"/koordination/projekte/{project_id}").get_data(as_text=True)
    assert f'data-baseline-pins="{baseline["pins"]}"' in page


@pytest.mark.browser
def test_coordinators_pages_work_in_chromium_with_csrf_and_have_no_serious_axe_violations(county_db_url, engine,
                                                                                           browser, step_two, tmp_path):
    """The real forms in Chromium (CSRF on): a project made, a milestone added and done, an update
    with a photo of more than 1 MB sent (larger than the app's 16 KB request limit, which the update form
    lifts before CSRF reads the body); then axe-core on every page in German and Arabic (staff
    pages read English then)."""
    from tests.helpers import serve_in_thread, sign_in_in_browser
    from tests.test_accessibility import _axe_violations

    with seeded_app(county_db_url, CSRF=True) as app:
        from tests.helpers import add_staff_account

        with engine.begin() as conn:
            conn.execute(text("DELETE FROM account WHERE name = 'koordination-browser'"))
            me = add_staff_account(conn, "koordination-browser", "coordinator")
        idea = _idea(engine, SALZHEMMENDORF, "Mittagstisch für alle", author=me)
        actor = _actor(engine, SALZHEMMENDORF, "Heimatverein Lauenstein")
        photo = tmp_path / "fest.jpg"
        from PIL import Image
        rng = random.Random(5)
        noise = Image.frombytes("RGB", (1400, 1000), bytes(rng.randrange(256) for _ in range(1400 * 1000 * 3)))
        noise.save(photo, "JPEG", quality=95)
        assert photo.stat().st_size > 1024 * 1024, "far over the app's 16 KB request limit"
        server, base = serve_in_thread(app)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de-DE")
            sign_in_in_browser(page, base, "koordination-browser")
            page.goto(base + "/koordination/projekte/neu")
            page.fill("#title", "Mittagstisch im Dorfgemeinschaftshaus")
            page.select_option("#municipality_ags", SALZHEMMENDORF)
            page.locator("#ideas summary").first.click()
            page.check(f"input[name=idea_id][value='{idea}']")
            page.locator("#partners summary").first.click()
            page.check(f"input[name=actor_id][value='{actor}']")
            page.fill(f"#role_{actor}", "kocht mit")
            page.fill("#start_on", "2027-01-31")
            page.click("form.stacked button[type=submit]")
            page.wait_for_url(re.compile(r"/koordination/projekte/\d+$"))
            project_url = page.url
            page.fill("#new-milestone-title", "Erster Mittagstisch")
            page.fill("#new-milestone-due", "2027-02-15")
            page.click("text=Meilenstein anlegen")
            page.wait_for_url(re.compile(r"#meilensteine$"))
            page.click("text=Heute erledigt")
            page.wait_for_url(re.compile(r"#meilensteine$"))
            page.fill("#update-body", "Vierzig Gäste beim ersten Mittagstisch.")
            page.set_input_files("#update-photo", str(photo))
            page.fill("#update-caption", "Der Saal")
            page.click("text=Neuigkeit veröffentlichen")
            page.wait_for_url(re.compile(r"#neuigkeiten$"))
            assert page.locator("article.project-update img").count() == 1
            assert "Fortschritt 100 %" in page.content()
            with engine.connect() as conn:
                assert conn.execute(text("SELECT accompaniment_end FROM project")).scalar_one() == dt.date(2028, 1, 31)
                assert conn.execute(text("SELECT role FROM project_partner")).scalar_one() == "kocht mit"
            for language in ("de", "ar"):
                for url in (base + "/koordination/", base + "/koordination/projekte/neu", project_url,
                            base + "/koordination/protokoll"):
                    page.goto(f"{url}{'&' if '?' in url else '?'}lang={language}")
                    page.wait_for_timeout(200)
                    assert _axe_violations(page) == [], (language, url)
            page.close()
        finally:
            server.shutdown()


# --- Review fixes (step two): the log's privacy and words, odd input, the baseline's area ---------------

def test_the_audit_log_shows_an_ideas_text_only_to_admins(app, client, engine, staff_client, step_two):
    """A redacted idea's original (and what a resident wrote at all) lives in the log, where only
    admins read it (the comments' rule); coordinators see "[nur für die Verwaltung sichtbar]"."""
    rng = random.Random(8128)
    phone = f"0151 {rng.randrange(10**6, 10**7)}"
    name = rng.choice(["Anna Meier", "Jens Krüger", "Ayşe Demir"])
    response = client.post(f"/gemeinde/{SALZHEMMENDORF}/ideen/neu", data={
        "title": f"Treff bei {name}", "body": f"Ruft mich an: {phone}, {name}, Lindenweg {rng.randrange(1, 40)}"})
    assert response.status_code == 303
    with engine.connect() as conn:
        idea_id, seen = conn.execute(text("SELECT id, md5(title || E'\\n' || body) FROM idea")).one()
    moderator = staff_client("moderator")
    assert moderator.post(f"/moderation/ideen/{idea_id}", data={"action": "redact", "seen": seen,
                                                               "whole_body": "ja"}).status_code == 303
    with engine.connect() as conn:
        assert phone not in conn.execute(text("SELECT body FROM idea")).scalar_one(), "the public text is redacted"
        assert {e.action for e in _log(engine, "idea")} >= {"created", "redacted"}
    withheld = "[nur für die Verwaltung sichtbar]"
    for role, sees in (("coordinator", False), ("admin", True)):
        reader = staff_client(role)
        page = reader.get("/koordination/protokoll").get_data(as_text=True)
        download = reader.get("/koordination/protokoll.csv").get_data(as_text=True)
        for shown in (page, download):
            assert (phone in shown) is sees and (name in shown) is sees, role
            assert (withheld in shown) is not sees, role
        assert "geschwärzt" in page and "geschwärzt" in download, "the redaction is still listed"
    from mapserver.services import followup_log

    with engine.connect() as conn:
        rows = followup_log.entries(conn, "03252", subject="idea")
    with app.test_request_context():
        hidden = followup_log.for_reader(rows, admin=False)
    assert all(e["after"]["title"] == withheld and e["after"]["body"] == withheld for e in hidden)
    assert all(e["after"]["status"] == r.after["status"] for e, r in zip(hidden, rows)), "the rest stays"


def _logged_actions() -> set[str]:
    """Every action word a package of mapserver/ writes to the step-two log: the `action=` of each
    followup_log.record call (a string, either side of `… if … else …`, the values of a dict
    looked up), and for an `action` passed on, what it is set to, its default and the strings callers
    pass for it."""
    import ast
    import pathlib

    def words(node) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return words(node.body) | words(node.orelse)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Dict):
            return set().union(*(words(v) for v in node.value.values))
        return set()

    found, passed_on = set(), False
    sources = [p for p in pathlib.Path("mapserver").rglob("*.py")]
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record" \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "followup_log":
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        found |= words(keyword.value)
                        passed_on |= isinstance(keyword.value, ast.Name)
    assert found and passed_on, "the search finds the calls"
    for path in sources:  # an action passed on (actors' create(…, action="imported")): defaults and callers
        text_ = path.read_text(encoding="utf-8")
        if "followup_log" not in text_ and "records." not in text_:
            continue
        for node in ast.walk(ast.parse(text_)):
            if isinstance(node, ast.FunctionDef):
                arguments = node.args.args + node.args.kwonlyargs
                defaults = [None] * (len(node.args.args) - len(node.args.defaults)) + node.args.defaults \
                    + node.args.kw_defaults
                found |= {d.value for a, d in zip(arguments, defaults) if a.arg == "action"
                          and isinstance(d, ast.Constant) and isinstance(d.value, str)}
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "action" for t in node.targets):
                found |= words(node.value)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "create":
                found |= set().union(set(), *(words(k.value) for k in node.keywords if k.arg == "action"))
    return found


def test_every_action_any_package_logs_has_a_german_label(app, engine, staff_client, step_two):
    from mapserver.projects import ACTION_LABELS, action_label

    actions = _logged_actions()
    assert {"drafted", "redacted", "approved", "hidden", "published", "deleted", "created", "imported",
            "done", "reopened"} <= actions, actions
    assert actions <= set(ACTION_LABELS), f"without a label: {sorted(actions - set(ACTION_LABELS))}"
    assert {"updated", "changed"} <= set(ACTION_LABELS)
    with app.test_request_context():
        labels = {code: action_label(code) for code in ACTION_LABELS}
        assert all(label and label != code for code, label in labels.items())
        assert action_label("frobnicated") == "sonstige Aktion (frobnicated)"
    with engine.begin() as conn:  # a word no label knows (a later package): never shown bare
        conn.execute(text("INSERT INTO followup_event (county_key, subject, subject_id, action) VALUES "
                          "('03252', 'project', 7, 'frobnicated'), ('03252', 'idea', 8, 'redacted'), "
                          "('03252', 'answer', 9, 'drafted'), ('03252', 'actor', 10, 'updated')"))
    client = staff_client("coordinator")
    page = client.get("/koordination/protokoll").get_data(as_text=True)
    download = client.get("/koordination/protokoll.csv").get_data(as_text=True)
    for shown in (page, download):
        assert "sonstige Aktion (frobnicated)" in shown and "geschwärzt" in shown
        assert "als Entwurf gespeichert" in shown and "geändert" in shown
    rows = list(csv.reader(io.StringIO(download.lstrip("\ufeff")), delimiter=";"))
    assert {row[4] for row in rows[1:]} == {"sonstige Aktion (frobnicated)", "geschwärzt", "als Entwurf gespeichert",
                                            "geändert"}


def test_unicode_digits_and_control_characters_are_refused_in_german(app, engine, staff_client, step_two):
    """"²" is a digit to str.isdigit() but no number to int(); a NUL breaks the SQL; U+FFFE breaks
    the Atom feed: each a German 422 (or the filter ignored), never a 500, nothing written."""
    rng = random.Random(3141)
    client = staff_client("coordinator")
    own = _idea(engine, SALZHEMMENDORF, "Eigene Idee", author=_account_id(engine, "staff-coordinator"))
    actor = _actor(engine, SALZHEMMENDORF, "Heimatverein")
    for url in ("/koordination/protokoll?nummer=%C2%B2", "/koordination/protokoll.csv?nummer=%C2%B2",
                "/koordination/protokoll?seite=%C2%B2", "/koordination/protokoll?nummer=%D9%A3&seite=%EF%BC%92",
                "/koordination/projekte/neu?idea_id=%C2%B2"):
        assert client.get(url).status_code == 200, url
    odd = ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\ufffe", "\uffff"]
    cases = {
        "idea ²": (_project_form("T", ["²"]), "Diese Auswahl gibt es nicht."),
        "idea ٣": (_project_form("T", ["٣"]), "Diese Auswahl gibt es nicht."),
        "district ²": (_project_form("T", [own], district_id=["²"]), "Diese Auswahl gibt es nicht."),
        "responsible ²": (_project_form("T", [own], responsible_id="²"), "Diese Auswahl gibt es nicht."),
        "actor ²": (_project_form("T", [own], actor_id=["²"]), "Diese Auswahl gibt es nicht."),
        "progress ²": (_project_form("T", [own], progress_set="²"), "Bitte eine ganze Zahl von 0 bis 100"),
        "progress ５": (_project_form("T", [own], progress_set="５0"), "Bitte eine ganze Zahl von 0 bis 100"),
        "municipality NUL": (_project_form("T", [own], municipality_ags="0325200\x00"),
                             "Diese Gemeinde gehört nicht zum Landkreis."),
        "municipality ²": (_project_form("T", [own], municipality_ags="0325200²"),
                           "Diese Gemeinde gehört nicht zum Landkreis."),
        "municipality 9": (_project_form("T", [own], municipality_ags="032520080"),
                           "Diese Gemeinde gehört nicht zum Landkreis."),
        "start NUL": (_project_form("T", [own], start="2027-01-01\x00"), "Bitte geben Sie ein Datum wie"),
    }
    for field in ("title", "description"):
        for _ in range(4):
            character = rng.choice(odd)
            cases[f"{field} {character!r}"] = ({**_project_form("T", [own]), field: f"Treff{character}punkt"},
                                               "Dieser Text enthält Steuerzeichen.")
    cases["role"] = (_project_form("T", [own], actor_id=[str(actor)], **{f"role_{actor}": "Raum\x00"}),
                     "Dieser Text enthält Steuerzeichen.")
    for case, (form, message) in cases.items():
        response = client.post("/koordination/projekte/neu", data=form)
        body = response.get_data(as_text=True)
        assert response.status_code == 422, (case, response.status_code)
        assert message in body and "Es wurde nichts gespeichert." in body, case
    assert _count(engine, "project") == 0 and not _log(engine, "project")
    surrogate = projects.ProjectInput.from_form({"title": "Treff\ud800", "municipality_ags": SALZHEMMENDORF,
                                                 "idea_id": [str(own)], "start_on": "2027-01-01"})
    assert [e["field"] for e in surrogate.errors] == ["title"], "a lone surrogate is no XML character"
    fine = projects.ProjectInput.from_form({"title": "Treff 🎉 für Ältere", "municipality_ags": SALZHEMMENDORF,
                                            "description": "Zeile eins\r\nZeile\tzwei\rdrei \ue000 \U0001F600",
                                            "idea_id": [str(own)], "start_on": "2027-01-01"})
    assert not fine.errors and fine.description == "Zeile eins\nZeile\tzwei\ndrei \ue000 \U0001F600"

    project_id = _created_id(client.post("/koordination/projekte/neu", data=_project_form("Gut", [own])))
    before = _log(engine)
    refused = {
        "change idea ²": client.post(f"/koordination/projekte/{project_id}", data=_project_form("Gut", ["²"])),
        "change municipality NUL": client.post(f"/koordination/projekte/{project_id}", data=_project_form(
            "Gut", [own], municipality_ags="\x0003252008")),
        "milestone title": client.post(f"/koordination/projekte/{project_id}/meilensteine",
                                       data={"title": f"Plakat{rng.choice(odd)}", "due_on": "2027-03-01"}),
        "milestone body": client.post(f"/koordination/projekte/{project_id}/meilensteine",
                                      data={"title": "Plakat", "body": "Text\ufffe", "due_on": "2027-03-01"}),
        "update body": client.post(f"/koordination/projekte/{project_id}/neuigkeiten",
                                   data={"body": f"Es geht los{rng.choice(odd)}"}),
        "update caption": client.post(f"/koordination/projekte/{project_id}/neuigkeiten", data={
            "body": "Es geht los.", "photo_caption": "Foto\uffff", "photo": (io.BytesIO(_jpeg_with_gps(5)), "a.jpg")},
            content_type="multipart/form-data"),
    }
    for case, response in refused.items():
        assert response.status_code == 422, (case, response.status_code)
        assert "Es wurde nichts gespeichert." in response.get_data(as_text=True), case
    assert _log(engine) == before
    assert _count(engine, "project_milestone") == 0 and _count(engine, "project_update") == 0


def test_the_baseline_follows_the_area_while_planned_and_keeps_its_area_once_running(app, engine, staff_client,
                                                                                      clean_pins, step_two):
    from mapserver.services import hotspots
    from tests.helpers import insert_cluster_around, insert_uniform

    rng = random.Random(2024)
    with engine.begin() as conn:
        insert_uniform(conn, SALZHEMMENDORF, 200, seed=rng.randrange(10**6))
        for place in ("Lauenstein", "Salzhemmendorf", "Oldendorf"):
            insert_cluster_around(conn, SALZHEMMENDORF, place, 30, radius_m=300, seed=rng.randrange(10**6))
    hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
    with engine.begin() as conn:
        conn.execute(text("UPDATE aggregate_run SET released_at = now() WHERE released_at IS NULL "
                          "AND id = (SELECT max(id) FROM aggregate_run)"))
    client = staff_client("coordinator")
    idea = _idea(engine, SALZHEMMENDORF, "Treffpunkt", author=_account_id(engine, "staff-coordinator"))
    districts = dict((name, d) for d, name in _districts(engine, SALZHEMMENDORF))
    first, second, third = (districts[n] for n in ("Lauenstein", "Salzhemmendorf", "Oldendorf"))

    def stored(project_id):
        with engine.connect() as conn:
            return conn.execute(text("SELECT baseline, ST_AsGeoJSON(area, 15) FROM project WHERE id = :id"),
                                {"id": project_id}).one()

    form = _project_form("Verbindet", [idea], status="geplant", district_id=[str(first)])
    project_id = _created_id(client.post("/koordination/projekte/neu", data=form))
    made, area = stored(project_id)
    assert made["area"] is not None and made["area"]["type"] == "MultiPolygon" and "taken_at" in made
    assert made["area"] == __import__("json").loads(area), "the baseline keeps the area it counted"
    assert "area" not in _log(engine, "project")[0].after["baseline"], "the log keeps no outline"

    planned = {**form, "district_id": [str(second)]}  # still planned: the baseline follows the new area
    assert client.post(f"/koordination/projekte/{project_id}", data=planned).status_code == 303
    moved, area = stored(project_id)
    assert moved["area"] == __import__("json").loads(area) and moved["area"] != made["area"]
    assert "area_changed_since" not in moved
    assert _log(engine, "project")[-1].after["baseline"]["taken_at"] == moved["taken_at"]

    running = {**planned, "status": "laeuft"}  # starts, same area: the baseline stays
    assert client.post(f"/koordination/projekte/{project_id}", data=running).status_code == 303
    assert stored(project_id)[0] == moved

    widened = {**running, "district_id": [str(second), str(third)]}  # running: kept, marked
    assert client.post(f"/koordination/projekte/{project_id}", data=widened).status_code == 303
    kept, area = stored(project_id)
    assert {k: v for k, v in kept.items() if k != "area_changed_since"} == moved
    assert dt.datetime.fromisoformat(kept["area_changed_since"]) > dt.datetime.fromisoformat(moved["taken_at"])
    assert kept["area"] != __import__("json").loads(area)
    rules = projects.disclosure.Rules()
    with engine.connect() as conn:
        like = projects.numbers_like_baseline(conn, "03252", project_id, kept, rules)
        today = projects.baseline(conn, "03252", project_id, rules)
        legacy = projects.numbers_like_baseline(conn, "03252", project_id, {"pins": 3}, rules)
    assert like["area"] == kept["area"] and like["pins"] == kept["pins"], "same run, same area: same numbers"
    assert today["area"] != kept["area"] and legacy["pins"] == today["pins"]
    assert client.post(f"/koordination/projekte/{project_id}", data={**widened, "district_id": [str(first)]}
                       ).status_code == 303
    assert stored(project_id)[0]["area_changed_since"] == kept["area_changed_since"], "the first change counts"
