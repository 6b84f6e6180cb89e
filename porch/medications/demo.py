"""The demo clinic's refills: two pharmacies in the record's directory and the rule that
sends controlled substances (the opioids in the Synthea demo data) to "visit needed".

Called by porch.demo.users.ensure. Idempotent: the pharmacies have fixed ids (an update
with the same content writes nothing) and the rule is found by name.
"""

from __future__ import annotations

from porch.access.context import AccessContext
from porch.medications import resources
from porch.medications.models import RXNORM, RefillRule
from porch.record import repository

PHARMACIES = (
    ("demo-pharmacy-main", "Main Street Pharmacy", "12 Main Street"),
    ("demo-pharmacy-corner", "Corner Drugs", "240 Elm Avenue"),
)
# RxNorm codes of the controlled substances in the demo data: Percocet, meperidine,
# tramadol, fentanyl patch, hydrocodone.
CONTROLLED = ("1049625", "861467", "835603", "245134", "1860491")


def ensure(ctx: AccessContext) -> None:
    system, code = resources.PHARMACY_TYPE
    for fhir_id, name, street in PHARMACIES:
        repository.update(
            ctx,
            "Organization",
            fhir_id,
            {
                "resourceType": "Organization",
                "id": fhir_id,
                "active": True,
                "name": name,
                "type": [{"coding": [{"system": system, "code": code, "display": "Pharmacy"}]}],
                "address": [{"line": [street], "city": "Springfield", "state": "MA"}],
            },
        )
    RefillRule.objects.get_or_create(
        name="Controlled substances",
        defaults={
            "system": RXNORM,
            "codes": "\n".join(CONTROLLED),
            "reason": (
                "Controlled pain medicines are renewed at a visit, where your clinician can "
                "check how you are doing."
            ),
            "visit_type": "follow-up",
        },
    )
