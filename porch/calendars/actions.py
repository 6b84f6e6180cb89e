"""Writes of calendar feeds: `check_*` authorizes, `do_*` changes the rows in one
transaction. A new feed replaces the person's old one for the record; the token is
returned once and only its hash is kept."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from porch.access.context import AccessContext
from porch.accounts.models import User
from porch.calendars.models import CalendarFeed
from porch.fhirapi.models import hash_token
from porch.results.queries import patient_facing


def _authorize(ctx: AccessContext, user: User, patient_id: str) -> None:
    # Only a patient or proxy, for the record they have open (a view-only proxy too:
    # a feed only reads).
    if not patient_facing(ctx) or ctx.acting_for != patient_id:
        raise Http404("No record is open")
    # The context is the person's own.
    if ctx.user_id != user.pk:
        raise Http404("No record is open")


def check_create_feed(ctx: AccessContext, user: User, patient_id: str) -> tuple[CalendarFeed, str]:
    """A new feed of the open record for `user`, and its token. Raises Http404 when the
    record is not open in `ctx` for them."""
    _authorize(ctx, user, patient_id)
    return do_create_feed(user, patient_id)


def do_create_feed(user: User, patient_id: str) -> tuple[CalendarFeed, str]:
    token = secrets.token_urlsafe(32)  # 256 random bits
    with transaction.atomic():
        # One change at a time per person, so two clicks cannot leave two live feeds
        # (the unique constraint would refuse the second).
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        now = timezone.now()
        _revoke(user, patient_id, now)
        feed = CalendarFeed.objects.create(
            user=user, patient_id=patient_id, token_hash=hash_token(token), created_at=now
        )
    return feed, token


def check_revoke_feed(ctx: AccessContext, user: User, patient_id: str) -> int:
    """Turns off `user`'s feed of the open record; how many were live (0 or 1)."""
    _authorize(ctx, user, patient_id)
    return do_revoke_feed(user, patient_id)


def do_revoke_feed(user: User, patient_id: str) -> int:
    return _revoke(user, patient_id, timezone.now())


def _revoke(user: User, patient_id: str, now: datetime) -> int:
    return CalendarFeed.objects.filter(user=user, patient_id=patient_id, revoked_at=None).update(
        revoked_at=now
    )
