"""Writes of appointment requests (visit types with policy REQUEST): check_* validates and
authorizes, do_* writes in one transaction.

A request is an AppointmentRequest row (the queue) and a FHIR Appointment with status
"proposed" (the patient's words), written together. Staff book it (the same Appointment
becomes "booked" at a slot: scheduling.actions.do_book_proposed) or decline it (it
becomes "cancelled" with the reason the patient reads); the patient may withdraw it while
it waits. Each decision claims the row with a conditional update, so of two clicks (or two
staff members) exactly one decides and the other is told, with nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from porch.access.context import AccessContext
from porch.messaging.actions import patient_author
from porch.notifications.actions import do_notify_record_audience, do_notify_users
from porch.notifications.kinds import Kind
from porch.record import repository
from porch.record.repository import new_id
from porch.scheduling import actions, request_queries, resources
from porch.scheduling.actions import BookingRefused, check_may_write
from porch.scheduling.models import AppointmentRequest, Booking, Slot, VisitType

# What the record says of a request the patient withdrew (people read the status in
# their own language on the page; this is the record's note of why).
WITHDRAWN_REASON = "Withdrawn by the patient"

Status = AppointmentRequest.Status


class RequestDecided(BookingRefused):
    """The request was already booked, declined or withdrawn; nothing was changed."""

    def __init__(self, row: AppointmentRequest) -> None:
        words: dict[str, str] = {
            Status.BOOKED: _("This request was already booked. Nothing was changed."),
            Status.DECLINED: _("This request was already declined. Nothing was changed."),
            Status.WITHDRAWN: _("This request was already withdrawn. Nothing was changed."),
        }
        super().__init__(words.get(row.status, _("This request was already answered.")), status=409)


@dataclass(frozen=True)
class Words:
    """What the patient asks: a preferred clinician (or "" for anyone), preferred days
    and times, and what it is about."""

    practitioner_id: str = ""
    times: str = ""
    note: str = ""


# --- the patient's request --------------------------------------------------------------


def check_may_request(ctx: AccessContext, patient_id: str, visit_type: VisitType) -> None:
    """May this record ask for this visit type? Raises BookingRefused (403 for a proxy
    who may only view)."""
    # A proxy allowed only to view reads appointments but asks for none.
    if not ctx.may_write:
        raise BookingRefused(
            _("You may see this record's appointments but not ask for one."), status=403
        )
    # Visit types the clinic does not take online: a phone call.
    if visit_type.policy == VisitType.Policy.OFFLINE:
        raise BookingRefused(
            _("%(visit)s cannot be requested online. Please call the clinic.")
            % {"visit": visit_type.name}
        )
    # Visit types patients book themselves: choose a time instead.
    if visit_type.policy == VisitType.Policy.BOOK:
        raise BookingRefused(
            _("%(visit)s can be booked directly: choose a time instead.")
            % {"visit": visit_type.name}
        )
    # The same who and age rules as booking (the policy was checked above).
    actions.check_visit_type_allowed(ctx, patient_id, visit_type, online=False)


def check_request_appointment(
    ctx: AccessContext,
    user: Any,
    patient_id: str,
    visit_type: VisitType,
    words: Words,
    *,
    key: str,
) -> AppointmentRequest:
    """Ask for `visit_type`. A second submit of the same form (`key`) returns the first
    request. Raises BookingRefused: 403 for a view-only proxy, 409 when a request for
    this visit type is already waiting."""
    check_may_request(ctx, patient_id, visit_type)
    earlier = _same_submit(key, patient_id)
    if earlier is not None:
        return earlier
    # One waiting request per visit type: the clinic answers the first.
    if AppointmentRequest.objects.filter(
        patient_id=patient_id, visit_type=visit_type, status=Status.PENDING
    ).exists():
        raise BookingRefused(
            _("You already asked for %(visit)s. The clinic has not answered yet.")
            % {"visit": visit_type.name},
            status=409,
        )
    return do_request_appointment(
        ctx, user, patient_id, visit_type, words, key=key, now=timezone.now()
    )


def _same_submit(key: str, patient_id: str) -> AppointmentRequest | None:
    if not key:
        return None
    return AppointmentRequest.objects.filter(key=key, patient_id=patient_id).first()


def do_request_appointment(
    ctx: AccessContext,
    user: Any,
    patient_id: str,
    visit_type: VisitType,
    words: Words,
    *,
    key: str,
    now: datetime,
) -> AppointmentRequest:
    """The row, the proposed Appointment and the staff notification, in one transaction."""
    appointment_id = new_id()
    sender = patient_author(ctx, user, patient_id).sender
    # A proxy who asked is a participant when the record knows them (their RelatedPerson).
    requester = sender if str(sender.get("reference", "")).startswith("RelatedPerson/") else None
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = AppointmentRequest.objects.create(
                    appointment_id=appointment_id,
                    patient_id=patient_id,
                    visit_type=visit_type,
                    practitioner_id=words.practitioner_id,
                    key=key or None,
                    requested_by=user if getattr(user, "pk", None) else None,
                    created_at=now,
                )
        except IntegrityError:
            # The same form submitted twice at once: the other submit made it.
            earlier = _same_submit(key, patient_id)
            if earlier is not None:
                return earlier
            raise
        repository.create(
            ctx,
            resources.proposed(
                appointment_id,
                visit_type,
                patient_id,
                practitioner_id=words.practitioner_id,
                note=words.note,
                times=words.times,
                requester=requester,
                created=now,
            ),
            fhir_id=appointment_id,
        )
        do_notify_users(
            request_queries.handler_ids(),
            Kind.APPOINTMENT_REQUEST,
            link=reverse("scheduling:staff_request", args=[row.pk]),
            key=f"appointment-request:{row.pk}",
        )
    return row


def check_withdraw(ctx: AccessContext, user: Any, row: AppointmentRequest) -> None:
    """Withdraw a waiting request. Raises BookingRefused (403 for a view-only proxy) or
    RequestDecided."""
    check_may_write(ctx)
    # Only a request still waiting can be withdrawn.
    if row.status != Status.PENDING:
        raise RequestDecided(row)
    do_withdraw(ctx, user, row, now=timezone.now())


def do_withdraw(ctx: AccessContext, user: Any, row: AppointmentRequest, *, now: datetime) -> None:
    with transaction.atomic():
        _claim(row, Status.WITHDRAWN, user, now)
        _cancel_appointment(ctx, row, WITHDRAWN_REASON)


# --- the clinic's answer ------------------------------------------------------------------


def check_book_request(
    ctx: AccessContext,
    user: Any,
    row: AppointmentRequest,
    slot: Slot,
    *,
    now: datetime | None = None,
) -> Booking:
    """Book the request at `slot`. Raises RequestDecided, BookingRefused (SlotTaken, with
    the next openings, when the time went meanwhile)."""
    now = now or timezone.now()
    # Decided already (a second click, a colleague): nothing more to do.
    if row.status != Status.PENDING:
        raise RequestDecided(row)
    # A time of the visit type that was asked for.
    if slot.visit_type_id != row.visit_type_id:
        raise BookingRefused(_("This time is for another visit type. Choose one listed here."))
    actions.check_slot_bookable(slot, now)
    # Staff book request-only types; the who and age rules still hold.
    actions.check_visit_type_allowed(ctx, row.patient_id, row.visit_type, online=False)
    return do_book_request(ctx, user, row, slot, now=now)


def do_book_request(
    ctx: AccessContext, user: Any, row: AppointmentRequest, slot: Slot, *, now: datetime
) -> Booking:
    """The row claimed as booked and the proposed Appointment booked at `slot`, in one
    transaction (SlotTaken undoes the claim); the patient is notified."""
    with transaction.atomic():
        _claim(row, Status.BOOKED, user, now)
        booking = actions.do_book_proposed(
            ctx, user, row.patient_id, slot, row.appointment_id, now=now
        )
        AppointmentRequest.objects.filter(pk=row.pk).update(booking=booking)
    return booking


def check_decline(ctx: AccessContext, user: Any, row: AppointmentRequest, reason: str) -> None:
    """Decline the request with a reason the patient reads. Raises RequestDecided."""
    # Decided already (a second click, a colleague): nothing more to do.
    if row.status != Status.PENDING:
        raise RequestDecided(row)
    do_decline(ctx, user, row, reason.strip(), now=timezone.now())


def do_decline(
    ctx: AccessContext, user: Any, row: AppointmentRequest, reason: str, *, now: datetime
) -> None:
    with transaction.atomic():
        _claim(row, Status.DECLINED, user, now)
        _cancel_appointment(ctx, row, reason)
        do_notify_record_audience(
            row.patient_id,
            Kind.APPOINTMENT,
            confidential=False,
            link=reverse("scheduling:appointments"),
            key=f"appointment-declined:{row.appointment_id}",
        )


def _claim(row: AppointmentRequest, status: str, user: Any, now: datetime) -> None:
    """Move a waiting request to `status`; RequestDecided when someone decided first."""
    claimed = AppointmentRequest.objects.filter(pk=row.pk, status=Status.PENDING).update(
        status=status, decided_by=user if getattr(user, "pk", None) else None, decided_at=now
    )
    if claimed != 1:
        row.refresh_from_db(fields=["status"])
        raise RequestDecided(row)


def _cancel_appointment(ctx: AccessContext, row: AppointmentRequest, reason: str) -> None:
    current = repository.read(ctx, "Appointment", row.appointment_id).content or {}
    repository.update(ctx, "Appointment", row.appointment_id, resources.cancelled(current, reason))
