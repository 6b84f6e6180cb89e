"""Reads of calendar feeds. A feed is read with its owner's access to the record as it
is NOW (porch.access.rules, the same rules as every page): a proxy whose grant ended, an
account that was deactivated, or a parent whose child turned 18 gets nothing, and a
parent of a teen gets no confidential appointment. The appointments come from the
record store, so the store scopes the search and audits it as the owner's read."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from django.utils import timezone

from porch.access.context import AccessContext
from porch.access.rules import personal_context
from porch.calendars.models import CalendarFeed
from porch.fhirapi.models import hash_token
from porch.record import repository
from porch.scheduling.queries import APPOINTMENT_LIMIT, Visit, visit_of
from porch.scheduling.resources import instant

# Why a feed reads the record, as its AccessContext says.
FEED_PURPOSE = "calendar-feed"
# Cancelled appointments stay in the feed this long after their start (marked
# CANCELLED), so calendar apps that already hold them take them off.
CANCELLED_DAYS = 30


def live_feed(user_id: int, patient_id: str) -> CalendarFeed | None:
    """The person's working feed of this record, if there is one."""
    return CalendarFeed.objects.filter(
        user_id=user_id, patient_id=patient_id, revoked_at=None
    ).first()


def feed_of_token(token: str) -> CalendarFeed | None:
    """The live feed whose address holds `token`; None for unknown and revoked alike."""
    return (
        CalendarFeed.objects.filter(token_hash=hash_token(token), revoked_at=None)
        .select_related("user")
        .first()
    )


def feed_context(feed: CalendarFeed) -> AccessContext | None:
    """The owner's access context for the feed's record, narrowed to it, as the access rules
    decide now; None when they may no longer open it."""
    ctx = personal_context(feed.user, feed.patient_id)
    # A token alone reaches it: read only, even for someone who may act.
    return replace(ctx, purpose=FEED_PURPOSE, may_write=False) if ctx is not None else None


def feed_visits(ctx: AccessContext, patient_id: str, now: datetime | None = None) -> list[Visit]:
    """Upcoming booked visits and those cancelled whose start is at most CANCELLED_DAYS
    ago, soonest first: one search of the record."""
    now = now or timezone.now()
    since = now - timedelta(days=CANCELLED_DAYS)
    found = repository.search(
        ctx,
        "Appointment",
        [
            ("patient", patient_id),
            ("status", "booked,cancelled"),
            ("date", f"ge{instant(since)}"),
            ("_total", "none"),
        ],
        default_count=APPOINTMENT_LIMIT,
        max_count=APPOINTMENT_LIMIT,
    ).matches
    visits = [visit_of(s.id, s.content or {}) for s in found]
    listed = [
        v
        for v in visits
        if v.start is not None and (v.status == "cancelled" or (v.booked and v.start > now))
    ]
    return sorted(listed, key=lambda v: (v.start, v.id))
