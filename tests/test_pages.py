"""The resident pages and the read API: German, attributed, no CDN, real boundaries."""
from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser

import jsonschema
import pytest

from mapserver.config import DEFAULT_SETTINGS
from tests.helpers import seeded_app


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def _assets(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.urls


def test_county_page_lists_municipalities_and_highlights_the_active_ones(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="de" dir="ltr">' in html
    assert "Landkreis Hameln-Pyrmont" in html
    for name in ("Aerzen", "Bad Münder am Deister", "Salzhemmendorf", "Hameln", "Hessisch Oldendorf"):
        assert name in html
    active = re.findall(r'<li class="active">\s*<a href="/gemeinde/(\d{8})">', html)
    assert sorted(active) == ["03252002", "03252008"]


def test_pages_load_scripts_and_styles_only_from_our_static_folder(client):
    for url in ("/", "/gemeinde/03252008"):
        assets = _assets(client.get(url).get_data(as_text=True))
        assert any(re.search(r"vendor/leaflet/leaflet(\.[0-9a-f]{12})?\.js$", a) for a in assets), assets
        assert all(a.startswith("/static/") for a in assets), assets
        for asset in assets:
            assert client.get(asset).status_code == 200, asset


def test_every_map_carries_the_attributions_of_its_data(client):
    for url in ("/", "/gemeinde/03252002"):
        html = client.get(url).get_data(as_text=True)
        settings = json.loads(unescape(re.search(r'data-map-settings="([^"]+)"', html).group(1)))
        attributions = " | ".join(settings["data_attributions"])
        assert "© GeoBasis-DE / BKG" in attributions
        assert "Wikipedia-Autoren" in attributions and "CC BY-SA 4.0" in attributions


def test_municipality_page_has_the_pin_form_in_german(client):
    html = client.get("/gemeinde/03252008").get_data(as_text=True)
    assert "<h1>Salzhemmendorf</h1>" in html
    for text in ("Hier verläuft eine Glaswand", "Hier fehlt ein Ort der Begegnung", "Hier kommt man gut zusammen",
                 "Meinen Standort verwenden", "Pin senden", "ungefähre Grenzen"):
        assert text in html


def test_unknown_municipality_gets_a_german_error_page(client):
    response = client.get("/gemeinde/03241001")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "gibt es in diesem Kreis nicht" in response.get_data(as_text=True)
    assert "Diese Seite gibt es nicht." in client.get("/nirgendwo").get_data(as_text=True)
    for junk in ("/gemeinde/%00", "/gemeinde/0325200%27", "/gemeinde/" + "9" * 300):
        response = client.get(junk)
        assert response.status_code == 404 and "Gemeindeschlüssel" in response.get_data(as_text=True), junk
    response = client.get("/api/municipalities/%00/districts")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_municipalities_api_is_geojson_with_population(client):
    response = client.get("/api/municipalities")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    collection = response.json
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 8
    salzhemmendorf = next(f for f in collection["features"] if f["properties"]["ags"] == "03252008")
    assert salzhemmendorf["properties"]["population"] == 9279
    assert salzhemmendorf["properties"]["active"] is True
    assert salzhemmendorf["geometry"]["type"] == "MultiPolygon"
    assert 90 < salzhemmendorf["properties"]["area_km2"] < 98
    assert collection["attribution"].startswith("© GeoBasis-DE / BKG")


def test_districts_api_names_the_ortsteile_as_approximate(client):
    response = client.get("/api/municipalities/03252008/districts")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    features = response.json["features"]
    assert len(features) == 10
    assert "Lauenstein" in {f["properties"]["name"] for f in features}
    assert all(f["properties"]["approximate"] and f["properties"]["label"] == "ungefähre Grenzen" for f in features)
    missing = client.get("/api/municipalities/99999999/districts")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_responses_match_the_openapi_schemas(client):
    spec = client.get("/api/openapi.json").json

    def check(body, schema_name):
        jsonschema.validate(body, {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]})

    submission = {"id": "0a0b0c0d-0000-4000-8000-000000000001", "lat": 52.0772, "lon": 9.5542,
                  "category": "divided", "dimensions": ["income"], "respondent": {"age_band": "18_29"}}
    check(submission, "PinSubmission")
    created = client.post("/api/pins", json=submission)
    assert created.status_code == 201
    check(created.json, "Pin")
    check(client.post("/api/pins", json={"lat": "x"}).json, "Problem")
    check(client.get("/api/municipalities").json, "FeatureCollection")
    with pytest.raises(jsonschema.ValidationError):
        check({"id": "x", "lat": 100, "lon": 0, "category": "wall"}, "PinSubmission")
    # The place: a point or a district; nulls are no place (the validator refuses them too).
    base = {"id": "0a0b0c0d-0000-4000-8000-000000000002", "category": "divided"}
    check(base | {"district_id": 7}, "PinSubmission")
    check(base | {"lat": 52.0, "lon": 9.5, "district_id": None}, "PinSubmission")
    for no_place in ({"lat": None, "lon": None, "district_id": None}, {}, {"lat": 52.0, "lon": 9.5, "district_id": 7}):
        with pytest.raises(jsonschema.ValidationError):
            check(base | no_place, "PinSubmission")
        assert client.post("/api/pins", json=base | no_place).status_code == 422, no_place


def test_openapi_document_describes_the_interfaces(client):
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    assert {"/api/pins", "/api/municipalities", "/api/municipalities/{ags}/districts"} <= set(spec["paths"])
    responses = spec["paths"]["/api/pins"]["post"]["responses"]
    assert {"200", "201", "400", "413", "422"} <= set(responses)
    submission = spec["components"]["schemas"]["PinSubmission"]
    assert set(submission["required"]) == {"id", "category"}
    # The place: lat and lon, or (without the map) a district_id.
    assert [set(alternative["required"]) for alternative in submission["oneOf"]] == [{"lat", "lon"}, {"district_id"}]
    assert submission["properties"]["category"]["enum"] == ["divided", "missing_meeting_place", "meeting_place"]


def test_every_response_carries_security_headers(client):
    for url in ("/", "/gemeinde/03252008", "/api/municipalities", "/api/openapi.json", "/nirgendwo", "/anmelden"):
        headers = client.get(url).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_privacy_notice_is_filled_from_configuration_and_linked_from_resident_pages(county_db_url, client):
    from tests.helpers import seeded_app

    for url in ("/", "/gemeinde/03252008"):
        assert 'href="/datenschutz">Datenschutz</a>' in client.get(url).get_data(as_text=True)
    default = client.get("/datenschutz").get_data(as_text=True)
    for heading in ("Wer ist verantwortlich?", "Wozu?", "Rechtsgrundlage", "Wie lange?", "Ihre Rechte"):
        assert heading in default
    assert "Landkreis Hameln-Pyrmont." in default and "weder Ihre IP-Adresse noch Ihren Browser" in default
    with seeded_app(county_db_url, PRIVACY_CONTROLLER="Kreisverwaltung Test", PRIVACY_CONTACT="datenschutz@example.org",
                    CAMPAIGN_END="2027-03-31", SELF_DESCRIPTION_RETENTION_DAYS="30") as app:
        page = app.test_client().get("/datenschutz").get_data(as_text=True)
    assert "Kreisverwaltung Test." in page and "datenschutz@example.org" in page
    assert "30 Tage nach dem Ende" in page and "2027-03-31" in page


def test_the_default_base_map_is_basemap_de_which_the_csp_admits(county_db_url):
    # The public OpenStreetMap tile servers do not allow a county's production use: the default is
    # the official basemap.de web raster (BKG), with its licence on every map.
    assert "openstreetmap" not in DEFAULT_SETTINGS.TILE_URL
    with seeded_app(county_db_url, TILE_URL=DEFAULT_SETTINGS.TILE_URL,
                    TILE_ATTRIBUTION=DEFAULT_SETTINGS.TILE_ATTRIBUTION) as app:
        page = app.test_client().get("/gemeinde/03252008")
    img_src = next(d for d in page.headers["Content-Security-Policy"].split(";") if d.strip().startswith("img-src"))
    assert "https://sgx.geodatenzentrum.de" in img_src.split()
    settings = json.loads(unescape(re.search(r'data-map-settings="([^"]+)"', page.text).group(1)))
    assert settings["tile_url"].startswith("https://sgx.geodatenzentrum.de/wmts_basemapde/")
    assert "basemap.de" in settings["tile_attribution"] and "dl-de/by-2-0" in settings["tile_attribution"]


def test_the_start_page_promises_only_what_is_true(client):
    # Staff see the exact place and the text: the page must not promise that nobody can trace a
    # pin, and says who sees what.
    page = client.get("/").text
    assert "zurückführen" not in page and "niemand kann" not in page
    assert "Die Moderation sieht den Ort und Ihren Text" in page
    english = client.get("/?lang=en").text
    assert "The moderation team sees the place and your text" in english
