"""The loop closed, publicly (issue 17, mapserver/results): a municipality's projects, a project's
page with its timeline, the Atom feeds, /api/projects, "Meine Pins", the exports and the one-year
report. Data is made with plain SQL and services.ideas.create_idea, with seeds; drafts and
unpublished ideas must never show."""
from __future__ import annotations

import datetime as dt
import io
import random
import subprocess
import uuid

import feedparser
import pandas as pd
import pyogrio
import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import text

from mapserver.config import PROJECT_ROOT
from mapserver.services import followup_log
from mapserver.services.ideas import NewIdea, create_idea
from tests.helpers import add_staff_account, serve_in_thread

SALZHEMMENDORF = "03252008"
BAD_MUENDER = "03252002"
COUNTY = "03252"


def _jpeg(seed: int) -> bytes:
    rng = random.Random(seed)
    image = Image.new("RGB", (16, 12), tuple(rng.randrange(256) for _ in range(3)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


def _account(conn, name: str, *roles: str) -> int:
    existing = conn.execute(text("SELECT id FROM account WHERE name = :n"), {"n": name}).scalar()
    return existing if existing is not None else add_staff_account(conn, name, *roles)


def _project(conn, *, ags, title, district_ids, idea_ids, creator, start_on, status="laeuft", area_sql=None):
    area = area_sql or ("(SELECT ST_Multi(ST_Union(geom)) FROM district WHERE id = ANY (CAST(:districts AS integer[])))")
    project_id = conn.execute(text(f"""
        INSERT INTO project (county_key, municipality_ags, district_ids, title, description, status, start_on,
                             accompaniment_end, area, baseline, created_by)
        VALUES (:county, :ags, CAST(:districts AS integer[]), :title, :description, :status, :start_on,
                :end_on, {area}, CAST(:baseline AS jsonb), :creator)
        RETURNING id"""), {"county": COUNTY, "ags": ags, "districts": district_ids, "title": title,
                          "description": f"Beschreibung von {title}", "status": status, "start_on": start_on,
                          "end_on": start_on + dt.timedelta(days=365), "baseline": '{"run_id": 1, "pins": 17, "by_category": {"divided": null}}',
                          "creator": creator}).scalar_one()
    for idea_id in idea_ids:
        conn.execute(text("INSERT INTO project_idea (project_id, idea_id) VALUES (:p, :i)"), {"p": project_id, "i": idea_id})
    # As services/projects.create_project logs it: with what the area is made of.
    followup_log.record(conn, county_key=COUNTY, actor_id=creator, subject="project", subject_id=project_id,
                        action="created", after={"title": title, "municipality_ags": ags,
                                                 "district_ids": list(district_ids), "idea_ids": list(idea_ids)})
    return project_id


@pytest.fixture(scope="module")
def world(app):
    """Salzhemmendorf with a project made from two published ideas (one answered and published,
    one with only a draft answer) and a pending idea linked too; two partners, two milestones
    (one done), an update with a photo; a far project in Bad Münder."""
    rng = random.Random(1703)
    tag = f"{rng.randrange(10**6):06d}"
    engine = app.extensions["glaswaende.engine"]
    with app.test_request_context(), engine.begin() as conn:
        coordinator = _account(conn, "results-coordinator", "coordinator")
        districts = conn.execute(text("SELECT id FROM district WHERE municipality_ags = :ags ORDER BY id"),
                                 {"ags": SALZHEMMENDORF}).scalars().all()
        chosen = rng.sample(districts, 2)
        ideas = [create_idea(conn, COUNTY, NewIdea(SALZHEMMENDORF, f"Idee {n} {tag}", f"Text der Idee {n}",
                                                   ("generations",), (chosen[n - 1],)),
                             source="workshop", created_by=coordinator)["id"] for n in (1, 2)]
        pending = create_idea(conn, COUNTY, NewIdea(SALZHEMMENDORF, f"Wartende Idee {tag}", "noch nicht geprüft",
                                                    (), (chosen[0],)), source="online")["id"]
        published_at = dt.datetime(2026, 11, 3, 10, 30, tzinfo=dt.timezone.utc)
        answer = conn.execute(text("""
            INSERT INTO idea_answer (idea_id, state, body, institution, drafted_by, published_at)
            VALUES (:idea, 'wird_umgesetzt', :body, 'Flecken Salzhemmendorf', :by, :at) RETURNING id"""),
            {"idea": ideas[0], "body": f"Wir setzen das um {tag}", "by": coordinator, "at": published_at}).scalar_one()
        draft = conn.execute(text("""
            INSERT INTO idea_answer (idea_id, state, body, institution, drafted_by)
            VALUES (:idea, 'nicht_umsetzbar', :body, 'Flecken Salzhemmendorf', :by) RETURNING id"""),
            {"idea": ideas[1], "body": f"ENTWURF {tag} geheim", "by": coordinator}).scalar_one()
        conn.execute(text("UPDATE idea SET support_count = 7 WHERE id = :id"), {"id": ideas[0]})
        start = dt.date(2026, 9, 15)
        project = _project(conn, ags=SALZHEMMENDORF, title=f"Dorfbank {tag}", district_ids=chosen,
                           idea_ids=[*ideas, pending], creator=coordinator, start_on=start)
        actors = [conn.execute(text("""
            INSERT INTO local_actor (county_key, municipality_ags, name, kind, contact)
            VALUES (:county, :ags, :name, :kind, :contact) RETURNING id"""),
            {"county": COUNTY, "ags": SALZHEMMENDORF, "name": name, "kind": kind, "contact": contact}).scalar_one()
            for name, kind, contact in ((f"Heimatverein {tag}", "verein", "heimat@example.org"),
                                        (f"Kirchengemeinde {tag}", "kirchengemeinde", "05153 1234"))]
        for actor, role in zip(actors, ("Träger", None)):
            conn.execute(text("INSERT INTO project_partner (project_id, actor_id, role) VALUES (:p, :a, :r)"),
                         {"p": project, "a": actor, "r": role})
        milestones = []
        for title, due, done in ((f"Bank bestellt {tag}", dt.date(2026, 10, 1), dt.date(2026, 10, 5)),
                                 (f"Einweihungsfest {tag}", dt.date(2027, 5, 1), None)):
            milestone = conn.execute(text("""
                INSERT INTO project_milestone (project_id, title, body, due_on, done_on)
                VALUES (:p, :t, '', :due, :done) RETURNING id"""), {"p": project, "t": title, "due": due,
                                                                     "done": done}).scalar_one()
            followup_log.record(conn, county_key=COUNTY, actor_id=coordinator, subject="milestone",
                                subject_id=milestone, action="created", after={"title": title})
            milestones.append(milestone)
        update = conn.execute(text("""
            INSERT INTO project_update (project_id, body, photo, photo_caption, created_by, published_at)
            VALUES (:p, :body, :photo, 'Die neue Bank', :by, :at) RETURNING id"""),
            {"p": project, "body": f"Die Bank steht {tag}", "photo": _jpeg(17), "by": coordinator,
             "at": dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)}).scalar_one()
        far_district = conn.execute(text("""
            SELECT d.id FROM district d, district near
            WHERE d.municipality_ags = :far AND near.id = :near
            ORDER BY ST_Distance(d.geom, near.geom) DESC LIMIT 1"""), {"far": BAD_MUENDER, "near": chosen[0]}).scalar_one()
        far = _project(conn, ags=BAD_MUENDER, title=f"Ferne Brücke {tag}", district_ids=[far_district], idea_ids=[],
                       creator=coordinator, start_on=dt.date(2026, 10, 1), status="geplant")
        pin_point = conn.execute(text("SELECT ST_Y(p) AS lat, ST_X(p) AS lon FROM (SELECT ST_PointOnSurface(geom) AS p "
                                      "FROM district WHERE id = :id) s"), {"id": chosen[0]}).one()
    yield {"tag": tag, "project": project, "far": far, "ideas": ideas, "pending": pending, "answer": answer,
           "draft": draft, "published_at": published_at, "update": update, "milestones": milestones,
           "pin": (pin_point.lat, pin_point.lon), "coordinator": coordinator}
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM project WHERE id IN (:a, :b)"), {"a": project, "b": far})
        conn.execute(text("DELETE FROM idea WHERE id = ANY (CAST(:ids AS integer[]))"), {"ids": [*ideas, pending]})
        conn.execute(text("DELETE FROM local_actor WHERE name LIKE :tag"), {"tag": f"% {tag}"})


def test_project_page_shows_both_ideas_partners_milestones_progress_and_no_draft(client, world):
    tag = world["tag"]
    page = client.get(f"/projekte/{world['project']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for idea_id, n in zip(world["ideas"], (1, 2)):
        assert f"Idee {n} {tag}" in html and f'href="http://localhost/ideen/{idea_id}"' in html
    assert f"Wartende Idee {tag}" not in html, "a pending idea is not public"
    assert f"ENTWURF {tag}" not in html, "a draft answer is never public"
    assert f"Wir setzen das um {tag}" in html and "Flecken Salzhemmendorf" in html
    assert f"Heimatverein {tag}" in html and "heimat@example.org" in html and f"Kirchengemeinde {tag}" in html
    assert f"Bank bestellt {tag}" in html and f"Einweihungsfest {tag}" in html
    # One of two milestones done: 50 %, as a bar that names its value and as text.
    assert 'max="100" value="50"' in html and "50 %" in html
    assert f"Die Bank steht {tag}" in html
    assert f'/projekte/{world["project"]}/fotos/{world["update"]}.jpg' in html
    assert f'type="application/atom+xml" href="/projekte/{world["project"]}.atom"' in html
    # The timeline is newest first: the update (20 Nov) above the answer (3 Nov) above the milestone done (5 Oct).
    assert html.index(f"Die Bank steht {tag}") < html.index(f"Wir setzen das um {tag}") < html.index("Meilenstein erreicht")


def test_project_page_in_another_language_keeps_the_content_as_written(client, world):
    html = client.get(f"/projekte/{world['project']}?lang=en").get_data(as_text=True)
    assert 'lang="en"' in html and f"Dorfbank {world['tag']}" in html and f"Die Bank steht {world['tag']}" in html


def test_municipality_projects_list_and_map(client, world):
    page = client.get(f"/gemeinde/{SALZHEMMENDORF}/projekte")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="/projekte/{world["project"]}"' in html and f"Dorfbank {world['tag']}" in html
    assert f"Ferne Brücke {world['tag']}" not in html
    assert "läuft" in html and 'value="50"' in html and "Monat" in html
    assert f'data-projects-url="/api/projects?municipality={SALZHEMMENDORF}"' in html
    assert f'href="/gemeinde/{SALZHEMMENDORF}/neuigkeiten.atom"' in html


def test_update_photo_is_a_cached_jpeg(client, world):
    response = client.get(f"/projekte/{world['project']}/fotos/{world['update']}.jpg")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert response.data == _jpeg(17)
    # Under another project's address the photo is not there.
    assert client.get(f"/projekte/{world['far']}/fotos/{world['update']}.jpg").status_code == 404


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    return parsed


@pytest.mark.parametrize("which", ["municipality", "project"])
def test_feeds_hold_published_answers_with_their_date_and_drafts_only_once_published(client, world, engine, which):
    tag = world["tag"]
    url = f"/gemeinde/{SALZHEMMENDORF}/neuigkeiten.atom" if which == "municipality" else f"/projekte/{world['project']}.atom"
    parsed = _feed(client, url)
    assert parsed.feed.id.startswith("tag:localhost,2026:glaswaende/")
    assert any(link.rel == "self" and link.href == f"http://localhost{url}" for link in parsed.feed.links)
    entries = {e.id: e for e in parsed.entries}
    answer = entries[f"tag:localhost,2026:glaswaende/answer/{world['answer']}"]
    assert f"Idee 1 {tag}" in answer.title and "wird umgesetzt" in answer.title
    assert dt.datetime(*answer.published_parsed[:6], tzinfo=dt.timezone.utc) == world["published_at"]
    assert answer.link == f"http://localhost/ideen/{world['ideas'][0]}"
    assert f"Wir setzen das um {tag}" in answer.summary
    assert f"tag:localhost,2026:glaswaende/answer/{world['draft']}" not in entries
    assert not any(f"ENTWURF {tag}" in (e.get("summary") or "") for e in parsed.entries)
    kinds = {e.id.rsplit("/", 2)[1] for e in parsed.entries if tag in e.title or tag in (e.get("summary") or "")}
    assert {"answer", "project", "milestone_added", "milestone_done", "update"} <= kinds
    assert f"tag:localhost,2026:glaswaende/project/{world['far']}" not in entries

    # Published, the draft is in the feed with its date.
    moment = dt.datetime(2026, 11, 30, 8, 15, tzinfo=dt.timezone.utc)
    with engine.begin() as conn:
        conn.execute(text("UPDATE idea_answer SET published_at = :at WHERE id = :id"), {"at": moment, "id": world["draft"]})
    try:
        again = {e.id: e for e in _feed(client, url).entries}
        published = again[f"tag:localhost,2026:glaswaende/answer/{world['draft']}"]
        assert dt.datetime(*published.updated_parsed[:6], tzinfo=dt.timezone.utc) == moment
        assert f"ENTWURF {tag}" in published.summary and "nicht umsetzbar" in published.title
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE idea_answer SET published_at = NULL WHERE id = :id"), {"id": world["draft"]})


def test_feeds_stay_well_formed_whatever_text_was_stored(client, world, engine):
    """Characters XML 1.0 forbids (C0 controls, U+FFFE, U+FFFF) in a stored title or text are
    left out of the feed, the rest of the text kept."""
    tag = world["tag"]
    rng = random.Random(4711)
    forbidden = ["\x01", "\x08", "\x0b", "\x0c", "\x1f", "\ufffe", "\uffff"]
    noise = "".join(rng.sample(forbidden, len(forbidden)))
    with engine.begin() as conn:
        update = conn.execute(text("""
            INSERT INTO project_update (project_id, body, created_by, published_at)
            VALUES (:p, :body, :by, now()) RETURNING id"""),
            {"p": world["project"], "body": f"Tab\tund{noise} Zeile\nKaputt {tag}", "by": world["coordinator"]}).scalar_one()
        conn.execute(text("UPDATE project SET title = title || :noise WHERE id = :id"),
                     {"noise": noise, "id": world["project"]})
    try:
        for url in (f"/gemeinde/{SALZHEMMENDORF}/neuigkeiten.atom", f"/projekte/{world['project']}.atom"):
            parsed = _feed(client, url)  # bozo 0
            entry = next(e for e in parsed.entries if e.id.endswith(f"/update/{update}"))
            assert f"Kaputt {tag}" in entry.summary and not any(c in entry.content[0].value for c in forbidden)
            assert f"Dorfbank {tag}" in entry.title and not any(c in entry.title for c in forbidden)
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM project_update WHERE id = :id"), {"id": update})
            conn.execute(text("UPDATE project SET title = :t WHERE id = :id"),
                         {"t": f"Dorfbank {tag}", "id": world["project"]})


def test_feed_text_drops_lone_surrogates_and_keeps_the_rest():
    from mapserver.results.feeds import xml_text

    assert xml_text("a\ud800b\udfffc\x00d\ufffee\t\n\r€😀") == "abcde\t\n\r€😀"


def test_api_projects_is_geojson_of_areas_without_points_or_drafts(client, world):
    response = client.get(f"/api/projects?municipality={SALZHEMMENDORF}")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    body = response.json
    assert body["type"] == "FeatureCollection"
    ours = [f for f in body["features"] if f["properties"]["id"] == world["project"]]
    assert len(ours) == 1
    assert all(f["properties"]["id"] != world["far"] for f in body["features"])
    for feature in body["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"] is None or feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert "Point" not in str(feature["geometry"])
    props = ours[0]["properties"]
    assert props["status"] == "laeuft" and props["progress"] == 50
    assert props["start"] == "2026-09-15" and props["accompaniment_end"] == "2027-09-15"
    assert props["municipality"] == {"ags": SALZHEMMENDORF, "name": "Salzhemmendorf"}
    assert props["idea_ids"] == sorted(world["ideas"]), "the pending idea is not named"
    assert sorted(props["partners"]) == sorted([f"Heimatverein {world['tag']}", f"Kirchengemeinde {world['tag']}"])
    assert len(props["districts"]) == 2 and props["url"] == f"http://localhost/projekte/{world['project']}"
    assert "ENTWURF" not in response.get_data(as_text=True)


@pytest.mark.parametrize("query, status", [("", 422), ("?municipality=", 422), ("?municipality=abc", 422),
                                           ("?municipality=0325200", 422), ("?municipality=03252999", 404),
                                           ("?municipality=09162000", 404),
                                           ("?municipality=%C2%B2%C2%B2%C2%B2%C2%B2%C2%B2%C2%B2%C2%B2%C2%B2", 422),
                                           ("?municipality=%D9%A0%D9%A3%D9%A2%D9%A5%D9%A2%D9%A0%D9%A0%D9%A8", 422)])
def test_api_projects_refuses_bad_municipalities_in_german(client, world, query, status):
    response = client.get(f"/api/projects{query}")
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] and response.json["status"] == status
    assert any(word in response.json["detail"] for word in ("Gemeinde", "AGS", "Bitte"))


@pytest.mark.parametrize("url", ["/projekte/abc", "/projekte/0", "/projekte/99999999999", "/projekte/2147483000",
                                 "/projekte/-1.atom", "/projekte/2147483000.atom", "/gemeinde/99999999/projekte",
                                 "/gemeinde/abc/projekte", "/gemeinde/03252999/neuigkeiten.atom",
                                 "/projekte/1/fotos/abc.jpg", "/projekte/2147483000/fotos/1.jpg",
                                 # digits that are not ASCII ("²", "٣"): str.isdigit() takes them, int() may not
                                 "/projekte/%C2%B2", "/projekte/%C2%B2.atom", "/projekte/1/fotos/%C2%B2.jpg",
                                 "/projekte/%C2%B2/fotos/1.jpg", "/projekte/%D9%A3", "/projekte/2147483648"])
def test_unknown_projects_and_municipalities_are_a_german_404(client, world, url):
    response = client.get(url)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "gibt es" in page or "achtstelligen Gemeindeschlüssel" in page


def test_own_pins_page_lists_the_project_near_the_pin_and_not_the_far_one(client, world):
    lat, lon = world["pin"]
    pin = client.post("/api/pins", json={"id": str(uuid.uuid4()), "lat": lat, "lon": lon, "category": "divided"})
    assert pin.status_code == 201, pin.json
    page = client.get("/" + pin.json["edit_url"].split("/", 3)[3])
    html = page.get_data(as_text=True)
    section = html[html.index("Was aus Ihren Glaswänden wird"):]
    assert f'href="/projekte/{world["project"]}"' in section and f"Dorfbank {world['tag']}" in section
    assert f"Ferne Brücke {world['tag']}" not in section
    assert f"Idee 1 {world['tag']}" in section and "wird umgesetzt" in section
    assert f"Wartende Idee {world['tag']}" not in section and "ENTWURF" not in html


def test_own_pins_page_of_a_far_pin_names_the_far_project_only(client, world):
    # Lauenstein is far from the far project, and this test's project may lie elsewhere: a point in
    # Bad Münder's farthest district from Salzhemmendorf's chosen one, where only the far project is.
    with client.application.extensions["glaswaende.engine"].connect() as conn:
        point = conn.execute(text("SELECT ST_Y(c) AS lat, ST_X(c) AS lon FROM (SELECT ST_PointOnSurface(area) AS c "
                                  "FROM project WHERE id = :id) s"), {"id": world["far"]}).one()
    pin = client.post("/api/pins", json={"id": str(uuid.uuid4()), "lat": point.lat, "lon": point.lon,
                                         "category": "divided"})
    html = client.get("/" + pin.json["edit_url"].split("/", 3)[3]).get_data(as_text=True)
    section = html[html.index("Was aus Ihren Glaswänden wird"):]
    assert f"Ferne Brücke {world['tag']}" in section and f"Dorfbank {world['tag']}" not in section


def _gpkg_frame(content: bytes, tmp_path, name: str):
    path = tmp_path / name
    path.write_bytes(content)
    info = subprocess.run(["ogrinfo", "-ro", "-so", "-al", str(path)], capture_output=True, text=True, check=True)
    assert "ERROR" not in info.stderr and "Warning" not in info.stderr, info.stderr
    return pyogrio.read_dataframe(path), info.stdout


def test_exports_open_in_gdal_with_answers_supports_and_projects(client, staff_client, world, tmp_path):
    coordinator = staff_client("coordinator")
    response = coordinator.get("/koordination/export/ideen.gpkg")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    ideas, info = _gpkg_frame(response.data, tmp_path, "ideen.gpkg")
    assert "support_count: Integer" in info and "answered_at: DateTime" in info
    rows = ideas.set_index("id")
    assert rows.loc[world["ideas"][0], "answer_state"] == "wird_umgesetzt"
    assert rows.loc[world["ideas"][0], "support_count"] == 7
    assert pd.isna(rows.loc[world["ideas"][1], "answer_state"]), "a draft answer is not exported as a state"
    assert world["pending"] not in rows.index, "only published ideas leave the system"
    assert set(ideas.geometry.geom_type.dropna()) <= {"MultiPolygon"}

    projects_file = coordinator.get("/koordination/export/projekte.gpkg")
    projects, info = _gpkg_frame(projects_file.data, tmp_path, "projekte.gpkg")
    ours = projects.set_index("id").loc[world["project"]]
    assert ours["status"] == "laeuft" and ours["progress"] == 50 and ours["start_on"] == "2026-09-15"
    assert f"Heimatverein {world['tag']}" in ours["partner_names"]
    assert "progress: Integer" in info

    geojson = coordinator.get("/koordination/export/projekte.geojson")
    assert geojson.status_code == 200
    path = tmp_path / "projekte.geojson"
    path.write_bytes(geojson.data)
    assert world["project"] in set(pyogrio.read_dataframe(path)["id"])

    csv_file = coordinator.get(f"/koordination/export/ideen.csv?gemeinde={SALZHEMMENDORF}")
    text_ = csv_file.get_data(as_text=True)
    assert csv_file.mimetype == "text/csv" and text_.splitlines()[0].startswith("id,title,body")
    assert f"Idee 1 {world['tag']}" in text_ and "ENTWURF" not in text_ and "Wartende" not in text_
    path = tmp_path / "ideen.csv"
    path.write_bytes(csv_file.data)
    assert len(pyogrio.read_dataframe(path)) >= 2

    assert coordinator.get("/koordination/export/pins.gpkg").status_code == 404
    assert coordinator.get("/koordination/export/ideen.xlsx").status_code == 404
    assert coordinator.get("/koordination/export/ideen.csv?gemeinde=99999999").status_code == 404


def test_report_pdf_has_the_timeline_partners_and_pin_numbers(app, staff_client, world, clean_pins):
    coordinator = staff_client("coordinator")
    response = coordinator.get(f"/koordination/projekte/{world['project']}/bericht.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf_text = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(response.data)).pages)
    tag = world["tag"]
    for expected in (f"Dorfbank {tag}", f"Wir setzen das um {tag}", f"Die Bank steht {tag}", f"Bank bestellt {tag}",
                     f"Einweihungsfest {tag}", f"Heimatverein {tag}", "Meilenstein erreicht", "Zu Beginn", "17"):
        assert expected in pdf_text, expected
    assert "ENTWURF" not in pdf_text
    assert "unter 5, nicht veröffentlicht" in pdf_text, "a number below k is named as such"
    assert "Gebiet des Projekts wurde seit dem Beginn geändert" not in pdf_text, "its area is the one of the start"
    assert coordinator.get("/koordination/projekte/2147483000/bericht.pdf").status_code == 404
    # The table cell by cell, whatever released run other tests left and whatever its noise (each
    # pin's record key is random): the baseline as stored (17 pins, "divided" below k, nothing else
    # kept), today either "no public analysis", a number of at least k, or "below k".
    then, now = _report_pin_table(app, world["project"])
    assert then[0] == "17" and set(then[1:]) == {"unter 5, nicht veröffentlicht"} and len(then) == 4
    assert len(now) == 4
    for cell in now:
        assert cell in ("unter 5, nicht veröffentlicht", "noch keine öffentliche Auswertung") or \
            int(cell.replace(".", "")) >= 5, now


def _report_pin_table(app, project_id: int, language: str = "de") -> tuple[list[str], list[str]]:
    """The report's pin table as text: (the column "Zu Beginn", the column "Heute"), row by row."""
    import re as regex

    from mapserver.results import report_html

    with app.test_request_context(f"/?lang={language}"):
        html, _ = report_html(project_id, for_pdf=False)
    table = html[html.index('<table class="pins">'):]
    table = table[:table.index("</table>")]
    rows = regex.findall(r"<tr><th>[^<]*</th><td>([^<]*)</td><td>([^<]*)</td></tr>", table)
    return [a.strip() for a, _ in rows], [b.strip() for _, b in rows]


def test_access_exports_and_report(client, staff_client, world):
    report = f"/koordination/projekte/{world['project']}/bericht.pdf"
    for url in ("/koordination/export/ideen.csv", "/koordination/export/projekte.geojson", report):
        assert client.get(url).status_code == 401
    planner = staff_client("planner")
    assert planner.get("/koordination/export/projekte.csv").status_code == 200, "planners may export"
    assert planner.get(report).status_code == 403, "the report is for coordinators"
    for role in ("moderator", "facilitator"):
        other = staff_client(role)
        for url in ("/koordination/export/ideen.csv", report):
            assert other.get(url).status_code == 403, (role, url)
    assert staff_client("admin").get("/koordination/export/ideen.csv").status_code == 200


def test_api_projects_matches_its_openapi_description(client, world):
    import jsonschema

    spec = client.get("/api/openapi.json").json
    path = spec["paths"]["/api/projects"]["get"]
    assert {"200", "404", "422"} <= set(path["responses"])
    body = client.get(f"/api/projects?municipality={SALZHEMMENDORF}").json
    jsonschema.validate(body, {"$ref": "#/components/schemas/FeatureCollection", "components": spec["components"]})


AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"


def _serious_axe_violations(page) -> list[dict]:
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the test, not loaded by the page: no CSP change
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.browser
def test_new_pages_draw_outlines_not_points_and_pass_axe_in_german_and_arabic(app, clean_pins, world, browser):
    server, base = serve_in_thread(app)
    try:
        context = browser.new_context(locale="de-DE")
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        for language in ("de", "ar"):
            for url in (f"/gemeinde/{SALZHEMMENDORF}/projekte", f"/projekte/{world['project']}"):
                page.goto(f"{base}{url}?lang={language}")
                page.locator("path.leaflet-interactive").first.wait_for()
                assert page.locator(".leaflet-marker-icon").count() == 0, "areas only, never a point"
                assert page.locator("progress").first.get_attribute("value") == "50"
                assert _serious_axe_violations(page) == [], (language, url)
        assert errors == []
        context.close()
        # Reflow (WCAG 1.4.10): 320 CSS px wide without horizontal scrolling, photo and progress included.
        narrow = browser.new_context(locale="de-DE", viewport={"width": 320, "height": 700})
        page = narrow.new_page()
        for language in ("de", "ar"):
            for url in (f"/gemeinde/{SALZHEMMENDORF}/projekte", f"/projekte/{world['project']}"):
                page.goto(f"{base}{url}?lang={language}")
                page.locator("path.leaflet-interactive").first.wait_for()
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, (url, language, overflow)
        narrow.close()
    finally:
        server.shutdown()


@pytest.mark.browser
def test_project_title_in_the_map_tooltip_is_text_and_standalone_links_are_24_px(app, engine, clean_pins, world, browser):
    """A title is what a coordinator wrote: in the map's tooltip it shows as text, its markup never
    becomes a link or an image. The page's standalone links (a project's title in the list, the
    feed, a linked idea) are at least 24 px high (WCAG 2.5.8)."""
    tag = world["tag"]
    markup = f'Dorfbank {tag} <a id="injected" href="https://evil.example/">anmelden</a><img id="injimg" src="/x">'
    with engine.begin() as conn:
        conn.execute(text("UPDATE project SET title = :t WHERE id = :id"), {"t": markup, "id": world["project"]})
    server, base = serve_in_thread(app)
    try:
        page = browser.new_context(locale="de-DE", viewport={"width": 360, "height": 740}).new_page()
        page.goto(f"{base}/gemeinde/{SALZHEMMENDORF}/projekte")
        shapes = page.locator("path.leaflet-interactive")
        shapes.first.wait_for()
        for n in range(shapes.count()):
            shapes.nth(n).dispatch_event("mouseover")
        page.locator(".leaflet-tooltip").first.wait_for()
        tooltips = page.locator(".leaflet-tooltip").all_inner_texts()
        assert any(markup in tip and "läuft" in tip and "50 %" in tip for tip in tooltips), tooltips
        assert page.locator("#injected, #injimg").count() == 0
        for url in (f"/gemeinde/{SALZHEMMENDORF}/projekte", f"/projekte/{world['project']}"):
            page.goto(f"{base}{url}")
            heights = page.evaluate("""() => [...document.querySelectorAll(
                '.project-list h3 a, .feed-link, .project-ideas a')].map(a => [a.textContent.trim(), a.getBoundingClientRect().height])""")
            assert heights and all(height >= 24 for _, height in heights), (url, heights)
    finally:
        server.shutdown()
        with engine.begin() as conn:
            conn.execute(text("UPDATE project SET title = :t WHERE id = :id"), {"t": f"Dorfbank {tag}", "id": world["project"]})


def test_partners_are_written_without_brackets(client, world):
    """Leichte Sprache has no brackets: a partner is "name: kind, role" in every language."""
    tag = world["tag"]
    for language in ("de", "de_LS", "en"):
        html = client.get(f"/projekte/{world['project']}?lang={language}").get_data(as_text=True)
        line = next(line for line in html.splitlines() if f"Heimatverein {tag}</strong>" in line)
        assert "(" not in line and ")" not in line, line
        assert f"<strong>Heimatverein {tag}</strong>: " in line and ", Träger" in line


def test_report_counts_today_over_the_area_its_baseline_was_taken_for(app, engine, world, clean_pins):
    """The baseline is the area's numbers when the project started. When its Ortsteile or ideas
    are edited later, its area is a new one: the report counts today's numbers over the area as it
    was at the start (the same numbers as a project that kept that area), and says so; when that
    area cannot be rebuilt (an idea of the start is gone) or is not on record, the report says
    plainly that the numbers are not comparable."""
    from mapserver.results import reading
    from mapserver.services import hotspots
    from mapserver.services.disclosure import Rules
    from tests.helpers import insert_cluster_around, insert_uniform

    with engine.begin() as conn:
        insert_uniform(conn, SALZHEMMENDORF, 150, seed=2718)
        insert_cluster_around(conn, SALZHEMMENDORF, "Lauenstein", 40, radius_m=300, seed=2719)
    hotspots.refresh(engine, COUNTY, hotspots.HotspotSettings(replications=19))
    made = []
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE aggregate_run SET released_at = now() WHERE released_at IS NULL "
                              "AND id = (SELECT max(id) FROM aggregate_run)"))
            districts = dict(conn.execute(text("SELECT name, id FROM district WHERE municipality_ags = :ags"),
                                          {"ags": SALZHEMMENDORF}).all())
            lauenstein = districts.pop("Lauenstein")
            others = sorted(districts.values())
            start = dt.date(2026, 9, 1)
            kept = _project(conn, ags=SALZHEMMENDORF, title="Gebiet geblieben", district_ids=[lauenstein], idea_ids=[],
                            creator=world["coordinator"], start_on=start)
            edited = _project(conn, ags=SALZHEMMENDORF, title="Gebiet erweitert", district_ids=[lauenstein], idea_ids=[],
                              creator=world["coordinator"], start_on=start)
            gone = _project(conn, ags=SALZHEMMENDORF, title="Idee verschwunden", district_ids=[lauenstein],
                            idea_ids=[], creator=world["coordinator"], start_on=start)
            made = [kept, edited, gone]
            # Edited after the start: all Ortsteile now (as projects/update.sql resolves the area anew).
            conn.execute(text("""UPDATE project SET district_ids = CAST(:d AS integer[]), updated_at = now(),
                                 area = (SELECT ST_Multi(ST_Union(geom)) FROM district WHERE id = ANY (CAST(:d AS integer[])))
                                 WHERE id IN (:a, :b)"""), {"d": [lauenstein, *others], "a": edited, "b": gone})
            # The start of "gone" named an idea that no longer exists.
            conn.execute(text("""UPDATE followup_event SET after = jsonb_set(after, '{idea_ids}', '[2147483000]')
                                 WHERE subject = 'project' AND subject_id = :id AND action = 'created'"""), {"id": gone})
            unknown = _project(conn, ags=SALZHEMMENDORF, title="Ohne Protokoll", district_ids=[lauenstein], idea_ids=[],
                               creator=world["coordinator"], start_on=start)
            made.append(unknown)
            conn.execute(text("DELETE FROM followup_event WHERE subject = 'project' AND subject_id = :id"), {"id": unknown})

            rules = Rules.from_config(app.config)
            same, same_area = reading.area_numbers_now(conn, COUNTY, kept, rules)
            at_start, at_start_area = reading.area_numbers_now(conn, COUNTY, edited, rules)
            changed, changed_area = reading.area_numbers_now(conn, COUNTY, gone, rules)
            _, unknown_area = reading.area_numbers_now(conn, COUNTY, unknown, rules)
            from mapserver.services import projects
            whole = projects.baseline(conn, COUNTY, edited, rules)
        assert (same_area, at_start_area, changed_area, unknown_area) == (reading.SAME_AREA, reading.AREA_AT_START,
                                                                          reading.AREA_CHANGED, reading.AREA_UNKNOWN)
        assert same["run_id"] is not None and same["pins"] is not None and same["pins"] >= 30, same
        # The edited project's numbers today: those of the area at the start, not of its whole area now.
        assert (at_start["pins"], at_start["by_category"]) == (same["pins"], same["by_category"])
        assert whole["pins"] is not None and whole["pins"] > same["pins"] + 2 * rules.max_deviation
        assert (changed["pins"], changed["by_category"]) == (whole["pins"], whole["by_category"])

        def report_text(project_id):
            from mapserver.results import report_html

            with app.test_request_context("/?lang=de"):
                html, _ = report_html(project_id, for_pdf=False)
            return " ".join(html.split())

        assert "seit dem Beginn geändert" not in report_text(kept)
        assert "Die Zahlen von heute sind deshalb für das Gebiet zu Beginn gezählt" in report_text(edited)
        assert _report_pin_table(app, edited)[1][0] == str(same["pins"])
        assert "Sie sind deshalb nicht vergleichbar." in report_text(gone)
        assert "ist nicht festgehalten" in report_text(unknown)
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM project WHERE id = ANY (CAST(:ids AS integer[]))"), {"ids": made})
