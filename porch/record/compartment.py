"""The FHIR R4 Patient compartment (CompartmentDefinition "patient", 4.0.1).

For each resource type that can belong to a patient's compartment, the search
parameters whose references say which patient(s) it belongs to: an Observation is in
Ana's compartment when its ``subject`` or one of its ``performer`` references is
Patient/ana. Resource types not listed here (Practitioner, Organization, Medication…)
are in no patient's compartment. A Patient is also in its own compartment, which no
parameter expresses; ``link`` adds the patients it is linked to.

Source: http://hl7.org/fhir/R4/compartmentdefinition-patient.html. The R4 page names
Encounter's parameter ``patient``; some copies of the definition (Medplum's) say
``subject``. Both read ``Encounter.subject``, and only a Patient reference counts, so
the two give the same compartments.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from porch.record.searchparams import SearchParam, get_param

__all__ = ["PATIENT_COMPARTMENT", "compartment_params", "in_patient_compartment"]

PATIENT_COMPARTMENT: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "Account": ("subject",),
        "AdverseEvent": ("subject",),
        "AllergyIntolerance": ("patient", "recorder", "asserter"),
        "Appointment": ("actor",),
        "AppointmentResponse": ("actor",),
        "AuditEvent": ("patient",),
        "Basic": ("patient", "author"),
        "BodyStructure": ("patient",),
        "CarePlan": ("patient", "performer"),
        "CareTeam": ("patient", "participant"),
        "ChargeItem": ("subject",),
        "Claim": ("patient", "payee"),
        "ClaimResponse": ("patient",),
        "ClinicalImpression": ("subject",),
        "Communication": ("subject", "sender", "recipient"),
        "CommunicationRequest": ("subject", "sender", "recipient", "requester"),
        "Composition": ("subject", "author", "attester"),
        "Condition": ("patient", "asserter"),
        "Consent": ("patient",),
        "Coverage": ("policy-holder", "subscriber", "beneficiary", "payor"),
        "CoverageEligibilityRequest": ("patient",),
        "CoverageEligibilityResponse": ("patient",),
        "DetectedIssue": ("patient",),
        "DeviceRequest": ("subject", "performer"),
        "DeviceUseStatement": ("subject",),
        "DiagnosticReport": ("subject",),
        "DocumentManifest": ("subject", "author", "recipient"),
        "DocumentReference": ("subject", "author"),
        "Encounter": ("patient",),
        "EnrollmentRequest": ("subject",),
        "EpisodeOfCare": ("patient",),
        "ExplanationOfBenefit": ("patient", "payee"),
        "FamilyMemberHistory": ("patient",),
        "Flag": ("patient",),
        "Goal": ("patient",),
        "Group": ("member",),
        "ImagingStudy": ("patient",),
        "Immunization": ("patient",),
        "ImmunizationEvaluation": ("patient",),
        "ImmunizationRecommendation": ("patient",),
        "Invoice": ("subject", "patient", "recipient"),
        "List": ("subject", "source"),
        "MeasureReport": ("patient",),
        "Media": ("subject",),
        "MedicationAdministration": ("patient", "performer", "subject"),
        "MedicationDispense": ("subject", "patient", "receiver"),
        "MedicationRequest": ("subject",),
        "MedicationStatement": ("subject",),
        "MolecularSequence": ("patient",),
        "NutritionOrder": ("patient",),
        "Observation": ("subject", "performer"),
        "Patient": ("link",),
        "Person": ("patient",),
        "Procedure": ("patient", "performer"),
        "Provenance": ("patient",),
        "QuestionnaireResponse": ("subject", "author"),
        "RelatedPerson": ("patient",),
        "RequestGroup": ("subject", "participant"),
        "ResearchSubject": ("individual",),
        "RiskAssessment": ("subject",),
        "Schedule": ("actor",),
        "ServiceRequest": ("subject", "performer"),
        "Specimen": ("subject",),
        "SupplyDelivery": ("patient",),
        "SupplyRequest": ("subject",),
        "Task": ("patient", "focus"),
        "VisionPrescription": ("patient",),
    }
)


def in_patient_compartment(resource_type: str) -> bool:
    """Whether resources of this type can belong to a patient's compartment."""
    return resource_type in PATIENT_COMPARTMENT


def compartment_params(resource_type: str) -> tuple[SearchParam, ...]:
    """The reference parameters that place a ``resource_type`` in a patient compartment.

    Empty for a type outside the compartment. A reference found by one of them counts
    only when it points to a Patient (``SearchParam.can_target("Patient")`` holds for
    each of them; the tests check it).
    """
    return _PARAMS.get(resource_type, ())


def _resolve(resource_type: str, codes: tuple[str, ...]) -> tuple[SearchParam, ...]:
    params = []
    for code in codes:
        param = get_param(resource_type, code)
        # The registry is built to cover the compartment; a gap is a bug in the table.
        if param is None:
            raise LookupError(f"search parameter {resource_type}.{code} is not registered")
        params.append(param)
    return tuple(params)


_PARAMS: dict[str, tuple[SearchParam, ...]] = {
    rt: _resolve(rt, codes) for rt, codes in PATIENT_COMPARTMENT.items()
}
