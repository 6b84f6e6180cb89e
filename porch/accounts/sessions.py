"""Session limits: idle timeout and absolute lifetime, kept as timestamps in the session."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

SIGNED_IN_AT = "porch_signed_in_at"
LAST_SEEN = "porch_last_seen"


@receiver(user_logged_in, dispatch_uid="porch.accounts.sessions.start")
def start(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """Sign-in starts both clocks (Django has already rotated the session key)."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now


def expired_reason(request: HttpRequest, now: float) -> str | None:
    """ "idle" or "absolute" when the session is past a limit, else None."""
    session = request.session
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen = session.get(LAST_SEEN)
    if signed_in_at is None or last_seen is None:
        # A session from before these limits existed: treat as starting now.
        return None
    if now - signed_in_at >= settings.SESSION_ABSOLUTE_HOURS * 3600:
        return "absolute"
    if now - last_seen >= settings.SESSION_IDLE_MINUTES * 60:
        return "idle"
    return None


def touch(request: HttpRequest, now: float) -> None:
    request.session.setdefault(SIGNED_IN_AT, int(now))
    request.session[LAST_SEEN] = int(now)


def idle_seconds_left(request: HttpRequest, now: float) -> int:
    last_seen = request.session.get(LAST_SEEN, now)
    signed_in_at = request.session.get(SIGNED_IN_AT, now)
    idle_left = settings.SESSION_IDLE_MINUTES * 60 - (now - last_seen)
    absolute_left = settings.SESSION_ABSOLUTE_HOURS * 3600 - (now - signed_in_at)
    return max(0, int(min(idle_left, absolute_left)))
