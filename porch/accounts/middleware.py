"""Session limits and the second-factor requirement, applied to every request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from porch.accounts import sessions
from porch.accounts.adapter import has_second_factor
from porch.accounts.roles import mfa_required

SIGNED_OUT = {
    "idle": "For your privacy you were signed out after {minutes} minutes without activity.",
    "absolute": "For your privacy you were signed out after {hours} hours. Please sign in again.",
}


class SessionLimitsMiddleware:
    """Signs out a session idle for SESSION_IDLE_MINUTES or older than SESSION_ABSOLUTE_HOURS.

    Every request counts as activity except the session-status check the idle warning
    makes (it must not keep an abandoned tab alive).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            reason = sessions.expired_reason(request, now)
            if reason is not None:
                logout(request)
                messages.info(
                    request,
                    SIGNED_OUT[reason].format(
                        minutes=settings.SESSION_IDLE_MINUTES, hours=settings.SESSION_ABSOLUTE_HOURS
                    ),
                )
                next_url = request.get_full_path() if request.method == "GET" else "/"
                return redirect_to_login(next_url)
            if request.path_info != reverse("session_status"):
                sessions.touch(request, now)
        return self.get_response(request)


class MfaRequiredMiddleware:
    """Someone who must use a second factor and has none sees only the MFA set-up pages.

    Allowed: allauth's MFA pages, re-authentication (MFA set-up asks for it), sign-out,
    email management, static files and the session endpoints.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._allowed: tuple[str, ...] | None = None

    def allowed_prefixes(self) -> tuple[str, ...]:
        if self._allowed is None:
            self._allowed = (
                reverse("mfa_index"),
                reverse("account_logout"),
                reverse("account_reauthenticate"),
                reverse("account_email"),
                "/accounts/confirm-email/",
                reverse("session_status"),
                reverse("session_keepalive"),
                "/" + settings.STATIC_URL.lstrip("/"),
            )
        return self._allowed

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path_info.startswith(self.allowed_prefixes())
            and mfa_required(user)
            and not has_second_factor(user)
        ):
            messages.warning(
                request,
                "Your account needs a second sign-in step. Set up an authenticator app or "
                "a security key to continue.",
            )
            return HttpResponseRedirect(reverse("mfa_index"))
        return self.get_response(request)
