"""Where a pin's CPU goes: POST /api/pins through the whole WSGI app (every hook, the limiter,
the database), in this process, under pyinstrument; with a bare Flask app answering the same
request as the baseline of what any request costs here. Prints µs per request for both and the
profile's top entries. Run: `make bench-profile` (uses the bench database of `make bench`).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid

from flask import Flask
from pyinstrument import Profiler
from werkzeug.test import Client

from common import UNLIMITED_PINS, fresh_database, psycopg_url, server_url  # noqa: E402  (bench/ is the script's folder)
from ingest import sample_points  # noqa: E402

from mapserver import create_app  # noqa: E402


def bare_app() -> Flask:
    app = Flask("bare")

    @app.post("/api/pins")
    def pin():
        return {"ok": True}, 201
    return app


def post_pins(client: Client, points, n: int) -> float:
    """CPU seconds for n pins (process time, so the database's own work is not counted)."""
    start = time.process_time()
    for i in range(n):
        lat, lon, _, _ = points[i % len(points)]
        body = json.dumps({"id": str(uuid.uuid4()), "lat": lat, "lon": lon, "category": "divided",
                           "dimensions": ["social"]})
        response = client.post("/api/pins", data=body, headers={"Content-Type": "application/json",
                                                                "X-Glaswaende-Device": "bench"})
        if response.status_code not in (200, 201):
            raise RuntimeError(f"{response.status_code}: {response.get_data(as_text=True)[:300]}")
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--top", type=int, default=25, help="lines of the profile to print")
    parser.add_argument("--tree", help="also write pyinstrument's whole call tree to this file")
    args = parser.parse_args()

    database_url = fresh_database(server_url("bench-profile"), "glaswaende_bench")
    points = sample_points(psycopg_url(database_url), 2000)
    os.environ.update({"GLASWAENDE_DATABASE_URL": database_url, **UNLIMITED_PINS})
    app = Client(create_app())
    bare = Client(bare_app())
    post_pins(app, points, 200)  # warm-up: connections, caches
    post_pins(bare, points, 200)

    bare_cpu = post_pins(bare, points, args.requests)
    app_cpu = post_pins(app, points, args.requests)
    print(f"CPU per request in this process ({args.requests} each, same run):")
    print(f"  bare Flask       {bare_cpu / args.requests * 1e6:8.0f} µs")
    print(f"  POST /api/pins   {app_cpu / args.requests * 1e6:8.0f} µs   ({app_cpu / bare_cpu:.1f}x bare)")

    profiler = Profiler(interval=0.0005)
    profiler.start()
    post_pins(app, points, args.requests)
    profiler.stop()
    if args.tree:
        with open(args.tree, "w") as out:
            out.write(profiler.output_text(unicode=True, color=False))
    print(top_entries(profiler, args.top))


def top_entries(profiler: Profiler, n: int) -> str:
    """The n functions with the most own time, summed over the whole call tree; time spent
    waiting for the database (psycopg's wait, the server's work) is left out: not our CPU."""
    session = profiler.last_session
    totals: dict[str, float] = {}

    def walk(frame):
        if frame.file_path and frame.function != "[self]":
            own = frame.total_self_time
            if not (frame.function == "wait" and "psycopg" in frame.file_path):
                where = os.path.relpath(frame.file_path).split("site-packages/")[-1]
                key = f"{frame.function}  {where}:{frame.line_no}"
                totals[key] = totals.get(key, 0.0) + own
        for child in frame.children:
            walk(child)
    walk(session.root_frame())
    total = sum(totals.values())
    lines = [f"Top {n} by own time (of {total:.2f} s outside database waits):"]
    for key, seconds in sorted(totals.items(), key=lambda kv: -kv[1])[:n]:
        lines.append(f"  {seconds / total * 100:5.1f} %  {key}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
