"""Reads for the chart pages. Every function takes the access context first and reads
only through the record repository, which applies the context in SQL and writes the
audit log. Each section is one search, so a page makes the same number of queries for a
small record and a large one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.http import Http404

from porch.access.context import AccessContext
from porch.access.rules import display_name
from porch.chart import fhirtext as ft
from porch.record import repository
from porch.record.errors import FhirError
from porch.record.search import SearchResult

LOINC = "http://loinc.org"
BLOOD_PRESSURE, SYSTOLIC, DIASTOLIC = "85354-9", "8480-6", "8462-4"
WEIGHT, BMI, HEART_RATE = "29463-7", "39156-5", "8867-4"
VITAL_CODES = (BLOOD_PRESSURE, WEIGHT, BMI, HEART_RATE)
# Enough for a long record's latest vitals in one search (newest first); see vitals().
VITALS_WINDOW = 200
SECTION_SIZE = 100
VISITS_PAGE = 25
_BIRTH_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Period:
    """A date range chosen by the patient; either end may be open."""

    start: date | None = None
    end: date | None = None

    def params(self, date_param: str | None) -> list[tuple[str, str]]:
        if date_param is None:
            return []
        found = []
        if self.start:
            found.append((date_param, f"ge{self.start.isoformat()}"))
        if self.end:
            found.append((date_param, f"le{self.end.isoformat()}"))
        return found


ALL_TIME = Period()


def open_record(ctx: AccessContext) -> AccessContext:
    """The context narrowed to the open record (never widened). Raises Http404 when no
    record is open."""
    patient_id = ctx.acting_for
    # No open record: nothing to show.
    if not patient_id:
        raise Http404()
    # The open record must be one the context may read.
    if ctx.patient_ids is not None and patient_id not in ctx.patient_ids:
        raise Http404()
    return replace(ctx, patient_ids=frozenset({patient_id}))


def _search(
    ctx: AccessContext, resource_type: str, params: list[tuple[str, str]], size: int = SECTION_SIZE
) -> SearchResult:
    return repository.search(
        ctx, resource_type, [*params, ("_count", str(size)), ("_total", "none")], max_count=size
    )


def _included(result: SearchResult) -> dict[str, dict[str, Any]]:
    return {r.reference: r.content for r in result.included if r.content is not None}


# --- the health summary ----------------------------------------------------------------


@dataclass
class Summary:
    active_problems: list[dict[str, Any]] = field(default_factory=list)
    past_problems: list[dict[str, Any]] = field(default_factory=list)
    medications: list[dict[str, Any]] = field(default_factory=list)
    allergies: list[dict[str, Any]] = field(default_factory=list)
    immunizations: list[dict[str, Any]] = field(default_factory=list)
    vitals: list[dict[str, Any]] = field(default_factory=list)
    procedures: list[dict[str, Any]] = field(default_factory=list)
    care_plans: list[dict[str, Any]] = field(default_factory=list)
    goals: list[dict[str, Any]] = field(default_factory=list)
    care_team: list[dict[str, Any]] = field(default_factory=list)


def summary(ctx: AccessContext, period: Period = ALL_TIME) -> Summary:
    """The health summary of the record open in `ctx` (see open_record)."""
    found = Summary()
    found.active_problems, found.past_problems = problems(ctx, period)
    found.medications = medications(ctx, period)
    found.allergies = allergies(ctx, period)
    found.immunizations = immunizations(ctx, period)
    found.vitals = vitals(ctx, period)
    found.procedures = procedures(ctx, period)
    found.care_plans = care_plans(ctx, period)
    found.goals = goals(ctx, period)
    found.care_team = care_team(ctx, period)
    return found


_ACTIVE_CLINICAL = {"active", "recurrence", "relapse"}


def problem_row(content: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": content.get("id"),
        "name": ft.concept(content.get("code")),
        "onset": ft.first_date(content, "onsetDateTime", "onsetPeriod", "recordedDate"),
        "ended": ft.first_date(content, "abatementDateTime", "abatementPeriod"),
        "status": ft.concept(content.get("clinicalStatus")),
    }


def problems(
    ctx: AccessContext, period: Period = ALL_TIME
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(active, past) Conditions, newest first, by clinical status."""
    result = _search(
        ctx, "Condition", [("_sort", "-recorded-date"), *period.params("recorded-date")]
    )
    active: list[dict[str, Any]] = []
    past: list[dict[str, Any]] = []
    for stored in result.matches:
        content = stored.content or {}
        row = problem_row(content)
        (active if ft.codes(content.get("clinicalStatus")) & _ACTIVE_CLINICAL else past).append(row)
    return active, past


def medication_row(content: dict[str, Any], included: dict[str, dict[str, Any]]) -> dict[str, Any]:
    name = ft.concept(content.get("medicationCodeableConcept"))
    ref = content.get("medicationReference")
    if not name and isinstance(ref, dict):
        target = included.get(str(ref.get("reference") or ""), {})
        name = str(ref.get("display") or "") or ft.concept(target.get("code"))
    return {
        "id": content.get("id"),
        "name": name,
        "dosage": ft.dosage(content.get("dosageInstruction")),
        "prescriber": ft.reference_name(content.get("requester"), included),
        "authored": ft.when(content.get("authoredOn")),
        "status": content.get("status", ""),
    }


def medications(ctx: AccessContext, period: Period = ALL_TIME) -> list[dict[str, Any]]:
    """Active MedicationRequests, newest first, with prescriber and medication included."""
    result = _search(
        ctx,
        "MedicationRequest",
        [
            ("status", "active"),
            ("_sort", "-authoredon"),
            ("_include", "MedicationRequest:requester"),
            ("_include", "MedicationRequest:medication"),
            *period.params("authoredon"),
        ],
    )
    included = _included(result)
    return [medication_row(s.content or {}, included) for s in result.matches]


def allergies(ctx: AccessContext, period: Period = ALL_TIME) -> list[dict[str, Any]]:
    result = _search(ctx, "AllergyIntolerance", [("_sort", "-date"), *period.params("date")])
    rows = []
    for stored in result.matches:
        content = stored.content or {}
        reactions = [r for r in content.get("reaction") or [] if isinstance(r, dict)]
        rows.append(
            {
                "substance": ft.concept(content.get("code")),
                "reaction": "; ".join(ft.concepts(r.get("manifestation")) for r in reactions),
                "severity": ", ".join(str(r["severity"]) for r in reactions if r.get("severity"))
                or content.get("criticality", ""),
                "status": ft.concept(content.get("clinicalStatus")),
            }
        )
    return rows


def immunizations(ctx: AccessContext, period: Period = ALL_TIME) -> list[dict[str, Any]]:
    result = _search(ctx, "Immunization", [("_sort", "-date"), *period.params("date")])
    return [
        {
            "vaccine": ft.concept((s.content or {}).get("vaccineCode")),
            "date": ft.first_date(s.content or {}, "occurrenceDateTime"),
            "status": (s.content or {}).get("status", ""),
        }
        for s in result.matches
    ]


def vitals(ctx: AccessContext, period: Period = ALL_TIME) -> list[dict[str, Any]]:
    """The latest blood pressure, weight, BMI and heart rate. One search, newest first,
    over the last VITALS_WINDOW such readings: a vital not measured among those is left
    out (a trade for a fixed number of queries)."""
    codes = ",".join(f"{LOINC}|{code}" for code in VITAL_CODES)
    result = _search(
        ctx,
        "Observation",
        [("code", codes), ("_sort", "-date"), *period.params("date")],
        size=VITALS_WINDOW,
    )
    latest: dict[str, dict[str, Any]] = {}
    for stored in result.matches:
        content = stored.content or {}
        code = next((c for c in VITAL_CODES if c in ft.codes(content.get("code"))), None)
        if code is None or code in latest:
            continue
        latest[code] = {
            "code": code,
            "name": ft.concept(content.get("code")),
            "value": _vital_value(code, content),
            "date": ft.first_date(content, "effectiveDateTime", "effectivePeriod", "issued"),
        }
    return [latest[c] for c in VITAL_CODES if c in latest]


def _vital_value(code: str, content: dict[str, Any]) -> str:
    if code != BLOOD_PRESSURE:
        return ft.quantity(content.get("valueQuantity"))
    parts: dict[str, Any] = {}
    for component in content.get("component") or []:
        for part in (SYSTOLIC, DIASTOLIC):
            if part in ft.codes(component.get("code")):
                parts[part] = (component.get("valueQuantity") or {}).get("value")
    if parts.get(SYSTOLIC) is None or parts.get(DIASTOLIC) is None:
        return ""
    return f"{_number(parts[SYSTOLIC])}/{_number(parts[DIASTOLIC])} mmHg"


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def procedures(ctx: AccessContext, period: Period = ALL_TIME) -> list[dict[str, Any]]:
    result = _search(ctx, "Procedure", [("_sort", "-date"), *period.params("date")])
    return [procedure_row(s.content or {}) for s in result.matches]


def procedure_row(content: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": ft.concept(content.get("code")),
        "date": ft.first_date(content, "performedDateTime", "performedPeriod"),
        "status": content.get("status", ""),
    }


def care_plans(ctx: AccessContext, period: Period = ALL_TIME) -> list[dict[str, Any]]:
    result = _search(
        ctx, "CarePlan", [("status", "active"), ("_sort", "-date"), *period.params("date")]
    )
    rows = []
    for stored in result.matches:
        content = stored.content or {}
        activities = [
            ft.concept((a.get("detail") or {}).get("code"))
            for a in content.get("activity") or []
            if isinstance(a, dict)
        ]
        rows.append(
            {
                "name": str(content.get("title") or "") or ft.concepts(content.get("category")),
                "start": ft.first_date(content, "period"),
                "activities": [a for a in activities if a],
            }
        )
    return rows


def goals(ctx: AccessContext, period: Period = ALL_TIME) -> list[dict[str, Any]]:
    result = _search(ctx, "Goal", [("_sort", "-start-date"), *period.params("start-date")])
    return [
        {
            "name": ft.concept((s.content or {}).get("description")),
            "status": (s.content or {}).get("lifecycleStatus", ""),
            "start": ft.first_date(s.content or {}, "startDate"),
        }
        for s in result.matches
    ]


def care_team(ctx: AccessContext, period: Period = ALL_TIME) -> list[dict[str, Any]]:
    """Members of the active care teams, with the practitioners' names included."""
    result = _search(
        ctx,
        "CareTeam",
        [("status", "active"), ("_include", "CareTeam:participant"), *period.params("date")],
    )
    included = _included(result)
    rows = []
    for stored in result.matches:
        content = stored.content or {}
        for participant in content.get("participant") or []:
            if not isinstance(participant, dict):
                continue
            name = ft.reference_name(participant.get("member"), included)
            if name:
                rows.append(
                    {
                        "name": name,
                        "role": ft.concepts(participant.get("role")),
                        "team": str(content.get("name") or ""),
                    }
                )
    return rows


# --- visits ---------------------------------------------------------------------------


def encounter_row(content: dict[str, Any]) -> dict[str, Any]:
    locations = [
        loc.get("location") for loc in content.get("location") or [] if isinstance(loc, dict)
    ]
    people = [p.get("individual") for p in content.get("participant") or [] if isinstance(p, dict)]
    return {
        "id": content.get("id"),
        "type": ft.concepts(content.get("type")) or ft.concept(content.get("class")),
        "date": ft.first_date(content, "period"),
        "location": ", ".join(ft.reference_name(loc, {}) for loc in locations if loc)
        or ft.reference_name(content.get("serviceProvider"), {}),
        "provider": ", ".join(n for n in (ft.reference_name(p, {}) for p in people) if n),
        "reason": ft.concepts(content.get("reasonCode")),
    }


def visits(ctx: AccessContext, offset: int = 0) -> tuple[list[dict[str, Any]], bool]:
    """A page of Encounters, newest first, and whether older ones follow."""
    result = repository.search(
        ctx,
        "Encounter",
        [
            ("_sort", "-date"),
            ("_count", str(VISITS_PAGE)),
            ("_offset", str(offset)),
            ("_total", "none"),
        ],
    )
    return [encounter_row(s.content or {}) for s in result.matches], result.has_next


@dataclass
class Visit:
    encounter: dict[str, Any]
    diagnoses: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    notes: list[dict[str, Any]]


def access_encounter(ctx: AccessContext, encounter_id: str) -> dict[str, Any]:
    """The Encounter's content. Raises Http404 for a missing one and for one the context
    may not read, alike."""
    try:
        stored = repository.read(ctx, "Encounter", encounter_id)
    except FhirError as error:
        raise Http404() from error
    return stored.content or {}


def visit(ctx: AccessContext, encounter_id: str) -> Visit:
    content = access_encounter(ctx, encounter_id)
    on = [("encounter", f"Encounter/{encounter_id}")]
    diagnoses = [problem_row(s.content or {}) for s in _search(ctx, "Condition", on).matches]
    orders: list[dict[str, Any]] = []
    meds = _search(ctx, "MedicationRequest", [*on, ("_include", "MedicationRequest:medication")])
    for stored in meds.matches:
        row = medication_row(stored.content or {}, _included(meds))
        orders.append({"kind": "medication", "name": row["name"], "detail": row["dosage"]})
    for stored in _search(ctx, "ServiceRequest", on).matches:
        orders.append(
            {
                "kind": "service",
                "name": ft.concept((stored.content or {}).get("code")),
                "detail": "",
            }
        )
    for stored in _search(ctx, "Procedure", on).matches:
        row = procedure_row(stored.content or {})
        orders.append({"kind": "procedure", "name": row["name"], "detail": ""})
    documents = _search(ctx, "DocumentReference", [*on, ("_sort", "-date")])
    notes = [note_row(s.content or {}) for s in documents.matches]
    return Visit(encounter_row(content), diagnoses, orders, notes)


def note_row(content: dict[str, Any]) -> dict[str, Any]:
    from porch.chart import documents

    return {
        "id": content.get("id"),
        "title": ft.concept(content.get("type")) or str(content.get("description") or ""),
        "date": ft.when(content.get("date")),
        "parts": documents.parts(content),
    }


# --- clinicians' patient search --------------------------------------------------------


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
            result = _search(ctx, "Patient", [*criteria, ("_sort", "family")], size=50)
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
        result = _search(system_context(), "Patient", [("identifier", identifier)], size=2)
    except FhirError:
        return None
    # Only an unambiguous match names a patient.
    if len(result.matches) != 1 or result.matches[0].id in mine:
        return None
    return result.matches[0].id
