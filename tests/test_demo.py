"""`glaswaende demo seed` through the command line, against a real PostGIS: demo pins over the whole
county by area, clusters where demo.json plants them, comments in every moderation state, personal
data left for redaction, self-descriptions, the workshop and the demo account; re-seeding is
idempotent; a real pin makes it refuse, --force replaces it. Hotspot results are not checked here
(tests/test_hotspots.py does that): only that the command finished with its refresh."""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from mapserver.services import accounts, demo
from mapserver.services.demo import BACKGROUND_PINS_PER_KM2, CLUSTER_PINS, CLUSTER_SIGMA_M
from mapserver.vocabulary import AGE_BANDS, YEARS_HERE
from tests.helpers import GEODATA_DIR, HAMELN_PYRMONT, seeded_app

SALZHEMMENDORF = "03252008"
PLACES = json.loads((GEODATA_DIR / HAMELN_PYRMONT / "demo.json").read_text(encoding="utf-8"))
ORTSTEIL_SITES = [c for c in PLACES["clusters"] if "ortsteil" in c]
BORDER_SITES = [c for c in PLACES["clusters"] if "border" in c]
PASSWORD_LINE = re.compile(r"^Anmelden als demo mit Passwort (\S+)$", re.MULTILINE)
# What moderators must redact: a telephone number or an e-mail address.
PERSONAL_DATA = r"[0-9]{3,5} [0-9]{4,5} [0-9]{3}|@"
# The near side of the planted spread: even the widest cluster (sigma 200 m) has two thirds of its
# pins within 300 m of its site, the background there fewer than one.
NEAR_M = 300
LEAST_NEAR = int(0.9 * CLUSTER_PINS[0] * (1 - math.exp(-NEAR_M**2 / (2 * CLUSTER_SIGMA_M[1] ** 2))))


@pytest.fixture(scope="module")
def seeded(module_db_url):
    """A fresh database with the county imported, seeded once with the defaults. Later seedings
    name the day of this one (--today), so they plant the same pins even across midnight."""
    with seeded_app(module_db_url) as app:
        runner = app.test_cli_runner()
        today = dt.datetime.now(ZoneInfo(app.config["TIME_ZONE"])).date().isoformat()
        result = runner.invoke(args=["demo", "seed"])
        match = PASSWORD_LINE.search(result.output)
        yield SimpleNamespace(app=app, engine=app.extensions["glaswaende.engine"], runner=runner, result=result,
                              today=today, password=match.group(1) if match else None)


def _scalar(engine, query: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(query), params).scalar_one()


def _state(engine) -> dict:
    """Everything a seeding writes, as checksums and counts."""
    with engine.connect() as conn:
        return dict(conn.execute(text("""
            SELECT (SELECT count(*) FROM pin) AS pins,
                   (SELECT md5(string_agg(concat_ws('|', client_id, ST_AsText(geom), category, dimensions::text, comment,
                                                   age_band, years_here, status, created_at, municipality_ags,
                                                   district_id), ';' ORDER BY client_id)) FROM pin) AS pin_checksum,
                   (SELECT count(*) FROM moderation_event) AS events,
                   (SELECT count(*) FROM workshop) AS workshops,
                   (SELECT count(*) FROM account) AS accounts,
                   (SELECT array_agg(id ORDER BY id) FROM aggregate_run) AS runs,
                   (SELECT password_hash FROM account WHERE name = 'demo') AS password_hash""")).one()._mapping)


def _border_site_sql(site: dict) -> tuple[str, dict]:
    """The point demo.json means by a border site, in metres: the point of the two municipalities'
    common border nearest to the midpoint of the two Ortsteile it names."""
    (a, a_ortsteil), (b, b_ortsteil) = site["near"]
    return """
        SELECT ST_ClosestPoint(
                   ST_Intersection(ST_Boundary(ST_Transform(ma.geom, 25832)), ST_Buffer(ST_Transform(mb.geom, 25832), 1)),
                   ST_Centroid(ST_Collect(ST_Transform(da.centre, 25832), ST_Transform(db.centre, 25832))))
        FROM municipality ma, municipality mb, district da, district db
        WHERE ma.ags = :a AND mb.ags = :b AND da.municipality_ags = :a AND da.name = :a_ortsteil
          AND db.municipality_ags = :b AND db.name = :b_ortsteil""", {
        "a": a, "b": b, "a_ortsteil": a_ortsteil, "b_ortsteil": b_ortsteil}


def _near_pins(conn, site_sql: str, params: dict):
    return conn.execute(text(f"""
        WITH site AS ({site_sql})
        SELECT p.category, p.dimensions, p.municipality_ags FROM pin p, site s(geom)
        WHERE ST_DWithin(ST_Transform(p.geom, 25832), s.geom, :near)"""), {**params, "near": NEAR_M}).all()


def test_seed_finishes_with_the_refresh_and_prints_the_password_last(seeded):
    assert seeded.result.exit_code == 0, seeded.result.output
    assert seeded.result.output.rstrip().splitlines()[-1] == f"Anmelden als demo mit Passwort {seeded.password}"


def test_summary_writes_numbers_the_german_way(seeded):
    pins = _scalar(seeded.engine, "SELECT count(*) FROM pin")
    assert pins >= 1000
    assert f"{pins:,}".replace(",", ".") + " Pins" in seeded.result.output


def test_background_density_follows_each_municipalitys_area(seeded):
    """Away from the planted sites (1 km: five times the widest spread), every municipality holds
    about BACKGROUND_PINS_PER_KM2 per km² of its area, whatever its population."""
    sites = " UNION ALL ".join(
        ["SELECT ST_Transform(centre, 25832) FROM district WHERE municipality_ags = :m%d AND name = :o%d" % (i, i)
         for i in range(len(ORTSTEIL_SITES))]
        + [f"({_border_site_sql(site)[0]})" for site in BORDER_SITES[:1]])
    params = {}
    for i, site in enumerate(ORTSTEIL_SITES):
        params |= {f"m{i}": site["municipality_ags"], f"o{i}": site["ortsteil"]}
    if BORDER_SITES:
        params |= _border_site_sql(BORDER_SITES[0])[1]
    with seeded.engine.connect() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM ({sites}) s"), params).scalar_one() == len(PLACES["clusters"])
        rows = conn.execute(text(f"""
            WITH site AS ({sites}), away AS (SELECT ST_Union(ST_Buffer(geom, 1000)) AS geom FROM site s(geom))
            SELECT m.name,
                   (SELECT count(*) FROM pin p WHERE p.municipality_ags = m.ags
                      AND NOT ST_Intersects(ST_Transform(p.geom, 25832), a.geom)) AS pins,
                   ST_Area(ST_Difference(ST_Transform(m.geom, 25832), a.geom)) / 1e6 AS km2
            FROM municipality m, away a WHERE m.county_key = :county"""), {**params, "county": HAMELN_PYRMONT}).all()
        total = conn.execute(text("SELECT count(*) FROM pin")).scalar_one()
    assert len(rows) == 8
    for row in rows:
        assert 0.9 * BACKGROUND_PINS_PER_KM2 <= row.pins / row.km2 <= 1.1 * BACKGROUND_PINS_PER_KM2, row
    assert 2000 <= total <= 5000  # a few thousand in the whole county


@pytest.mark.parametrize("site", ORTSTEIL_SITES, ids=[s["name"] for s in ORTSTEIL_SITES])
def test_cluster_is_at_its_ortsteil_with_its_category_and_dimension(seeded, site):
    with seeded.engine.connect() as conn:
        near = _near_pins(conn, "SELECT ST_Transform(centre, 25832) FROM district WHERE municipality_ags = :ags AND name = :name",
                          {"ags": site["municipality_ags"], "name": site["ortsteil"]})
    assert len(near) >= LEAST_NEAR
    categories = [p.category for p in near]
    assert max(set(categories), key=categories.count) == site["category"]
    assert categories.count(site["category"]) >= 0.6 * len(near)
    dimensions = [d for p in near for d in p.dimensions]
    assert max(set(dimensions), key=dimensions.count) == site["dimension"]


@pytest.mark.parametrize("site", BORDER_SITES, ids=[s["name"] for s in BORDER_SITES])
def test_border_cluster_straddles_the_border_of_its_two_municipalities(seeded, site):
    with seeded.engine.connect() as conn:
        near = _near_pins(conn, *_border_site_sql(site))
    assert len(near) >= LEAST_NEAR
    for ags in site["border"]:
        assert sum(1 for p in near if p.municipality_ags == ags) >= 5, ags
    assert [p.category for p in near].count(site["category"]) >= 0.6 * len(near)


def test_pins_get_municipality_and_district_as_residents_pins_do(seeded):
    with seeded.engine.connect() as conn:
        wrong = conn.execute(text("""
            SELECT count(*) FROM pin p JOIN municipality m ON m.ags = p.municipality_ags
            WHERE NOT ST_Covers(m.geom, p.geom) OR p.district_id IS NULL
               OR p.district_id IS DISTINCT FROM district_for_point(p.municipality_ags, p.geom)
               OR p.location_precision <> 'exact'""")).scalar_one()
        per_municipality = conn.execute(text("SELECT count(DISTINCT municipality_ags) FROM pin")).scalar_one()
    assert wrong == 0
    assert per_municipality == 8


def test_comments_in_all_three_states_and_personal_data_left_for_redaction(seeded):
    with seeded.engine.connect() as conn:
        states = dict(conn.execute(text("SELECT status, count(*) FROM pin WHERE comment IS NOT NULL GROUP BY 1")).all())
        personal = dict(conn.execute(text("SELECT status, count(*) FROM pin WHERE comment ~ :pattern GROUP BY 1"),
                                     {"pattern": PERSONAL_DATA}).all())
        commented, pins = conn.execute(text("SELECT count(comment), count(*) FROM pin")).one()
    assert set(states) == {"pending", "published", "hidden"}
    assert all(n >= 10 for n in states.values()), states
    assert 0.1 * pins <= commented <= 0.6 * pins  # part of the pins, as residents comment
    assert personal.get("pending", 0) >= 3
    assert set(personal) == {"pending"}, "a comment with personal data must never be published unredacted"


def test_every_moderated_comment_has_its_audit_entry_by_the_demo_account(seeded):
    with seeded.engine.connect() as conn:
        unlogged = conn.execute(text("""
            SELECT count(*) FROM pin p WHERE p.status <> 'pending' AND NOT EXISTS (
                SELECT 1 FROM moderation_event e JOIN account a ON a.id = e.actor_id
                WHERE e.pin_id = p.id AND a.name = 'demo' AND e.status_after = p.status
                  AND e.at BETWEEN p.created_at AND now())""")).scalar_one()
        logged = conn.execute(text("SELECT count(*) FROM moderation_event")).scalar_one()
        moderated = conn.execute(text("SELECT count(*) FROM pin WHERE status <> 'pending'")).scalar_one()
    assert unlogged == 0
    assert logged == moderated


def test_self_descriptions_on_part_of_the_pins_from_the_vocabulary(seeded):
    with seeded.engine.connect() as conn:
        described, pins = conn.execute(text(
            "SELECT count(*) FILTER (WHERE age_band IS NOT NULL OR years_here IS NOT NULL), count(*) FROM pin")).one()
        age_bands = set(conn.execute(text("SELECT DISTINCT age_band FROM pin WHERE age_band IS NOT NULL")).scalars())
        years = set(conn.execute(text("SELECT DISTINCT years_here FROM pin WHERE years_here IS NOT NULL")).scalars())
    assert 0.2 * pins <= described <= 0.8 * pins
    assert age_bands == set(AGE_BANDS)
    assert years == set(YEARS_HERE)


def test_pins_arrived_over_the_last_six_weeks_until_yesterday(seeded):
    with seeded.engine.connect() as conn:
        first, last = conn.execute(text("SELECT min(created_at), max(created_at) FROM pin")).one()
    start_of_today = dt.datetime.combine(dt.date.fromisoformat(seeded.today), dt.time(),
                                         ZoneInfo(seeded.app.config["TIME_ZONE"]))
    assert start_of_today - dt.timedelta(days=42) <= first
    assert last < start_of_today
    assert last - first >= dt.timedelta(days=35)


def test_the_demo_account_and_its_workshop_in_salzhemmendorf(seeded):
    with seeded.engine.begin() as conn:
        account = accounts.authenticate(conn, "demo", seeded.password)
        workshops = conn.execute(text("SELECT id, municipality_ags, created_by FROM workshop")).all()
        tagged = dict(conn.execute(text("SELECT municipality_ags, count(*) FROM pin WHERE workshop_id IS NOT NULL "
                                        "GROUP BY 1")).all())
    assert account is not None
    assert account.roles == {"planner", "facilitator", "moderator", "coordinator"}
    assert [(w.municipality_ags, w.created_by) for w in workshops] == [(SALZHEMMENDORF, account.id)]
    assert set(tagged) == {SALZHEMMENDORF} and tagged[SALZHEMMENDORF] >= 5


def test_seeding_again_replaces_the_demo_data_with_the_same(seeded):
    before = _state(seeded.engine)
    # The same password as the first run, so that the account test holds in any order.
    result = seeded.runner.invoke(args=["demo", "seed", "--today", seeded.today, "--password", seeded.password])
    assert result.exit_code == 0, result.output
    after = _state(seeded.engine)
    for key in ("pins", "pin_checksum", "events", "workshops", "accounts"):
        assert after[key] == before[key], key
    assert not set(before["runs"]) & set(after["runs"]), "the old runs describe pins that are gone"


def test_the_seed_decides_the_pins(seeded):
    """Seedings in transactions that are rolled back (no refresh): another seed, other pins; the
    same seed again, the same pins; the default seed, the pins the command planted."""
    def pins_checksum(conn) -> str:
        return conn.execute(text(
            "SELECT md5(string_agg(concat_ws('|', client_id, ST_AsText(geom), category, comment, created_at), ';' "
            "ORDER BY client_id)) FROM pin")).scalar_one()

    def checksum_after_seeding(seed: int) -> str:
        with seeded.engine.connect() as conn, conn.begin() as transaction:
            demo.seed(conn, HAMELN_PYRMONT, GEODATA_DIR, seed=seed, today=dt.date.fromisoformat(seeded.today),
                      time_zone=seeded.app.config["TIME_ZONE"], password="x" * 12)
            checksum = pins_checksum(conn)
            transaction.rollback()
        return checksum

    other = checksum_after_seeding(7)
    assert other == checksum_after_seeding(7)
    with seeded.engine.connect() as conn:
        planted = pins_checksum(conn)
    assert checksum_after_seeding(demo.DEFAULT_SEED) == planted != other


def test_a_real_pin_makes_it_refuse_and_change_nothing(seeded):
    real = uuid.uuid4()
    with seeded.engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO pin (client_id, geom, category, comment, municipality_ags, district_id)
            SELECT :id, centre, 'divided', 'Ein echter Pin.', municipality_ags, district_for_point(municipality_ags, centre)
            FROM district WHERE municipality_ags = :ags AND name = 'Lauenstein'"""), {"id": real, "ags": SALZHEMMENDORF})
    try:
        before = _state(seeded.engine)
        result = seeded.runner.invoke(args=["demo", "seed"])
        assert result.exit_code != 0
        assert isinstance(result.exception, SystemExit), result.exception  # a ClickException, no traceback
        assert "1 echter Pin" in result.output and "--force" in result.output
        assert "Traceback" not in result.output
        assert _state(seeded.engine) == before
    finally:
        with seeded.engine.begin() as conn:
            conn.execute(text("DELETE FROM pin WHERE client_id = :id"), {"id": real})


def test_force_removes_real_pins_and_old_runs_and_seeds_anew(seeded):
    demo_only = _state(seeded.engine)
    real = uuid.uuid4()
    with seeded.engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO pin (client_id, geom, category, municipality_ags, district_id)
            SELECT :id, centre, 'meeting_place', municipality_ags, district_for_point(municipality_ags, centre)
            FROM district WHERE municipality_ags = :ags AND name = 'Wallensen'"""), {"id": real, "ags": SALZHEMMENDORF})
    result = seeded.runner.invoke(args=["demo", "seed", "--force", "--today", seeded.today, "--password",
                                        seeded.password])
    assert result.exit_code == 0, result.output
    assert "1 echter Pin wird gelöscht (--force)." in result.output
    assert _scalar(seeded.engine, "SELECT count(*) FROM pin WHERE client_id = :id", id=real) == 0
    after = _state(seeded.engine)
    assert (after["pins"], after["pin_checksum"]) == (demo_only["pins"], demo_only["pin_checksum"])
    assert not set(demo_only["runs"]) & set(after["runs"])
