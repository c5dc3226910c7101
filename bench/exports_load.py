"""Residents' pins while planners export (issue 12): the p99 of `POST /api/pins` while four planner
exports (GeoPackage of every pin) run, against the p99 without them, in one run, on the real
`glaswaende serve` (two workers, Redis where it runs, as in production). Goal: at most 2x.

Exports are built in an export process of their own at a lower priority (started by a web
process's first export: the warm-up's), and come back through a spool file (mapserver/planner/export_process.py); before, they
were built in the web workers (four at once raised the pins' p99 from 79 ms to 2.5 s).

Run: `make bench-exports` (or python bench/exports_load.py --pins 60000).
"""
from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
import uuid
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import fresh_database, server_url, start_server, stop_server  # noqa: E402  (bench/ is the script's folder)
from mapserver.services import accounts, hotspots  # noqa: E402

BENCH_DB = "glaswaende_bench_exports"
PLANNER = ("export-planerin", "export-planerin-passwort")






def prepare(database_url: str, pins: int) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO pin (client_id, geom, category, dimensions, comment, municipality_ags, district_id)
            SELECT gen_random_uuid(), g.geom,
                   (ARRAY['divided', 'missing_meeting_place', 'meeting_place'])[1 + g.path[1] % 3],
                   ARRAY['social'], 'Ein Kommentar, wie ihn viele schreiben ' || g.path[1], m.ags,
                   district_for_point(m.ags, g.geom)
            FROM municipality m, LATERAL ST_Dump(ST_GeneratePoints(m.geom, :n, 7)) AS g"""),
                     {"n": pins // 8})
        accounts.create_account(conn, *PLANNER, ["planner"])
    hotspots.refresh(engine, "03252", hotspots.HotspotSettings(replications=99))
    engine.dispose()


def session_cookie(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = f"name={PLANNER[0]}&password={PLANNER[1]}"
    connection.request("POST", "/anmelden", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    return response.getheader("Set-Cookie").split(";", 1)[0]


def pin_latencies(port: int, total: int, concurrency: int) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(count: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(count):
            body = json.dumps({"id": str(uuid.uuid4()), "lat": 52.0772, "lon": 9.5542, "category": "divided"})
            started = time.perf_counter()
            connection.request("POST", "/api/pins", body=body, headers={"Content-Type": "application/json",
                                                                         "X-Glaswaende-Device": str(uuid.uuid4())})
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            assert response.status == 201, response.status
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=worker, args=(total // concurrency,)) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def exporting(port: int, cookie: str, stop: threading.Event, done: list, once: bool = False) -> None:
    while not stop.is_set():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        started = time.perf_counter()
        connection.request("GET", "/planung/export/pins.gpkg", headers={"Cookie": cookie})
        response = connection.getresponse()
        size = len(response.read())
        assert response.status == 200, response.status
        done.append((time.perf_counter() - started, size))
        if once:
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pins", type=int, default=60000, help="pins in the database (exports hold them all)")
    parser.add_argument("--requests", type=int, default=400, help="pins sent per turn")
    parser.add_argument("--rounds", type=int, default=3, help="turns of quiet and busy")
    args = parser.parse_args()
    database_url = fresh_database(server_url("bench-exports"), BENCH_DB)
    prepare(database_url, args.pins)
    process, port = start_server(database_url, workers=2, redis_db=14, GLASWAENDE_CSRF="false", GLASWAENDE_TILE_URL="")
    try:
        cookie = session_cookie(port)
        # Warm up: both web processes, their database connections and their export processes
        # (started by a first export) are ready before the first turn counts.
        pin_latencies(port, args.requests, 4)
        warming = [threading.Thread(target=exporting, args=(port, cookie, threading.Event(), [], True)) for _ in range(2)]
        for thread in warming:
            thread.start()
        for thread in warming:
            thread.join()
        # Quiet and busy take turns, so that what the neighbours on a shared machine do in the
        # meantime falls on both alike; each p99 is over all turns of its kind.
        quiet_latencies, busy_latencies, done = [], [], []
        for _ in range(args.rounds):
            quiet_latencies += pin_latencies(port, args.requests, 4)
            stop = threading.Event()
            exporters = [threading.Thread(target=exporting, args=(port, cookie, stop, done)) for _ in range(4)]
            for thread in exporters:
                thread.start()
            time.sleep(2.0)  # the exports are under way
            busy_latencies += pin_latencies(port, args.requests, 4)
            stop.set()
            for thread in exporters:
                thread.join()
        quiet = np.percentile(quiet_latencies, 99) * 1000
        busy = np.percentile(busy_latencies, 99) * 1000
    finally:
        stop_server(process)
    seconds = [s for s, _ in done]
    print(f"{args.pins:,} pins; 4 planners exporting pins.gpkg "
          f"({len(done)} exports, {np.median(seconds):.1f} s each, {done[0][1] / 1e6:.1f} MB) while residents send "
          f"{args.requests} pins at concurrency 4, in {args.rounds} turns with and without")
    for q in (50, 90):
        shift = np.percentile(busy_latencies, q) / np.percentile(quiet_latencies, q)
        print(f"pin p{q} without exports {np.percentile(quiet_latencies, q) * 1000:.1f} ms, "
              f"with them {np.percentile(busy_latencies, q) * 1000:.1f} ms -> {shift:.2f}x")
    print(f"pin p99 without exports {quiet:.0f} ms, with them {busy:.0f} ms -> {busy / quiet:.2f}x "
          f"(goal <= 2x: {'met' if busy <= 2 * quiet else 'NOT met'})")


if __name__ == "__main__":
    main()
