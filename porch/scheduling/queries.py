"""Reads of scheduling. Open slots are operational rows (no health information); a
patient's appointments are read from the record with their AccessContext, so access
rules, confidentiality and the audit log apply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from porch.access.context import AccessContext
from porch.access.rules import display_name
from porch.chart import fhirtext as ft
from porch.messaging.queries import by_ids
from porch.record import repository
from porch.record.errors import FhirError
from porch.results.display import moment
from porch.scheduling.models import AppointmentRequest, Booking, Slot, VisitType
from porch.scheduling.slots import clinic_zone, local_moment

SLOT_PAGE = 40
APPOINTMENT_LIMIT = 200


def open_slots(
    *,
    visit_type: VisitType | None = None,
    practitioner_id: str = "",
    location: str = "",
    day: date | None = None,
    now: datetime | None = None,
    exclude: int | None = None,
) -> QuerySet[Slot]:
    """Future slots nobody holds: not blocked, and no active booking overlapping them on
    the clinician's time (a 40-minute booking hides the 20-minute slots inside it)."""
    now = now or timezone.now()
    overlapping = Booking.objects.filter(
        active=True,
        slot__practitioner_id=OuterRef("practitioner_id"),
        slot__starts_at__lt=OuterRef("ends_at"),
        slot__ends_at__gt=OuterRef("starts_at"),
    )
    rows = Slot.objects.filter(starts_at__gt=now, blocked=False).exclude(Exists(overlapping))
    if visit_type is not None:
        rows = rows.filter(visit_type=visit_type)
    if practitioner_id:
        rows = rows.filter(practitioner_id=practitioner_id)
    if location:
        rows = rows.filter(location=location)
    if day is not None:
        rows = rows.filter(
            starts_at__gte=local_moment(day, time.min),
            starts_at__lt=local_moment(day + timedelta(days=1), time.min),
        )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.select_related("visit_type", "schedule").order_by("starts_at", "pk")


def next_openings(slot: Slot, count: int = 5) -> list[Slot]:
    """The next free slots like `slot` (same visit type), for the loser of a race."""
    return list(open_slots(visit_type=slot.visit_type, exclude=slot.pk)[:count])


def clinician_names(ids: set[str]) -> dict[str, str]:
    """Practitioner names (shared resources, read with the scheduling system context)."""
    from porch.scheduling.slots import scheduling_context

    found = by_ids(scheduling_context(), "Practitioner", ids)
    return {pid: display_name(s.content or {}) or pid for pid, s in found.items()}


def slot_or_404(pk: int) -> Slot:
    """An operational Slot row (shared clinic data) with what its pages show."""
    slot = Slot.objects.select_related("visit_type", "schedule").filter(pk=pk).first()
    if slot is None:
        raise Http404("No such time")
    return slot


def _clinician_of(item: Any) -> str:
    return str(getattr(item, "practitioner_id", "") or getattr(item, "clinician_id", ""))


def with_clinician_names(*groups: list[Any]) -> list[list[tuple[Any, str]]]:
    """Each group's slots or visits paired with their clinician's name (one lookup for
    all), as the scheduling partials take them."""
    names = clinician_names({_clinician_of(i) for g in groups for i in g} - {""})
    return [[(item, names.get(_clinician_of(item), "")) for item in group] for group in groups]


def choices() -> tuple[list[tuple[str, str]], list[str]]:
    """Clinicians (id, name) and locations that have future slots."""
    upcoming = Slot.objects.filter(starts_at__gt=timezone.now())
    ids = set(upcoming.values_list("practitioner_id", flat=True).distinct())
    locations = sorted(set(upcoming.values_list("location", flat=True).distinct()))
    names = clinician_names(ids)
    return sorted(names.items(), key=lambda item: item[1]), locations


@dataclass(frozen=True)
class Visit:
    """The facts of an Appointment that scheduling and check-in use (the one reading of it)."""

    id: str
    start: datetime | None
    end: datetime | None
    status: str
    visit_type: str  # its name, as people read it
    clinician_id: str
    location: str
    cancel_reason: str
    patient_id: str = ""
    visit_code: str = ""  # the code of serviceType / appointmentType
    clinician_name: str = ""  # the Practitioner participant's display

    @property
    def booked(self) -> bool:
        return self.status == "booked"


def visit_of(stored_id: str, content: dict[str, Any]) -> Visit:
    patient = clinician = clinician_name = location = ""
    for participant in content.get("participant") or []:
        actor = participant.get("actor") or {}
        reference = str(actor.get("reference") or "")
        if reference.startswith("Patient/") and not patient:
            patient = reference.removeprefix("Patient/")
        elif reference.startswith("Practitioner/") and not clinician:
            clinician = reference.removeprefix("Practitioner/")
            clinician_name = str(actor.get("display") or "")
        elif not reference and actor.get("display"):
            location = str(actor["display"])
    concepts = [
        c for c in [*(content.get("serviceType") or []), content.get("appointmentType")] if c
    ]
    # The first coded concept is the visit type (its code and name); else the first one.
    coded = [(str(k["code"]), c) for c in concepts for k in c.get("coding") or [] if k.get("code")]
    code, named = coded[0] if coded else ("", concepts[0] if concepts else None)
    return Visit(
        id=stored_id,
        start=moment(content.get("start")),
        end=moment(content.get("end")),
        status=str(content.get("status") or ""),
        visit_type=ft.concept(named),
        clinician_id=clinician,
        location=location,
        cancel_reason=str((content.get("cancelationReason") or {}).get("text", "")),
        patient_id=patient,
        visit_code=code,
        clinician_name=clinician_name,
    )


@dataclass(frozen=True)
class Asked:
    """One of the patient's appointment requests and its Appointment as read from the
    record (proposed; booked at a time; or cancelled with the clinic's reason)."""

    row: AppointmentRequest
    visit: Visit


@dataclass(frozen=True)
class Appointments:
    upcoming: list[Visit]  # soonest first
    past: list[Visit]  # past or cancelled visits, newest first
    requests: list[Asked]  # newest first


def appointments(ctx: AccessContext, patient_id: str) -> Appointments:
    """The patient's visits and appointment requests: one search of the record and one
    query of request rows, however many there are. A request shows among the visits only
    once it is booked; a request whose Appointment ctx may not read is not shown."""
    found = repository.search(
        ctx,
        "Appointment",
        [("patient", patient_id), ("_total", "none")],
        default_count=APPOINTMENT_LIMIT,
        max_count=APPOINTMENT_LIMIT,
    ).matches
    now = timezone.now()
    everything = {s.id: visit_of(s.id, s.content or {}) for s in found}
    rows = AppointmentRequest.objects.filter(
        patient_id=patient_id, appointment_id__in=list(everything)
    ).select_related("visit_type")
    asked = {r.appointment_id: r for r in rows}
    # Still a request (waiting, declined, withdrawn), not a visit; so is any "proposed".
    visits = [
        v
        for v in everything.values()
        if v.status != "proposed"
        and (v.id not in asked or asked[v.id].status == AppointmentRequest.Status.BOOKED)
    ]
    upcoming = [v for v in visits if v.booked and v.start and v.start > now]
    past = [v for v in visits if v not in upcoming]
    far = datetime.max.replace(tzinfo=clinic_zone())
    upcoming.sort(key=lambda v: v.start or far)
    past.sort(key=lambda v: v.start or far, reverse=True)
    requests = [Asked(r, everything[r.appointment_id]) for r in asked.values()]
    requests.sort(key=lambda a: (a.row.created_at, a.row.pk), reverse=True)
    return Appointments(upcoming, past, requests)


def visits(ctx: AccessContext, patient_id: str) -> tuple[list[Visit], list[Visit]]:
    """Upcoming (soonest first) and past or cancelled (newest first) visits."""
    found = appointments(ctx, patient_id)
    return found.upcoming, found.past


def access_appointment(ctx: AccessContext, patient_id: str, fhir_id: str) -> Visit:
    """The open record's appointment. Raises Http404 for missing and not-theirs alike."""
    try:
        stored = repository.read(ctx, "Appointment", fhir_id)
    except FhirError as error:
        # Missing, deleted, or outside what the context may read.
        raise Http404("No such appointment") from error
    content = stored.content or {}
    patients = {
        str((p.get("actor") or {}).get("reference", "")) for p in content.get("participant") or []
    }
    # Readable but another patient's (a proxy with two records open elsewhere): not found.
    if f"Patient/{patient_id}" not in patients:
        raise Http404("No such appointment")
    return visit_of(stored.id, content)


def booking_of(visit: Visit) -> Booking | None:
    """The active booking behind an appointment made in Porch, if any."""
    return (
        Booking.objects.filter(appointment_id=visit.id, active=True)
        .select_related("slot__visit_type", "slot__schedule")
        .first()
    )
