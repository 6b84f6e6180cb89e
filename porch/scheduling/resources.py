"""The FHIR shape of scheduling: Schedule, Slot and Appointment resources."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from porch.scheduling.models import Slot, VisitType

VISIT_TYPE_SYSTEM = "https://porch.health/fhir/CodeSystem/visit-type"


def instant(moment: datetime) -> str:
    """An aware datetime as a FHIR instant in UTC."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def visit_type_concept(visit_type: VisitType) -> dict[str, Any]:
    return {
        "coding": [
            {"system": VISIT_TYPE_SYSTEM, "code": visit_type.slug, "display": visit_type.name}
        ]
    }


def schedule(practitioner_id: str, location: str) -> dict[str, Any]:
    return {
        "resourceType": "Schedule",
        "active": True,
        "actor": [{"reference": f"Practitioner/{practitioner_id}"}, {"display": location}],
    }


def slot(row: Slot, *, status: str) -> dict[str, Any]:
    """`status`: free, busy or busy-unavailable."""
    return {
        "resourceType": "Slot",
        "id": row.fhir_id,
        "schedule": {"reference": f"Schedule/{row.schedule.fhir_id}"},
        "serviceType": [visit_type_concept(row.visit_type)],
        "status": status,
        "start": instant(row.starts_at),
        "end": instant(row.ends_at),
    }


def appointment(
    fhir_id: str, row: Slot, patient_id: str, *, created: datetime, status: str = "booked"
) -> dict[str, Any]:
    return {
        "resourceType": "Appointment",
        "id": fhir_id,
        "status": status,
        "serviceType": [visit_type_concept(row.visit_type)],
        "start": instant(row.starts_at),
        "end": instant(row.ends_at),
        "minutesDuration": row.visit_type.minutes,
        "slot": [{"reference": f"Slot/{row.fhir_id}"}],
        "created": instant(created),
        "participant": [
            {"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"},
            {"actor": {"reference": f"Practitioner/{row.practitioner_id}"}, "status": "accepted"},
            {"actor": {"display": row.location}, "status": "accepted"},
        ],
    }


def moved(content: dict[str, Any], row: Slot) -> dict[str, Any]:
    """The appointment at a new slot (same id, same patient)."""
    return {
        **content,
        "start": instant(row.starts_at),
        "end": instant(row.ends_at),
        "minutesDuration": row.visit_type.minutes,
        "serviceType": [visit_type_concept(row.visit_type)],
        "slot": [{"reference": f"Slot/{row.fhir_id}"}],
        "participant": [
            p
            for p in content.get("participant") or []
            # The patient, and a proxy who asked for it (a request's RelatedPerson), stay.
            if str((p.get("actor") or {}).get("reference", "")).startswith(
                ("Patient/", "RelatedPerson/")
            )
        ]
        + [
            {"actor": {"reference": f"Practitioner/{row.practitioner_id}"}, "status": "accepted"},
            {"actor": {"display": row.location}, "status": "accepted"},
        ],
    }


def cancelled(content: dict[str, Any], reason: str) -> dict[str, Any]:
    return {**content, "status": "cancelled", "cancelationReason": {"text": reason}}


def proposed(
    fhir_id: str,
    visit_type: VisitType,
    patient_id: str,
    *,
    practitioner_id: str,
    note: str,
    times: str,
    requester: dict[str, Any] | None,
    created: datetime,
) -> dict[str, Any]:
    """A patient's request for a visit staff book: no time yet. `note` (what it is about)
    is reasonCode.text, `times` (preferred days and times) the comment; a preferred
    clinician and a proxy who asked (their RelatedPerson) are participants."""
    participants: list[dict[str, Any]] = [
        {"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"}
    ]
    if requester is not None:
        participants.append({"actor": requester, "status": "accepted"})
    if practitioner_id:
        participants.append(
            {
                "actor": {"reference": f"Practitioner/{practitioner_id}"},
                "required": "optional",
                "status": "needs-action",
            }
        )
    content: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": fhir_id,
        "status": "proposed",
        "serviceType": [visit_type_concept(visit_type)],
        "minutesDuration": visit_type.minutes,
        "created": instant(created),
        "participant": participants,
    }
    if note:
        content["reasonCode"] = [{"text": note}]
    if times:
        content["comment"] = times
    return content


def booked(content: dict[str, Any], row: Slot) -> dict[str, Any]:
    """A proposed appointment booked at `row`: the same Appointment, now with a time."""
    return {**moved(content, row), "status": "booked"}
