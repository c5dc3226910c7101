"""The disclosure rules themselves (services/disclosure.py): the perturbation table, the cell
key, the k rule, places on the grid, live batches; releases in batches through the refresh.
The attacks an outsider would run are in tests/test_disclosure_attacks.py."""
from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from mapserver.config import ConfigError, load_config
from mapserver.services import disclosure, hotspots
from mapserver.services.statistics import Tally
from tests.helpers import seeded_app
from tests.helpers import insert_uniform

RULES = disclosure.Rules(k=5, max_deviation=2, variance=1.0, release_min_new_pins=5, release_min_hours=0)
SALZHEMMENDORF = "03252008"


@pytest.mark.parametrize("count", [1, 2, 3, 10, 1000])
def test_the_noise_has_mean_zero_the_variance_and_bounds_asked_for(count):
    values, p = disclosure.perturbation_distribution(count, 2, 1.0)
    assert p.sum() == pytest.approx(1.0) and (p > 0).all()
    assert p @ values == pytest.approx(0.0, abs=1e-9)
    assert p @ values ** 2 == pytest.approx(1.0, abs=1e-9)
    assert values.min() >= -min(count, 2) and values.max() <= 2
    # Drawn by cell keys spread evenly, the noise has that distribution (the table is read right).
    keys = (np.arange(20000) + 0.5) / 20000 * disclosure.KEY_MODULUS
    noise = np.array([RULES.noise(count, int(key)) for key in keys])
    assert noise.mean() == pytest.approx(0.0, abs=0.01) and noise.var() == pytest.approx(1.0, abs=0.01)
    assert noise.min() >= -min(count, 2) and noise.max() <= 2


def test_the_same_pins_always_get_the_same_noise_and_other_pins_other_noise():
    rng = np.random.default_rng(7)
    keys = rng.integers(0, disclosure.KEY_MODULUS, size=(2000, 12))
    first = [RULES.perturbed(12, int(row.sum())) for row in keys]
    assert first == [RULES.perturbed(12, int(row.sum())) for row in keys], "asked again: the same answer"
    # Adding one pin draws the noise anew: the change of a published number is not 1 + 0.
    changed = [RULES.perturbed(13, int(row.sum()) + int(rng.integers(0, disclosure.KEY_MODULUS))) - before
               for row, before in zip(keys, first)]
    assert len(set(changed)) >= 6 and np.mean(np.array(changed) == 1) < 0.5
    # The cell key is the key sum modulo 2^31: order and table do not matter.
    assert RULES.noise(12, int(keys[0].sum())) == RULES.noise(12, int(keys[0].sum()) + disclosure.KEY_MODULUS)


def test_no_count_below_k_is_shown_and_zero_looks_like_few():
    rng = np.random.default_rng(8)
    shown = {n: {RULES.count(n, int(rng.integers(0, 2 ** 40))) for _ in range(400)} for n in range(0, 12)}
    assert shown[0] == {None} and shown[1] == {None} and shown[2] == {None}
    assert all(v is None or v >= 5 for values in shown.values() for v in values)
    assert None in shown[4] and 5 in shown[4], "a 4 may be shown as 5 or hidden: neither tells it is 4"
    assert all(abs(v - n) <= 2 for n, values in shown.items() for v in values if v is not None)


def test_public_places_are_grid_centres_not_means_of_pins():
    rng = np.random.default_rng(9)
    lon, lat = 9.6 + rng.random(200) * 0.1, 52.0 + rng.random(200) * 0.1
    centres = {disclosure.grid_centre(a, b, 250.0) for a, b in zip(lon, lat)}
    assert len(centres) < 200, "nearby points share a centre"
    again = {disclosure.grid_centre(a, b, 250.0) for a, b in centres}
    assert again == centres, "a grid centre is its own cell's centre"


def test_the_live_view_moves_only_after_k_more_pins():
    assert [disclosure.live_snapshot_due(RULES, pins, 7, True) for pins in (6, 7, 11, 12, 20)] == [
        False, False, False, True, True]
    assert disclosure.live_snapshot_due(RULES, 0, 0, False), "the first poll takes one"
    first = disclosure.live_numbers(RULES, None, {"total": Tally(total=7, key_sum=3), "cell:1:2": Tally(total=3, key_sum=11),
                                                  "district:4": Tally(total=7, key_sum=3)})
    view = disclosure.live_view(RULES, first, 250.0)
    assert 5 <= view["workshop_pins"] <= 9 and view["cells"] == [] and 5 <= view["districts"]["4"] <= 9
    assert "counted" not in view, "the true counts stay in the database"
    # Each number moves on its own only once its own pins changed by k: one more pin in district 4
    # (and four elsewhere) leaves district 4 as it was; five more move it.
    later = disclosure.live_numbers(RULES, first, {"total": Tally(total=12, key_sum=99), "cell:1:2": Tally(total=3, key_sum=11),
                                                   "district:4": Tally(total=8, key_sum=50),
                                                   "district:5": Tally(total=4, key_sum=49)})
    assert later["shown"]["district:4"] == first["shown"]["district:4"] and later["counted"]["district:4"] == 7
    assert later["counted"]["total"] == 12 and "district:5" not in later["shown"]
    moved = disclosure.live_numbers(RULES, later, {"total": Tally(total=17, key_sum=5), "district:4": Tally(total=12, key_sum=7)})
    assert moved["counted"]["district:4"] == 12 and moved["counted"]["cell:1:2"] == 3, "3 fewer: not yet"


def test_settings_that_would_let_single_pins_through_are_refused():
    with pytest.raises(ConfigError, match="PUBLIC_RELEASE_MIN_NEW_PINS"):
        load_config({"PRIVACY_K": 5, "PUBLIC_RELEASE_MIN_NEW_PINS": 3})
    with pytest.raises(ConfigError, match="DISCLOSURE_VARIANCE"):
        load_config({"DISCLOSURE_MAX_DEVIATION": 2, "DISCLOSURE_VARIANCE": 2.5})
    assert load_config({"PRIVACY_K": 7})["PUBLIC_RELEASE_MIN_NEW_PINS"] == 7


def test_a_run_held_back_by_the_hours_goes_public_once_they_have_passed(fresh_db_url):
    engine = create_engine(fresh_db_url)
    daily = hotspots.HotspotSettings(replications=99, release_min_new_pins=5, release_min_hours=24)
    with engine.begin() as conn:
        insert_uniform(conn, SALZHEMMENDORF, 30, seed=71)
    first = hotspots.refresh(engine, "03252", daily)
    with engine.begin() as conn:
        insert_uniform(conn, SALZHEMMENDORF, 6, seed=72)
    held = hotspots.refresh(engine, "03252", daily)
    assert first.released and not held.released, "six more pins, but not a day since"
    with engine.begin() as conn:
        assert hotspots.release_if_due(conn, "03252", daily) is None
        conn.execute(text("UPDATE aggregate_run SET released_at = released_at - INTERVAL '25 hours' WHERE id = :id"),
                     {"id": first.run_id})
        assert hotspots.release_if_due(conn, "03252", daily) == held.run_id, "a day later, without a refresh"
        assert hotspots.release_if_due(conn, "03252", daily) is None, "once"
    engine.dispose()


def test_runs_from_before_the_upgrade_are_not_public(fresh_db_url):
    """They carry no key sums: every number would get the same noise. The first refresh after the
    upgrade makes the public run."""
    from mapserver.db import upgrade

    upgrade(fresh_db_url, "0008")
    engine = create_engine(fresh_db_url)
    with engine.begin() as conn:
        conn.execute(text("""INSERT INTO aggregate_run (county_key, cell_size_m, dbscan_eps_m, dbscan_min_pins, replications,
                                                        finished_at, pin_count)
                             VALUES ('03252', 250, 150, 5, 99, now(), 40)"""))
    upgrade(fresh_db_url)
    with engine.connect() as conn:
        assert hotspots.latest_run(conn, "03252") is not None
        assert hotspots.latest_run(conn, "03252", released_only=True) is None
    engine.dispose()


def test_the_public_snapshot_moves_only_after_enough_new_pins(fresh_db_url):
    with seeded_app(fresh_db_url) as app:
        engine = app.extensions["glaswaende.engine"]
        settings = hotspots.HotspotSettings(replications=99, release_min_new_pins=5, release_min_hours=0)
        client = app.test_client()
        with engine.begin() as conn:
            insert_uniform(conn, SALZHEMMENDORF, 40, seed=61)
        first = hotspots.refresh(engine, "03252", settings)
        public = client.get("/api/stats/municipalities").json
        assert public["run"]["id"] == first.run_id and first.released, "the first run is public"
        assert public["disclosure"]["max_deviation"] == 2 and "höchstens 2" in public["disclosure"]["note"]
        ids = [first.run_id]
        for batch in range(6):  # four single pins do not move it, the fifth does
            with engine.begin() as conn:
                insert_uniform(conn, SALZHEMMENDORF, 1, seed=62 + batch)
            report = hotspots.refresh(engine, "03252", settings)
            ids.append(report.run_id)
            shown = client.get("/api/stats/municipalities").json["run"]["id"]
            assert shown == (ids[5] if batch >= 4 else first.run_id), batch
            assert report.released == (batch == 4) and ("öffentlich freigegeben" in report.summary()) == report.released
        with engine.connect() as conn:
            kept = conn.execute(text("SELECT id FROM aggregate_run ORDER BY id")).scalars().all()
            planners_see = hotspots.latest_run(conn, "03252").id
        assert planners_see == ids[-1], "planners see the latest run"
        assert ids[5] in kept and len(kept) <= hotspots.RUNS_KEPT + 1, "the public run outlives pruning"
