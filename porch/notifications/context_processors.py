"""Template context: the number of unread notifications, for the link in the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from porch.notifications.queries import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    """{"notifications_unread": n} for a signed-in person (counted on first use only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": lambda: unread_count(int(user.pk))}
