"""Reads for the refill pages. Each takes an AccessContext (or the staff member) first; the
requests themselves (Tasks) and the medications are read only through the record store,
which applies the context in SQL (a parent never gets a teen's confidential refill, even
by its id) and writes the audit log.

Patients and proxies see the requests of the open record. Staff see a request when
`may_handle` lets them (the prescriber; a member of the pool it was routed to); they read
and answer it with a context for that one patient (`staff_context`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from porch.access.context import AccessContext
from porch.access.rules import context_for_change, facts_of
from porch.chart.queries import medication_row
from porch.medications import resources
from porch.medications.models import RefillRequest, RefillStatus, SavedPharmacy
from porch.messaging.queries import StaffMember, by_ids
from porch.record import repository
from porch.record.errors import FhirError
from porch.record.search import search
from porch.results import display

LIST_LIMIT = 100
PHARMACY_LIMIT = 200


# --- medications ----------------------------------------------------------------------


@dataclass(frozen=True)
class Medication:
    id: str
    patient_id: str
    content: dict[str, Any]
    name: str
    dosage: str
    codes: set[tuple[str, str]]

    @property
    def active(self) -> bool:
        return self.content.get("status") == "active"

    @property
    def prescriber_id(self) -> str:
        ref = str((self.content.get("requester") or {}).get("reference") or "")
        return ref.removeprefix("Practitioner/") if ref.startswith("Practitioner/") else ""


def access_medication(ctx: AccessContext, patient_id: str, fhir_id: str) -> Medication:
    """The open record's MedicationRequest `fhir_id`. Raises Http404 for missing and
    not-yours alike (the record store decides what ctx may read)."""
    try:
        content = repository.read(ctx, "MedicationRequest", fhir_id).content or {}
    except FhirError as error:
        # Missing, deleted, another patient's, or hidden from this context: not found.
        raise Http404("No such medication") from error
    # In the record, but not about the open record's patient: not found.
    if (content.get("subject") or {}).get("reference") != f"Patient/{patient_id}":
        raise Http404("No such medication")
    included: dict[str, dict[str, Any]] = {}
    ref = str((content.get("medicationReference") or {}).get("reference") or "")
    if ref.startswith("Medication/"):
        try:
            medication = repository.read(ctx, "Medication", ref.removeprefix("Medication/"))
            included[ref] = medication.content or {}
        except FhirError:
            pass
    row = medication_row(content, included)
    concept = content.get("medicationCodeableConcept") or included.get(ref, {}).get("code")
    return Medication(
        fhir_id,
        patient_id,
        content,
        row["name"] or _("This medication"),
        row["dosage"],
        set(display.codings(concept)),
    )


# --- pharmacies -----------------------------------------------------------------------


@dataclass(frozen=True)
class Pharmacy:
    id: str
    name: str
    address: str


def _address(content: dict[str, Any]) -> str:
    for item in content.get("address") or []:
        if isinstance(item, dict):
            parts = [*(item.get("line") or []), item.get("city"), item.get("state")]
            return ", ".join(str(p) for p in parts if p)
    return ""


def pharmacies(ctx: AccessContext, patient_id: str) -> list[Pharmacy]:
    """The clinic's pharmacy directory (active Organizations of type pharmacy), the ones
    this patient used before first, most recent first."""
    system, code = resources.PHARMACY_TYPE
    found = search(
        ctx,
        "Organization",
        [("type", f"{system}|{code}"), ("_sort", "name")],
        default_count=PHARMACY_LIMIT,
        max_count=PHARMACY_LIMIT,
    ).matches
    used = list(
        SavedPharmacy.objects.filter(patient_id=patient_id)
        .order_by("-last_used_at")
        .values_list("organization_id", flat=True)
    )
    rank = {org_id: i for i, org_id in enumerate(used)}
    listed = [
        Pharmacy(s.id, str((s.content or {}).get("name") or ""), _address(s.content or {}))
        for s in found
    ]
    return sorted(listed, key=lambda p: rank.get(p.id, len(rank)))


# --- the requests ---------------------------------------------------------------------


@dataclass(frozen=True)
class RefillLine:
    task_id: str
    medication_request_id: str
    medication: str
    status: str
    status_label: str
    reason: str
    pharmacy: str
    note: str
    requested_at: datetime
    booking_url: str
    patient_name: str = ""


def booking_url(visit_type: str) -> str:
    return f"{reverse('scheduling:find')}?{urlencode({'visit_type': visit_type})}"


def _line(row: RefillRequest, task: dict[str, Any], patient_name: str = "") -> RefillLine:
    visit_type = resources.task_output_reference(task, "book-visit")
    return RefillLine(
        task_id=row.task_id,
        medication_request_id=row.medication_request_id,
        medication=str(task.get("description") or ""),
        status=row.status,
        status_label=str(RefillStatus(row.status).label),
        reason=resources.reason_of(task),
        pharmacy=resources.pharmacy_of(task),
        note=resources.note_of(task),
        requested_at=row.requested_at,
        booking_url=booking_url(visit_type)
        if row.status == RefillStatus.VISIT_NEEDED and visit_type
        else "",
        patient_name=patient_name,
    )


def visible_requests(ctx: AccessContext, patient_id: str) -> QuerySet[RefillRequest]:
    """The open record's requests this context may know of."""
    rows = RefillRequest.objects.filter(patient_id=patient_id)
    # A parent of a teen: the teen's confidential requests do not exist for them.
    if patient_id in ctx.confidential_hidden:
        rows = rows.filter(confidential=False)
    return rows


def open_request(ctx: AccessContext, patient_id: str, medication_id: str) -> RefillRequest | None:
    return (
        visible_requests(ctx, patient_id)
        .filter(medication_request_id=medication_id, status=RefillStatus.REQUESTED)
        .first()
    )


def patient_requests(ctx: AccessContext, patient_id: str) -> list[RefillLine]:
    """The open record's requests, newest first, with their answers: a fixed number of
    queries (the Tasks are one record search)."""
    rows = list(visible_requests(ctx, patient_id).order_by("-requested_at", "-pk")[:LIST_LIMIT])
    tasks = by_ids(ctx, "Task", [r.task_id for r in rows])
    return [_line(r, tasks[r.task_id].content or {}) for r in rows if r.task_id in tasks]


# --- staff ----------------------------------------------------------------------------


def may_handle(member: StaffMember, row: RefillRequest) -> bool:
    """Whether a staff member may see and answer a request. A missing rule denies."""
    # The prescriber.
    if member.practitioner_id and row.practitioner_id == member.practitioner_id:
        return True
    # A member of the pool it was routed to.
    return row.pool_id is not None and row.pool_id in member.pool_ids


def _queue_filter(member: StaffMember) -> Q:
    rule = Q(pool_id__in=sorted(member.pool_ids))
    if member.practitioner_id:
        rule |= Q(practitioner_id=member.practitioner_id)
    return rule


def staff_context(request: HttpRequest, member: StaffMember, patient_id: str) -> AccessContext:
    """The context a staff member reads and answers one patient's request with, once
    may_handle said yes: that patient's compartment only, audited as "refills"."""
    return context_for_change(request, patient_id, role=member.role, purpose="refills")


def staff_queue(request: HttpRequest, member: StaffMember, status: str) -> list[RefillLine]:
    """The requests routed to the member (as prescriber or pool member) in `status`
    (all when blank), the oldest waiting first. A fixed number of queries."""
    rows_qs = RefillRequest.objects.filter(_queue_filter(member))
    if status in RefillStatus.values:
        rows_qs = rows_qs.filter(status=status)
    order = ("requested_at", "pk") if status == RefillStatus.REQUESTED else ("-requested_at", "-pk")
    rows = list(rows_qs.order_by(*order)[:LIST_LIMIT])
    if not rows:
        return []
    patients = frozenset(r.patient_id for r in rows)
    # One context for the listed patients: each row passed may_handle through the filter.
    ctx = replace(
        staff_context(request, member, sorted(patients)[0]), patient_ids=patients, acting_for=None
    )
    tasks = by_ids(ctx, "Task", [r.task_id for r in rows])
    people = {
        i: facts_of(i, p.content or {}).name for i, p in by_ids(ctx, "Patient", patients).items()
    }
    return [
        _line(r, tasks[r.task_id].content or {}, people.get(r.patient_id, ""))
        for r in rows
        if r.task_id in tasks
    ]


def access_staff_request(
    request: HttpRequest, member: StaffMember, task_id: str
) -> tuple[RefillRequest, AccessContext]:
    """The request and the context to read and answer it with. Raises Http404 for missing
    and not-theirs alike."""
    row = RefillRequest.objects.filter(task_id=task_id).select_related("pool").first()
    # Missing: not found.
    if row is None:
        raise Http404("No such request")
    # Not one they may handle: not found.
    if not may_handle(member, row):
        raise Http404("No such request")
    return row, staff_context(request, member, row.patient_id)


@dataclass(frozen=True)
class StaffDetail:
    line: RefillLine
    medication: Medication
    task: dict[str, Any]


def staff_detail(ctx: AccessContext, row: RefillRequest) -> StaffDetail:
    try:
        task = repository.read(ctx, "Task", row.task_id).content or {}
        patient = repository.read(ctx, "Patient", row.patient_id).content or {}
    except FhirError as error:
        raise Http404("No such request") from error
    medication = access_medication(ctx, row.patient_id, row.medication_request_id)
    line = _line(row, task, facts_of(row.patient_id, patient).name)
    return StaffDetail(line, medication, task)
