"""Sign-in with signed session cookies, role checks for views, and the `user` commands."""
from __future__ import annotations

import time
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

import click
from flask import (Blueprint, Flask, abort, current_app, g, redirect, render_template, request, session,
                   url_for)
from flask.cli import with_appcontext
from flask.sessions import SecureCookieSessionInterface

from . import limits
from .db import engine
from .errors import GlaswaendeError
from .i18n import s_
from .services import accounts
from .vocabulary import ROLES

auth = Blueprint("auth", __name__)

SESSION_KEY = "account_id"
SIGNED_IN_AT_KEY = "signed_in_at"
SESSION_VERSION_KEY = "session_version"


def _session_expired() -> bool:
    """A sign-in lasts SESSION_HOURS from the moment it happened, however busy the session was."""
    signed_in_at = session.get(SIGNED_IN_AT_KEY)
    if not isinstance(signed_in_at, (int, float)):
        return True
    return time.time() - signed_in_at > current_app.permanent_session_lifetime.total_seconds()


def current_account() -> accounts.Account | None:
    """The signed-in account of this request (looked up once), or None."""
    if "account" not in g:
        account_id = session.get(SESSION_KEY)
        g.account = None
        if isinstance(account_id, int) and _session_expired():
            session.clear()
            g.session_expired = True
        elif isinstance(account_id, int):
            with engine().connect() as conn:
                account = accounts.account_by_id(conn, account_id)
            # Signed out since (or a new password): this cookie, or a copy of it, is void.
            if account is not None and session.get(SESSION_VERSION_KEY) == account.session_version:
                g.account = account
            else:
                session.clear()
    return g.account


def require_role(*roles: str):
    """Views for staff: 401 without sign-in (pages show the sign-in form), 403 without the role."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            account = current_account()
            if account is None:
                abort(401)
            if not account.has_any_role(*roles):
                abort(403)
            return view(*args, **kwargs)
        wrapped.required_roles = roles
        return wrapped
    return decorator


def restrict_blueprint(blueprint: Blueprint, *roles: str) -> None:
    """Every route of `blueprint` is for these roles (and admins) only: 401 without sign-in, 403
    without the role (require_role, run before each of its views)."""
    @require_role(*roles)
    def _staff_only():
        return None

    def _not_stored(response):
        """Staff pages and exports hold exact places and texts: no cache keeps them."""
        response.headers["Cache-Control"] = "no-store"
        return response

    blueprint.before_request(_staff_only)
    blueprint.after_request(_not_stored)


def _safe_next(target: str | None, account: accounts.Account) -> str:
    """Only paths on this site, so the sign-in form cannot send anyone elsewhere; without one,
    the start page of the account's role."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    if account.has_any_role("planner"):
        return url_for("planner.overview")
    if account.has_any_role("facilitator"):
        return url_for("workshops.index")
    if account.has_any_role("moderator"):
        return url_for("moderation.queue")
    if account.has_any_role("coordinator"):
        return url_for("projects.index")
    return url_for("web.county_map")


@auth.route("/anmelden", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        limits.before_sign_in()
        started = time.monotonic()
        name = request.form.get("name", "").strip()
        password = request.form.get("password", "")
        with engine().begin() as conn:
            account = accounts.authenticate(conn, name, password)
        if account is not None:
            session.clear()
            session[SESSION_KEY] = account.id
            session[SIGNED_IN_AT_KEY] = time.time()
            session[SESSION_VERSION_KEY] = account.session_version
            session.permanent = True
            return redirect(_safe_next(request.form.get("next"), account))
        error = error or s_("Name oder Passwort stimmen nicht.")
        limits.after_failed_sign_in()
        # A failed attempt is answered slowly, whatever made it fail: guessing stays expensive,
        # and the time tells nothing about why.
        time.sleep(max(0.0, current_app.config["LOGIN_FAILURE_SECONDS"] - (time.monotonic() - started)))
    status = 401 if error else 200
    return render_template("auth/login.html", error=error, next=request.values.get("next", "")), status


@auth.post("/abmelden")
def logout():
    account = current_account()
    if account is not None:  # every copy of the cookie ends with it
        with engine().begin() as conn:
            accounts.end_sessions(conn, account.id)
    session.clear()
    return redirect(url_for("web.county_map"))


@click.group("user", help="Konten für Planung, Workshops, Moderation und Verwaltung.")
def user_cli():
    pass


@user_cli.command("add", help="Ein Konto anlegen; das Passwort wird abgefragt, nie auf der Kommandozeile übergeben.")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(sorted(ROLES)),
              help="Rolle (mehrfach möglich).")
@click.option("--email", default=None, help="E-Mail-Adresse (freiwillig): dorthin gehen die Erinnerungen an Projekte.")
@with_appcontext
def add_user_command(name: str, roles: tuple[str, ...], email: str | None):
    password = click.prompt("Passwort", hide_input=True, confirmation_prompt="Passwort wiederholen")
    try:
        with engine().begin() as conn:
            accounts.create_account(conn, name, password, list(roles), email=email)
    except GlaswaendeError as error:
        raise click.ClickException(" ".join([error.detail, *(e["message"] for e in error.errors)])) from None
    click.echo(f"Konto {name} angelegt ({', '.join(sorted(roles))}).")


@user_cli.command("email", help="Die E-Mail-Adresse eines Kontos setzen (leer lassen: keine), für die Erinnerungen "
                                "an Projekte.")
@click.argument("name")
@click.argument("address", required=False, default="")
@with_appcontext
def email_user_command(name: str, address: str):
    try:
        with engine().begin() as conn:
            found = accounts.set_email(conn, name, address)
    except GlaswaendeError as error:
        raise click.ClickException(" ".join([error.detail, *(e["message"] for e in error.errors)])) from None
    if not found:
        raise click.ClickException(f"Ein Konto {name!r} gibt es nicht.")
    click.echo(f"Konto {name}: E-Mail {address.strip() or '(keine)'}.")


@user_cli.command("list", help="Alle Konten mit ihren Rollen.")
@with_appcontext
def list_users_command():
    with engine().connect() as conn:
        for row in accounts.list_accounts(conn):
            state = "" if row["active"] else " (gesperrt)"
            click.echo(f"{row['name']}: {', '.join(row['roles'])}{state}")


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, which build their signer only for a request that brings
    a session cookie: residents have none, and building it cost ~60 µs of every pin."""

    def open_session(self, app: Flask, request):
        if not request.environ.get("HTTP_COOKIE") or self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = SignedCookieSessions()
    # Flask's defaults are already in app.config, so set ours, not setdefault: cookies unreadable
    # by scripts, not sent on cross-site posts, and a working day long.
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["SESSION_HOURS"])
    app.register_blueprint(auth)
    app.cli.add_command(user_cli)
