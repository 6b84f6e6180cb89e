"""Reads of the audit log: a patient's "who has looked at my record", and the staff report.

The log holds no clinical content, but it says whose record was opened and what kind of
entry was looked at, so each read here is scoped: a patient or proxy sees the events of
the record their access context has open, within what that context may read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from porch.access.context import AccessContext
from porch.audit.models import AuditEvent
from porch.record.errors import FhirError
from porch.record.search import match_ids
from porch.record.searchparams import supported_resource_types

# How many ids go into one `_id=a,b,c` lookup.
_ID_CHUNK = 500
# Purposes under which a person reads their own or a family member's record.
PATIENT_FACING_PURPOSES = frozenset({"patient-access", "proxy-access"})


def record_activity(ctx: AccessContext, patient_id: str) -> QuerySet[AuditEvent]:
    """Events about `patient_id`'s record that `ctx` may see, newest first.

    Preconditions: `patient_id` is one of the context's patients (the caller checks it).
    For a context that must not see the patient's confidential entries (a parent of a
    teen), events naming a resource it cannot read now are left out: confidential
    entries, and also deleted ones, since nobody can tell any more whether they were
    confidential.
    """
    events = AuditEvent.objects.filter(patient_id=patient_id).order_by("-at", "-pk")
    if patient_id not in ctx.confidential_hidden:
        return events
    for resource_type, ids in _named_resources(events).items():
        hidden = ids - _readable_ids(ctx, resource_type, ids)
        if hidden:
            events = events.exclude(resource_type=resource_type, resource_id__in=sorted(hidden))
    return events


def _named_resources(events: QuerySet[AuditEvent]) -> dict[str, set[str]]:
    named: dict[str, set[str]] = {}
    pairs = events.exclude(resource_id="").values_list("resource_type", "resource_id").distinct()
    for resource_type, resource_id in pairs.order_by():
        named.setdefault(resource_type, set()).add(resource_id)
    return named


def _readable_ids(ctx: AccessContext, resource_type: str, ids: set[str]) -> set[str]:
    """Of `ids`, those the context may read now (no audit event: nothing is shown)."""
    if resource_type not in supported_resource_types():
        return set()
    readable: set[str] = set()
    ordered = sorted(ids)
    for start in range(0, len(ordered), _ID_CHUNK):
        chunk = ",".join(ordered[start : start + _ID_CHUNK])
        try:
            found = match_ids(ctx, resource_type, [("_id", chunk)])
        except FhirError:  # an id the store could never hold is not readable
            continue
        readable.update(found.values_list("fhir_id", flat=True))
    return readable


@dataclass(frozen=True)
class ReportFilters:
    """What the staff audit report narrows to; every field optional."""

    patient_id: str = ""
    user_id: int | None = None
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    break_glass_only: bool = False


def report_events(filters: ReportFilters) -> QuerySet[AuditEvent]:
    """Events matching the filters, newest first. For administrators (the view checks)."""
    events = AuditEvent.objects.all()
    condition = Q()
    if filters.patient_id:
        condition &= Q(patient_id=filters.patient_id) | Q(acting_for=filters.patient_id)
    if filters.user_id is not None:
        condition &= Q(user_id=filters.user_id)
    if filters.action:
        condition &= Q(action=filters.action)
    if filters.date_from is not None:
        condition &= Q(at__gte=_start_of(filters.date_from))
    if filters.date_to is not None:
        # The whole of the last day counts.
        condition &= Q(at__lt=_start_of(filters.date_to + timedelta(days=1)))
    if filters.break_glass_only:
        condition &= Q(break_glass=True) | Q(action="break-glass")
    return events.filter(condition).order_by("-at", "-pk")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
