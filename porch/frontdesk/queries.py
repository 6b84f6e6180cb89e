"""Reads of the staff side of scheduling: a clinician's day, and the patient a staff
member books for.

Who staff may schedule for (`may_schedule_for`, one rule per `if`; a missing rule denies):
front-desk staff and administrators, whose work the schedule is, for every patient; a
clinician for the patients whose chart they may open (cared for, or the glass broken).
They read with a context for those patients only (`scheduling_context_for`), purpose
"appointments" (as the request queue does), so the record store applies it and writes
the audit log. The day's slots, bookings and exceptions are operational rows (no health
information); only the patients' names come from the record, in one search a page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from itertools import groupby

from django.http import Http404, HttpRequest
from django.utils import timezone

from porch.access.context import AccessContext
from porch.access.rules import access_state, context_for_change, display_name
from porch.accounts.models import Role
from porch.messaging.queries import StaffMember, by_ids, staff_member
from porch.record import repository
from porch.record.errors import FhirError
from porch.scheduling import queries as scheduling
from porch.scheduling.models import Booking, Schedule, ScheduleException, Slot
from porch.scheduling.slots import clinic_zone, local_moment

# Roles whose work is the whole clinic's schedule.
SCHEDULERS = frozenset({Role.FRONT_DESK, Role.ADMINISTRATOR})


@dataclass(frozen=True)
class Desk:
    """A signed-in staff member and the patients they may schedule for."""

    member: StaffMember
    everyone: bool  # front desk or administrator
    charts: frozenset[str]  # a clinician's: cared for, or the glass broken
    glass: frozenset[str]  # of charts, those opened by breaking the glass

    @property
    def is_clinician(self) -> bool:
        return self.member.practitioner_id is not None


def desk_of(request: HttpRequest) -> Desk:
    """The staff member of the request. Raises Http404 for anyone else."""
    member = staff_member(request)
    state = access_state(request)
    assert state is not None  # staff_member refused anonymous people
    return Desk(member, bool(state.roles & SCHEDULERS), state.chart_ids, state.break_glass)


def may_schedule_for(desk: Desk, patient_id: str) -> bool:
    """Whether the staff member may see and change the patient's appointments."""
    # Front desk and administrators schedule for every patient of the clinic.
    if desk.everyone:
        return True
    # A clinician, for the patients whose chart they may open.
    return patient_id in desk.charts


def scheduling_context_for(
    request: HttpRequest, desk: Desk, patient_ids: frozenset[str]
) -> AccessContext:
    """The context to read and book with, for patients may_schedule_for allowed: those
    compartments only, audited as "appointments" (break-the-glass ones flagged)."""
    first = sorted(patient_ids)[0]
    ctx = context_for_change(request, first, role=desk.member.role, purpose="appointments")
    return replace(
        ctx,
        patient_ids=patient_ids,
        acting_for=first if len(patient_ids) == 1 else None,
        break_glass=patient_ids & desk.glass if not desk.everyone else frozenset(),
    )


@dataclass(frozen=True)
class Patient:
    id: str
    name: str


def access_patient(
    request: HttpRequest, desk: Desk, patient_id: str
) -> tuple[AccessContext, Patient]:
    """The patient and the context to schedule for them with. Raises Http404 for missing
    and not-theirs alike."""
    # Not one they may schedule for: not found.
    if not may_schedule_for(desk, patient_id):
        raise Http404("No such patient")
    ctx = scheduling_context_for(request, desk, frozenset({patient_id}))
    try:
        content = repository.read(ctx, "Patient", patient_id).content or {}
    except FhirError as error:
        # Not in the record: not found.
        raise Http404("No such patient") from error
    return ctx, Patient(patient_id, display_name(content) or patient_id)


def access_booked_visit(
    request: HttpRequest, desk: Desk, fhir_id: str
) -> tuple[AccessContext, Patient, scheduling.Visit]:
    """An appointment made in Porch and still held, of a patient the staff member may
    schedule for. Raises Http404 for missing and not-theirs alike."""
    booking = Booking.objects.filter(appointment_id=fhir_id, active=True).first()
    # Not an appointment Porch holds a time for (or cancelled): not found.
    if booking is None:
        raise Http404("No such appointment")
    ctx, patient = access_patient(request, desk, booking.patient_id)
    return ctx, patient, scheduling.access_appointment(ctx, patient.id, fhir_id)


def held(appointment_ids: list[str]) -> frozenset[str]:
    """Of these appointments, those Porch holds a time for: staff may move or cancel them."""
    rows = Booking.objects.filter(appointment_id__in=appointment_ids, active=True)
    return frozenset(rows.values_list("appointment_id", flat=True))


# --- the day ---------------------------------------------------------------------------


def clinicians() -> list[tuple[str, str]]:
    """(id, name) of every clinician with a schedule, by name."""
    ids = set(Schedule.objects.values_list("practitioner_id", flat=True).distinct())
    names = scheduling.clinician_names(ids)
    return sorted(names.items(), key=lambda item: (item[1], item[0]))


def today() -> date:
    return timezone.localdate(timezone.now(), clinic_zone())


@dataclass(frozen=True)
class DayRow:
    """One line of a clinician's day: a booking, free times, or an exception."""

    start: datetime
    end: datetime
    kind: str  # "booked", "free" or "blocked"
    visit_types: tuple[str, ...] = ()  # booked: its type; free: those on offer
    appointment_id: str = ""
    patient_id: str = ""
    patient_name: str = ""  # blank when the staff member may not see who it is
    reason: str = ""  # blocked: the exception's kind, in words

    @property
    def named(self) -> bool:
        return bool(self.patient_name)


@dataclass(frozen=True)
class Day:
    rows: list[DayRow]
    # Patients on the day whose check-in page the staff member may open.
    checkin_open: frozenset[str]


def day(request: HttpRequest, desk: Desk, practitioner_id: str, on: date) -> Day:
    """The clinician's day in the clinic's time: a fixed number of queries however many
    bookings it holds (three operational reads, one search of the record for names)."""
    start, end = local_moment(on, time.min), local_moment(on + timedelta(days=1), time.min)
    slots = list(
        Slot.objects.filter(
            practitioner_id=practitioner_id, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("visit_type")
        .order_by("starts_at", "visit_type__name")
    )
    bookings = list(
        Booking.objects.filter(
            active=True,
            slot__practitioner_id=practitioner_id,
            slot__starts_at__lt=end,
            slot__ends_at__gt=start,
        ).select_related("slot__visit_type")
    )
    exceptions = list(
        ScheduleException.objects.filter(
            practitioner_id=practitioner_id, starts_at__lt=end, ends_at__gt=start
        ).order_by("starts_at")
    )
    names = _names(request, desk, {b.patient_id for b in bookings})
    rows = [
        DayRow(
            b.slot.starts_at,
            b.slot.ends_at,
            "booked",
            (b.slot.visit_type.name,),
            b.appointment_id,
            b.patient_id,
            names.get(b.patient_id, ""),
        )
        for b in bookings
    ]
    rows += [
        DayRow(
            max(e.starts_at, start), min(e.ends_at, end), "blocked", reason=e.get_reason_display()
        )
        for e in exceptions
    ]
    rows += _free(slots, bookings)
    order = {"blocked": 0, "booked": 1, "free": 2}
    rows.sort(key=lambda r: (r.start, order[r.kind]))
    checkin = frozenset(names) & desk.charts if desk.is_clinician else frozenset()
    return Day(rows, checkin)


def _names(request: HttpRequest, desk: Desk, patient_ids: set[str]) -> dict[str, str]:
    """Names of the patients the staff member may schedule for, in one audited search."""
    reachable = frozenset(p for p in patient_ids if may_schedule_for(desk, p))
    if not reachable:
        return {}
    ctx = scheduling_context_for(request, desk, reachable)
    found = by_ids(ctx, "Patient", reachable)
    return {pid: display_name(s.content or {}) for pid, s in found.items()}


def _free(slots: list[Slot], bookings: list[Booking]) -> list[DayRow]:
    """Times with at least one open slot (not blocked, no booking over it), one row per
    start with the visit types on offer."""
    held = [(b.slot.starts_at, b.slot.ends_at) for b in bookings]
    open_slots = [
        s
        for s in slots
        if not s.blocked and not any(a < s.ends_at and s.starts_at < b for a, b in held)
    ]
    rows = []
    for starts_at, group in groupby(open_slots, key=lambda s: s.starts_at):
        same = list(group)
        rows.append(
            DayRow(
                starts_at,
                max(s.ends_at for s in same),
                "free",
                tuple(s.visit_type.name for s in same),
            )
        )
    return rows
