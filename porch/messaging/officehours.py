"""Office hours of a pool, in the clinic's time zone (settings.TIME_ZONE)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from porch.messaging.models import Pool


def is_open(pool: Pool, now: datetime) -> bool:
    local = timezone.localtime(now)
    return local.weekday() in pool.days and pool.opens_at <= local.time() < pool.closes_at


def next_opening(pool: Pool, now: datetime) -> datetime | None:
    """When the pool next opens after `now` (local time), or None if it never does."""
    local = timezone.localtime(now)
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        if day.weekday() not in pool.days:
            continue
        opening = timezone.make_aware(datetime.combine(day, pool.opens_at))
        if opening > local:
            return opening
    return None
