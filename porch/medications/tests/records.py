"""The refill test data: the access cast (porch.access.tests.records), messaging's two
pools (Dr. Cruz in "Nurses", Fran in "Front desk"), and:

- prescriptions (MedicationRequest, fixed ids): Ana's active lisinopril `med-ana` and
  amlodipine `med-ana-2` written by Dr. Cruz, her stopped one `med-ana-stopped`, her
  active Percocet `med-ana-oxy` (a controlled substance), and `med-ana-locum` written by a
  locum with no Porch account; Teo's ordinary `med-teo` and his restricted (teen-
  confidential) `med-teo-private`; Elda's `med-elda`; Mallory's `med-mallory`;
- two pharmacies, `pharm-main` and `pharm-corner`;
- the clinic's rule "Controlled substances" (Percocet's RxNorm code → visit needed).
"""

from __future__ import annotations

from typing import Any

from django.test import Client

from porch.access.tests.records import CONFIDENTIALITY, create
from porch.medications import resources
from porch.medications.models import RXNORM, RefillRequest, RefillRule

LISINOPRIL = ("314076", "lisinopril 10 MG Oral Tablet")
AMLODIPINE = ("308136", "amLODIPine 2.5 MG Oral Tablet")
PERCOCET = ("1049625", "Acetaminophen 325 MG / Oxycodone Hydrochloride 10 MG Oral Tablet")
SERTRALINE = ("312940", "sertraline 50 MG Oral Tablet")


def prescription(
    patient_id: str,
    drug: tuple[str, str],
    *,
    status: str = "active",
    prescriber: str = "pr-cruz",
    **extra: Any,
) -> dict[str, Any]:
    code, name = drug
    return {
        "resourceType": "MedicationRequest",
        "status": status,
        "intent": "order",
        "subject": {"reference": f"Patient/{patient_id}"},
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": code, "display": name}],
            "text": name,
        },
        "requester": {"reference": f"Practitioner/{prescriber}"},
        "authoredOn": "2025-01-10",
        "dosageInstruction": [{"text": "One tablet a day"}],
        "dispenseRequest": {"quantity": {"value": 30}, "numberOfRepeatsAllowed": 2},
        **extra,
    }


def build_medications() -> None:
    create(prescription("ana", LISINOPRIL), "med-ana")
    create(prescription("ana", AMLODIPINE), "med-ana-2")
    create(prescription("ana", LISINOPRIL, status="stopped"), "med-ana-stopped")
    create(prescription("ana", PERCOCET), "med-ana-oxy")
    create(prescription("ana", AMLODIPINE, prescriber="pr-locum"), "med-ana-locum")
    create(prescription("teo", AMLODIPINE), "med-teo")
    restricted = {"security": [{"system": CONFIDENTIALITY, "code": "R"}]}
    create(prescription("teo", SERTRALINE, meta=restricted), "med-teo-private")
    create(prescription("elda", LISINOPRIL), "med-elda")
    create(prescription("mallory", LISINOPRIL), "med-mallory")
    system, code = resources.PHARMACY_TYPE
    for fhir_id, name in (("pharm-main", "Main Street Pharmacy"), ("pharm-corner", "Corner Drugs")):
        create(
            {
                "resourceType": "Organization",
                "name": name,
                "type": [{"coding": [{"system": system, "code": code}]}],
                "address": [{"line": ["1 Main Street"], "city": "Springfield"}],
            },
            fhir_id,
        )
    RefillRule.objects.create(
        name="Controlled substances",
        codes=PERCOCET[0],
        reason="Pain medicines of this kind are renewed at a visit.",
        visit_type="follow-up",
    )


def ask(client: Client, medication_id: str, **fields: Any) -> Any:
    """Opens the request form (for its key) and sends it; defaults: Main Street, a note."""
    page = client.get(f"/medications/{medication_id}/refill/")
    key = page.context["form"].initial["form_key"] if page.status_code == 200 else "x"
    data = {"pharmacy": "pharm-main", "note": "Running out on Friday", "form_key": key, **fields}
    return client.post(f"/medications/{medication_id}/refill/", data)


def latest() -> RefillRequest:
    found = RefillRequest.objects.order_by("-pk").first()
    assert found is not None
    return found
