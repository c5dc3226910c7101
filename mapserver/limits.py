"""Rate limits, counted with the `limits` library: a tight one per device and a loose one per
address on new pins, one per address and one for failed attempts per name and address on
sign-in. Forty phones in a village hall share one public address, so the address limit only stops
floods, and a running workshop's join link lifts it. Keys are salted hashes: no address is stored
anywhere, not even in Redis.

The views call the checks themselves (`before_new_pin`, `before_sign_in`, `after_failed_sign_in`),
so reading a view shows what limits it. (Flask-Limiter's decorators and per-request hooks cost
about 600 µs of CPU per pin with Redis, more than storing it; the library it is built on counts
the same windows for a few µs in memory and one round trip per limit in Redis.)"""
from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import logging
import threading
import time

import limits
from flask import Flask, current_app, request
from limits.storage import RedisStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from .config import RATE_LIMIT_SETTINGS
from .db import engine
from .services import workshops

DEVICE_HEADER = "X-Glaswaende-Device"
DEVICE_ENVIRON_KEY = "HTTP_" + DEVICE_HEADER.upper().replace("-", "_")  # the header as WSGI names it
NAMESPACE = "glaswaende"  # the first part of every key (LIMITS:LIMITER/glaswaende/…)
SHARED_STORAGE_RETRY_SECONDS = 30

log = logging.getLogger(__name__)

# Several fixed windows counted in one Redis round trip (a pin has three limits; one trip each
# cost ~170 µs of the web process's CPU): the library's own counters (same keys, same
# INCR-then-EXPIRE on the first hit), in the given order, stopping at the first one that is over,
# so the later ones are not counted (as when each is checked alone). KEYS: the counters; ARGV:
# per counter its window in seconds and its amount. Returns {0, 0}, or {i, seconds left} for
# the i-th counter that is over.
COUNT_IN_ORDER = """
for i, key in ipairs(KEYS) do
    local current = redis.call("incrby", key, 1)
    if current == 1 then
        redis.call("expire", key, ARGV[2 * i - 1])
    end
    if current > tonumber(ARGV[2 * i]) then
        return {i, redis.call("ttl", key)}
    end
end
return {0, 0}
"""


class ProcessMemory(Storage):
    """Fixed-window counters in this process's memory, for the `limits` library's strategies:
    key -> [count, window end]; a key whose window has passed starts again at its next hit, and
    passed keys are dropped at most once a minute. (The library's own memory storage walks every
    key from a timer a hundred times a second: with a key per phone that cost each pin 100 µs at
    4,000 phones and 200 µs at 16,000, more than the counting itself.)"""

    STORAGE_SCHEME = ["glaswaende-memory"]
    PRUNE_EVERY_SECONDS = 60.0

    def __init__(self, uri: str | None = None, **options):
        super().__init__(uri, **options)
        self._windows: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self._pruned_at = time.time()

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            if now - self._pruned_at > self.PRUNE_EVERY_SECONDS:
                self._windows = {k: w for k, w in self._windows.items() if w[1] > now}
                self._pruned_at = now
            window = self._windows.get(key)
            if window is None or window[1] <= now:
                window = self._windows[key] = [0, now + expiry]
            window[0] += amount
            return int(window[0])

    def _live(self, key: str) -> list[float] | None:
        window = self._windows.get(key)
        return window if window is not None and window[1] > time.time() else None

    def get(self, key: str) -> int:
        window = self._live(key)
        return int(window[0]) if window else 0

    def get_expiry(self, key: str) -> float:
        window = self._live(key)
        return window[1] if window else time.time()

    def keys(self) -> list[str]:
        return list(self._windows)

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        with self._lock:
            count, self._windows = len(self._windows), {}
        return count

    def clear(self, key: str) -> None:
        with self._lock:
            self._windows.pop(key, None)


class RateLimits:
    """The app's counters: in Redis when GLASWAENDE_REDIS_URL is set (shared by the worker
    processes), else in memory. Should Redis fail, counting goes on in memory (per process)
    until it answers again, rather than refusing every pin."""

    def __init__(self, config: dict):
        """From the app's settings, read once: a pin is timed in µs."""
        redis_url = config["REDIS_URL"]
        self.enabled = config["RATE_LIMITS"]
        # The key of the keyed hash (BLAKE2, a MAC by itself in one call, where HMAC builds two
        # hashes per key), derived from the app's secret: BLAKE2 takes at most 64 bytes of key.
        self.secret = hashlib.blake2b(config["SECRET_KEY"].encode("utf-8"), digest_size=32,
                                      person=b"glaswaende-limit").digest()
        # Each setting as the library's limit ("30 per 10 minutes"; config.py checked it).
        self.rules = {name: limits.parse(config[name]) for name in RATE_LIMIT_SETTINGS}
        # A Redis that does not answer costs each request at most half a second, then memory.
        self.storage = (storage_from_string(redis_url, socket_connect_timeout=0.5, socket_timeout=0.5)
                        if redis_url else ProcessMemory())
        self._counter = FixedWindowRateLimiter(self.storage)
        self._fallback = FixedWindowRateLimiter(ProcessMemory()) if redis_url else None
        self._shared_down_until = 0.0
        self._count_in_order = None

    def enforce_in_order(self, checks: list[tuple[str, str, str]]) -> None:
        """`enforce` for each (setting, scope, key) in turn; in Redis in one round trip."""
        if not self.enabled:
            return
        # One script over several keys needs them on one server: plain Redis only (a cluster
        # spreads them over its nodes).
        if type(self.storage) is ProcessMemory:
            # The strategy's hit() for each, without its layers: a pin is timed in µs.
            for setting, scope, key in checks:
                rule = self.rules[setting]
                if self.storage.incr(rule.key_for(NAMESPACE, scope, key), rule.get_expiry()) > rule.amount:
                    raise self._refusal(setting, scope, key)
            return
        if type(self.storage) is not RedisStorage or time.monotonic() < self._shared_down_until:
            for check in checks:
                self.enforce(*check)
            return
        rules = [self.rules[setting] for setting, _, _ in checks]
        keys = [self.storage.prefixed_key(rule.key_for(NAMESPACE, scope, key))
                for rule, (_, scope, key) in zip(rules, checks)]
        windows = [value for rule in rules for value in (rule.get_expiry(), rule.amount)]
        try:
            if self._count_in_order is None:
                self._count_in_order = self.storage.get_connection().register_script(COUNT_IN_ORDER)
            over, seconds_left = self._count_in_order(keys=keys, args=windows)
        except self.storage.base_exceptions as error:
            self._shared_storage_failed(error)
            return self.enforce_in_order(checks)
        if over:
            raise TooManyRequests(retry_after=max(1, int(seconds_left) + 1))

    def _use(self, action):
        """action(counter), with the shared counter unless it failed lately."""
        if self._fallback is not None and time.monotonic() < self._shared_down_until:
            return action(self._fallback)
        try:
            return action(self._counter)
        except self.storage.base_exceptions as error:
            if self._fallback is None:
                raise
            self._shared_storage_failed(error)
            return action(self._fallback)

    def _shared_storage_failed(self, error: Exception) -> None:
        log.warning("Redis für die Grenzen nicht erreichbar (%s): zähle %s s im Speicher.", error,
                    SHARED_STORAGE_RETRY_SECONDS)
        self._shared_down_until = time.monotonic() + SHARED_STORAGE_RETRY_SECONDS

    def count(self, setting: str, scope: str, key: str) -> bool:
        """Count one request against the limit named by `setting`; whether it was within."""
        if not self.enabled:
            return True
        rule = self.rules[setting]
        return self._use(lambda counter: counter.hit(rule, NAMESPACE, scope, key))

    def enforce(self, setting: str, scope: str, key: str) -> None:
        """Count one request; 429 (with Retry-After) when it is over the limit."""
        if not self.count(setting, scope, key):
            raise self._refusal(setting, scope, key)

    def refuse_if_spent(self, setting: str, scope: str, key: str) -> None:
        """429 if the limit has no request left, without counting this one."""
        if not self.enabled:
            return
        rule = self.rules[setting]
        if not self._use(lambda counter: counter.test(rule, NAMESPACE, scope, key)):
            raise self._refusal(setting, scope, key)

    def _refusal(self, setting: str, scope: str, key: str) -> TooManyRequests:
        """A 429 whose Retry-After is when the window that is spent ends."""
        rule = self.rules[setting]
        reset_at = self._use(lambda counter: counter.get_window_stats(rule, NAMESPACE, scope, key).reset_time)
        return TooManyRequests(retry_after=max(1, int(reset_at - time.time()) + 1))


def _limits() -> RateLimits:
    return current_app.extensions["glaswaende.limiter"]


def _hashed(kind: str, value: str, counters: RateLimits | None = None) -> str:
    return kind + ":" + hashlib.blake2b(value.encode("utf-8"), key=(counters or _limits()).secret,
                                        digest_size=16).hexdigest()


def _address() -> str:
    return _address_of(request.environ)


def _address_of(environ: dict) -> str:
    """The client's address (as the request has it: ProxyFix has put the forwarded one there); an
    IPv6 address as its /64 (one connection's whole network, which one client can use address by
    address)."""
    address = environ.get("REMOTE_ADDR") or "unknown"
    if ":" in address:
        try:
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        except ValueError:
            return address
    return address


def address_key() -> str:
    return _hashed("address", _address())


def name_and_address_key() -> str:
    """A sign-in's name (as typed, case-folded) with the address: each guesser has his own."""
    name = (request.form.get("name") or "").strip().lower()[:64]
    return _hashed("login", f"{name}|{_address()}")


def support_key(scope: str, device: str | None = None) -> bytes:
    """A salted hash of this device for one `scope` (e.g. "idea:17"), as stored with a support:
    the page's random device id (header, or `device` from a form its script filled), else the
    address. The scope is hashed in, so one device's supports of two ideas cannot be linked."""
    device = (request.headers.get(DEVICE_HEADER) or device or "")[:64]
    value = f"device:{device}" if device else f"address:{_address()}"
    return hashlib.blake2b(f"{scope}|{value}".encode("utf-8"), key=_limits().secret, digest_size=16).digest()


def running_workshop_link(join_code: str) -> bool:
    """True for the join code of a workshop held today (± one day)."""
    with engine().connect() as conn:
        workshop = workshops.by_join_code(conn, join_code)
    return workshop is not None and abs((workshop["held_on"] - dt.date.today()).days) <= 1


# Set in a request's environ by the pin intake below Flask (api/intake.py) once it has counted the
# pin's limits: None when they were within, else the 429 to answer. The view then counts nothing
# twice.
PIN_LIMITS_COUNTED = "glaswaende.pin_limits_counted"


def new_pin_checks(counters: RateLimits, environ: dict) -> tuple[tuple[str, str, str], ...]:
    """A new pin's limits as (setting, scope, key), in the order they are counted: the flood limit
    per address, the address limit, the device limit (the device's id from its header, else the
    address). From the WSGI environ: the intake below Flask counts them too."""
    address = _hashed("address", _address_of(environ), counters)
    device = (environ.get(DEVICE_ENVIRON_KEY) or "")[:64]
    return (("PIN_FLOOD_LIMIT_PER_ADDRESS", "pins-address-flood", address),
            ("PIN_LIMIT_PER_ADDRESS", "pins-address", address),
            ("PIN_LIMIT_PER_DEVICE", "pins-device", _hashed("device", device, counters) if device else address))


def count_new_pin(counters: RateLimits, environ: dict) -> None:
    """Count a new pin without a join link against its limits (api/intake.py); 429 when one is
    over, the later ones not counted. Noted in the environ either way (PIN_LIMITS_COUNTED)."""
    try:
        counters.enforce_in_order(list(new_pin_checks(counters, environ)))
    except TooManyRequests as refusal:
        environ[PIN_LIMITS_COUNTED] = refusal
        raise
    # (Any other error leaves no note: the view counts and meets it itself.)
    environ[PIN_LIMITS_COUNTED] = None


def before_new_pin(join_code: str | None) -> None:
    """The flood limit per address, then the address limit (lifted by a running workshop's join
    link, `join_code` of the pin: the flood limit still holds for it, whatever device id each
    request names), then the device limit; the first one that is over answers 429, and the later
    ones are not counted. A pin naming a join code passes the flood limit before the database is
    asked about the code. A pin the intake below Flask counted already is not counted again."""
    environ = request.environ
    if PIN_LIMITS_COUNTED in environ:
        refusal = environ[PIN_LIMITS_COUNTED]
        if refusal is not None:
            raise refusal
        return
    counters = _limits()
    if not counters.enabled:
        return
    flood, per_address, per_device = new_pin_checks(counters, environ)
    if join_code is None:
        counters.enforce_in_order([flood, per_address, per_device])
        return
    counters.enforce_in_order([flood])
    counters.enforce_in_order([per_device] if running_workshop_link(join_code) else [per_address, per_device])


def per_address(setting: str, scope: str) -> None:
    """Count one request of this address against `setting` (a form anyone may send); 429 when over."""
    counters = _limits()
    if counters.enabled:
        counters.enforce(setting, scope, address_key())


def before_support(item: str) -> None:
    """A support of `item` (e.g. "idea:17"): the loose limit per address, then the one per address
    and item, counted under a salted hash of both (a fresh device id per request does not get
    past it); the first one that is over answers 429, and the later one is not counted."""
    counters = _limits()
    if counters.enabled:
        counters.enforce_in_order([
            ("IDEA_SUPPORT_LIMIT_PER_ADDRESS", "idea-support", address_key()),
            ("IDEA_SUPPORTS_PER_IDEA_AND_ADDRESS", "idea-support-item", _hashed("support", f"{item}|{_address()}"))])


def before_sign_in() -> None:
    """Every attempt counts against the address; a name whose failures from this address are
    spent is refused before its password is checked (its right password too, until the window
    passes: a stranger elsewhere cannot lock it, since his failures count under his address)."""
    counters = _limits()
    counters.enforce("LOGIN_LIMIT_PER_ADDRESS", "login", address_key())
    counters.refuse_if_spent("LOGIN_FAILURES_PER_NAME_AND_ADDRESS", "login-name", name_and_address_key())


def after_failed_sign_in() -> None:
    """A failed attempt counts against its name and address (the next one over is refused)."""
    _limits().count("LOGIN_FAILURES_PER_NAME_AND_ADDRESS", "login-name", name_and_address_key())


def init_app(app: Flask) -> None:
    app.extensions["glaswaende.limiter"] = RateLimits(app.config)
