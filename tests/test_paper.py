"""The paper table: a printable questionnaire per district and workshop (map with a labelled grid,
the questions, the QR code to the online form), and the staff's entry of answered sheets by
keyboard alone, stored with source 'paper', counted, filterable and exported with their source."""
from __future__ import annotations

import csv
import io
import random
import subprocess

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from mapserver.services import hotspots, paper, statistics
from mapserver.services.statistics import PinFilter
from tests.helpers import add_staff_account, insert_uniform, insert_workshop_today, seeded_app, serve_in_thread
from tests.helpers import sign_in_in_browser, signed_in_client

SALZHEMMENDORF = "03252008"


@pytest.fixture(scope="module")
def paper_app(module_db_url):
    with seeded_app(module_db_url) as app:
        engine = app.extensions["glaswaende.engine"]
        with engine.begin() as conn:
            insert_uniform(conn, SALZHEMMENDORF, 120, seed=61)
            creator = add_staff_account(conn, "papiertisch", "facilitator")
            add_staff_account(conn, "nur-planung", "planner")
            insert_workshop_today(conn, "Kaffee und Karte", SALZHEMMENDORF, "papier1", creator)
            lauenstein = conn.execute(text("SELECT id FROM district WHERE name = 'Lauenstein'")).scalar_one()
        yield app, engine, lauenstein


@pytest.fixture
def facilitator(paper_app):
    app, _, _ = paper_app
    return signed_in_client(app, "facilitator", name="papiertisch")


def _paper_pins(engine):
    with engine.connect() as conn:
        return conn.execute(text("""
            SELECT p.category, p.dimensions, p.comment, p.status, p.age_band, p.years_here, p.source, p.workshop_id,
                   d.name AS district, ST_X(ST_Transform(p.geom, 25832)) AS x, ST_Y(ST_Transform(p.geom, 25832)) AS y
            FROM pin p LEFT JOIN district d ON d.id = p.district_id WHERE p.source = 'paper' ORDER BY p.id""")).all()


def test_the_grid_names_its_fields_and_refuses_others():
    grid = paper.Grid.around(500_000, 5_760_000, 503_100, 5_764_000)
    assert grid.field_m == 300 and (grid.columns, grid.rows) == (11, 14)
    assert grid.field("c4") == grid.field(" C-4 ") == (2, 3)
    x, y = grid.centre("A1")
    assert (x - grid.west, grid.north - y) == (150, 150)
    for bad in ("", "L1", "A15", "4C", "AA1", "A0"):
        with pytest.raises(Exception, match="Dieses Feld gibt es auf dem Bogen nicht"):
            grid.field(bad)
    small = paper.Grid.around(0, 0, 900, 600)
    assert small.field_m == paper.SMALLEST_FIELD_M, "never finer than the analysis' hexagons"


def test_questionnaire_pdf_has_the_grid_map_the_questions_and_a_qr_code_to_the_form(facilitator, paper_app, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    _, _, lauenstein = paper_app
    response = facilitator.get(f"/papier/ortsteil/{lauenstein}/fragebogen.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1 and reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1), "one A4 sheet"
    words = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("Fragebogen für Lauenstein (Salzhemmendorf)", "Was ist hier?", "Hier verläuft eine Glaswand",
                     "Was trennt hier?", "Ihr Alter", "Wie lange wohnen Sie schon hier?", "Ohne Namen",
                     "© GeoBasis-DE / BKG (2017)"):
        assert expected in words, expected
    assert f"/gemeinde/{SALZHEMMENDORF}?ortsteil={lauenstein}" in "".join(words.split()), "the link, as text too"
    (tmp_path / "bogen.pdf").write_bytes(response.data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(tmp_path / "bogen.pdf"),
                    str(tmp_path / "seite")], check=True)
    page = Image.open(next(tmp_path.glob("seite*.png")))
    codes = [c.text for c in zxingcpp.read_barcodes(page)]
    assert any(code.endswith(f"/gemeinde/{SALZHEMMENDORF}?ortsteil={lauenstein}") for code in codes), codes


def test_a_workshops_questionnaire_leads_to_its_join_link(facilitator, paper_app):
    _, engine, _ = paper_app
    with engine.connect() as conn:
        workshop_id = conn.execute(text("SELECT id FROM workshop WHERE join_code = 'papier1'")).scalar_one()
    response = facilitator.get(f"/papier/workshop/{workshop_id}/fragebogen.pdf")
    words = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Kaffee und Karte" in words and "/w/papier1" in "".join(words.split())


def test_bad_sheets_are_refused_in_german_and_write_nothing(facilitator, paper_app):
    _, engine, lauenstein = paper_app
    before = len(_paper_pins(engine))
    for form, words in (({"feld": "Z99", "kategorie": "1"}, "Dieses Feld gibt es auf dem Bogen nicht"),
                        ({"feld": "B2", "kategorie": "7"}, "Unbekannte Taste"),
                        ({"feld": "B2", "kategorie": "12"}, "genau eine Taste"),
                        ({"feld": "B2", "kategorie": ""}, "genau eine Taste"),
                        ({"feld": "B2", "kategorie": "1", "trennt": "sx"}, "Unbekannte Taste „x“"),
                        ({"feld": "B2", "kategorie": "1", "kommentar": "x" * 1001}, "Bitte prüfen Sie"),
                        ({"lon": "nan", "lat": "52", "kategorie": "1"}, "Punkt auf der Karte ist ungültig")):
        response = facilitator.post(f"/papier/ortsteil/{lauenstein}/eingabe", data=form)
        assert response.status_code == 422 and words in response.get_data(as_text=True), form
    assert len(_paper_pins(engine)) == before
    assert facilitator.get("/papier/ortsteil/999999/eingabe").status_code == 404


def test_only_facilitators_and_admins_use_the_paper_table(paper_app):
    app, _, lauenstein = paper_app
    planner = signed_in_client(app, "planner", name="nur-planung")
    assert planner.get("/papier/").status_code == 403
    assert planner.post(f"/papier/ortsteil/{lauenstein}/eingabe", data={"feld": "A1", "kategorie": "1"}).status_code == 403
    assert app.test_client().get("/papier/").status_code in (302, 401)


@pytest.mark.browser
def test_twenty_sheets_typed_by_keyboard_alone_are_stored_counted_filtered_and_exported(paper_app, browser):
    app, engine, lauenstein = paper_app
    with engine.connect() as conn:
        frame = paper.frame(conn, "03252", lauenstein)
    rng = random.Random(16)
    # The sheets as residents filled them in: a field inside Lauenstein's own part of the grid
    # (its centre is in the district), a category, what divides, sometimes a comment or an age.
    fields = [f"{c}{r + 1}" for c in frame.grid.column_labels() for r in range(frame.grid.rows)]
    with engine.connect() as conn:
        inside = [f for f in fields if conn.execute(text("""
            SELECT ST_Covers(d.geom, ST_Transform(ST_SetSRID(ST_MakePoint(:x, :y), 25832), 4326))
            FROM district d WHERE d.id = :id"""), {"x": frame.grid.centre(f)[0], "y": frame.grid.centre(f)[1],
                                                   "id": lauenstein}).scalar_one()]
    sheets = [{"feld": rng.choice(inside), "kategorie": rng.choice("123"), "trennt": "".join(rng.sample("sghev", rng.randint(0, 2))),
               "kommentar": "Kein Bus am Sonntag" if i % 7 == 0 else "", "alter": rng.choice(["", "2", "5"])}
              for i in range(20)]
    server, base = serve_in_thread(app)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de-DE")
    try:
        sign_in_in_browser(page, base, "papiertisch")
        page.wait_for_load_state()
        page.goto(f"{base}/papier/ortsteil/{lauenstein}/eingabe")
        for number, sheet in enumerate(sheets, start=1):
            assert page.evaluate("document.activeElement.id") == "feld", "each sheet starts in the field box"
            page.keyboard.type(sheet["feld"])
            page.keyboard.press("Tab")
            page.keyboard.type(sheet["kategorie"])
            page.keyboard.press("Tab")
            page.keyboard.type(sheet["trennt"])
            page.keyboard.press("Tab")
            page.keyboard.type(sheet["kommentar"])
            page.keyboard.press("Tab")
            page.keyboard.type(sheet["alter"])
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert f"Bogen gespeichert ({number} aus Lauenstein bisher)" in page.locator("main").inner_text()
    finally:
        page.close()
        server.shutdown()

    stored = _paper_pins(engine)
    assert len(stored) == 20
    for pin, sheet in zip(stored, sheets):
        x, y = frame.grid.centre(sheet["feld"])
        assert abs(pin.x - x) < 0.5 and abs(pin.y - y) < 0.5 and pin.district == "Lauenstein"
        assert pin.category == paper.CATEGORY_KEYS[sheet["kategorie"]]
        assert sorted(pin.dimensions) == sorted(paper.DIMENSION_KEYS[k] for k in sheet["trennt"])
        assert pin.age_band == (paper.AGE_KEYS[sheet["alter"]] if sheet["alter"] else None)
        assert pin.comment == (sheet["kommentar"] or None)
        assert pin.status == "pending", "a paper comment is moderated like any other"

    hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
    with engine.connect() as conn:
        run = statistics.require_run(conn, "03252")
        (everything,) = statistics.municipality_counts(conn, run, "03252", PinFilter(), ags=SALZHEMMENDORF)
        (on_paper,) = statistics.municipality_counts(conn, run, "03252", PinFilter(sources=("paper",)), ags=SALZHEMMENDORF)
        (online,) = statistics.municipality_counts(conn, run, "03252", PinFilter(sources=("online",)), ags=SALZHEMMENDORF)
    assert on_paper.total == 20 and online.total + on_paper.total == everything.total
    planner = signed_in_client(app, "planner", name="nur-planung")
    page_html = planner.get(f"/planung/gemeinde/{SALZHEMMENDORF}?source=paper").get_data(as_text=True)
    assert "Herkunft: auf Papier" in page_html
    assert planner.get("/planung/?source=kaffee").status_code == 422
    exported = planner.get(f"/planung/export/pins.csv?gemeinde={SALZHEMMENDORF}&source=paper").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 20 and {row["source"] for row in rows} == {"paper"}
    compared = planner.get(f"/planung/gemeinde/{SALZHEMMENDORF}/vergleiche").get_data(as_text=True)
    assert "Nach Herkunft" in compared and "auf Papier" in compared


def test_a_pin_through_a_join_link_comes_from_the_workshop_any_other_from_online(paper_app):
    import uuid

    app, engine, _ = paper_app
    client = app.test_client()
    inside = {"lat": 52.0790, "lon": 9.5510, "category": "divided"}       # Lauenstein, Salzhemmendorf
    elsewhere = {"lat": 52.1956, "lon": 9.4647, "category": "divided"}    # Bad Münder: not the workshop's
    sent = {}
    for name, body in (("link", {**inside, "workshop": "papier1"}), ("own", inside),
                       ("link_elsewhere", {**elsewhere, "workshop": "papier1"})):
        sent[name] = str(uuid.uuid4())
        assert client.post("/api/pins", json={"id": sent[name], **body}).status_code == 201
    with engine.connect() as conn:
        sources = dict(conn.execute(text("SELECT client_id::text, source FROM pin WHERE client_id::text = ANY(:ids)"),
                                    {"ids": list(sent.values())}).all())
    assert [sources[sent[n]] for n in ("link", "own", "link_elsewhere")] == ["workshop", "online", "online"]


def test_a_stack_of_sheets_for_one_field_counts_in_its_cell_but_is_no_dense_cluster(paper_app):
    """Sheets are stored at their field's centre: twelve for one field are twelve identical points.
    They count in the field's hexagon cell, but DBSCAN must not call the pile a cluster (it would,
    were they stored as set on the map: the second half of the test)."""
    app, engine, lauenstein = paper_app
    rng = random.Random(1215)
    with engine.connect() as conn:
        frame = paper.frame(conn, "03252", lauenstein)
    with engine.connect() as conn:  # a field whose centre lies in the county
        fields = [f"{c}{r + 1}" for c in frame.grid.column_labels() for r in range(frame.grid.rows)]
        rng.shuffle(fields)
        field = next(f for f in fields if conn.execute(text("""
            SELECT ST_Covers(d.geom, ST_Transform(ST_SetSRID(ST_MakePoint(:x, :y), 25832), 4326))
            FROM district d WHERE d.id = :id"""), {"x": frame.grid.centre(f)[0], "y": frame.grid.centre(f)[1],
                                                   "id": lauenstein}).scalar_one())
    x, y = frame.grid.centre(field)
    with engine.begin() as conn:
        ids = [paper.store_sheet(conn, "03252", paper.sheet_from_form(
            {"feld": field, "kategorie": rng.choice("12"), "trennt": "s", "kommentar": "", "alter": ""}, frame), None)
            for _ in range(12)]
        assert {r for (r,) in conn.execute(text("SELECT location_precision FROM pin WHERE id = ANY(:ids)"),
                                           {"ids": ids})} == {"grid"}

    def refreshed() -> tuple[int, int]:
        """(pins of the field's cell, dense clusters within 300 m of the field's centre)."""
        hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=19))
        with engine.connect() as conn:
            run = statistics.require_run(conn, "03252")
            point = "ST_Transform(ST_SetSRID(ST_MakePoint(:x, :y), 25832), 4326)"
            in_cell = conn.execute(text(f"""
                SELECT coalesce(sum(s.pin_count), 0) FROM cell_statistic s
                JOIN hex_cell h ON h.run_id = s.run_id AND h.id = s.cell_id
                WHERE s.run_id = :run AND s.variant = :variant AND ST_Covers(h.geom, {point})"""),
                {"run": run.id, "variant": hotspots.ALL_PINS, "x": x, "y": y}).scalar_one()
            near = conn.execute(text(f"""
                SELECT count(*) FROM pin_cluster WHERE run_id = :run AND variant = :variant
                  AND ST_DWithin(ST_Transform(outline, 25832), ST_Transform({point}, 25832), 300)"""),
                {"run": run.id, "variant": hotspots.ALL_PINS, "x": x, "y": y}).scalar_one()
        return in_cell, near

    try:
        in_cell, near = refreshed()
        assert in_cell >= 12, "the sheets count in their field's cell"
        assert near == 0, "a stack of sheets is no dense cluster"
        with engine.begin() as conn:
            conn.execute(text("UPDATE pin SET location_precision = 'exact' WHERE id = ANY(:ids)"), {"ids": ids})
        assert refreshed()[1] >= 1, "the same points set on the map would be one (the test can fail)"
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM pin WHERE id = ANY(:ids)"), {"ids": ids})
