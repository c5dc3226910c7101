"""Property-based tests: whatever arrives, the API answers 2xx or a German problem+json 4xx, never
a 500, and the pin table changes only on a 201."""
from __future__ import annotations

import json
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import pin_count

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=12,
)
# Bodies close to valid ones reach deeper into the validation than random JSON does.
NEAR_PINS = st.fixed_dictionaries(
    {"id": st.uuids().map(str) | st.text(max_size=40), "lat": st.floats(allow_nan=False) | st.integers() | st.text(max_size=5),
     "lon": st.floats(allow_nan=False) | st.integers(), "category": st.sampled_from(["divided", "meeting_place", "x", ""])},
    optional={"dimensions": st.lists(st.text(max_size=12) | st.sampled_from(["social", "origin"]), max_size=4),
              "comment": st.text(max_size=1200) | st.none(),
              "respondent": JSON, "workshop": st.text(max_size=14)},
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check(client, engine, response, before):
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
        assert response.json["status"] == response.status_code and response.json["detail"]
    if response.status_code != 201:
        assert pin_count(engine) == before


@SETTINGS
@given(body=JSON | NEAR_PINS)
def test_any_json_body_for_pins(client, engine, body):
    before = pin_count(engine)
    _check(client, engine, client.post("/api/pins", data=json.dumps(body), content_type="application/json"), before)


@SETTINGS
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_for_pins(client, engine, raw):
    before = pin_count(engine)
    _check(client, engine, client.post("/api/pins", data=raw, content_type="application/json"), before)


SEGMENT = st.text(alphabet=string.ascii_letters + string.digits + "%-_.~äöü", max_size=20)


@SETTINGS
@given(segment=SEGMENT, query=st.dictionaries(st.sampled_from(["municipality", "category", "from", "x", "age_band"]),
                                              SEGMENT, max_size=3))
def test_public_reads_never_fail(client, engine, segment, query):
    for path in (f"/api/municipalities/{segment}/districts", "/api/stats/municipalities", "/api/stats/districts",
                 "/api/hotspots", f"/gemeinde/{segment}", f"/w/{segment}"):
        response = client.get(path, query_string=query)
        assert response.status_code < 500, (path, query)
