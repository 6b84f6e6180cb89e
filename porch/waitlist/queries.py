"""Reads of the waitlist. Entries and offers are operational rows; the appointment they
are about is read from the record with the AccessContext (scheduling.queries), so access
rules and the audit log apply, and an offer of another patient is simply not found."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from porch.access.context import AccessContext
from porch.scheduling.models import Slot, VisitType
from porch.scheduling.queries import Visit, access_appointment, booking_of
from porch.waitlist.models import WaitlistEntry, WaitlistOffer

Status = WaitlistOffer.Status


def state_of(offer: WaitlistOffer, now: datetime) -> str:
    """The offer's status as the patient sees it: an open offer past its time has expired,
    even before the sweep records it."""
    if offer.status == Status.OPEN and offer.expires_at <= now:
        return Status.EXPIRED.value
    return str(offer.status)


def next_entry(slot: Slot, now: datetime) -> WaitlistEntry | None:
    """The first entry, in order of joining, that `slot` suits: still waiting for a booked
    visit of the same visit type that starts later than the slot and can still be moved
    online (the visit type's cutoff), with the same clinician if they asked for that;
    never offered this slot before, and not holding another open offer (one at a time)."""
    movable_from = now + timedelta(hours=slot.visit_type.cancel_cutoff_hours)
    rows = (
        WaitlistEntry.objects.filter(
            active=True,
            booking__active=True,
            booking__slot__visit_type=slot.visit_type,
            booking__slot__starts_at__gt=slot.starts_at,
            booking__slot__starts_at__gte=movable_from,
        )
        .filter(Q(same_clinician=False) | Q(booking__slot__practitioner_id=slot.practitioner_id))
        .exclude(offers__slot=slot)
        .exclude(offers__status=Status.OPEN)
        .order_by("created_at", "pk")
    )
    return rows.first()


def access_offer(ctx: AccessContext, patient_id: str, pk: int) -> tuple[WaitlistOffer, Visit]:
    """The open record's offer and the appointment it would move. Http404 for a missing
    offer and another patient's alike."""
    offer = (
        WaitlistOffer.objects.select_related(
            "entry__booking__slot", "slot__visit_type", "slot__schedule"
        )
        .filter(pk=pk)
        .first()
    )
    # Missing, or an offer to someone else: not found.
    if offer is None or offer.entry.patient_id != patient_id:
        raise Http404("No such offer")
    # The appointment must be readable in this context (and the read is audited).
    visit = access_appointment(ctx, patient_id, offer.entry.booking.appointment_id)
    return offer, visit


@dataclass(frozen=True)
class Panel:
    """What the appointment page shows of the waitlist."""

    can_join: bool = False
    entry: WaitlistEntry | None = None
    # Open offers that have not run out, soonest time first.
    offers: list[WaitlistOffer] = field(default_factory=list)
    may_write: bool = False


def panel(ctx: AccessContext, visit: Visit, now: datetime | None = None) -> Panel:
    """The waitlist part of an appointment already read with `ctx` (access_appointment)."""
    now = now or timezone.now()
    booking = booking_of(visit)
    # Only an upcoming visit booked in Porch can wait for an earlier time.
    if booking is None or not visit.booked or booking.slot.starts_at <= now:
        return Panel()
    entry = WaitlistEntry.objects.filter(booking=booking, active=True).first()
    offers: list[WaitlistOffer] = []
    if entry is not None:
        offers = list(
            entry.offers.filter(status=Status.OPEN, expires_at__gt=now)
            .select_related("slot")
            .order_by("slot__starts_at")
        )
    online = booking.slot.visit_type.policy == VisitType.Policy.BOOK
    return Panel(
        can_join=entry is None and ctx.may_write and online,
        entry=entry,
        offers=offers,
        may_write=ctx.may_write,
    )
