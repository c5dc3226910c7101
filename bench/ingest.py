"""Ingest benchmark: POST /api/pins under gunicorn against raw psycopg INSERTs, same table, same run.

Creates its own database (glaswaende_bench) on the server of GLASWAENDE_DATABASE_URL, migrates it,
imports Hameln-Pyrmont, then for each server layout (`glaswaende serve --workers 1`, as `make run`
serves, limits in memory; `--workers 2`, limits in Redis, as compose serves) and each concurrency
measures
  - baseline: single-row INSERTs into `pin` with psycopg 3 (autocommit, one connection per worker,
    municipality and district given, nothing resolved);
  - api: POST /api/pins over HTTP keep-alive (validation, limits, resolution, JSON answer), sent
    as requests prepared before the clock runs (residents' phones are not on the server; the
    standard library's http.client cost this machine 200 µs a pin: `--client http.client`);
the two in turns (four segments each by default, each into an empty table, so that a noisy
neighbour on a shared machine slows both alike), and prints pins per second, p50/p95 latency,
the ratio api/baseline and the CPU each pin costs the web server, PostgreSQL and this load
generator. Run: `make bench`; where the web server's CPU goes: `make bench-profile`.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import threading
import time
import uuid

import psutil
import psycopg

from common import KeptAliveClient, fresh_database, psycopg_url, redis_reachable, server_url, start_server, stop_server  # noqa: E402  (bench/ is the script's folder)

BENCH_DB = "glaswaende_bench"


def prepare_database(server_url: str) -> str:
    """A fresh bench database with the county imported; its psycopg URL."""
    return psycopg_url(fresh_database(server_url, BENCH_DB))


def sample_points(dsn: str, n: int) -> list[tuple]:
    """n points inside the two starting municipalities with their municipality and district."""
    with psycopg.connect(dsn) as conn:
        return conn.execute("""
            SELECT ST_Y(p.geom), ST_X(p.geom), m.ags, district_for_point(m.ags, p.geom)
            FROM municipality m, LATERAL ST_Dump(ST_GeneratePoints(m.geom, %s, 7)) AS p
            WHERE m.ags IN ('03252008', '03252002')""", (n // 2,)).fetchall()


def truncate(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("TRUNCATE pin, moderation_event")


def run_workers(concurrency: int, total: int, make_worker, measure=lambda: None) -> tuple[float, list[float]]:
    """Run `total` operations split over `concurrency` threads; (seconds, latencies). `measure()`
    runs after the last operation, before the connections close (a closed backend's CPU time
    is gone from the database server's processes)."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    per_worker = total // concurrency
    barrier = threading.Barrier(concurrency + 1)
    closes = []

    def body(index: int):
        operation, close = make_worker(index, per_worker)
        closes.append(close)
        barrier.wait()
        for i in range(per_worker):
            t0 = time.perf_counter()
            operation(index * per_worker + i)
            latencies[index].append(time.perf_counter() - t0)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    measure()
    for close in closes:
        close()
    return seconds, [x for lat in latencies for x in lat]


def raw_insert_worker(connections: list[psycopg.Connection], points):
    """INSERTs over the given open connections (one per thread): their backends stay warm from
    segment to segment, as the web server's pooled ones do. Parameters are made before the clock
    runs, as the API's requests are."""
    def make(index, total):
        conn = connections[index]
        prepared = {}
        for i in range(index * total, (index + 1) * total):
            lat, lon, ags, district_id = points[i % len(points)]
            prepared[i] = (uuid.uuid4(), lon, lat, "divided", ["social"], ags, district_id)

        def insert(i):
            conn.execute(
                "INSERT INTO pin (client_id, geom, category, dimensions, municipality_ags, district_id) "
                "VALUES (%s, ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s, %s, %s, %s)", prepared.pop(i))
        return insert, lambda: None
    return make


def api_worker(port: int, points, client: str = "lean"):
    """POST /api/pins over one kept-alive connection per thread, each pin from one of 2,000
    phones as residents send them (a rate-limit key each). `client` "lean": requests prepared as
    bytes before the clock runs (common.KeptAliveClient), as the raw side's parameters are;
    "http.client": built and parsed by the standard library while the clock runs."""
    def body_of(i):
        lat, lon, _, _ = points[i % len(points)]
        return json.dumps({"id": str(uuid.uuid4()), "lat": lat, "lon": lon,
                           "category": "divided", "dimensions": ["social"]}).encode()

    def headers_of(i):
        return {"Content-Type": "application/json", "X-Glaswaende-Device": f"phone-{i % 2000}"}

    def make(index, total):
        if client == "http.client":
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

            def post(i):
                conn.request("POST", "/api/pins", body=body_of(i), headers=headers_of(i))
                response = conn.getresponse()
                response.read()
                if response.status != 201:
                    raise RuntimeError(f"API answered {response.status}")
            return post, conn.close
        lean = KeptAliveClient(port)
        prepared = {i: KeptAliveClient.prepare("POST", "/api/pins", body_of(i), headers_of(i))
                    for i in range(index * total, (index + 1) * total)}

        def post(i):
            status, answer = lean.send(prepared.pop(i))
            if status != 201:
                raise RuntimeError(f"API answered {status}: {answer[:200]!r}")
        return post, lean.close
    return make


def database_server(dsn: str) -> psutil.Process:
    """The PostgreSQL server process (postmaster) of dsn; its children are the backends."""
    with psycopg.connect(dsn) as conn:
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        return psutil.Process(backend).parent()


def server_cpu_seconds(process: subprocess.Popen | psutil.Process) -> float:
    """CPU time of a server (gunicorn or PostgreSQL) and all its children so far."""
    total = 0.0
    master = psutil.Process(process.pid)
    for p in [master, *master.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def describe(seconds: float, latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    return {"rate": len(latencies) / seconds,
            "p50_ms": statistics.median(ordered) * 1000,
            "p95_ms": ordered[int(len(ordered) * 0.95) - 1] * 1000}


def measure_segment(dsn: str, database: psutil.Process, server, concurrency: int, requests: int, make_worker) -> dict:
    """One segment into an empty table: seconds, latencies and the CPU seconds of the web server
    (None for raw), PostgreSQL and this load generator."""
    truncate(dsn)
    before = (server_cpu_seconds(server) if server else 0.0, server_cpu_seconds(database), time.process_time())
    after: list[float] = []
    seconds, latencies = run_workers(concurrency, requests, make_worker, measure=lambda: after.extend(
        (server_cpu_seconds(server) if server else 0.0, server_cpu_seconds(database), time.process_time())))
    return {"seconds": seconds, "latencies": latencies, "cpu": [b - a for a, b in zip(before, after)]}


def combine(segments: list[dict]) -> dict:
    """Segments of one kind as one measurement: rate over their summed time, percentiles over all."""
    latencies = [x for segment in segments for x in segment["latencies"]]
    result = describe(sum(segment["seconds"] for segment in segments), latencies)
    result["cpu_us"] = [sum(segment["cpu"][i] for segment in segments) / len(latencies) * 1e6 for i in range(3)]
    return result


def measure_layout(dsn: str, database: psutil.Process, points, workers: int, args) -> None:
    """raw and api at each concurrency, against one `glaswaende serve` of `workers` processes.
    Raw and api take turns in `args.rounds` segments each, so that what the neighbours on a
    shared machine do in the meantime falls on both alike."""
    process, port = start_server(dsn, workers, redis_db=15)
    shared = "limits in Redis" if workers > 1 else "limits in memory"
    print(f"\nglaswaende serve --workers {workers} ({shared}); {args.requests} operations per row, "
          f"in {args.rounds} turns with raw; load generator: {args.client}; {os.cpu_count()} cores")
    print(f"{'concurrency':>11} {'kind':>8} {'pins/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'api/raw':>8}")
    try:
        # Warm-up: connections, caches, gunicorn workers.
        run_workers(8, 400, api_worker(port, points, args.client))
        for concurrency in [int(c) for c in args.concurrency.split(",")]:
            per_segment = args.requests // args.rounds
            raw_connections = [psycopg.connect(dsn, autocommit=True) for _ in range(concurrency)]
            run_workers(concurrency, 20 * concurrency, raw_insert_worker(raw_connections, points))  # warm-up
            raw_segments, api_segments = [], []
            for _ in range(args.rounds):
                raw_segments.append(measure_segment(dsn, database, None, concurrency, per_segment,
                                                    raw_insert_worker(raw_connections, points)))
                api_segments.append(measure_segment(dsn, database, process, concurrency, per_segment,
                                                    api_worker(port, points, args.client)))
            for connection in raw_connections:
                connection.close()
            raw, api = combine(raw_segments), combine(api_segments)
            ratio = api["rate"] / raw["rate"]
            for kind, r in (("raw", raw), ("api", api)):
                print(f"{concurrency:>11} {kind:>8} {r['rate']:>9.0f} {r['p50_ms']:>8.2f} {r['p95_ms']:>8.2f} "
                      f"{(f'{ratio:.2f}' if kind == 'api' else ''):>8}")
            print(f"{'':>11} CPU per pin: gunicorn+Flask {api['cpu_us'][0]:.0f} µs; PostgreSQL {api['cpu_us'][1]:.0f} µs "
                  f"(raw {raw['cpu_us'][1]:.0f} µs); this load generator {api['cpu_us'][2]:.0f} µs "
                  f"(raw {raw['cpu_us'][2]:.0f} µs)")
            if concurrency == 8:
                print(f"{'':>11} goal at concurrency 8: api/raw >= 0.30 -> {'met' if ratio >= 0.3 else 'NOT met'}")
    finally:
        stop_server(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=4000, help="operations per measurement")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--client", choices=("lean", "http.client"), default="lean",
                        help="how the API's load is sent: prepared bytes over kept-alive sockets (phones are not "
                             "on the server), or the standard library's http.client (costs this machine more)")
    parser.add_argument("--rounds", type=int, default=4, help="turns of raw and api per row")
    parser.add_argument("--workers", default="1,2",
                        help="layouts to measure: gunicorn worker processes (more than one share limits in Redis)")
    args = parser.parse_args()

    server = server_url("bench")
    dsn = prepare_database(server)
    points = sample_points(dsn, 10000)
    database = database_server(dsn)
    for workers in [int(w) for w in args.workers.split(",")]:
        if workers > 1 and not redis_reachable():
            print(f"\n--workers {workers}: kein Redis auf 127.0.0.1:6379, übersprungen.")
            continue
        measure_layout(dsn, database, points, workers, args)


if __name__ == "__main__":
    main()
