"""Privacy rights: self-descriptions are deleted when due (`glaswaende privacy purge`), and no
IP address or user agent is stored anywhere."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from mapserver.config import ConfigError
from mapserver.services import hotspots
from tests.helpers import make_test_app, seeded_app

SALZHEMMENDORF = "03252008"


@pytest.fixture
def campaign_db(fresh_db_url):
    """Pins with self-descriptions: two sent during the campaign (ends 2026-11-30), one on its last
    evening, one after it (a new round), one without self-description."""
    with seeded_app(fresh_db_url, CAMPAIGN_END="2026-11-30", SELF_DESCRIPTION_RETENTION_DAYS="30") as app:
        engine = app.extensions["glaswaende.engine"]
        with engine.begin() as conn:
            conn.execute(text("""
                INSERT INTO pin (client_id, geom, category, age_band, years_here, created_at, municipality_ags, district_id)
                SELECT gen_random_uuid(), ST_PointOnSurface(m.geom), 'divided', v.age_band, v.years_here, v.created_at,
                       m.ags, district_for_point(m.ags, ST_PointOnSurface(m.geom))
                FROM municipality m, (VALUES
                    ('65_plus', 'over_10', TIMESTAMPTZ '2026-11-02 10:00+01'),
                    ('18_29', NULL, TIMESTAMPTZ '2026-11-15 10:00+01'),
                    (NULL, 'always', TIMESTAMPTZ '2026-11-30 23:30+01'),
                    ('30_49', 'under_2', TIMESTAMPTZ '2026-12-01 00:30+01'),
                    (NULL, NULL, TIMESTAMPTZ '2026-11-10 10:00+01')) AS v(age_band, years_here, created_at)
                WHERE m.ags = :ags"""), {"ags": SALZHEMMENDORF})
        hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
        yield app, engine


def _self_descriptions(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FILTER (WHERE age_band IS NOT NULL OR years_here IS NOT NULL), "
                                 "count(*) FROM pin")).one()


def _purge(app, *args):
    result = app.test_cli_runner().invoke(args=["privacy", "purge", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_purge_waits_for_the_end_of_the_campaign_plus_the_retention_days(campaign_db):
    app, engine = campaign_db
    assert "Noch nicht fällig: gelöscht wird ab dem 31.12.2026 (3 Pins" in _purge(app, "--today", "2026-12-30")
    assert tuple(_self_descriptions(engine)) == (4, 5)
    assert "Probelauf: 3 Pins" in _purge(app, "--today", "2026-12-31", "--dry-run")
    assert tuple(_self_descriptions(engine)) == (4, 5)


def test_purge_deletes_the_self_descriptions_of_the_campaign_and_keeps_the_pins(campaign_db):
    app, engine = campaign_db
    assert "Freiwillige Angaben von 3 Pins gelöscht." in _purge(app, "--today", "2026-12-31")
    with engine.connect() as conn:
        left = conn.execute(text("SELECT age_band, years_here FROM pin WHERE age_band IS NOT NULL OR years_here IS NOT NULL")).all()
        cube = conn.execute(text("SELECT count(*) FILTER (WHERE age_band IS NOT NULL OR years_here IS NOT NULL), "
                                 "sum(pin_count) FROM pin_cube")).one()
    # Only the pin sent after the campaign (a new round) keeps its self-description.
    assert [tuple(r) for r in left] == [("30_49", "under_2")]
    assert tuple(_self_descriptions(engine)) == (1, 5)
    # The stored run's filter cube no longer breaks the campaign's pins down either; sums stay.
    assert cube[1] == 5 and cube[0] <= 1
    # Running again finds nothing more to delete.
    assert "von 0 Pins gelöscht" in _purge(app, "--today", "2027-01-15")


def test_purge_without_a_campaign_end_deletes_nothing(fresh_db_url):
    with seeded_app(fresh_db_url) as app:
        assert "Kein Ende der Beteiligung eingestellt" in _purge(app)


def test_a_malformed_campaign_end_is_refused_at_start(fresh_db_url):
    with pytest.raises(ConfigError, match="CAMPAIGN_END"):
        make_test_app(fresh_db_url, CAMPAIGN_END="31.03.2027")


def test_no_ip_address_or_user_agent_is_stored_anywhere(fresh_db_url):
    """A pin sent with a distinctive address and browser, a change through the private link, a
    failed and a successful sign-in, a moderation action: afterwards neither string is in any
    table, nor in the rate limiter's keys."""
    from mapserver.services import accounts
    from mapserver.services.moderation import digest

    with seeded_app(fresh_db_url, RATE_LIMITS=True, LOGIN_FAILURE_SECONDS="0") as app:
        engine = app.extensions["glaswaende.engine"]
        with engine.begin() as conn:
            accounts.create_account(conn, "mona", "mona-moderiert-kommentare", ["moderator"])
        address, agent = "203.0.113.77", "Glaswaende-Spur/9.9 (unverwechselbar)"
        client = app.test_client()
        seen = {"environ_base": {"REMOTE_ADDR": address},
                "headers": {"User-Agent": agent, "X-Forwarded-For": address, "X-Glaswaende-Device": "geraet-" + address}}
        pin_id = str(uuid.uuid4())
        response = client.post("/api/pins", json={"id": pin_id, "lat": 52.079, "lon": 9.551, "category": "divided",
                                                  "comment": "Ein Kommentar"}, **seen)
        assert response.status_code == 201
        own = response.json["edit_url"].replace("http://localhost", "")
        changed = client.post(f"{own}/{pin_id}", data={"category": "meeting_place", "comment": "Ein Kommentar"}, **seen)
        assert changed.status_code == 303
        assert client.post("/anmelden", data={"name": "mona", "password": "falsch-geraten"}, **seen).status_code == 401
        assert client.post("/anmelden", data={"name": "mona", "password": "mona-moderiert-kommentare"}, **seen).status_code == 302
        with engine.connect() as conn:
            row = conn.execute(text("SELECT id, category FROM pin")).one()
        assert row.category == "meeting_place"
        assert client.post(f"/moderation/{row.id}", data={"action": "approve", "seen": digest("Ein Kommentar")},
                           **seen).status_code == 303
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM moderation_event")).scalar_one() == 1
            tables = conn.execute(text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                                       "AND table_type = 'BASE TABLE'")).scalars().all()
            assert {"pin", "account", "moderation_event"} <= set(tables)
            for table in tables:
                dump = conn.execute(text(f'SELECT coalesce(string_agg(t::text, \'\'), \'\') FROM "{table}" t')).scalar_one()
                assert address not in dump and "Glaswaende-Spur" not in dump, table
            columns = conn.execute(text("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'")).scalars().all()
        assert not [c for c in columns if set(c.split("_")) & {"ip", "addr", "address", "agent", "remote"}]
        # The rate limiter counted this address and device, under salted hashes only.
        storage = app.extensions["glaswaende.limiter"].storage
        keys = storage.keys()
        assert keys and not any(address in key or agent in key for key in keys)
