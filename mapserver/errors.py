"""Domain exceptions, and one table that maps each to an HTTP status and German title."""
from __future__ import annotations

import psycopg
import sqlalchemy.exc
from flask_babel import lazy_gettext as _l
from flask import Flask, Response, current_app, g, has_request_context, json, render_template, request, url_for
from werkzeug.exceptions import HTTPException, RequestURITooLarge, SecurityError

from .i18n import s_l

PROBLEM_JSON = "application/problem+json"
# The database cannot be reached (down, restarting, connection lost), as SQLAlchemy and as psycopg
# (the pin hot path uses psycopg directly) raise it.
DATABASE_DOWN_ERRORS = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, sqlalchemy.exc.TimeoutError,
                        psycopg.OperationalError, psycopg.InterfaceError)


def _logged_path() -> str:
    """The route, not the path: a resident's private link carries its secret in the path."""
    return request.url_rule.rule if request.url_rule is not None else "(keine Route)"


class GlaswaendeError(Exception):
    """Base of every error the domain raises on purpose; `detail` is German, for people."""

    def __init__(self, detail: str, errors: list[dict] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class InvalidInput(GlaswaendeError):
    """The request is well-formed JSON but its fields are missing, of the wrong type or out of range."""


class MalformedRequest(GlaswaendeError):
    """The body is not JSON at all, or not a JSON object."""


class OutsideCounty(GlaswaendeError):
    """The point lies in no municipality of the configured county."""


class NotFound(GlaswaendeError):
    """No such municipality, district or pin."""


class Forbidden(GlaswaendeError):
    """The signed-in account may not do this (e.g. change another facilitator's workshop)."""


class ImportProblem(GlaswaendeError):
    """Boundary or district data cannot be imported as given."""


# exception class -> (status, problem type slug, German title)
PROBLEMS: dict[type[GlaswaendeError], tuple[int, str, str]] = {
    MalformedRequest: (400, "malformed-request", _l("Die Anfrage ist kein gültiges JSON.")),
    InvalidInput: (422, "invalid-input", _l("Die Angaben sind unvollständig oder ungültig.")),
    OutsideCounty: (422, "outside-county", _l("Der Punkt liegt außerhalb des Gebiets.")),
    NotFound: (404, "not-found", _l("Nicht gefunden.")),
    Forbidden: (403, "forbidden", _l("Dafür fehlt Ihnen die Berechtigung.")),
    ImportProblem: (422, "import-problem", _l("Die Daten können nicht importiert werden.")),
}

# Werkzeug's own HTTP errors, in German.
HTTP_TITLES = {
    400: _l("Die Anfrage ist ungültig."),
    401: _l("Bitte melden Sie sich an."),
    403: _l("Dafür fehlt Ihnen die Berechtigung."),
    404: _l("Diese Seite gibt es nicht."),
    405: _l("Diese Methode ist hier nicht erlaubt."),
    413: _l("Die Anfrage ist zu groß."),
    414: _l("Die Adresse ist zu lang."),
    415: _l("Dieses Format wird nicht unterstützt."),
    429: _l("Zu viele Anfragen."),
    500: _l("Ein interner Fehler ist aufgetreten."),
    503: _l("Der Dienst ist gerade nicht erreichbar."),
}
HTTP_DETAILS = {
    400: _l("Bitte prüfen Sie die Anfrage. Kam sie aus einem Formular, laden Sie die Seite bitte neu und "
            "senden Sie es noch einmal."),
    401: _l("Dieser Bereich ist nur für angemeldete Konten."),
    403: _l("Ihr Konto hat nicht die nötige Rolle. Bitte wenden Sie sich an die Verwaltung."),
    404: _l("Die Adresse gibt es nicht. Bitte prüfen Sie den Link."),
    405: _l("Diese Adresse kann so nicht aufgerufen werden."),
    413: _l("Die Anfrage ist größer als %(size)s. Bitte kürzen Sie Ihren Text oder wählen Sie eine kleinere Datei."),
    414: _l("Eine Adresse darf höchstens 4.096 Zeichen lang sein. Bitte prüfen Sie den Link."),
    415: _l("Bitte senden Sie die Daten als JSON (Content-Type: application/json)."),
    429: _l("Von diesem Gerät oder Netz kamen in kurzer Zeit sehr viele Anfragen. Bitte warten Sie ein paar "
            "Minuten und versuchen Sie es dann noch einmal – Ihr Pin geht nicht verloren."),
    500: _l("Das ist unser Fehler, nicht Ihrer. Bitte versuchen Sie es später noch einmal."),
    503: _l("Das ist unser Fehler, nicht Ihrer. Bitte versuchen Sie es später noch einmal."),
}


def size_limit_text(limit: int) -> str:
    """The request size limit as people read it: "16 KB" (whole kilobytes) or "1500 Bytes"."""
    return f"{limit // 1024} KB" if limit % 1024 == 0 else f"{limit} Bytes"


def problem(status: int, type_slug: str, title: str, detail: str, errors: list[dict] | None = None) -> Response:
    """An RFC 9457 problem+json response."""
    body = {"type": f"/problems/{type_slug}", "title": str(title), "status": status, "detail": str(detail),
            "errors": [{**e, "message": str(e["message"])} for e in errors or []]}
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)


# Views that answer JSON outside /api/ (the presentation's pollers, the own-pins download): their
# errors are problem+json too, not an HTML page a script cannot read.
JSON_ENDPOINTS = frozenset({"workshops.live", "workshops.presentation_data", "web.own_pins_download",
                            "workshops.presentation_idea", "workshops.presentation_ideas"})


def wants_problem_json() -> bool:
    """API routes and JSON views answer problem+json; pages answer a friendly German HTML page."""
    return request.path.startswith("/api/") or request.endpoint in JSON_ENDPOINTS


# Staff sections by path prefix: (role, endpoint of the start page, its name). An error on a staff
# page links back to the staff pages, not only to the public county map.
STAFF_SECTIONS = (
    ("/planung", "planner", "planner.overview", s_l("Zur Planung")),
    ("/workshops", "facilitator", "workshops.index", s_l("Zu den Workshops")),
    ("/papier", "facilitator", "paper.index", s_l("Zum Papier-Tisch")),
    ("/moderation", "moderator", "moderation.queue", s_l("Zur Moderation")),
    ("/barrierefreiheit/rueckmeldungen", "moderator", "legal.feedback_list", s_l("Zu den Rückmeldungen")),
    ("/koordination", "coordinator", "projects.index", s_l("Zur Koordination")),
)


def _on_staff_path() -> bool:
    return any(request.path == prefix or request.path.startswith(prefix + "/") for prefix, *_ in STAFF_SECTIONS)


def staff_links(look_up_account: bool = True) -> list[tuple[str, str]]:
    """For an error on a staff page: (url, words) of the staff sections to go back to: the one of
    the path first, then the others the signed-in account may open (none on a resident page)."""
    if not _on_staff_path():
        return []
    account = None
    if look_up_account:
        try:
            from .auth import current_account
            account = current_account()
        except Exception:  # the database may be why we are here: the section of the path still serves
            account = None
    links = []
    for prefix, role, endpoint, words in STAFF_SECTIONS:
        here = request.path == prefix or request.path.startswith(prefix + "/")
        allowed = account is not None and account.has_any_role(role)
        # The section of the address (unless the account may not open it: a 403), then the account's others.
        if (here and (account is None or allowed)) or allowed:
            try:
                link = (url_for(endpoint), str(words))
            except Exception:  # a section not registered in this app
                continue
            if here:
                links.insert(0, link)
            elif link not in links:
                links.append(link)
    return links


def _handle_domain_error(error: GlaswaendeError):
    status, slug, title = PROBLEMS[type(error)]
    if wants_problem_json():
        return problem(status, slug, title, error.detail, error.errors)
    return render_template("errors/error.html", status=status, title=title, detail=error.detail,
                           errors=error.errors, staff_links=staff_links()), status


def _handle_http_error(error: HTTPException):
    status = error.code or 500
    title = HTTP_TITLES.get(status, error.name)
    detail = HTTP_DETAILS.get(status, title)
    if status == 413:
        # The limit of this request: an upload's own (a project's photo, a file of local actors) or the app's.
        limit = (request.max_content_length if has_request_context() else None) or current_app.config["MAX_CONTENT_LENGTH"]
        detail = str(detail) % {"size": size_limit_text(limit)}
    if isinstance(error, SecurityError):
        # The request named a host we do not answer to (GLASWAENDE_TRUSTED_HOSTS): no link can be
        # built for it, so no page; a short answer that names nothing of the request.
        return problem(status, f"http-{status}", title, detail)
    # What the error says besides its status: the methods allowed (405), when to come back (429,
    # the end of the spent window, limits.py). Kept on every answer made for it.
    carried = [(name, value) for name, value in error.get_headers() if name in ("Allow", "Retry-After")]
    if wants_problem_json():
        response = problem(status, f"http-{status}", title, detail)
        response.headers.extend(carried)
        return response
    if status == 401:
        # A page for staff, visited without sign-in: the sign-in form, then back to that page.
        expired = _l("Ihre Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an.") if g.get("session_expired") else None
        return render_template("auth/login.html", error=expired, next=request.full_path.rstrip("?")), 401
    return render_template("errors/error.html", status=status, title=title, detail=detail,
                           staff_links=staff_links()), status, carried


DATABASE_UNAVAILABLE = _l(
    "Die Datenbank antwortet gerade nicht. Bitte versuchen Sie es in ein paar Sekunden noch einmal – ein Pin "
    "bleibt so lange auf Ihrem Gerät gespeichert und wird automatisch erneut gesendet.")


def _handle_database_unavailable(error: Exception):
    """PostgreSQL is down or restarting: 503 with Retry-After, so clients (the resident page's
    outbox) retry; nothing was written that the retry could duplicate (ids are idempotent)."""
    current_app.logger.warning("Datenbank nicht erreichbar bei %s %s: %s", request.method, _logged_path(),
                               str(error).splitlines()[0] if str(error) else type(error).__name__)
    title = _l("Der Dienst ist gerade nicht erreichbar.")
    if wants_problem_json():
        response = problem(503, "database-unavailable", title, DATABASE_UNAVAILABLE)
    else:
        response = Response(render_template("errors/error.html", status=503, title=title, detail=DATABASE_UNAVAILABLE,
                                            staff_links=staff_links(look_up_account=False)),
                            status=503, mimetype="text/html")
    response.headers["Retry-After"] = "5"
    return response


def _handle_unexpected(error: Exception):
    # A handler for Exception stops Flask from logging it, so log here; never show a traceback.
    current_app.logger.exception("Unerwarteter Fehler bei %s %s", request.method, _logged_path())
    if wants_problem_json():
        return problem(500, "internal", HTTP_TITLES[500], HTTP_DETAILS[500])
    return render_template("errors/error.html", status=500, title=HTTP_TITLES[500], detail=HTTP_DETAILS[500],
                           staff_links=staff_links(look_up_account=False)), 500


# Longer request lines are refused by us, in German (gunicorn's own limit, raised to 8,190 in
# `glaswaende serve`, would answer in English).
MAX_URL_LENGTH = 4096


def _refuse_long_urls() -> None:
    if len(request.environ.get("RAW_URI") or request.full_path) > MAX_URL_LENGTH:
        raise RequestURITooLarge()


def init_app(app: Flask) -> None:
    app.before_request(_refuse_long_urls)
    for exception_class in PROBLEMS:
        app.register_error_handler(exception_class, _handle_domain_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    for unavailable in DATABASE_DOWN_ERRORS:
        app.register_error_handler(unavailable, _handle_database_unavailable)
    app.register_error_handler(Exception, _handle_unexpected)
