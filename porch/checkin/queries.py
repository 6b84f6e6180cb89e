"""Reads for check-in. Each takes the AccessContext first and reads the record only through
the record store (porch.record.repository / search), which applies the context in SQL
and writes the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from porch.access.context import AccessContext
from porch.audit import log
from porch.audit.models import Action
from porch.chart import fhirtext as ft
from porch.chart import queries as chart_queries
from porch.checkin.models import CheckIn, ReportedChange, VisitQuestionnaire
from porch.record import repository
from porch.record.errors import FhirError
from porch.results.queries import open_record, patient_facing
from porch.scheduling.queries import Visit, visit_of

# How many of the patient's allergies and coverages a check-in lists.
SECTION_SIZE = 50


class NotOpen(Exception):
    """Check-in is not open for this visit; the message says why, in words."""


def check_window(visit: Visit, now: datetime | None = None) -> None:
    """Raises NotOpen unless the visit is booked and now is within CHECKIN_OPENS_DAYS_BEFORE
    days before its start, up to the start itself."""
    now = now or timezone.now()
    # Only a booked visit can be checked in for (not proposed, cancelled, no-show, ...).
    if visit.status != "booked":
        raise NotOpen(_("This visit is not booked, so there is nothing to check in for."))
    # A visit without a start time cannot have a window.
    if visit.start is None:
        raise NotOpen(_("This visit has no time set yet."))
    opens = visit.start - timedelta(days=settings.CHECKIN_OPENS_DAYS_BEFORE)
    # Too early: check-in opens a set number of days before.
    if now < opens:
        raise NotOpen(
            _("Check-in opens %(days)s days before the visit, on %(date)s.")
            % {
                "days": settings.CHECKIN_OPENS_DAYS_BEFORE,
                "date": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M"),
            }
        )
    # Too late: the visit has started.
    if now >= visit.start:
        raise NotOpen(_("Check-in closed when the visit started."))


def patient_visit(ctx: AccessContext, fhir_id: str) -> tuple[AccessContext, Visit]:
    """The open record's Appointment `fhir_id`, and the context narrowed to that record.

    Raises Http404 when no record is open, the person is not a patient or proxy, or the
    Appointment is missing, not readable or not this patient's."""
    narrowed, patient_id = open_record(ctx)
    # Clinicians and staff have the staff page.
    if not patient_facing(narrowed):
        raise Http404("No such visit")
    return narrowed, _readable_visit(narrowed, fhir_id, patient_id)


def _readable_visit(ctx: AccessContext, fhir_id: str, patient_id: str | None) -> Visit:
    try:
        stored = repository.read(ctx, "Appointment", fhir_id)
    except FhirError as error:
        raise Http404("No such visit") from error
    visit = visit_of(fhir_id, stored.content or {})
    # A visit whose patient is someone else (another patient in the same compartment
    # cannot happen for a patient, but can for a clinician's wider context).
    if not visit.patient_id or (patient_id is not None and visit.patient_id != patient_id):
        raise Http404("No such visit")
    return visit


def staff_visit(ctx: AccessContext, fhir_id: str) -> Visit:
    """An Appointment of a patient the clinician cares for. Raises Http404 otherwise."""
    # Patients and proxies have their own page.
    if patient_facing(ctx):
        raise Http404("No such visit")
    # Staff with no patients (front desk, administrators) see no visit here.
    if ctx.patient_ids is not None and not ctx.patient_ids:
        raise Http404("No such visit")
    return _readable_visit(ctx, fhir_id, None)


def checkin_of(visit: Visit) -> CheckIn | None:
    return CheckIn.objects.filter(appointment_id=visit.id, patient_id=visit.patient_id).first()


def questionnaire_for(ctx: AccessContext, visit: Visit) -> dict[str, Any] | None:
    """The visit type's Questionnaire (a shared resource), or None when it asks none."""
    mapping = VisitQuestionnaire.objects.filter(visit_type=visit.visit_code).first()
    if mapping is None or not visit.visit_code:
        return None
    url, _bar, version = mapping.questionnaire.partition("|")
    params = [("url", url), ("_sort", "-_lastUpdated"), ("_total", "none")]
    if version:
        params.append(("version", version))
    found = repository.search(ctx, "Questionnaire", params, default_count=1, max_count=1).matches
    return found[0].content if found else None


@dataclass
class Record:
    """What the patient reviews at check-in."""

    phone: str = ""
    email: str = ""
    address: str = ""
    coverages: list[dict[str, str]] = field(default_factory=list)
    medications: list[dict[str, Any]] = field(default_factory=list)
    allergies: list[dict[str, str]] = field(default_factory=list)


def _telecom(patient: dict[str, Any], system: str) -> str:
    for point in patient.get("telecom") or []:
        if point.get("system") == system and point.get("value"):
            return str(point["value"])
    return ""


def address_text(address: dict[str, Any]) -> str:
    if address.get("text"):
        return str(address["text"])
    parts = [*address.get("line", []), address.get("city"), address.get("state")]
    text = ", ".join(str(p) for p in parts if p)
    return f"{text} {address.get('postalCode') or ''}".strip()


def record_to_review(ctx: AccessContext, patient_id: str) -> Record:
    """Contact details, insurance, active medications and allergies: four reads."""
    patient = repository.read(ctx, "Patient", patient_id).content or {}
    addresses = patient.get("address") or []
    record = Record(
        _telecom(patient, "phone"),
        _telecom(patient, "email"),
        address_text(addresses[0]) if addresses else "",
    )
    coverages = chart_queries.search_record(
        ctx, "Coverage", [("patient", patient_id), ("status", "active")], SECTION_SIZE
    ).matches
    for stored in coverages:
        content = stored.content or {}
        payors = ", ".join(str(p.get("display") or "") for p in content.get("payor") or [])
        record.coverages.append(
            {
                "id": stored.id,
                "name": payors or ft.concept(content.get("type")) or _("Insurance"),
                "member": str(content.get("subscriberId") or ""),
            }
        )
    record.medications = chart_queries.medications(ctx)
    allergies = chart_queries.search_record(
        ctx, "AllergyIntolerance", [("patient", patient_id), ("_sort", "-date")], SECTION_SIZE
    ).matches
    record.allergies = [
        {"id": s.id, "name": ft.concept((s.content or {}).get("code"))} for s in allergies
    ]
    return record


# The audit log's resource type for a ReportedChange row (health information kept outside
# the record store, so its reads and writes are logged here, not by the store).
REPORTED_CHANGE = "ReportedChange"


def reported(change: ReportedChange, patient_id: str) -> log.Access:
    return log.Access(patient_id, REPORTED_CHANGE, str(change.pk))


def changes_for(ctx: AccessContext, checkin: CheckIn | None) -> list[ReportedChange]:
    """What the patient reported at check-in; each one read is written to the audit log.
    Precondition: the check-in's visit was read with ctx."""
    if checkin is None:
        return []
    changes = list(checkin.changes.select_related("decided_by"))
    log.record(ctx, Action.READ, [reported(c, checkin.patient_id) for c in changes])
    return changes


def questionnaire_response(ctx: AccessContext, checkin: CheckIn | None) -> dict[str, Any] | None:
    if checkin is None or not checkin.questionnaire_response_id:
        return None
    try:
        stored = repository.read(ctx, "QuestionnaireResponse", checkin.questionnaire_response_id)
    except FhirError:
        return None
    return stored.content


def access_reported_change(ctx: AccessContext, pk: int) -> tuple[ReportedChange, Visit]:
    """A reported change of a visit the clinician may see. Raises Http404 for missing
    and not-theirs alike."""
    change = ReportedChange.objects.select_related("checkin").filter(pk=pk).first()
    # Missing: not found.
    if change is None:
        raise Http404("No such report")
    # Of a patient outside the context: not found (and the Appointment read decides too).
    if ctx.patient_ids is not None and change.checkin.patient_id not in ctx.patient_ids:
        raise Http404("No such report")
    return change, staff_visit(ctx, change.checkin.appointment_id)


def statuses(appointment_ids: list[str]) -> dict[str, CheckIn]:
    """The check-ins of these Appointments (absent: not started), in one query, for lists
    of visits. Precondition: the caller read the Appointments with its access context."""
    rows = CheckIn.objects.filter(appointment_id__in=appointment_ids)
    return {row.appointment_id: row for row in rows}
