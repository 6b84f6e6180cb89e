"""Writes of the waitlist: check_* validates and authorizes, do_* writes in one transaction.

A freed slot (scheduling's `slot_freed` signal, sent inside the transaction that frees it)
is offered to the first suitable entry in order of joining, for WAITLIST_OFFER_MINUTES.
A declined or expired offer passes the slot to the next entry. Accepting moves the
booking with scheduling's check_reschedule, whose own move frees the old slot, which is
offered on in turn. The offer is not a lock: anyone may still book the time directly,
and then the accepting patient is told plainly that it was lost.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from porch.access.context import AccessContext
from porch.notifications.actions import do_notify_record_audience
from porch.notifications.kinds import Kind
from porch.scheduling.actions import (
    BookingRefused,
    SlotTaken,
    check_before_cutoff,
    check_may_write,
    check_reschedule,
    check_slot_bookable,
    check_visit_type_allowed,
    local_time,
)
from porch.scheduling.models import Slot, VisitType
from porch.scheduling.queries import Visit, booking_of, open_slots
from porch.waitlist import queries
from porch.waitlist.models import WaitlistEntry, WaitlistOffer

Status = WaitlistOffer.Status


# --- joining and leaving ------------------------------------------------------------------


def check_join(
    ctx: AccessContext,
    user: Any,
    patient_id: str,
    visit: Visit,
    *,
    same_clinician: bool,
    now: datetime | None = None,
) -> WaitlistEntry:
    """Put the patient's booked visit on the waitlist. Joining twice keeps the first entry.
    Raises BookingRefused."""
    now = now or timezone.now()
    check_may_write(ctx)
    booking = booking_of(visit)
    # Only an upcoming visit booked in Porch can be moved to an earlier time.
    if booking is None or not visit.booked or booking.slot.starts_at <= now:
        raise BookingRefused(
            _("Only an upcoming appointment booked in Porch can wait for an earlier time.")
        )
    # The move goes through the same rules as "Change the time": past the cutoff, or of a
    # visit type patients may not book online, a visit cannot wait for a time online either.
    check_before_cutoff(booking, now)
    check_visit_type_allowed(ctx, patient_id, booking.slot.visit_type)
    existing = WaitlistEntry.objects.filter(booking=booking, active=True).first()
    if existing is not None:
        return existing
    return do_join(user, patient_id, booking.pk, same_clinician=same_clinician, now=now)


def do_join(
    user: Any, patient_id: str, booking_id: int, *, same_clinician: bool, now: datetime
) -> WaitlistEntry:
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(
                patient_id=patient_id,
                booking_id=booking_id,
                same_clinician=same_clinician,
                requested_by=user if getattr(user, "pk", None) else None,
                created_at=now,
            )
    except IntegrityError:
        # The same form submitted twice at once: the other submit made the entry.
        return WaitlistEntry.objects.get(booking_id=booking_id, active=True)


def check_leave(
    ctx: AccessContext, patient_id: str, visit: Visit, *, now: datetime | None = None
) -> None:
    """Take the visit off the waitlist; an open offer to it goes to the next in line."""
    now = now or timezone.now()
    check_may_write(ctx)
    booking = booking_of(visit)
    entry = WaitlistEntry.objects.filter(booking=booking, active=True).first() if booking else None
    if entry is not None:
        do_end_entries([entry.pk], now)


def do_end_entries(entry_ids: list[int], now: datetime) -> None:
    """End these entries; their open offers are withdrawn and offered to the next in line."""
    with transaction.atomic():
        WaitlistEntry.objects.filter(pk__in=entry_ids, active=True).update(
            active=False, ended_at=now
        )
        withdrawn = WaitlistOffer.objects.filter(entry_id__in=entry_ids, status=Status.OPEN)
        for offer in withdrawn.select_related("slot__visit_type"):
            if _close(offer, Status.DECLINED, now):
                do_offer_slot(offer.slot, now)


# --- offering -----------------------------------------------------------------------------


def _close(offer: WaitlistOffer, status: str, now: datetime) -> bool:
    """Claim the open offer for `status`; False when another request or worker did first."""
    claimed = WaitlistOffer.objects.filter(pk=offer.pk, status=Status.OPEN).update(
        status=status, decided_at=now
    )
    return claimed == 1


def do_offer_slot(slot: Slot, now: datetime) -> WaitlistOffer | None:
    """Offer `slot` to the first entry it suits and notify them. None when the slot is
    on offer already, no longer open or bookable, or suits nobody waiting."""
    # Only visit types patients book themselves: accepting is an online move.
    if slot.visit_type.policy != VisitType.Policy.BOOK:
        return None
    try:
        check_slot_bookable(slot, now)
    except BookingRefused:
        return None
    # Booked again, or held by an overlapping longer booking.
    if not open_slots(now=now).filter(pk=slot.pk).exists():
        return None
    if WaitlistOffer.objects.filter(slot=slot, status=Status.OPEN).exists():
        return None
    entry = queries.next_entry(slot, now)
    if entry is None:
        return None
    expires = min(now + timedelta(minutes=settings.WAITLIST_OFFER_MINUTES), slot.starts_at)
    try:
        with transaction.atomic():
            offer = WaitlistOffer.objects.create(
                entry=entry, slot=slot, created_at=now, expires_at=expires
            )
    except IntegrityError:
        # Another worker offered this slot a moment ago.
        return None
    do_notify_record_audience(
        entry.patient_id,
        Kind.WAITLIST_OFFER,
        confidential=False,
        link=reverse("waitlist:offer", args=[offer.pk]),
        key=f"waitlist-offer:{offer.pk}",
    )
    return offer


def on_slot_freed(sender: Any, *, slot: Slot, now: datetime, **kwargs: Any) -> None:
    """scheduling's `slot_freed`, inside the freeing transaction: entries of the booking
    that just ended (a cancellation, or the patient's own move) end too, then the slot is
    offered to the next in line."""
    ended = list(
        WaitlistEntry.objects.filter(
            active=True, booking__slot=slot, booking__active=False
        ).values_list("pk", flat=True)
    )
    if ended:
        do_end_entries(ended, now)
    do_offer_slot(slot, now)


# --- answering an offer ---------------------------------------------------------------------


def _expired(offer: WaitlistOffer) -> BookingRefused:
    return BookingRefused(
        _(
            "This earlier time was held for you until %(time)s, and that has passed. "
            "Your appointment has not changed, and you are still on the waitlist."
        )
        % {"time": local_time(offer.expires_at)},
        status=410,
    )


def _lost(refusal: BookingRefused) -> BookingRefused:
    if isinstance(refusal, SlotTaken):
        reason = _(
            "Someone else booked this time before you accepted it. Your appointment has not "
            "changed, and you are still on the waitlist."
        )
    else:
        reason = _("This time could not be given to you: %(reason)s") % {"reason": refusal.reason}
    return BookingRefused(reason, status=409)


def _answered(offer: WaitlistOffer) -> BookingRefused:
    """Why an offer that is no longer open cannot be answered."""
    if offer.status == Status.DECLINED:
        return BookingRefused(_("You turned this time down."), status=409)
    if offer.status == Status.LOST:
        return _lost(SlotTaken([]))
    if offer.status == Status.REFUSED:
        return BookingRefused(_("This time could not be given to you."), status=409)
    return _expired(offer)


def check_accept_offer(
    ctx: AccessContext,
    user: Any,
    patient_id: str,
    offer: WaitlistOffer,
    visit: Visit,
    *,
    now: datetime | None = None,
) -> str:
    """Move the waiting appointment (`visit`, as queries.access_offer read it) to the
    offered time; returns the appointment id. A
    second accept of the same offer moves nothing and returns the same id. Raises
    BookingRefused: 403 view-only, 410 expired, 409 lost or already answered."""
    now = now or timezone.now()
    check_may_write(ctx)
    appointment_id = offer.entry.booking.appointment_id
    if offer.status == Status.ACCEPTED:
        return appointment_id
    if offer.status != Status.OPEN:
        raise _answered(offer)
    if offer.expires_at <= now:
        raise _expired(offer)
    return do_accept_offer(ctx, user, patient_id, offer, visit, now=now)


def do_accept_offer(
    ctx: AccessContext,
    user: Any,
    patient_id: str,
    offer: WaitlistOffer,
    visit: Visit,
    *,
    now: datetime,
) -> str:
    appointment_id = offer.entry.booking.appointment_id
    refusal: BookingRefused | None = None
    with transaction.atomic():
        # Claim the offer: a double click, or a second tab, finds it answered already.
        claimed = WaitlistOffer.objects.filter(
            pk=offer.pk, status=Status.OPEN, expires_at__gt=now
        ).update(status=Status.ACCEPTED, decided_at=now)
        if claimed != 1:
            offer.refresh_from_db()
            if offer.status == Status.ACCEPTED:
                return appointment_id
            raise _answered(offer)
        try:
            with transaction.atomic():
                check_reschedule(ctx, user, patient_id, visit, offer.slot, now=now)
                WaitlistEntry.objects.filter(pk=offer.entry_id).update(active=False, ended_at=now)
        except BookingRefused as refused:
            # Nothing moved. Taken by someone else: lost; refused for another reason:
            # refused, and the time, still open, goes to the next in line.
            ended = Status.LOST if isinstance(refused, SlotTaken) else Status.REFUSED
            WaitlistOffer.objects.filter(pk=offer.pk).update(status=ended)
            do_offer_slot(offer.slot, now)
            refusal = refused
    if refusal is not None:
        raise _lost(refusal)
    return appointment_id


def check_decline_offer(
    ctx: AccessContext, offer: WaitlistOffer, *, now: datetime | None = None
) -> None:
    """Turn the time down (the patient stays on the waitlist); it goes to the next in line.
    Declining twice is the same as once. Raises BookingRefused."""
    now = now or timezone.now()
    check_may_write(ctx)
    if offer.status == Status.DECLINED:
        return
    if offer.status != Status.OPEN:
        raise _answered(offer)
    do_decline_offer(offer, now=now)


def do_decline_offer(offer: WaitlistOffer, *, now: datetime) -> None:
    with transaction.atomic():
        if _close(offer, Status.DECLINED, now):
            do_offer_slot(offer.slot, now)


# --- the expiry sweep -------------------------------------------------------------------------


def sweep_offers(now: datetime | None = None) -> int:
    """Expire the offers whose time has passed and offer each slot to the next in line;
    returns how many expired. Idempotent and safe on any number of workers at once: each
    offer is claimed with a conditional update before its slot is offered on."""
    now = now or timezone.now()
    expired = 0
    due = WaitlistOffer.objects.filter(status=Status.OPEN, expires_at__lte=now)
    for offer in due.select_related("slot__visit_type"):
        with transaction.atomic():
            # Another worker running the same sweep updates nothing here.
            if not _close(offer, Status.EXPIRED, now):
                continue
            do_offer_slot(offer.slot, now)
            expired += 1
    return expired
