"""Writes of calendar feeds, for the record a patient or proxy has open (the views get it
from messaging.queries.patient_record, which refuses anyone else). A new feed replaces the
person's old one for the record; the token is returned once and only its hash is kept."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from porch.accounts.models import User
from porch.calendars.models import CalendarFeed
from porch.fhirapi.models import hash_token


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


def do_revoke_feed(user: User, patient_id: str) -> int:
    return _revoke(user, patient_id, timezone.now())


def _revoke(user: User, patient_id: str, now: datetime) -> int:
    return CalendarFeed.objects.filter(user=user, patient_id=patient_id, revoked_at=None).update(
        revoked_at=now
    )
