"""Light on a weak connection: the resident page transfers at most 300 KB (compressed) before map
tiles and is usable on a slow 3G profile within 5 seconds; static files are compressed and cached
under fingerprinted names."""
from __future__ import annotations

import re
import time

import pytest

pytestmark = pytest.mark.browser

BUDGET_BYTES = 300 * 1024
SALZHEMMENDORF = "03252008"
# Chrome DevTools' "Slow 3G": 400 ms round trip, 400 kbit/s down, 400 kbit/s up.
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400 * 1024 / 8, "uploadThroughput": 400 * 1024 / 8}


def test_static_files_are_fingerprinted_compressed_and_cached_for_a_year(client):
    page = client.get(f"/gemeinde/{SALZHEMMENDORF}").text
    scripts = re.findall(r'src="(/static/[^"]+)"', page) + re.findall(r'href="(/static/[^"]+\.css)"', page)
    assert scripts and all(re.search(r"\.[0-9a-f]{12}\.(js|css)$", url) for url in scripts), scripts
    for url in scripts:
        response = client.get(url, headers={"Accept-Encoding": "br, gzip"})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] in ("br", "gzip"), url
        assert "immutable" in response.headers["Cache-Control"] and "max-age=315360000" in response.headers["Cache-Control"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Pages and GeoJSON are compressed on the fly.
    for url in (f"/gemeinde/{SALZHEMMENDORF}", f"/api/municipalities/{SALZHEMMENDORF}/districts"):
        assert client.get(url, headers={"Accept-Encoding": "gzip"}).headers.get("Content-Encoding") == "gzip", url


def test_resident_page_stays_under_300_kb_and_is_usable_on_slow_3g_within_5_seconds(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="de-DE")
    page = context.new_page()
    transferred = []
    page.on("requestfinished", lambda request: transferred.append(
        (request.url, request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"])))
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    try:
        started = time.monotonic()
        page.goto(f"{live_server}/gemeinde/{SALZHEMMENDORF}", wait_until="commit")
        # Usable: the form can be filled and the map shows the districts to tap on.
        page.locator("#send").wait_for()
        page.locator(".area-label", has_text="Lauenstein").wait_for(timeout=15000)
        usable_after = time.monotonic() - started
        page.wait_for_load_state("networkidle")
        total = sum(size for _url, size in transferred)  # no tiles in tests (TILE_URL is empty)
        print(f"slow 3G: usable after {usable_after:.2f} s, {total / 1024:.1f} KB transferred in {len(transferred)} requests")
        assert total <= BUDGET_BYTES, sorted(transferred, key=lambda t: -t[1])[:5]
        assert usable_after <= 5.0, f"usable only after {usable_after:.2f} s"
    finally:
        context.close()
