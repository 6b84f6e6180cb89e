"""Writes of scheduling: check_* validates and authorizes, do_* writes in one transaction.

A booking claims the clinician's time with Claim rows (unique per clinician and
CELL_MINUTES cell) in the same transaction that creates the FHIR Appointment and marks
the Slot busy, so of two simultaneous bookings of one slot exactly one commits; the
other gets SlotTaken, with the next openings, and nothing of it is written.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from porch.access.context import AccessContext
from porch.access.rules import age_on, parse_birth_date
from porch.notifications.actions import do_notify_record_audience
from porch.notifications.kinds import Kind
from porch.record import repository
from porch.record.repository import new_id
from porch.scheduling import queries, resources
from porch.scheduling.models import CELL_MINUTES, Booking, Claim, Slot, VisitType
from porch.scheduling.signals import slot_freed
from porch.scheduling.slots import clinic_zone, scheduling_context

# Statuses of appointments that make someone an existing patient.
_KEPT = "booked,arrived,fulfilled,checked-in"


class BookingRefused(Exception):
    """A booking, change or cancellation that may not happen; the reason is for the person."""

    def __init__(self, reason: str, *, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class SlotTaken(BookingRefused):
    """Someone else got the slot first; `openings` are the next free ones like it."""

    def __init__(self, openings: list[Slot]) -> None:
        super().__init__(
            _("Someone else booked this time a moment ago. Here are the next openings."),
            status=409,
        )
        self.openings = openings


def local_time(moment: datetime) -> str:
    return str(formats.date_format(moment.astimezone(clinic_zone()), "DATETIME_FORMAT"))


# --- checks ---------------------------------------------------------------------------


def check_may_write(ctx: AccessContext) -> None:
    # A proxy allowed only to view reads appointments but changes none.
    if not ctx.may_write:
        raise BookingRefused(
            _("You may see this record's appointments but not change them."), status=403
        )


def check_visit_type_allowed(
    ctx: AccessContext, patient_id: str, visit_type: VisitType, *, online: bool = True
) -> None:
    """May this patient have this visit type (policy, new or existing, age)?"""
    # Online, only visit types the clinic lets patients book themselves.
    if online and visit_type.policy == VisitType.Policy.OFFLINE:
        raise BookingRefused(
            _("%(visit)s cannot be booked online. Please call the clinic.")
            % {"visit": visit_type.name}
        )
    if online and visit_type.policy == VisitType.Policy.REQUEST:
        raise BookingRefused(
            _("%(visit)s is booked by the clinic: send a request instead.")
            % {"visit": visit_type.name}
        )
    if visit_type.who != VisitType.Who.ANYONE:
        existing = _is_existing_patient(ctx, patient_id)
        # New-patient visits are for people the clinic has not seen.
        if visit_type.who == VisitType.Who.NEW and existing:
            raise BookingRefused(
                _("%(visit)s is for new patients only.") % {"visit": visit_type.name}
            )
        # Existing-patient visits need an earlier visit.
        if visit_type.who == VisitType.Who.EXISTING and not existing:
            raise BookingRefused(
                _("%(visit)s is for existing patients only.") % {"visit": visit_type.name}
            )
    if visit_type.min_age is not None or visit_type.max_age is not None:
        patient = repository.read(ctx, "Patient", patient_id).content or {}
        birth = parse_birth_date(patient)
        age = age_on(birth, timezone.localdate()) if birth else None
        low, high = visit_type.min_age or 0, visit_type.max_age
        # Outside the age range, or an unknown age: refused.
        if age is None or age < low or (high is not None and age > high):
            raise BookingRefused(
                _("%(visit)s is for patients aged %(low)s to %(high)s.")
                % {"visit": visit_type.name, "low": low, "high": high if high is not None else "+"}
            )


def _is_existing_patient(ctx: AccessContext, patient_id: str) -> bool:
    for resource_type, params in (
        ("Encounter", [("patient", patient_id)]),
        ("Appointment", [("patient", patient_id), ("status", _KEPT)]),
    ):
        found = repository.search(
            ctx, resource_type, [*params, ("_total", "none")], default_count=1, max_count=1
        )
        if found.matches:
            return True
    return False


def check_slot_bookable(slot: Slot, now: datetime) -> None:
    # A time that has begun cannot be booked.
    if slot.starts_at <= now:
        raise BookingRefused(_("This time has already passed. Choose a later one."))
    # Not further ahead than the visit type allows.
    horizon = now + timedelta(days=slot.visit_type.book_ahead_days)
    if slot.starts_at > horizon:
        raise BookingRefused(
            _("%(visit)s can be booked at most %(days)s days ahead.")
            % {"visit": slot.visit_type.name, "days": slot.visit_type.book_ahead_days}
        )
    # A blocked slot (holiday, leave) is not open.
    if slot.blocked:
        raise SlotTaken(queries.next_openings(slot))


def check_book(
    ctx: AccessContext,
    user: Any,
    patient_id: str,
    slot: Slot,
    *,
    key: str,
    now: datetime | None = None,
    staff: bool = False,
) -> Booking:
    """Book `slot` for the patient. A second submit with the same `key` returns the
    first booking. Staff may book any visit type's policy (who and age rules still apply).
    Raises BookingRefused (SlotTaken when someone was quicker)."""
    now = now or timezone.now()
    check_may_write(ctx)
    earlier = _same_submit(key, patient_id)
    if earlier is not None:
        return earlier
    check_slot_bookable(slot, now)
    check_visit_type_allowed(ctx, patient_id, slot.visit_type, online=not staff)
    return do_book(ctx, user, patient_id, slot, key=key, now=now)


def _same_submit(key: str, patient_id: str) -> Booking | None:
    if not key:
        return None
    return Booking.objects.filter(key=key, patient_id=patient_id).first()


def check_cancel(
    ctx: AccessContext,
    patient_id: str,
    visit: queries.Visit,
    reason: str,
    *,
    now: datetime | None = None,
    staff: bool = False,
) -> None:
    """Cancel the patient's appointment, within the visit type's cutoff (staff may always)."""
    now = now or timezone.now()
    check_may_write(ctx)
    booking = _changeable(visit, now)
    cutoff = booking.slot.visit_type.cancel_cutoff_hours
    # Patients cancel online only up to the cutoff before the visit.
    if not staff and booking.slot.starts_at - now < timedelta(hours=cutoff):
        raise BookingRefused(
            _(
                "Appointments can be cancelled online up to %(hours)s hours before they "
                "start. Please call the clinic."
            )
            % {"hours": cutoff}
        )
    do_cancel(ctx, patient_id, booking, reason, now=now)


def check_reschedule(
    ctx: AccessContext,
    user: Any,
    patient_id: str,
    visit: queries.Visit,
    slot: Slot,
    *,
    now: datetime | None = None,
    staff: bool = False,
) -> Booking:
    """Move the appointment to `slot`: the new time is claimed and the old released in one
    transaction. Same cutoff as cancelling (staff may always)."""
    now = now or timezone.now()
    check_may_write(ctx)
    old = _changeable(visit, now)
    if old.slot_id == slot.pk:
        return old
    if not staff:
        check_before_cutoff(old, now)
    check_slot_bookable(slot, now)
    check_visit_type_allowed(ctx, patient_id, slot.visit_type, online=not staff)
    return do_reschedule(ctx, user, patient_id, old, slot, now=now)


def check_before_cutoff(booking: Booking, now: datetime) -> None:
    """Online changes close at the visit type's cutoff, like cancellations."""
    cutoff = booking.slot.visit_type.cancel_cutoff_hours
    if booking.slot.starts_at - now < timedelta(hours=cutoff):
        raise BookingRefused(
            _(
                "Appointments can be changed online up to %(hours)s hours before they "
                "start. Please call the clinic."
            )
            % {"hours": cutoff}
        )


def _changeable(visit: queries.Visit, now: datetime) -> Booking:
    booking = queries.booking_of(visit)
    # Only an upcoming appointment made in Porch can be changed here.
    if booking is None or booking.slot.starts_at <= now:
        raise BookingRefused(
            _("This appointment can no longer be changed online. Please call the clinic.")
        )
    return booking


# --- writes ---------------------------------------------------------------------------


def _claim(booking: Booking, slot: Slot) -> None:
    cells, moment = [], slot.starts_at
    while moment < slot.ends_at:
        cells.append(Claim(booking=booking, practitioner_id=slot.practitioner_id, cell=moment))
        moment += timedelta(minutes=CELL_MINUTES)
    Claim.objects.bulk_create(cells)


def _hold(
    user: Any, patient_id: str, slot: Slot, appointment_id: str, key: str | None, now: datetime
) -> Booking:
    """Insert the booking and its claims in a savepoint; SlotTaken if any cell is held."""
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                slot=slot,
                patient_id=patient_id,
                appointment_id=appointment_id,
                key=key or None,
                booked_by=user if getattr(user, "pk", None) else None,
                created_at=now,
            )
            _claim(booking, slot)
    except IntegrityError:
        raise SlotTaken(queries.next_openings(slot)) from None
    return booking


def _mark_slot(slot: Slot, status: str) -> None:
    repository.update(
        scheduling_context(), "Slot", slot.fhir_id, resources.slot(slot, status=status)
    )


def _notify(patient_id: str, appointment_id: str, event: str) -> None:
    do_notify_record_audience(
        patient_id,
        Kind.APPOINTMENT,
        confidential=False,
        link=reverse("scheduling:detail", args=[appointment_id]),
        key=f"appointment-{event}:{appointment_id}:{new_id()}",
    )


def do_book(
    ctx: AccessContext, user: Any, patient_id: str, slot: Slot, *, key: str, now: datetime
) -> Booking:
    appointment_id = new_id()
    try:
        with transaction.atomic():
            booking = _hold(user, patient_id, slot, appointment_id, key, now)
            repository.create(
                ctx,
                resources.appointment(appointment_id, slot, patient_id, created=now),
                fhir_id=appointment_id,
            )
            _mark_slot(slot, "busy")
            _notify(patient_id, appointment_id, "booked")
    except SlotTaken:
        # The same form submitted twice at once: the other submit booked it.
        earlier = _same_submit(key, patient_id)
        if earlier is not None:
            return earlier
        raise
    return booking


def do_book_proposed(
    ctx: AccessContext,
    user: Any,
    patient_id: str,
    slot: Slot,
    appointment_id: str,
    *,
    now: datetime,
) -> Booking:
    """Book the patient's proposed Appointment (a request) at `slot`: that same Appointment
    becomes booked. Raises SlotTaken, with nothing of it written."""
    with transaction.atomic():
        booking = _hold(user, patient_id, slot, appointment_id, None, now)
        current = repository.read(ctx, "Appointment", appointment_id).content or {}
        repository.update(ctx, "Appointment", appointment_id, resources.booked(current, slot))
        _mark_slot(slot, "busy")
        _notify(patient_id, appointment_id, "booked")
    return booking


def do_cancel(
    ctx: AccessContext, patient_id: str, booking: Booking, reason: str, *, now: datetime
) -> None:
    with transaction.atomic():
        # Claim the change: a second cancel of the same booking finds it inactive.
        if (
            Booking.objects.filter(pk=booking.pk, active=True).update(active=False, ended_at=now)
            != 1
        ):
            return
        booking.claims.all().delete()
        current = repository.read(ctx, "Appointment", booking.appointment_id).content or {}
        repository.update(
            ctx, "Appointment", booking.appointment_id, resources.cancelled(current, reason)
        )
        _mark_slot(booking.slot, "free")
        _notify(patient_id, booking.appointment_id, "cancelled")
        slot_freed.send(Slot, slot=booking.slot, now=now)


def do_reschedule(
    ctx: AccessContext, user: Any, patient_id: str, old: Booking, slot: Slot, *, now: datetime
) -> Booking:
    with transaction.atomic():
        if Booking.objects.filter(pk=old.pk, active=True).update(active=False, ended_at=now) != 1:
            raise BookingRefused(_("This appointment was changed a moment ago. Look again."))
        old.claims.all().delete()
        booking = _hold(user, patient_id, slot, old.appointment_id, None, now)
        current = repository.read(ctx, "Appointment", old.appointment_id).content or {}
        repository.update(ctx, "Appointment", old.appointment_id, resources.moved(current, slot))
        _mark_slot(old.slot, "free")
        _mark_slot(slot, "busy")
        _notify(patient_id, old.appointment_id, "changed")
        slot_freed.send(Slot, slot=old.slot, now=now)
    return booking


def describe(slot: Slot) -> str:
    return local_time(slot.starts_at)
