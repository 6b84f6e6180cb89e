"""Quiet hours: email and texts wait until they end; the portal shows things at once.

Hours are in Porch's time zone (settings.TIME_ZONE), the one the pages show times in.
A window may cross midnight (22:00 to 07:00).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Protocol

from django.utils import timezone


class HasQuietHours(Protocol):
    quiet_start: time | None
    quiet_end: time | None


def quiet_until(contact: HasQuietHours | None, now: datetime) -> datetime | None:
    """When the quiet hours around `now` end, or None when `now` is not in them."""
    if contact is None or contact.quiet_start is None or contact.quiet_end is None:
        return None
    start, end = contact.quiet_start, contact.quiet_end
    if start == end:
        return None
    local = timezone.localtime(now)
    clock = local.time().replace(tzinfo=None)
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, end))
