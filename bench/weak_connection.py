"""Weak-connection benchmark: the resident page on Chrome's "Slow 3G" profile, as served (compressed,
fingerprinted), against a baseline in the same run: the same page fetched uncompressed (the
browser sends Accept-Encoding: identity). Prints the bytes transferred, the time until the page is
usable (form there, districts drawn on the map) and the ratios. Run: `make bench-weak`.

Creates its own database (glaswaende_bench_weak) on the server of GLASWAENDE_DATABASE_URL.
"""
from __future__ import annotations

import logging
import os
import shutil
import statistics
import threading
import time

from common import fresh_database  # noqa: E402  (bench/ is the script's folder)
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from mapserver import create_app

SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400 * 1024 / 8, "uploadThroughput": 400 * 1024 / 8}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
PAGE = "/gemeinde/03252008"
ROUNDS = 3


def measure(browser, base: str, identity: bool) -> tuple[float, float]:
    """(KB transferred, seconds until usable) of one cold visit."""
    headers = {"Accept-Encoding": "identity"} if identity else {}
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="de-DE", extra_http_headers=headers)
    page = context.new_page()
    sizes = []
    page.on("requestfinished", lambda r: sizes.append(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]))
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    started = time.monotonic()
    page.goto(base + PAGE, wait_until="commit")
    page.locator("#send").wait_for()
    page.locator(".area-label:not(.label-hidden)").first.wait_for(timeout=60000)  # names drawn (some may wait for a zoom)
    usable = time.monotonic() - started
    page.wait_for_load_state("networkidle")
    context.close()
    return sum(sizes) / 1024, usable


def main() -> None:
    database_url = fresh_database(os.environ["GLASWAENDE_DATABASE_URL"], "glaswaende_bench_weak")
    app = create_app({"DATABASE_URL": database_url, "TILE_URL": "", "RATE_LIMITS": False})
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS)
        results = {False: [], True: []}
        for _ in range(ROUNDS):  # interleaved, so both see the same machine
            for identity in (True, False):
                results[identity].append(measure(browser, base, identity))
        browser.close()
    server.shutdown()
    print(f"resident page {PAGE} on slow 3G (400 ms, 400 kbit/s), median of {ROUNDS} cold visits each")
    print(f"{'served as':28} {'KB':>8} {'usable s':>9}")
    rows = {}
    for identity, label in ((True, "uncompressed (baseline)"), (False, "compressed, fingerprinted")):
        kb = statistics.median(r[0] for r in results[identity])
        seconds = statistics.median(r[1] for r in results[identity])
        rows[identity] = (kb, seconds)
        print(f"{label:28} {kb:8.1f} {seconds:9.2f}")
    print(f"ratio compressed/baseline: bytes {rows[False][0] / rows[True][0]:.2f}, time {rows[False][1] / rows[True][1]:.2f}")
    print(f"budget 300 KB: {'met' if rows[False][0] <= 300 else 'NOT met'}; usable within 5 s: "
          f"{'met' if rows[False][1] <= 5 else 'NOT met'}")


if __name__ == "__main__":
    main()
