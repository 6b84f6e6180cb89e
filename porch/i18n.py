"""The language switch: English or Spanish, remembered per person.

Django's own `set_language` view sets the language cookie (which LocaleMiddleware reads on
every request); for a signed-in person this also stores the choice on their account, and
UserLanguageMiddleware brings it back whenever they sign in, on any browser.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

LANGUAGE_CODES = frozenset(code for code, _ in settings.LANGUAGES)


def language_of(user: object) -> str:
    """The language a person reads Porch in outside a request (emails, texts, calendar
    feeds): the one stored on their account, or English."""
    language = str(getattr(user, "language", "") or "")
    return language if language in LANGUAGE_CODES else "en"


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (POST `language`, `next`), plus User.language when signed in."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if language in LANGUAGE_CODES and user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


class UserLanguageMiddleware:
    """Activates a signed-in person's stored language and keeps the cookie in step.

    After AuthenticationMiddleware. Anonymous requests keep what LocaleMiddleware chose
    (the cookie, else the browser's Accept-Language); signing out keeps the cookie, so the
    sign-in page stays in the language the person last used.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = _stored_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # Read again: the request may have signed someone in or out, or changed the choice.
        language = _stored_language(request)
        cookie = settings.LANGUAGE_COOKIE_NAME
        if language and cookie not in response.cookies and request.COOKIES.get(cookie) != language:
            response.set_cookie(
                cookie,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


def _stored_language(request: HttpRequest) -> str:
    """The signed-in person's language, or "" for anonymous requests or unknown codes."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    language: str = getattr(user, "language", "")
    return language if language in LANGUAGE_CODES else ""
