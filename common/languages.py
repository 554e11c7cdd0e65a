"""The site's language as a link names it.

The site picks a reader's language as Django does (``LocaleMiddleware``): from the cookie the
language switcher sets (``set_language``), else from what the browser asks for, else Indonesian.
A link can name it too: ``?lang=en`` sets that same cookie and leads on to the same address
without it, so a reader who opens an English mail's link in a browser that never chose a
language reads the page in English, and goes on reading the site in English.

The parameter never reaches a view: the page itself is served from its own address, in the
language of the cookie, so what the pages cache (their key names the language and the address)
and what a page links (the switcher's ``next``, a list's pages and sort headers) never carry it.
"""

from urllib.parse import unquote_plus

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.middleware import locale
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.encoding import escape_uri_path
from django.utils.http import escape_leading_slashes
from django.utils.text import Truncator

PARAMETER = "lang"


def opened_in(url, language):
    """``url`` as a link that opens the page in ``language`` for whoever follows it. A link in
    the site's default language is ``url`` as it is: it opens in that language unless the
    reader chose another on the site."""
    if language == settings.LANGUAGE_CODE:
        return url
    address, hash_mark, fragment = url.partition("#")
    joiner = "&" if "?" in address else "?"
    return f"{address}{joiner}{PARAMETER}={language}{hash_mark}{fragment}"


def _named_language(query_string):
    """The language ``query_string`` names (the last one, as a form's value; "" for one named
    empty), or None where it names none; and the rest of it, each part as it came."""
    named = None
    rest = []
    for part in query_string.split("&"):
        key, _equals, value = part.partition("=")
        if unquote_plus(key) == PARAMETER:
            named = unquote_plus(value)
        elif part:
            rest.append(part)
    return named, "&".join(rest)


# How much of a language a link names, and the site does not speak, its refusal repeats.
NAMED_SHOWN = 20


def _refused(named, path, rest):
    """The page a link naming a language the site does not speak gets (400), in the reader's
    language: which it named, and the page in each language the site speaks, and without
    one. Drawn in the frame of the error pages, which needs no database and no user: the
    reader is not yet known here."""
    joiner = f"{rest}&" if rest else ""
    response = HttpResponseBadRequest(
        render_to_string(
            "language_refused.html",
            {
                "named": Truncator(named).chars(NAMED_SHOWN),
                "languages": [
                    (
                        code,
                        translation.get_language_info(code)["name_local"],
                        f"{path}?{joiner}{PARAMETER}={code}",
                    )
                    for code, _name in settings.LANGUAGES
                ],
                "without": f"{path}?{rest}" if rest else path,
            },
        )
    )
    add_never_cache_headers(response)
    return response


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, and the language a link names: a GET of an address with ``?lang=`` answers
    with a redirect to the same address without it, setting the language cookie as
    ``set_language`` does, when the language is one of the site's; another is refused (400),
    saying which the site speaks, and the cookie is left as it was. A form posted to such an
    address is answered as it would be without it."""

    def process_request(self, request):
        named = None
        if request.method in ("GET", "HEAD"):
            named, rest = _named_language(request.META.get("QUERY_STRING", ""))
        if named is None:
            return super().process_request(request)
        # The path as the request gave it, never read as another host ("//host/").
        path = escape_leading_slashes(escape_uri_path(request.path))
        known = named in dict(settings.LANGUAGES) and translation.check_for_language(named)
        if not known:
            super().process_request(request)
            return _refused(named, path, rest)
        translation.activate(named)
        request.LANGUAGE_CODE = named
        response = HttpResponseRedirect(f"{path}?{rest}" if rest else path)
        # It sets a cookie: no cache between the site and the reader may keep it for another.
        add_never_cache_headers(response)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            named,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
