"""Reads of appointment requests (visit types with policy REQUEST; see
docs/architecture/scheduling.md).

The queue's rows are operational (AppointmentRequest); what the patient wrote is in the
FHIR Appointment, read only through the record store with an AccessContext, so access
rules and the audit log apply. Patients and proxies reach a request through the open
record; staff through `may_handle` (who answers requests: the APPOINTMENT_REQUEST_POOL
pool) and then a context for that one patient (`staff_context`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest

from porch.access.context import AccessContext
from porch.access.rules import context_for_change, facts_of
from porch.accounts.models import Role, User
from porch.messaging.models import Pool
from porch.messaging.queries import StaffMember, by_ids
from porch.record import repository
from porch.record.errors import FhirError
from porch.scheduling import queries
from porch.scheduling.models import AppointmentRequest, AvailabilityTemplate, VisitType

QUEUE_LIMIT = 100


def request_types() -> list[VisitType]:
    """The visit types patients ask for and staff book."""
    return list(VisitType.objects.filter(policy=VisitType.Policy.REQUEST))


def clinicians_for(visit_type: VisitType) -> list[tuple[str, str]]:
    """(id, name) of the clinicians whose hours offer `visit_type`, by name."""
    ids = set(
        AvailabilityTemplate.objects.filter(visit_types=visit_type).values_list(
            "practitioner_id", flat=True
        )
    )
    names = queries.clinician_names(ids)
    return sorted(names.items(), key=lambda item: item[1])


def access_request(ctx: AccessContext, patient_id: str, pk: int) -> queries.Asked:
    """The open record's request. Raises Http404 for missing and not-theirs alike."""
    row = (
        AppointmentRequest.objects.filter(pk=pk, patient_id=patient_id)
        .select_related("visit_type")
        .first()
    )
    # Missing, or another patient's: not found.
    if row is None:
        raise Http404("No such request")
    # Its Appointment must be readable with ctx (confidentiality rules): else not found.
    visit = queries.access_appointment(ctx, patient_id, row.appointment_id)
    return queries.Asked(row, visit)


# --- staff ----------------------------------------------------------------------------


def handler_ids() -> set[int]:
    """The accounts that answer appointment requests: the active members of the
    APPOINTMENT_REQUEST_POOL pool, or, when there is no such pool or nobody in it, everyone
    at the front desk (so requests never wait where nobody looks)."""
    slug = settings.APPOINTMENT_REQUEST_POOL
    pool = Pool.objects.filter(active=True, slug=slug).first() if slug else None
    members = (
        set(pool.members.filter(is_active=True).values_list("pk", flat=True)) if pool else set()
    )
    if members:
        return members
    desk = User.objects.filter(is_active=True, role_assignments__role=Role.FRONT_DESK)
    return set(desk.values_list("pk", flat=True))


def may_handle(member: StaffMember) -> bool:
    """Whether a staff member may see and answer appointment requests. A missing rule
    denies."""
    return bool(member.user.pk in handler_ids())


def staff_context(request: HttpRequest, member: StaffMember, patient_id: str) -> AccessContext:
    """The context a staff member reads and answers one patient's request with, once
    may_handle said yes: that patient's compartment only, audited as "appointments"."""
    return context_for_change(request, patient_id, role=member.role, purpose="appointments")


@dataclass(frozen=True)
class QueueLine:
    row: AppointmentRequest
    patient_name: str
    clinician_name: str  # the preferred clinician, or ""


def staff_queue(request: HttpRequest, member: StaffMember) -> list[QueueLine]:
    """Pending requests, the oldest waiting first. Raises Http404 for staff who do not
    answer requests. A fixed number of queries."""
    # Only those who answer requests see the queue.
    if not may_handle(member):
        raise Http404("No such page")
    rows = list(
        AppointmentRequest.objects.filter(status=AppointmentRequest.Status.PENDING)
        .select_related("visit_type")
        .order_by("created_at", "pk")[:QUEUE_LIMIT]
    )
    if not rows:
        return []
    patients = frozenset(r.patient_id for r in rows)
    # One context for the listed patients (each one's request is routed to this member).
    ctx = replace(
        staff_context(request, member, sorted(patients)[0]), patient_ids=patients, acting_for=None
    )
    people = {
        i: facts_of(i, p.content or {}).name for i, p in by_ids(ctx, "Patient", patients).items()
    }
    clinicians = queries.clinician_names({r.practitioner_id for r in rows} - {""})
    return [
        QueueLine(r, people.get(r.patient_id, ""), clinicians.get(r.practitioner_id, ""))
        for r in rows
    ]


def access_staff_request(
    request: HttpRequest, member: StaffMember, pk: int
) -> tuple[AppointmentRequest, AccessContext]:
    """The request and the context to read and answer it with. Raises Http404 for missing
    and not-theirs alike."""
    row = AppointmentRequest.objects.filter(pk=pk).select_related("visit_type").first()
    # Missing: not found.
    if row is None:
        raise Http404("No such request")
    # Staff who do not answer requests: not found.
    if not may_handle(member):
        raise Http404("No such request")
    return row, staff_context(request, member, row.patient_id)


@dataclass(frozen=True)
class StaffDetail:
    row: AppointmentRequest
    visit: queries.Visit
    patient_name: str
    clinician_name: str  # the preferred clinician, or ""
    note: str  # what it is about
    times: str  # preferred days and times
    asked_by: str


def words_of(content: dict[str, Any]) -> tuple[str, str]:
    """What the patient wrote in a proposed Appointment: (what it is about, preferred
    days and times)."""
    reasons = [str(r.get("text") or "") for r in content.get("reasonCode") or []]
    return " ".join(r for r in reasons if r), str(content.get("comment") or "")


def staff_detail(ctx: AccessContext, row: AppointmentRequest) -> StaffDetail:
    """The request as staff read it; the Appointment and Patient reads are audited."""
    try:
        stored = repository.read(ctx, "Appointment", row.appointment_id)
        patient = repository.read(ctx, "Patient", row.patient_id).content or {}
    except FhirError as error:
        raise Http404("No such request") from error
    content = stored.content or {}
    note, times = words_of(content)
    names = queries.clinician_names({row.practitioner_id} - {""})
    asker: Any = row.requested_by
    return StaffDetail(
        row=row,
        visit=queries.visit_of(stored.id, content),
        patient_name=facts_of(row.patient_id, patient).name,
        clinician_name=names.get(row.practitioner_id, ""),
        note=note,
        times=times,
        asked_by=(asker.get_full_name() or asker.email) if asker is not None else "",
    )
