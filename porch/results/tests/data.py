"""Results test data on top of the access cast (porch.access.tests.records.build_cast).

Ana: a blood panel "panel" (hemoglobin normal, glucose high, potassium low, with a
conclusion), glucose measured on 4 earlier dates, a "bmp" report whose sodium was
corrected from 140 to 135, and an HIV test report "hiv" (held when RESULT_RELEASE_HELD_CODES
lists 75622-1). Teo: a confidential Chlamydia test report "chlamydia" and an ordinary
"teo-panel". Mallory: one report of her own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from porch.access.context import AccessContext
from porch.record import repository

LOINC = "http://loinc.org"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
HIV_CODE = "75622-1"
CHLAMYDIA_CODE = "43304-5"  # seeded confidential (access migration 0004)


def system() -> AccessContext:
    return AccessContext.system(actor="system:test", purpose="test")


def at(days_ago: int) -> str:
    return (timezone.now() - timedelta(days=days_ago)).replace(microsecond=0).isoformat()


def observation(
    patient: str,
    code: str,
    name: str,
    value: float,
    unit: str,
    when: str,
    *,
    low: float | None = None,
    high: float | None = None,
    flag: str = "",
    status: str = "final",
    **extra: Any,
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": status,
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": code, "display": name}], "text": name},
        "subject": {"reference": f"Patient/{patient}"},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit},
        **extra,
    }
    if low is not None or high is not None:
        rng: dict[str, Any] = {}
        if low is not None:
            rng["low"] = {"value": low, "unit": unit}
        if high is not None:
            rng["high"] = {"value": high, "unit": unit}
        resource["referenceRange"] = [rng]
    if flag:
        resource["interpretation"] = [{"coding": [{"system": INTERPRETATION, "code": flag}]}]
    return resource


def create(resource: dict[str, Any], fhir_id: str | None = None) -> str:
    return repository.create(system(), resource, fhir_id=fhir_id).stored.id


def report(
    patient: str,
    code: str,
    name: str,
    when: str,
    results: list[str],
    fhir_id: str,
    *,
    section: str = "LAB",
    **extra: Any,
) -> str:
    return create(
        {
            "resourceType": "DiagnosticReport",
            "status": "final",
            "category": [{"coding": [{"system": V2_0074, "code": section}]}],
            "code": {"coding": [{"system": LOINC, "code": code, "display": name}], "text": name},
            "subject": {"reference": f"Patient/{patient}"},
            "effectiveDateTime": when,
            "issued": when,
            "result": [{"reference": f"Observation/{r}"} for r in results],
            **extra,
        },
        fhir_id,
    )


def build_results() -> None:
    today = at(1)
    obs = [
        create(
            observation(
                "ana", "718-7", "Hemoglobin", 13.5, "g/dL", today, low=12, high=16, flag="N"
            )
        ),
        create(
            observation(
                "ana", "2345-7", "Glucose", 110.5, "mg/dL", today, low=70, high=99, flag="H"
            )
        ),
        create(
            observation(
                "ana", "2823-3", "Potassium", 3.1, "mmol/L", today, low=3.5, high=5.1, flag="L"
            )
        ),
    ]
    report(
        "ana",
        "24323-8",
        "Metabolic panel",
        today,
        obs,
        "panel",
        conclusion="Your sugar is a little high.",
    )
    for days, value in ((400, 92), (300, 95), (200, 101), (100, 104)):
        create(observation("ana", "2345-7", "Glucose", value, "mg/dL", at(days), low=70, high=99))
    sodium = create(
        observation("ana", "2951-2", "Sodium", 140, "mmol/L", at(10), low=136, high=145)
    )
    corrected = observation(
        "ana",
        "2951-2",
        "Sodium",
        135,
        "mmol/L",
        at(10),
        low=136,
        high=145,
        flag="L",
        status="corrected",
    )
    repository.update(system(), "Observation", sodium, {**corrected, "id": sodium})
    report("ana", "51990-0", "Basic metabolic panel", at(10), [sodium], "bmp")
    hiv = create(
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": LOINC, "code": HIV_CODE}], "text": "HIV test"},
            "subject": {"reference": "Patient/ana"},
            "effectiveDateTime": today,
            "valueCodeableConcept": {"text": "Negative"},
        }
    )
    report("ana", HIV_CODE, "HIV test", today, [hiv], "hiv")
    chl = create(observation("teo", CHLAMYDIA_CODE, "Chlamydia test", 0, "1", today))
    report("teo", CHLAMYDIA_CODE, "Chlamydia test", today, [chl], "chlamydia")
    hb = create(observation("teo", "718-7", "Hemoglobin", 14, "g/dL", today, low=12, high=16))
    report("teo", "58410-2", "Blood count", today, [hb], "teo-panel")
    mal = create(observation("mallory", "718-7", "Hemoglobin", 12, "g/dL", today))
    report("mallory", "58410-2", "Blood count", today, [mal], "mallory-panel")


def reports_for(patient: str, n: int, start: datetime | None = None) -> None:
    """`n` one-value lab reports for `patient`, a day apart."""
    start = start or timezone.now()
    for i in range(n):
        when = (start - timedelta(days=i + 1)).replace(microsecond=0).isoformat()
        o = create(observation(patient, "718-7", "Hemoglobin", 13 + i / 10, "g/dL", when))
        report(patient, "58410-2", "Blood count", when, [o], f"{patient}-bulk-{i}")
