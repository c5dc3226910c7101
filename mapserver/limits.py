"""Rate limits (Flask-Limiter): a tight one per device and a loose one per address on new pins,
one per address on sign-in. Forty phones in a village hall share one public address, so the
address limit only stops floods, and a running workshop's join link lifts it. Keys are salted
hashes: no address is stored anywhere, not even in Redis."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json

from flask import Flask, current_app, request
from flask_limiter import Limiter

from .request_body import limited_body

DEVICE_HEADER = "X-Glaswaende-Device"


def _hashed(kind: str, value: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    return kind + ":" + hmac.new(secret, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _address() -> str:
    """The client's address; an IPv6 address as its /64 (one connection's whole network, which
    one client can use address by address)."""
    address = request.remote_addr or "unknown"
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


def login_failures_per_name_and_address() -> str:
    return current_app.config["LOGIN_FAILURES_PER_NAME_AND_ADDRESS"]


def device_key() -> str:
    """The random id the resident page keeps in localStorage; without one, the address."""
    device = (request.headers.get(DEVICE_HEADER) or "")[:64]
    return _hashed("device", device) if device else address_key()


def running_workshop_link() -> bool:
    """True for a pin sent through the join link of a workshop held today (± one day)."""
    from .db import engine
    from .services import workshops

    try:
        body = json.loads(limited_body())
    except (ValueError, RecursionError):  # not JSON, or nested too deep: the view answers 400
        return False
    code = body.get("workshop") if isinstance(body, dict) else None
    if not isinstance(code, str):
        return False
    with engine().connect() as conn:
        workshop = workshops.by_join_code(conn, code)
    return workshop is not None and abs((workshop["held_on"] - dt.date.today()).days) <= 1


def pin_limit_per_device() -> str:
    return current_app.config["PIN_LIMIT_PER_DEVICE"]


def pin_limit_per_address() -> str:
    return current_app.config["PIN_LIMIT_PER_ADDRESS"]


def pin_flood_limit_per_address() -> str:
    return current_app.config["PIN_FLOOD_LIMIT_PER_ADDRESS"]


def login_limit_per_address() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def init_app(app: Flask) -> None:
    """A limiter of this app's own (its storage and switch), wrapped around the limited views;
    call after the blueprints are registered."""
    app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"
    app.config["RATELIMIT_KEY_PREFIX"] = "glaswaende"
    app.config["RATELIMIT_ENABLED"] = app.config["RATE_LIMITS"]
    # No X-RateLimit headers on every answer (they cost a storage round trip per limit and pin);
    # the 429 itself says Retry-After (errors.py).
    app.config["RATELIMIT_HEADERS_ENABLED"] = False
    # Should Redis fail, count in memory per worker rather than refuse every pin.
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    limiter = Limiter(key_func=address_key, app=app, default_limits=[])
    app.extensions["glaswaende.limiter"] = limiter
    views = app.view_functions
    pins = limiter.limit(pin_limit_per_device, key_func=device_key, scope="pins-device")(views["api.create_pin"])
    pins = limiter.limit(pin_limit_per_address, key_func=address_key, scope="pins-address",
                         exempt_when=running_workshop_link)(pins)
    # The join link lifts the address limit, not every limit: a flood through it (with a new device
    # id on every request) still stops here.
    views["api.create_pin"] = limiter.limit(pin_flood_limit_per_address, key_func=address_key,
                                            scope="pins-address-flood")(pins)
    login = limiter.limit(login_failures_per_name_and_address, key_func=name_and_address_key, methods=["POST"],
                          scope="login-name", deduct_when=lambda response: response.status_code == 401)(views["auth.login"])
    views["auth.login"] = limiter.limit(login_limit_per_address, methods=["POST"], scope="login")(login)
