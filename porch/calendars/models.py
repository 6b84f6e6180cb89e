"""Private calendar feeds: operational rows, no health information. A feed is one
person's subscription address for one record's appointments; only the hash of its
token is stored, so the address is shown once, when the feed is made."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class CalendarFeed(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    # The record whose appointments the feed lists (the patient or a proxy's patient).
    patient_id = models.CharField(max_length=64)
    # sha256 hex of the token in the feed's address (porch.fhirapi.models.hash_token).
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # At most one live feed per person and record: a new one replaces the old.
            models.UniqueConstraint(
                fields=["user", "patient_id"],
                condition=Q(revoked_at=None),
                name="one_live_calendar_feed",
            )
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "live"
        return f"Calendar feed of Patient/{self.patient_id} for user {self.user_id} ({state})"
