"""Clinical entries for the chart tests (summary, vitals, medications and their dispenses,
visits, notes), written with the system context."""

from __future__ import annotations

import base64
from typing import Any

from porch.access.tests.records import SNOMED, create

LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
WEIGHT, BMI, HEART_RATE = "29463-7", "39156-5", "8867-4"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"


def _ref(patient_id: str) -> dict[str, str]:
    return {"reference": f"Patient/{patient_id}"}


def _b64(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return base64.b64encode(raw).decode()


def vital(patient_id: str, code: str, when: str, **value: Any) -> str:
    return create(
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": LOINC, "code": code}]},
            "subject": _ref(patient_id),
            "effectiveDateTime": when,
            **value,
        }
    )


def blood_pressure(patient_id: str, when: str, systolic: int, diastolic: int) -> str:
    def part(code: str, value: int) -> dict[str, Any]:
        return {
            "code": {"coding": [{"system": LOINC, "code": code}]},
            "valueQuantity": {"value": value, "unit": "mmHg"},
        }

    return vital(
        patient_id, "85354-9", when, component=[part("8480-6", systolic), part("8462-4", diastolic)]
    )


def summary_entries(patient_id: str, n: int = 1) -> None:
    """`n` of each summary entry, dated a year apart from 2020 on."""
    for i in range(n):
        year = 2020 + i
        create(
            {
                "resourceType": "Condition",
                "subject": _ref(patient_id),
                "clinicalStatus": {"coding": [{"system": CLINICAL, "code": "active"}]},
                "code": {"text": f"Asthma {i}"},
                "recordedDate": f"{year}-01-02",
            }
        )
        create(
            {
                "resourceType": "Condition",
                "subject": _ref(patient_id),
                "clinicalStatus": {"coding": [{"system": CLINICAL, "code": "resolved"}]},
                "code": {"text": f"Sprained ankle {i}"},
                "recordedDate": f"{year}-03-02",
            }
        )
        create(
            {
                "resourceType": "MedicationRequest",
                "status": "active",
                "intent": "order",
                "subject": _ref(patient_id),
                "medicationCodeableConcept": {"text": f"Albuterol {i}"},
                "requester": {"reference": "Practitioner/pr-cruz"},
                "authoredOn": f"{year}-01-02",
                "dosageInstruction": [
                    {
                        "doseAndRate": [{"doseQuantity": {"value": 2, "unit": "puffs"}}],
                        "timing": {"repeat": {"frequency": 4, "period": 1, "periodUnit": "d"}},
                    }
                ],
            }
        )
        create(
            {
                "resourceType": "AllergyIntolerance",
                "patient": _ref(patient_id),
                "code": {"text": f"Peanuts {i}"},
                "recordedDate": f"{year}-01-02",
                "reaction": [{"manifestation": [{"text": "Hives"}], "severity": "moderate"}],
            }
        )
        create(
            {
                "resourceType": "Immunization",
                "status": "completed",
                "patient": _ref(patient_id),
                "vaccineCode": {"text": f"Influenza {i}"},
                "occurrenceDateTime": f"{year}-10-01",
            }
        )
        blood_pressure(patient_id, f"{year}-05-01T10:00:00Z", 120 + i, 80)
        vital(
            patient_id,
            "29463-7",
            f"{year}-05-01T10:00:00Z",
            valueQuantity={"value": 70 + i, "unit": "kg"},
        )
        create(
            {
                "resourceType": "Procedure",
                "status": "completed",
                "subject": _ref(patient_id),
                "code": {"text": f"Appendectomy {i}"},
                "performedDateTime": f"{year}-06-01",
            }
        )
        create(
            {
                "resourceType": "CarePlan",
                "status": "active",
                "intent": "plan",
                "subject": _ref(patient_id),
                "title": f"Asthma plan {i}",
                "period": {"start": f"{year}-01-02"},
            }
        )
        create(
            {
                "resourceType": "Goal",
                "lifecycleStatus": "active",
                "subject": _ref(patient_id),
                "description": {"text": f"Walk daily {i}"},
                "startDate": f"{year}-01-02",
            }
        )


def encounter(patient_id: str, when: str, text: str = "Check-up") -> str:
    return create(
        {
            "resourceType": "Encounter",
            "status": "finished",
            "class": {"code": "AMB"},
            "type": [{"text": text}],
            "subject": _ref(patient_id),
            "period": {"start": when, "end": when},
            "participant": [{"individual": {"display": "Dr. Ada Cruz"}}],
        }
    )


def note(patient_id: str, encounter_id: str, content_type: str, data: str | bytes) -> str:
    return create(
        {
            "resourceType": "DocumentReference",
            "status": "current",
            "subject": _ref(patient_id),
            "type": {"text": "Progress note"},
            "date": "2024-02-03T10:00:00Z",
            "context": {"encounter": [{"reference": f"Encounter/{encounter_id}"}]},
            "content": [{"attachment": {"contentType": content_type, "data": _b64(data)}}],
        }
    )


def visit_condition(patient_id: str, encounter_id: str) -> str:
    return create(
        {
            "resourceType": "Condition",
            "subject": _ref(patient_id),
            "encounter": {"reference": f"Encounter/{encounter_id}"},
            "code": {
                "coding": [{"system": SNOMED, "code": "444814009", "display": "Viral sinusitis"}]
            },
        }
    )


def weight(patient_id: str, year: int, kg: float, **extra: Any) -> str:
    return vital(
        patient_id,
        WEIGHT,
        f"{year}-05-01T10:00:00Z",
        valueQuantity={"value": kg, "unit": "kg"},
        **extra,
    )


def every_vital(patient_id: str, years: int) -> None:
    """A reading of each of the four vitals once a year from 1990 on."""
    for i in range(years):
        when = f"{1990 + i}-05-01T10:00:00Z"
        blood_pressure(patient_id, when, 120 + i, 80 - i % 5)
        vital(patient_id, WEIGHT, when, valueQuantity={"value": 70 + i, "unit": "kg"})
        vital(patient_id, BMI, when, valueQuantity={"value": 24.5, "unit": "kg/m2"})
        vital(patient_id, HEART_RATE, when, valueQuantity={"value": 60 + i, "unit": "/min"})


def medication_request(
    patient_id: str, name: str, code: str, status: str = "active", **extra: Any
) -> str:
    medication = (
        {}
        if "medicationReference" in extra
        else {
            "medicationCodeableConcept": {
                "coding": [{"system": RXNORM, "code": code}],
                "text": name,
            }
        }
    )
    return create(
        {
            "resourceType": "MedicationRequest",
            "status": status,
            "intent": "order",
            "subject": {"reference": f"Patient/{patient_id}"},
            "authoredOn": "2023-01-02",
            **medication,
            **extra,
        }
    )


def dispense(
    patient_id: str,
    when: str,
    code: str = "",
    prescription: str = "",
    status: str = "completed",
    **extra: Any,
) -> str:
    resource: dict[str, Any] = {
        "resourceType": "MedicationDispense",
        "status": status,
        "subject": {"reference": f"Patient/{patient_id}"},
        "whenHandedOver": when,
        **extra,
    }
    if code:
        resource["medicationCodeableConcept"] = {"coding": [{"system": RXNORM, "code": code}]}
    if prescription:
        resource["authorizingPrescription"] = [{"reference": f"MedicationRequest/{prescription}"}]
    return create(resource)
