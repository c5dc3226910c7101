"""The planners' comparisons (groups side by side, weeks, ranking, clusters), "So wird gerechnet",
and the municipality report for the Gemeinderat as PDF (page, download and command)."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from mapserver.services import hotspots
from tests.helpers import add_staff_account, insert_cluster_around, insert_uniform, seeded_app

SALZHEMMENDORF = "03252008"


@pytest.fixture(scope="module")
def report_app(module_db_url):
    with seeded_app(module_db_url) as app:
        engine = app.extensions["glaswaende.engine"]
        with engine.begin() as conn:
            insert_uniform(conn, SALZHEMMENDORF, 400, seed=41)
            insert_cluster_around(conn, SALZHEMMENDORF, "Lauenstein", 60, radius_m=300, seed=42)
            # Three residents of 30 to 49 (a group below k = 5): their numbers are not shown.
            conn.execute(text("UPDATE pin SET age_band = '30_49' WHERE id IN "
                              "(SELECT id FROM pin WHERE age_band IS NULL ORDER BY id LIMIT 3)"))
            conn.execute(text("""UPDATE pin SET comment = 'Der Spielplatz ist nur für die Neubausiedlung.',
                                 status = 'published' WHERE id = (SELECT max(id) FROM pin)"""))
            conn.execute(text("""UPDATE pin SET comment = 'Geheim: Herr X wohnt hier.', status = 'pending'
                                 WHERE id = (SELECT max(id) - 1 FROM pin)"""))
            add_staff_account(conn, "berichte", "planner")
        hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
        yield app, engine


@pytest.fixture
def planner(report_app, staff_client):
    app, _ = report_app
    return staff_client("planner", name="berichte", app=app)


def _numbers_in_row(html: str, row_label: str) -> list[str]:
    row = re.search(rf"<tr[^>]*><th scope=\"row\">{re.escape(row_label)}</th>(.*?)</tr>", html, re.S)
    assert row, row_label
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)


def test_groups_side_by_side_hide_those_below_k_and_what_would_reveal_them(planner, report_app):
    _, engine = report_app
    html = planner.get(f"/planung/gemeinde/{SALZHEMMENDORF}/vergleiche").get_data(as_text=True)
    with engine.connect() as conn:
        by_band = dict(conn.execute(text("SELECT coalesce(age_band, '-'), count(*) FROM pin "
                                         "WHERE municipality_ags = :ags GROUP BY 1"), {"ags": SALZHEMMENDORF}).all())
    assert by_band["30_49"] == 3
    assert _numbers_in_row(html, "18 bis 29 Jahre")[0] == f"{by_band['18_29']:,}".replace(",", ".")
    assert "zu wenige Pins (unter 5)" in _numbers_in_row(html, "30 bis 49 Jahre")[0]
    # Subtracting the groups shown from the total must not give the hidden group: the remainder
    # holds it together with the pins without an answer.
    remainder = int(_numbers_in_row(html, "ohne Angabe oder nicht gezeigt")[0].replace(".", ""))
    assert remainder == by_band["-"] + by_band["30_49"] and remainder >= 5
    assert "Gruppen mit weniger als 5 Pins zeigen wir nicht" in html


def test_the_remainder_never_singles_out_a_small_group(planner, report_app):
    """Take the answers away until only the small group and one other are left without the
    rest: the smallest group shown joins the remainder, which stays at k or above."""
    _, engine = report_app
    with engine.begin() as conn:
        conn.execute(text("UPDATE pin SET years_here = 'over_10' WHERE years_here IS NULL"))
        conn.execute(text("UPDATE pin SET years_here = '2_to_10' WHERE id IN (SELECT min(id) FROM pin)"))
    hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
    html = planner.get(f"/planung/gemeinde/{SALZHEMMENDORF}/vergleiche").get_data(as_text=True)
    table = html.split('id="vergleich-years_here"')[1].split("</table>")[0]
    remainder = int(_numbers_in_row(table, "ohne Angabe oder nicht gezeigt")[0].replace(".", ""))
    assert "zu wenige Pins" in _numbers_in_row(table, "2 bis 10 Jahre")[0]
    assert remainder == 0 or remainder >= 5, remainder


def test_weeks_ranking_and_cluster_table(planner):
    html = planner.get(f"/planung/gemeinde/{SALZHEMMENDORF}/vergleiche").get_data(as_text=True)
    weeks = html.split('id="pins-je-woche"')[1].split("</table>")[0]
    assert re.search(r"<th scope=\"row\">\d\d\.\d\d\.\d{4}</th>", weeks), "weeks in the German date format"
    ranking = html.split('id="rangfolge"')[1].split("</table>")[0]
    assert "Lauenstein" in ranking
    clusters = html.split('id="cluster"')[1].split("</table>")[0]
    assert "Lauenstein" in clusters and ">ja<" in clusters, "the planted cluster lies in a hotspot"


def test_method_page_explains_in_plain_german(planner):
    html = planner.get("/planung/methode").get_data(as_text=True)
    assert "So wird gerechnet" in html and "mehr Pins liegen, als der Zufall erklären kann" in html
    assert '<details class="method" open>' in html


def test_report_pdf_has_the_map_the_tables_and_the_attribution(planner):
    response = planner.get(f"/planung/gemeinde/{SALZHEMMENDORF}/bericht.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.metadata.title == "Glaswände in Salzhemmendorf"
    text_ = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("Glaswände in Salzhemmendorf", "Hotspots", "Nach Altersgruppe", "Pins je Woche und Kategorie",
                     "So wird gerechnet", "GeoBasis-DE / BKG", "Der Spielplatz ist nur für die Neubausiedlung."):
        assert expected in text_, expected
    assert "Geheim" not in text_, "a comment waiting for moderation is not in the report"
    images = [image for page in reader.pages for image in page.images]
    assert images and max(image.image.width for image in images) >= 1000, "the map, printable"
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1), "A4"


def test_report_page_and_errors(planner, staff_client, report_app):
    page = planner.get(f"/planung/gemeinde/{SALZHEMMENDORF}/bericht")
    assert page.status_code == 200 and "data:image/png;base64," in page.get_data(as_text=True)
    missing = planner.get("/planung/gemeinde/99999999/bericht.pdf")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json" or "text/html" in missing.mimetype
    bad = planner.get(f"/planung/gemeinde/{SALZHEMMENDORF}/bericht.pdf?category=nonsense")
    assert bad.status_code == 422
    app, _ = report_app
    assert app.test_client().get(f"/planung/gemeinde/{SALZHEMMENDORF}/bericht.pdf").status_code in (302, 401)


def test_report_command_writes_the_pdf(report_app, tmp_path):
    app, _ = report_app
    target = tmp_path / "bericht.pdf"
    result = app.test_cli_runner().invoke(args=["report", SALZHEMMENDORF, "--pdf", str(target)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(target)
    assert "Glaswände in Salzhemmendorf" in reader.pages[0].extract_text()
    failed = app.test_cli_runner().invoke(args=["report", "99999999", "--pdf", str(tmp_path / "x.pdf")])
    assert failed.exit_code != 0 and not (tmp_path / "x.pdf").exists()


def test_a_filter_on_the_groups_cannot_single_out_a_small_one(planner, report_app):
    """The attack of a reviewer: filter on a large group and a small one, then subtract the
    large group's row from the total the page heads with the same filter. The small group hides,
    and the large one with it, so the difference is nobody's."""
    _, engine = report_app
    with engine.connect() as conn:
        by_band = dict(conn.execute(text("SELECT coalesce(age_band, '-'), count(*) FROM pin "
                                         "WHERE municipality_ags = :ags GROUP BY 1"), {"ags": SALZHEMMENDORF}).all())
    html = planner.get(f"/planung/gemeinde/{SALZHEMMENDORF}/vergleiche?age_band=18_29&age_band=30_49").get_data(as_text=True)
    table = html.split('id="vergleich-age_band"')[1].split("</table>")[0]
    assert "zu wenige Pins" in _numbers_in_row(table, "30 bis 49 Jahre")[0]
    assert "zu wenige Pins" in _numbers_in_row(table, "18 bis 29 Jahre")[0], "else total minus this row = the small group"
    remainder = int(_numbers_in_row(table, "ohne Angabe oder nicht gezeigt")[0].replace(".", ""))
    assert remainder == by_band["18_29"] + by_band["30_49"]
    # Narrowed to the small group alone, nothing below k is printed, the remainder neither.
    html = planner.get(f"/planung/gemeinde/{SALZHEMMENDORF}/vergleiche?age_band=30_49").get_data(as_text=True)
    for grouping in ("years_here", "source"):
        table = html.split(f'id="vergleich-{grouping}"')[1].split("</table>")[0]
        cells = re.findall(r"<td>(\d[\d.]*)</td>", table)
        assert all(int(n.replace(".", "")) == 0 or int(n.replace(".", "")) >= 5 for n in cells), (grouping, cells)


def test_the_council_report_takes_no_filter_on_age_or_years_here(planner):
    for query in ("age_band=30_49", "years_here=always", "category=divided&age_band=65_plus"):
        for suffix in ("", ".pdf"):
            response = planner.get(f"/planung/gemeinde/{SALZHEMMENDORF}/bericht{suffix}?{query}")
            assert response.status_code == 422, (query, suffix)
            assert "nicht nach Alter oder Wohndauer gefiltert" in response.get_data(as_text=True)
    assert planner.get(f"/planung/gemeinde/{SALZHEMMENDORF}/bericht?category=divided&source=online").status_code == 200
