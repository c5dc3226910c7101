"""Instructions per pin in the web worker, counted by valgrind's callgrind: unlike seconds, they do
not move with what else a shared machine is doing (the same code measured twice came out within
0.5 %), so they show what a change to the pin path saves where `make bench` only shows noise.

Two servers in one run, each the app's gevent HTTP handler (`mapserver.serving._Handler`) in one
process under callgrind, counted after a warm-up: the baseline, a bare Flask app answering every
POST with a constant JSON, and the real app storing pins (POST /api/pins from 2,000 phones, limits
on but out of reach). Printed: instructions per request of each and their ratio.

Run: `make bench-instructions` (needs valgrind: Debian's package `valgrind`). Takes ~6 minutes.
A single server: `python bench/pin_instructions.py --app worker_app:glaswaende`.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (UNLIMITED_PINS, KeptAliveClient, free_port, fresh_database,  # noqa: E402  (bench/ is the script's folder)
                    server_url)

BENCH_DB = "glaswaende_bench"
WARM_UP = 400
COUNTED = 1500
CLIENTS = 4
# The server each count runs: the app's own HTTP handler in one process, no gunicorn master (whose
# fork callgrind would have to follow), the app's objects frozen out of the collector as serve does.
SERVER = """
import gc, sys
from gevent import monkey; monkey.patch_all()
sys.path.insert(0, {root!r})
from flask import Flask, Response
from gevent.pywsgi import WSGIServer
from mapserver.serving import _Handler

def glaswaende():
    from mapserver import create_app
    return create_app()

def bare_flask():
    app = Flask("bare")
    @app.post("/api/pins")
    def pin():
        return Response('{{"stored": true}}', status=201, mimetype="application/json")
    return app

class Quiet:
    access_log_enabled = False
    def write(self, *args): pass
    info = error = exception = write

app = {{"glaswaende": glaswaende, "bare_flask": bare_flask}}[{app!r}]()
gc.freeze()
WSGIServer(("127.0.0.1", {port}), app, handler_class=_Handler, log=Quiet(), error_log=Quiet()).serve_forever()
"""


def pin_request(rnd: random.Random) -> bytes:
    body = json.dumps({"id": str(uuid.uuid4()), "lat": 52.05 + rnd.random() * 0.08, "lon": 9.30 + rnd.random() * 0.10,
                       "category": "divided", "dimensions": ["social"]}).encode()
    return KeptAliveClient.prepare("POST", "/api/pins", body, {"Content-Type": "application/json",
                                                               "X-Glaswaende-Device": f"phone-{rnd.randrange(2000)}"})


def send_all(clients: list[KeptAliveClient], requests: list[list[bytes]]) -> None:
    def run(client, prepared):
        for request in prepared:
            status, answer = client.send(request)
            if status != 201:
                raise RuntimeError(f"answered {status}: {answer[:200]!r}")
    threads = [threading.Thread(target=run, args=pair) for pair in zip(clients, requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def instructions_per_request(app: str, database_url: str) -> float:
    """Callgrind's count in the server process for COUNTED requests, after WARM_UP of them."""
    port = free_port()
    with tempfile.TemporaryDirectory() as out:
        script = Path(out) / "server.py"
        script.write_text(SERVER.format(root=str(Path(__file__).resolve().parent.parent), app=app, port=port))
        env = {**os.environ, "GLASWAENDE_DATABASE_URL": database_url, **UNLIMITED_PINS}
        server = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/count.%p",
                                   "--dump-instr=no", sys.executable, str(script)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 600
            while True:
                try:
                    clients = [KeptAliveClient(port, timeout=300) for _ in range(CLIENTS)]
                    break
                except OSError:
                    if time.time() > deadline or server.poll() is not None:
                        raise RuntimeError(f"the server under valgrind did not start ({app})") from None
                    time.sleep(0.5)
            rnd = random.Random(12)
            per_client = [[pin_request(rnd) for _ in range(WARM_UP // CLIENTS)] for _ in clients]
            send_all(clients, per_client)
            subprocess.run(["callgrind_control", "--zero", str(server.pid)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            per_client = [[pin_request(rnd) for _ in range(COUNTED // CLIENTS)] for _ in clients]
            send_all(clients, per_client)
            subprocess.run(["callgrind_control", "--dump", str(server.pid)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for client in clients:
                client.close()
            dump = Path(out) / f"count.{server.pid}.1"
            for _ in range(100):
                if dump.exists() and re.search(r"^summary: \d+", dump.read_text(errors="replace"), re.M):
                    break
                time.sleep(0.2)
            total = int(re.search(r"^summary: (\d+)", dump.read_text(errors="replace"), re.M)[1])
        finally:
            server.terminate()
            server.wait(timeout=60)
    return total / COUNTED


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", choices=["glaswaende", "bare_flask"], action="append",
                        help="only this server (default: bare_flask as the baseline, then glaswaende)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        sys.exit("valgrind fehlt: bitte `sudo apt-get install -y valgrind` (Debian) ausführen.")
    database_url = fresh_database(server_url("bench-instructions"), BENCH_DB)
    counts = {}
    for app in args.app or ["bare_flask", "glaswaende"]:
        counts[app] = instructions_per_request(app, database_url)
        print(f"{app:12s} {counts[app] / 1000:9.1f} k instructions per request "
              f"({COUNTED} after {WARM_UP} warm-up, {CLIENTS} kept-alive clients)", flush=True)
    if len(counts) == 2:
        print(f"a stored pin costs {counts['glaswaende'] / counts['bare_flask']:.2f}x a bare Flask request "
              "under the same server")


if __name__ == "__main__":
    main()
