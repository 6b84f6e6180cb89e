"""The FHIR shapes of a refill request (a Task) and of its answers.

- The request: `Task` with intent order, status requested, code `refill` in TASK_SYSTEM,
  description = the medication's name, focus = the MedicationRequest, for = the Patient,
  requester = the Patient (or the proxy's RelatedPerson), owner = the prescriber
  (Practitioner) or the pool (an identifier in messaging's POOL_SYSTEM), authoredOn,
  lastModified, note = the patient's words, input `pharmacy` = the Organization.
- A confidential medication (a teen's) makes a confidential Task: meta.security
  v3-Confidentiality R, which the record store hides from a limited proxy.
- Approved: status completed, output `new-prescription` = the new MedicationRequest
  (whose priorPrescription is the old one; the old one becomes completed).
- Denied: status rejected, statusReason.text = the reason the patient reads.
- Visit needed: status rejected, businessStatus `visit-needed`, statusReason.text = the
  reason, output `book-visit` = the visit type to book.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from porch.messaging.resources import POOL_SYSTEM, RESTRICTED

TASK_SYSTEM = "https://porch.health/fhir/CodeSystem/task-type"
TASK_PARAM_SYSTEM = "https://porch.health/fhir/CodeSystem/refill-parameter"
BUSINESS_STATUS_SYSTEM = "https://porch.health/fhir/CodeSystem/refill-status"
PHARMACY_TYPE = ("https://porch.health/fhir/CodeSystem/organization-type", "pharmacy")
REFILL_CODE = "refill"
VISIT_NEEDED = "visit-needed"


@dataclass(frozen=True)
class Owner:
    practitioner_id: str = ""
    pool_slug: str = ""
    pool_name: str = ""

    def reference(self) -> dict[str, Any] | None:
        if self.practitioner_id:
            return {"reference": f"Practitioner/{self.practitioner_id}"}
        if self.pool_slug:
            return {
                "identifier": {"system": POOL_SYSTEM, "value": self.pool_slug},
                "display": self.pool_name,
            }
        return None


def _concept(system: str, code: str, text: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}], "text": text}


def refill_task(
    *,
    patient_id: str,
    medication_request_id: str,
    medication_name: str,
    requester: dict[str, Any],
    owner: Owner,
    pharmacy_id: str,
    pharmacy_name: str,
    note: str,
    now: datetime,
    confidential: bool,
) -> dict[str, Any]:
    task: dict[str, Any] = {
        "resourceType": "Task",
        "status": "requested",
        "intent": "order",
        "code": _concept(TASK_SYSTEM, REFILL_CODE, "Prescription refill"),
        "description": medication_name or "Prescription refill",
        "focus": {"reference": f"MedicationRequest/{medication_request_id}"},
        "for": {"reference": f"Patient/{patient_id}"},
        "authoredOn": now.isoformat(),
        "lastModified": now.isoformat(),
        "requester": requester,
        "input": [
            {
                "type": _concept(TASK_PARAM_SYSTEM, "pharmacy", "Pharmacy"),
                "valueReference": {
                    "reference": f"Organization/{pharmacy_id}",
                    "display": pharmacy_name,
                },
            }
        ],
    }
    reference = owner.reference()
    if reference is not None:
        task["owner"] = reference
    if note:
        task["note"] = [{"text": note, "time": now.isoformat()}]
    if confidential:
        task["meta"] = {"security": [RESTRICTED]}
    return task


def visit_needed(
    task: dict[str, Any], reason: str, visit_type: str, now: datetime
) -> dict[str, Any]:
    changed = _answered(task, "rejected", now)
    changed["businessStatus"] = _concept(BUSINESS_STATUS_SYSTEM, VISIT_NEEDED, "Visit needed")
    changed["statusReason"] = {"text": reason}
    changed["output"] = [
        {
            "type": _concept(TASK_PARAM_SYSTEM, "book-visit", "Visit type to book"),
            "valueString": visit_type,
        }
    ]
    return changed


def denied(task: dict[str, Any], reason: str, now: datetime) -> dict[str, Any]:
    changed = _answered(task, "rejected", now)
    changed["statusReason"] = {"text": reason}
    return changed


def approved(task: dict[str, Any], new_prescription_id: str, now: datetime) -> dict[str, Any]:
    changed = _answered(task, "completed", now)
    changed["output"] = [
        {
            "type": _concept(TASK_PARAM_SYSTEM, "new-prescription", "New prescription"),
            "valueReference": {"reference": f"MedicationRequest/{new_prescription_id}"},
        }
    ]
    return changed


def _answered(task: dict[str, Any], status: str, now: datetime) -> dict[str, Any]:
    changed = {k: copy.deepcopy(v) for k, v in task.items() if k != "meta"}
    security = (task.get("meta") or {}).get("security")
    if security:
        changed["meta"] = {"security": copy.deepcopy(security)}
    changed["status"] = status
    changed["lastModified"] = now.isoformat()
    return changed


@dataclass(frozen=True)
class Changes:
    """What the clinician changed when approving; empty values keep the old ones."""

    dosage_text: str = ""
    quantity: int | None = None
    refills: int | None = None


def renewal(
    old: dict[str, Any], *, new_id: str, requester: dict[str, Any], changes: Changes, now: datetime
) -> dict[str, Any]:
    """The new MedicationRequest: the old one's medication and instructions (with the
    changes), active, authored now by the approving clinician, priorPrescription → old."""
    new = {
        k: copy.deepcopy(v)
        for k, v in old.items()
        if k not in {"id", "meta", "identifier", "text", "priorPrescription", "groupIdentifier"}
    }
    security = (old.get("meta") or {}).get("security")
    if security:
        new["meta"] = {"security": copy.deepcopy(security)}
    new["id"] = new_id
    new["status"] = "active"
    new["authoredOn"] = now.isoformat()
    new["requester"] = requester
    new["priorPrescription"] = {"reference": f"MedicationRequest/{old.get('id')}"}
    if changes.dosage_text:
        dosage = list(new.get("dosageInstruction") or [{}])
        dosage[0] = {**dosage[0], "text": changes.dosage_text}
        new["dosageInstruction"] = dosage
    dispense = dict(new.get("dispenseRequest") or {})
    if changes.quantity is not None:
        dispense["quantity"] = {"value": changes.quantity}
    if changes.refills is not None:
        dispense["numberOfRepeatsAllowed"] = changes.refills
    if dispense:
        new["dispenseRequest"] = dispense
    return new


def completed(old: dict[str, Any]) -> dict[str, Any]:
    """The old MedicationRequest, completed: renewed by the new one."""
    changed = {k: copy.deepcopy(v) for k, v in old.items() if k != "meta"}
    security = (old.get("meta") or {}).get("security")
    if security:
        changed["meta"] = {"security": copy.deepcopy(security)}
    changed["status"] = "completed"
    return changed


def task_output_reference(task: dict[str, Any], code: str) -> str:
    for item in task.get("output") or []:
        if not isinstance(item, dict):
            continue
        codes = {c.get("code") for c in (item.get("type") or {}).get("coding") or []}
        if code in codes:
            ref = item.get("valueReference") or {}
            return str(ref.get("reference") or item.get("valueString") or "")
    return ""


def pharmacy_of(task: dict[str, Any]) -> str:
    for item in task.get("input") or []:
        if isinstance(item, dict):
            ref = item.get("valueReference") or {}
            if str(ref.get("reference", "")).startswith("Organization/"):
                return str(ref.get("display") or "")
    return ""


def note_of(task: dict[str, Any]) -> str:
    notes = task.get("note") or []
    return str(notes[0].get("text") or "") if notes and isinstance(notes[0], dict) else ""


def reason_of(task: dict[str, Any]) -> str:
    return str((task.get("statusReason") or {}).get("text") or "")
