"""Operational rows of the waitlist (DESIGN.md decision 5): who waits for an earlier time
for which booked visit, and which freed slot is offered to whom. The appointment itself
stays in the record; a taken offer moves it with porch.scheduling.actions.check_reschedule.

The database holds the rules that races could break: one active entry per booking, one
open offer per slot, and never the same slot offered twice to the same entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from porch.scheduling.models import Booking, Slot


class WaitlistEntry(models.Model):
    """A patient waiting for an earlier time than their booked one (`booking`)."""

    patient_id = models.CharField(max_length=64, db_index=True)
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="waitlist_entries")
    # Only times with the clinician of the booked visit; else any clinician.
    same_clinician = models.BooleanField(default=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    active = models.BooleanField(default=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(active=True),
                name="one_active_waitlist_entry_per_booking",
            )
        ]
        indexes = [models.Index(fields=["active", "created_at"])]

    def __str__(self) -> str:
        return f"Waitlist entry {self.pk} for Booking {self.booking_id}"


class WaitlistOffer(models.Model):
    """A freed slot offered to one entry until `expires_at`."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("waitlist offer", "Waiting for an answer")
        ACCEPTED = "accepted", pgettext_lazy("waitlist offer", "Accepted")
        DECLINED = "declined", pgettext_lazy("waitlist offer", "Declined")
        EXPIRED = "expired", pgettext_lazy("waitlist offer", "Expired")
        # Someone else booked the time first.
        LOST = "lost", pgettext_lazy("waitlist offer", "Taken by someone else")
        # The move was refused for another reason (e.g. the cutoff of the booked visit).
        REFUSED = "refused", pgettext_lazy("waitlist offer", "Could not be given")

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="waitlist_offers")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=Q(status="open"), name="one_open_offer_per_slot"
            ),
            models.UniqueConstraint(fields=["entry", "slot"], name="one_offer_of_a_slot_per_entry"),
        ]
        # The expiry sweep's query.
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"Offer {self.pk} of Slot {self.slot_id} ({self.status})"
