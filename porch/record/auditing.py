"""What the record store writes to the audit log: one event per patient record touched.

Reads name the resource; a search names the type searched, once for each patient whose
record appeared in its results. Resources outside every patient compartment (Practitioner,
Organization) are not health information and are not logged.
"""

from __future__ import annotations

from collections.abc import Iterable

from porch.access.context import AccessContext
from porch.audit import log
from porch.audit.models import Action
from porch.record.models import Compartment
from porch.record.stored import StoredResource


def _patients_by_resource(
    ctx: AccessContext, refs: set[tuple[str, str]]
) -> dict[tuple[str, str], set[str]]:
    by_ref: dict[tuple[str, str], set[str]] = {}
    if not refs:
        return by_ref
    types = {t for t, _ in refs}
    ids = {i for _, i in refs}
    rows = Compartment.objects.filter(
        resource__resource_type__in=types, resource__fhir_id__in=ids
    ).values_list("resource__resource_type", "resource__fhir_id", "patient_id")
    for resource_type, fhir_id, patient_id in rows:
        if (resource_type, fhir_id) in refs:
            by_ref.setdefault((resource_type, fhir_id), set()).add(patient_id)
    return by_ref


def _visible_patients(ctx: AccessContext, patients: set[str]) -> set[str]:
    # Log against the records the context may open; a shared resource's other patients
    # (an Appointment with two) are not "looked at" by this reader.
    return patients if ctx.patient_ids is None else patients & ctx.patient_ids


def resources_touched(
    ctx: AccessContext, action: Action, resources: Iterable[StoredResource]
) -> None:
    """One event per (resource, patient) for a read or a write."""
    if not ctx.audited:
        return
    refs = {(r.resource_type, r.id) for r in resources}
    by_ref = _patients_by_resource(ctx, refs)
    accesses = [
        log.Access(patient, resource_type, fhir_id)
        for (resource_type, fhir_id), patients in sorted(by_ref.items())
        for patient in sorted(_visible_patients(ctx, patients))
    ]
    log.record(ctx, action, accesses)


def searched(ctx: AccessContext, resource_type: str, results: Iterable[StoredResource]) -> None:
    """One event per patient whose record appeared in a search's results."""
    if not ctx.audited:
        return
    refs = {(r.resource_type, r.id) for r in results}
    patients: set[str] = set()
    for found in _patients_by_resource(ctx, refs).values():
        patients |= _visible_patients(ctx, found)
    log.record(ctx, Action.SEARCH, [log.Access(p, resource_type) for p in sorted(patients)])
