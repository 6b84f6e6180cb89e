"""Small FHIR resources for tests, built in one place so every app's tests share them."""

from __future__ import annotations

from typing import Any


def patient(family: str = "Alvarez", **extra: Any) -> dict[str, Any]:
    return {"resourceType": "Patient", "name": [{"family": family, "given": ["Ana"]}], **extra}


def observation(patient_id: str, value: float = 120, **extra: Any) -> dict[str, Any]:
    """A systolic blood pressure reading of the patient."""
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": "2024-03-01T10:00:00Z",
        "valueQuantity": {
            "value": value,
            "unit": "mmHg",
            "system": "http://unitsofmeasure.org",
            "code": "mm[Hg]",
        },
        **extra,
    }
