"""Languages (Flask-Babel, gettext catalogs in mapserver/translations/, compiled at set-up).

German is the source language. Leichte Sprache (German easy-read) is a catalog of its own,
`de_LS`; Babel knows no such locale, so dates and numbers are formatted as German and only the
catalog differs (ChosenCatalogDomain). The language is chosen by `?lang=`, then the cookie that
choice sets, then the browser's Accept-Language; German otherwise.

The staff pages (planning, workshops, moderation, sign-in) have a domain of their own, `staff`:
German source and an English catalog only. Staff who chose German or Leichte Sprache read German;
every other choice reads English (s_, sn_, s_l).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import urlencode

from babel import support
from babel.dates import format_date
from babel.numbers import format_decimal
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, Domain, get_locale
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from . import easy_words
from .config import PROJECT_ROOT

TRANSLATIONS_DIR = PROJECT_ROOT / "mapserver" / "translations"
COOKIE = "glaswaende_sprache"
COOKIE_MAX_AGE = 365 * 24 * 3600
# Every answer but a static file's depends on these (the pin intake below Flask sends it too).
VARY = "Accept-Language, Cookie"


@dataclass(frozen=True)
class Language:
    code: str  # catalog folder (and ?lang= value)
    name: str  # in the language itself
    tag: str  # BCP 47 for <html lang> and hreflang
    locale: str  # Babel locale for dates and numbers
    rtl: bool = False


LANGUAGES = {language.code: language for language in (
    Language("de", "Deutsch", "de", "de"),
    Language("de_LS", "Leichte Sprache", "de", "de"),
    Language("en", "English", "en", "en"),
    Language("tr", "Türkçe", "tr", "tr"),
    Language("ar", "العربية", "ar", "ar", rtl=True),
    Language("ru", "Русский", "ru", "ru"),
    Language("uk", "Українська", "uk", "uk"),
    Language("pl", "Polski", "pl", "pl"),
)}
DEFAULT = "de"
# What a browser can ask for (Leichte Sprache is chosen on the page; no browser sends it).
_NEGOTIABLE = [code for code in LANGUAGES if code != "de_LS"]


def choose_language() -> str:
    """This request's language code: ?lang=, the cookie, Accept-Language, German. (The query
    string and the cookies are parsed only when the request has them.)"""
    environ = request.environ
    chosen = request.args.get("lang") if environ.get("QUERY_STRING") else None
    if chosen in LANGUAGES:
        return chosen
    kept = request.cookies.get(COOKIE) if environ.get("HTTP_COOKIE") else None
    if kept in LANGUAGES:
        return kept
    return language_of_header(environ.get("HTTP_ACCEPT_LANGUAGE"))


def language_of_header(header: str | None) -> str:
    """The language an Accept-Language header asks for, German without one."""
    if not header:
        return DEFAULT
    # Browsers send a few dozen characters; a long header is parsed, not kept.
    return _negotiated(header) if len(header) <= 200 else _negotiated.__wrapped__(header)


@functools.lru_cache(maxsize=256)
def _negotiated(accept_language: str) -> str:
    """The language an Accept-Language header asks for: phones send few different ones, so each
    is parsed once."""
    return parse_accept_header(accept_language, LanguageAccept).best_match(_NEGOTIABLE) or DEFAULT


def current() -> Language:
    if "language" not in g:
        g.language = LANGUAGES[choose_language()]
    return g.language


class ChosenCatalogDomain(Domain):
    """Flask-Babel's domain, loading the catalog of the chosen language (de_LS included) rather
    than the catalog of the Babel locale."""

    def catalog_language(self) -> str:
        return current().code

    def get_translations(self):
        if not has_request_context():
            return support.NullTranslations()
        language = self.catalog_language()
        cache = self.get_translations_cache(None)
        try:
            return cache[language, self.domain[0]]
        except KeyError:
            translations = support.Translations.load(str(TRANSLATIONS_DIR), [language], self.domain[0])
            cache[language, self.domain[0]] = translations
            return translations


STAFF_GERMAN = ("de", "de_LS")


class StaffDomain(ChosenCatalogDomain):
    """The staff pages' texts: German for German and Leichte Sprache, English for every other
    language (the only catalog of this domain)."""

    def catalog_language(self) -> str:
        return "de" if current().code in STAFF_GERMAN else "en"


staff_domain = StaffDomain(translation_directories=[str(TRANSLATIONS_DIR)], domain="staff")


def s_(text: str, **variables) -> str:
    """A staff page's text in the staff language (German source, English otherwise)."""
    return staff_domain.gettext(text, **variables)


def sn_(singular: str, plural: str, n: int, **variables) -> str:
    """Singular or plural of a staff text; `num` is n unless given."""
    return staff_domain.ngettext(singular, plural, n, **variables)


def s_l(text: str, **variables):
    """A staff text translated when used (module constants)."""
    return staff_domain.lazy_gettext(text, **variables)


def county_in_sentence(genitive: str, title: str) -> str:
    """The county's name as a sentence of the reader's language takes it: German sentences put it
    in the genitive ("außerhalb des Landkreises …"), the translations are written around its
    plain name."""
    locale = get_locale() if has_request_context() else None
    return genitive if locale is None or locale.language == "de" else title


def format_number(value) -> str:
    """A number as the reader's language writes it (German outside a request)."""
    locale = get_locale() if has_request_context() else None
    return format_decimal(value, locale=str(locale or "de"))


def format_day(day) -> str:
    """A date as the reader's language writes it ("01.11.2026"; German outside a request)."""
    locale = get_locale() if has_request_context() else None
    return format_date(day, "medium", locale=str(locale or "de"))


def language_url(code: str) -> str:
    """This page in another language (the query string kept, ?lang= replaced)."""
    arguments = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", code)]
    # Query only: the browser keeps the path, so no path of the request ends up in a link.
    return "?" + urlencode(arguments)


def _remember_choice(response):
    chosen = request.args.get("lang") if request.environ.get("QUERY_STRING") else None
    if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                            secure=bool(request.environ.get("wsgi.url_scheme") == "https"))
    if not request.path.startswith("/static/"):  # error pages too: they are translated
        # Appended as text, not parsed and rebuilt (a pin's answer is timed in µs).
        vary = response.headers.get("Vary")
        if not vary:
            response.headers["Vary"] = VARY
        elif "accept-language" not in vary.lower():
            response.headers["Vary"] = f"{vary}, {VARY}"
        else:
            response.vary.update(("Accept-Language", "Cookie"))
    return response


def init_app(app: Flask) -> None:
    babel = Babel(app, locale_selector=lambda: current().locale,
                  default_translation_directories=str(TRANSLATIONS_DIR))
    babel.domain_instance = ChosenCatalogDomain(translation_directories=[str(TRANSLATIONS_DIR)])
    app.after_request(_remember_choice)
    app.jinja_env.globals.update(explain_hard_words=easy_words.explained)
    app.jinja_env.globals.update(languages=LANGUAGES, current_language=current, language_url=language_url,
                                s_=s_, sn_=sn_)
