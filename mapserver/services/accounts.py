"""Staff accounts: creation, password check, roles. Passwords are hashed with werkzeug's scrypt."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import sql
from ..errors import InvalidInput
from ..vocabulary import ROLES

MIN_PASSWORD_LENGTH = 12
NAME_PATTERN = re.compile(r"[A-Za-z0-9._@-]{2,64}")
# Checked against when a name is unknown, so a failed login takes as long either way.
_DUMMY_HASH = generate_password_hash("timing-equaliser", method="scrypt")


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    roles: frozenset[str]
    session_version: int = 0  # raised by sign-out and a new password: older session cookies open nothing

    def has_any_role(self, *roles: str) -> bool:
        """admin may do everything another role may."""
        return "admin" in self.roles or bool(self.roles.intersection(roles))


def create_account(conn: Connection, name: str, password: str, roles: list[str], email: str | None = None) -> int:
    """A new account; InvalidInput (German) for a bad name, weak password, unknown role, taken
    name or an e-mail address that is none (optional: where project reminders go)."""
    errors = []
    if not NAME_PATTERN.fullmatch(name):
        errors.append({"field": "name", "message": "Der Name darf 2 bis 64 Zeichen aus Buchstaben, Ziffern und . _ @ - haben."})
    errors += _password_and_role_errors(password, roles)
    errors += _email_errors(email)
    if not errors and conn.execute(sql("accounts/by_name"), {"name": name}).first() is not None:
        errors.append({"field": "name", "message": f"Ein Konto {name!r} gibt es schon."})
    if errors:
        raise InvalidInput("Das Konto kann so nicht angelegt werden.", errors)
    return conn.execute(sql("accounts/insert"), {
        "name": name, "password_hash": generate_password_hash(password, method="scrypt"),
        "roles": sorted(set(roles)), "email": (email or "").strip() or None,
    }).scalar_one()


EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _email_errors(email: str | None) -> list[dict]:
    """An e-mail address must look like one (a mail server says the rest); empty is none."""
    text = (email or "").strip()
    if text and (len(text) > 254 or not EMAIL_PATTERN.fullmatch(text)):
        return [{"field": "email", "message": "Bitte eine E-Mail-Adresse wie name@landkreis.de angeben."}]
    return []


def set_email(conn: Connection, name: str, email: str | None) -> bool:
    """Give the account `name` this e-mail address (None or empty: none); False without such an
    account. InvalidInput (German) for an address that is none."""
    errors = _email_errors(email)
    if errors:
        raise InvalidInput("Die E-Mail-Adresse kann so nicht gespeichert werden.", errors)
    return conn.execute(sql("accounts/email_set"), {"name": name, "email": (email or "").strip() or None}).first() is not None


def reset_account(conn: Connection, name: str, password: str, roles: list[str]) -> int | None:
    """Give the existing account `name` a new password and exactly these roles, active and
    unlocked; its id, or None when there is no such account. InvalidInput (German) as create_account."""
    errors = _password_and_role_errors(password, roles)
    if errors:
        raise InvalidInput("Das Konto kann so nicht geändert werden.", errors)
    return conn.execute(sql("accounts/reset"), {
        "name": name, "password_hash": generate_password_hash(password, method="scrypt"),
        "roles": sorted(set(roles)),
    }).scalar_one_or_none()


def _password_and_role_errors(password: str, roles: list[str]) -> list[dict]:
    """Per-field German errors for a password that is too short and unknown or missing roles."""
    errors = []
    if len(password) < MIN_PASSWORD_LENGTH:
        errors.append({"field": "password", "message": f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein."})
    if not roles or any(r not in ROLES for r in roles):
        errors.append({"field": "role", "message": f"Bitte Rollen aus {', '.join(ROLES)} wählen."})
    return errors


def authenticate(conn: Connection, name: str, password: str) -> Account | None:
    """The active account with this name and password, or None, the same for an unknown name.
    Counts failures (for the administration; no account is ever locked by them: strangers could
    lock staff out, and a lock would tell which names exist; the limits per address and per name
    and address slow guessing instead, limits.py); success resets the count."""
    row = conn.execute(sql("accounts/for_sign_in"), {"name": name}).first() if NAME_PATTERN.fullmatch(name) else None
    if row is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(row.password_hash, password) or not row.active:
        conn.execute(sql("accounts/failed_login_record"), {"id": row.id})
        return None
    conn.execute(sql("accounts/successful_login_record"), {"id": row.id})
    return Account(row.id, row.name, frozenset(row.roles), row.session_version)


def account_by_id(conn: Connection, account_id: int) -> Account | None:
    """The active account with this id, or None (deleted or deactivated since sign-in)."""
    row = conn.execute(sql("accounts/by_id"), {"id": account_id}).first()
    if row is None or not row.active:
        return None
    return Account(row.id, row.name, frozenset(row.roles), row.session_version)


def end_sessions(conn: Connection, account_id: int) -> None:
    """Every session of the account ends, copies of its cookie included."""
    conn.execute(sql("accounts/sessions_end"), {"id": account_id})


def list_accounts(conn: Connection) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(sql("accounts/list"))]
