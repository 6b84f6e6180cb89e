"""Reads for the chart pages. Every function takes the access context first and reads
only through the record repository, which applies the context in SQL and writes the
audit log. Each section is one search, so a page makes the same number of queries for a
small record and a large one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from django.http import Http404

from porch.access.context import AccessContext
from porch.chart import fhirtext as ft
from porch.chart.vitals import Vital, vitals
from porch.record import repository
from porch.record.errors import FhirError
from porch.record.search import SearchResult
from porch.results import display

SECTION_SIZE = 100
VISITS_PAGE = 25


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


def search_record(
    ctx: AccessContext, resource_type: str, params: list[tuple[str, str]], size: int = SECTION_SIZE
) -> SearchResult:
    """One page of `size` matches, uncounted: a section of a page is one search."""
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
    vitals: list[Vital] = field(default_factory=list)
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
    result = search_record(
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
    """Active MedicationRequests, newest first, with prescriber and medication included,
    and when each was last filled (see last_filled)."""
    result = search_record(
        ctx,
        "MedicationRequest",
        [
            ("status", "active"),
            ("_sort", "-authoredon"),
            ("_include", "MedicationRequest:requester"),
            ("_include", "MedicationRequest:medication"),
            # The dispenses made against these prescriptions (authorizingPrescription).
            ("_revinclude", "MedicationDispense:prescription"),
            *period.params("authoredon"),
        ],
    )
    included = _included(result)
    requests = [s.content or {} for s in result.matches]
    dispenses = [
        r.content for r in result.included if r.resource_type == "MedicationDispense" and r.content
    ]
    filled = last_filled(
        requests, [*dispenses, *_same_medication(ctx, requests, included)], included
    )
    return [
        {**medication_row(content, included), "last_filled": filled.get(str(content.get("id")))}
        for content in requests
    ]


# The most dispenses of the active medications read to find the last fills, newest
# first: years of monthly fills of each.
DISPENSE_WINDOW = 500


def _medication_codes(
    content: dict[str, Any], included: dict[str, dict[str, Any]]
) -> set[tuple[str, str]]:
    """(system, code) of a request's or a dispense's medication, from the included
    Medication when it is a reference."""
    concept = content.get("medicationCodeableConcept")
    ref = content.get("medicationReference")
    if concept is None and isinstance(ref, dict):
        concept = included.get(str(ref.get("reference") or ""), {}).get("code")
    return set(display.codings(concept))


def _same_medication(
    ctx: AccessContext, requests: list[dict[str, Any]], included: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Completed dispenses of the active medications' codes, whichever prescription they
    were for: one search for them all."""
    codes = sorted(set().union(*(_medication_codes(r, included) for r in requests)))
    if not codes:
        return []
    value = ",".join(f"{_escaped(system)}|{_escaped(code)}" for system, code in codes)
    result = search_record(
        ctx,
        "MedicationDispense",
        [("code", value), ("status", "completed"), ("_sort", "-whenhandedover")],
        DISPENSE_WINDOW,
    )
    return [s.content for s in result.matches if s.content]


def _escaped(value: str) -> str:
    return re.sub(r"([\\,|$])", r"\\\1", value)


def last_filled(
    requests: list[dict[str, Any]],
    dispenses: list[dict[str, Any]],
    included: dict[str, dict[str, Any]],
) -> dict[str, datetime]:
    """For each request id, the latest whenHandedOver of the completed dispenses made
    against it or of the same medication (a code in common)."""
    handed: list[tuple[datetime, set[str], set[tuple[str, str]]]] = []
    for dispense in dispenses:
        when = display.moment(dispense.get("whenHandedOver"))
        # Only a medication handed over counts as filled.
        if dispense.get("status") != "completed" or when is None:
            continue
        prescriptions = {
            str(ref.get("reference") or "")
            for ref in dispense.get("authorizingPrescription") or []
            if isinstance(ref, dict)
        }
        handed.append((when, prescriptions, _medication_codes(dispense, included)))
    found: dict[str, datetime] = {}
    for request in requests:
        request_id = str(request.get("id"))
        codes = _medication_codes(request, included)
        times = [
            when
            for when, prescriptions, dispensed in handed
            if f"MedicationRequest/{request_id}" in prescriptions or codes & dispensed
        ]
        if times:
            found[request_id] = max(times)
    return found


def allergies(ctx: AccessContext, period: Period = ALL_TIME) -> list[dict[str, Any]]:
    result = search_record(ctx, "AllergyIntolerance", [("_sort", "-date"), *period.params("date")])
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
    result = search_record(ctx, "Immunization", [("_sort", "-date"), *period.params("date")])
    return [
        {
            "vaccine": ft.concept((s.content or {}).get("vaccineCode")),
            "date": ft.first_date(s.content or {}, "occurrenceDateTime"),
            "status": (s.content or {}).get("status", ""),
        }
        for s in result.matches
    ]


def procedures(ctx: AccessContext, period: Period = ALL_TIME) -> list[dict[str, Any]]:
    result = search_record(ctx, "Procedure", [("_sort", "-date"), *period.params("date")])
    return [procedure_row(s.content or {}) for s in result.matches]


def procedure_row(content: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": ft.concept(content.get("code")),
        "date": ft.first_date(content, "performedDateTime", "performedPeriod"),
        "status": content.get("status", ""),
    }


def care_plans(ctx: AccessContext, period: Period = ALL_TIME) -> list[dict[str, Any]]:
    result = search_record(
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
    result = search_record(ctx, "Goal", [("_sort", "-start-date"), *period.params("start-date")])
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
    result = search_record(
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
    diagnoses = [problem_row(s.content or {}) for s in search_record(ctx, "Condition", on).matches]
    orders: list[dict[str, Any]] = []
    meds = search_record(
        ctx, "MedicationRequest", [*on, ("_include", "MedicationRequest:medication")]
    )
    for stored in meds.matches:
        row = medication_row(stored.content or {}, _included(meds))
        orders.append({"kind": "medication", "name": row["name"], "detail": row["dosage"]})
    for stored in search_record(ctx, "ServiceRequest", on).matches:
        orders.append(
            {
                "kind": "service",
                "name": ft.concept((stored.content or {}).get("code")),
                "detail": "",
            }
        )
    for stored in search_record(ctx, "Procedure", on).matches:
        row = procedure_row(stored.content or {})
        orders.append({"kind": "procedure", "name": row["name"], "detail": ""})
    documents = search_record(ctx, "DocumentReference", [*on, ("_sort", "-date")])
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
