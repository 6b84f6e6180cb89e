"""The clinicians' patient search: patients they care for, by name, birth date or
identifier, through the record repository with the clinician's context."""

from __future__ import annotations

import re
from dataclasses import dataclass

from porch.access.context import AccessContext
from porch.access.rules import display_name
from porch.chart.queries import search_record
from porch.record.errors import FhirError

_BIRTH_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class PatientHit:
    patient_id: str
    name: str
    birth_date: str


@dataclass
class PatientSearch:
    query: str
    hits: list[PatientHit]
    # An exact identifier match outside the clinician's patients: may break the glass.
    not_yours: str | None = None


def search_patients(ctx: AccessContext, query: str) -> PatientSearch:
    """Patients the clinician cares for (ctx.patient_ids) matching a name, a birth date
    (YYYY-MM-DD) or an identifier.

    When none matches, an exact identifier match among every patient is named by id only,
    so the clinician may break the glass. That tells a clinician a patient with that
    identifier exists, which the access rules accept for clinicians (docs/architecture/
    access.md); names and birth dates never reveal anyone outside their patients.
    """
    query = query.strip()[:100]
    if not query or ctx.patient_ids is None:
        return PatientSearch(query, [])
    params = (
        [[("birthdate", query)]]
        if _BIRTH_DATE.match(query)
        else [
            [("name", query)],
            [("identifier", query)],
        ]
    )
    hits: dict[str, PatientHit] = {}
    for criteria in params:
        try:
            result = search_record(ctx, "Patient", [*criteria, ("_sort", "family")], size=50)
        except FhirError:
            continue
        for stored in result.matches:
            content = stored.content or {}
            hits.setdefault(
                stored.id,
                PatientHit(stored.id, display_name(content), str(content.get("birthDate") or "")),
            )
    found = PatientSearch(query, sorted(hits.values(), key=lambda h: (h.name, h.patient_id)))
    if not hits and not _BIRTH_DATE.match(query):
        found.not_yours = _identifier_owner(query, ctx.patient_ids)
    return found


def _identifier_owner(identifier: str, mine: frozenset[str]) -> str | None:
    from porch.access.rules import system_context

    try:
        result = search_record(system_context(), "Patient", [("identifier", identifier)], size=2)
    except FhirError:
        return None
    # Only an unambiguous match names a patient.
    if len(result.matches) != 1 or result.matches[0].id in mine:
        return None
    return result.matches[0].id
