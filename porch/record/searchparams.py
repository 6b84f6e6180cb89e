"""FHIR R4 search parameters that Porch indexes, as data.

Each entry follows a SearchParameter of FHIR R4 (4.0.1): the same code, type and
FHIRPath expression, cut down to the part for one resource type (the spec shares one
SearchParameter across many types, e.g. ``clinical-patient``). Composite and special
parameters are left out: nothing in the portal searches by them yet.

Expressions are evaluated with fhirpathpy (2.2.4), which differs from the spec's
assumptions in three ways that shaped the table:

* ``resolve()`` is not implemented: an expression such as
  ``Observation.subject.where(resolve() is Patient)`` compiles but raises
  ``Exception("Not implemented: resolve")`` on evaluation. So the ``where(resolve()
  is X)`` filter is dropped from the expression and kept in ``target_types`` instead:
  the indexer keeps only the references whose type (read from ``Reference.reference``,
  e.g. "Patient/123") is in ``target_types``. So ``patient`` and ``subject`` share
  one expression and differ only in their targets.
* ``Resource.x`` and ``DomainResource.x`` evaluate to nothing on a concrete resource
  (fhirpathpy does not treat Observation as a Resource there), so the common
  parameters use paths without a type prefix (``meta.tag``), which work on any type.
* ``x as T`` raises ValueError when ``x`` holds more than one item (e.g. the values
  of several Observation components), so choice types are narrowed with
  ``ofType(T)``, which filters a collection of any size. A choice element without a
  filter (``Observation.effective``) yields whichever of its types is present; the
  result carries no type, so a date parameter may get a string (dateTime) or a dict
  (Period) and the indexer tells them apart by shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType

from porch.record.fhirpath import CompiledPath, compile_path

__all__ = [
    "COMMON_PARAMS",
    "CompiledPath",
    "ParamType",
    "SearchParam",
    "compile_path",
    "get_param",
    "params_for",
    "supported_resource_types",
]


class ParamType(StrEnum):
    TOKEN = "token"  # noqa: S105 - a FHIR search type, not a password
    STRING = "string"
    DATE = "date"
    REFERENCE = "reference"
    QUANTITY = "quantity"
    URI = "uri"
    NUMBER = "number"


@dataclass(frozen=True)
class SearchParam:
    resource_type: str
    code: str
    type: ParamType
    # FHIRPath, evaluated with the resource as its root.
    expression: str
    # For references: the resource types a matching reference may point to; empty
    # means any type (the spec's Reference(Any)).
    target_types: tuple[str, ...] = ()
    description: str = ""
    # False for the parameters answered from the resource row's own columns
    # (_id, _lastUpdated): the indexer skips them.
    indexed: bool = True

    @cached_property
    def compiled(self) -> CompiledPath:
        """The expression compiled for the R4 model; call it with a resource dict.

        The values returned may be the resource's own objects: read them, don't change
        them. Raises whatever fhirpathpy raises for a malformed expression.
        """
        # cached_property writes to the instance __dict__, which a frozen dataclass
        # allows; equal expressions share one compiled function.
        return compile_path(self.expression)

    def can_target(self, resource_type: str) -> bool:
        """Whether a reference to ``resource_type`` is a value of this parameter."""
        return self.type is ParamType.REFERENCE and (
            not self.target_types or resource_type in self.target_types
        )


_COMMON = "Resource"

COMMON_PARAMS: Mapping[str, SearchParam] = MappingProxyType(
    {
        p.code: p
        for p in (
            SearchParam(_COMMON, "_id", ParamType.TOKEN, "id", indexed=False),
            SearchParam(_COMMON, "_lastUpdated", ParamType.DATE, "meta.lastUpdated", indexed=False),
            SearchParam(_COMMON, "_tag", ParamType.TOKEN, "meta.tag"),
            SearchParam(_COMMON, "_profile", ParamType.URI, "meta.profile"),
            SearchParam(_COMMON, "_security", ParamType.TOKEN, "meta.security"),
        )
    }
)

_TOKEN = ParamType.TOKEN
_STRING = ParamType.STRING
_DATE = ParamType.DATE
_REF = ParamType.REFERENCE
_QUANTITY = ParamType.QUANTITY
_URI = ParamType.URI
_NUMBER = ParamType.NUMBER

# (code, type, expression) or, for references, (code, type, expression, target types
# separated by spaces; "" for any type).
_Row = tuple[str, ParamType, str] | tuple[str, ParamType, str, str]

_TABLE: dict[str, tuple[_Row, ...]] = {
    "Account": (
        (
            "subject",
            _REF,
            "Account.subject",
            "Device HealthcareService Location Organization Patient Practitioner PractitionerRole",
        ),
        ("patient", _REF, "Account.subject", "Patient"),
        ("status", _TOKEN, "Account.status"),
        ("identifier", _TOKEN, "Account.identifier"),
    ),
    "AdverseEvent": (
        ("subject", _REF, "AdverseEvent.subject", "Group Patient Practitioner RelatedPerson"),
        ("date", _DATE, "AdverseEvent.date"),
        ("event", _TOKEN, "AdverseEvent.event"),
        ("actuality", _TOKEN, "AdverseEvent.actuality"),
    ),
    "AllergyIntolerance": (
        ("patient", _REF, "AllergyIntolerance.patient", "Patient"),
        ("code", _TOKEN, "AllergyIntolerance.code | AllergyIntolerance.reaction.substance"),
        ("category", _TOKEN, "AllergyIntolerance.category"),
        ("clinical-status", _TOKEN, "AllergyIntolerance.clinicalStatus"),
        ("verification-status", _TOKEN, "AllergyIntolerance.verificationStatus"),
        ("date", _DATE, "AllergyIntolerance.recordedDate"),
        ("criticality", _TOKEN, "AllergyIntolerance.criticality"),
        ("type", _TOKEN, "AllergyIntolerance.type"),
        ("severity", _TOKEN, "AllergyIntolerance.reaction.severity"),
        ("identifier", _TOKEN, "AllergyIntolerance.identifier"),
        (
            "recorder",
            _REF,
            "AllergyIntolerance.recorder",
            "Patient Practitioner PractitionerRole RelatedPerson",
        ),
        (
            "asserter",
            _REF,
            "AllergyIntolerance.asserter",
            "Patient Practitioner PractitionerRole RelatedPerson",
        ),
    ),
    "Appointment": (
        ("patient", _REF, "Appointment.participant.actor", "Patient"),
        ("practitioner", _REF, "Appointment.participant.actor", "Practitioner"),
        (
            "actor",
            _REF,
            "Appointment.participant.actor",
            "Device HealthcareService Location Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("location", _REF, "Appointment.participant.actor", "Location"),
        ("date", _DATE, "Appointment.start"),
        ("status", _TOKEN, "Appointment.status"),
        ("service-type", _TOKEN, "Appointment.serviceType"),
        ("appointment-type", _TOKEN, "Appointment.appointmentType"),
        ("slot", _REF, "Appointment.slot", "Slot"),
        ("identifier", _TOKEN, "Appointment.identifier"),
        ("reason-code", _TOKEN, "Appointment.reasonCode"),
        ("part-status", _TOKEN, "Appointment.participant.status"),
        ("based-on", _REF, "Appointment.basedOn", "ServiceRequest"),
    ),
    "AppointmentResponse": (
        (
            "actor",
            _REF,
            "AppointmentResponse.actor",
            "Device HealthcareService Location Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("patient", _REF, "AppointmentResponse.actor", "Patient"),
        ("practitioner", _REF, "AppointmentResponse.actor", "Practitioner"),
        ("location", _REF, "AppointmentResponse.actor", "Location"),
        ("appointment", _REF, "AppointmentResponse.appointment", "Appointment"),
        ("part-status", _TOKEN, "AppointmentResponse.participantStatus"),
        ("identifier", _TOKEN, "AppointmentResponse.identifier"),
    ),
    "AuditEvent": (
        ("patient", _REF, "AuditEvent.agent.who | AuditEvent.entity.what", "Patient"),
        (
            "agent",
            _REF,
            "AuditEvent.agent.who",
            "Device Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("date", _DATE, "AuditEvent.recorded"),
        ("entity", _REF, "AuditEvent.entity.what", ""),
        ("type", _TOKEN, "AuditEvent.type"),
    ),
    "Basic": (
        ("patient", _REF, "Basic.subject", "Patient"),
        ("subject", _REF, "Basic.subject", ""),
        ("code", _TOKEN, "Basic.code"),
        (
            "author",
            _REF,
            "Basic.author",
            "Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("created", _DATE, "Basic.created"),
        ("identifier", _TOKEN, "Basic.identifier"),
    ),
    "Binary": (),
    "BodyStructure": (
        ("patient", _REF, "BodyStructure.patient", "Patient"),
        ("identifier", _TOKEN, "BodyStructure.identifier"),
    ),
    "CarePlan": (
        ("patient", _REF, "CarePlan.subject", "Patient"),
        ("subject", _REF, "CarePlan.subject", "Group Patient"),
        ("category", _TOKEN, "CarePlan.category"),
        ("status", _TOKEN, "CarePlan.status"),
        ("date", _DATE, "CarePlan.period"),
        ("encounter", _REF, "CarePlan.encounter", "Encounter"),
        ("identifier", _TOKEN, "CarePlan.identifier"),
        ("activity-code", _TOKEN, "CarePlan.activity.detail.code"),
        ("care-team", _REF, "CarePlan.careTeam", "CareTeam"),
        ("goal", _REF, "CarePlan.goal", "Goal"),
        ("intent", _TOKEN, "CarePlan.intent"),
        (
            "performer",
            _REF,
            "CarePlan.activity.detail.performer",
            "CareTeam Device HealthcareService Organization Patient Practitioner"
            " PractitionerRole RelatedPerson",
        ),
        ("based-on", _REF, "CarePlan.basedOn", "CarePlan"),
        ("part-of", _REF, "CarePlan.partOf", "CarePlan"),
    ),
    "CareTeam": (
        ("patient", _REF, "CareTeam.subject", "Patient"),
        ("subject", _REF, "CareTeam.subject", "Group Patient"),
        ("category", _TOKEN, "CareTeam.category"),
        ("status", _TOKEN, "CareTeam.status"),
        ("date", _DATE, "CareTeam.period"),
        ("encounter", _REF, "CareTeam.encounter", "Encounter"),
        ("identifier", _TOKEN, "CareTeam.identifier"),
        (
            "participant",
            _REF,
            "CareTeam.participant.member",
            "CareTeam Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
    ),
    "ChargeItem": (
        ("subject", _REF, "ChargeItem.subject", "Group Patient"),
        ("patient", _REF, "ChargeItem.subject", "Patient"),
        ("identifier", _TOKEN, "ChargeItem.identifier"),
    ),
    "Claim": (
        ("patient", _REF, "Claim.patient", "Patient"),
        ("status", _TOKEN, "Claim.status"),
        ("use", _TOKEN, "Claim.use"),
        ("created", _DATE, "Claim.created"),
        ("provider", _REF, "Claim.provider", "Organization Practitioner PractitionerRole"),
        ("insurer", _REF, "Claim.insurer", "Organization"),
        ("encounter", _REF, "Claim.item.encounter", "Encounter"),
        ("identifier", _TOKEN, "Claim.identifier"),
        (
            "payee",
            _REF,
            "Claim.payee.party",
            "Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("enterer", _REF, "Claim.enterer", "Practitioner PractitionerRole"),
        (
            "care-team",
            _REF,
            "Claim.careTeam.provider",
            "Organization Practitioner PractitionerRole",
        ),
    ),
    "ClaimResponse": (
        ("patient", _REF, "ClaimResponse.patient", "Patient"),
        ("status", _TOKEN, "ClaimResponse.status"),
        ("created", _DATE, "ClaimResponse.created"),
        ("identifier", _TOKEN, "ClaimResponse.identifier"),
    ),
    "ClinicalImpression": (
        ("patient", _REF, "ClinicalImpression.subject", "Patient"),
        ("subject", _REF, "ClinicalImpression.subject", "Group Patient"),
        ("date", _DATE, "ClinicalImpression.date"),
        ("status", _TOKEN, "ClinicalImpression.status"),
        ("identifier", _TOKEN, "ClinicalImpression.identifier"),
        ("encounter", _REF, "ClinicalImpression.encounter", "Encounter"),
    ),
    "Communication": (
        ("patient", _REF, "Communication.subject", "Patient"),
        ("subject", _REF, "Communication.subject", "Group Patient"),
        (
            "sender",
            _REF,
            "Communication.sender",
            "Device HealthcareService Organization Patient Practitioner"
            " PractitionerRole RelatedPerson",
        ),
        (
            "recipient",
            _REF,
            "Communication.recipient",
            "CareTeam Device Group HealthcareService Organization Patient"
            " Practitioner PractitionerRole RelatedPerson",
        ),
        ("sent", _DATE, "Communication.sent"),
        ("received", _DATE, "Communication.received"),
        ("status", _TOKEN, "Communication.status"),
        ("category", _TOKEN, "Communication.category"),
        ("encounter", _REF, "Communication.encounter", "Encounter"),
        ("part-of", _REF, "Communication.partOf", ""),
        ("based-on", _REF, "Communication.basedOn", ""),
        ("identifier", _TOKEN, "Communication.identifier"),
        ("medium", _TOKEN, "Communication.medium"),
    ),
    "CommunicationRequest": (
        ("patient", _REF, "CommunicationRequest.subject", "Patient"),
        ("subject", _REF, "CommunicationRequest.subject", "Group Patient"),
        (
            "sender",
            _REF,
            "CommunicationRequest.sender",
            "Device HealthcareService Organization Patient Practitioner"
            " PractitionerRole RelatedPerson",
        ),
        (
            "requester",
            _REF,
            "CommunicationRequest.requester",
            "Device Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        (
            "recipient",
            _REF,
            "CommunicationRequest.recipient",
            "CareTeam Device Group HealthcareService Organization Patient"
            " Practitioner PractitionerRole RelatedPerson",
        ),
        ("status", _TOKEN, "CommunicationRequest.status"),
        ("category", _TOKEN, "CommunicationRequest.category"),
        ("occurrence", _DATE, "(CommunicationRequest.occurrence.ofType(dateTime))"),
        ("authored", _DATE, "CommunicationRequest.authoredOn"),
        ("encounter", _REF, "CommunicationRequest.encounter", "Encounter"),
        ("identifier", _TOKEN, "CommunicationRequest.identifier"),
    ),
    "Composition": (
        ("patient", _REF, "Composition.subject", "Patient"),
        ("subject", _REF, "Composition.subject", ""),
        ("type", _TOKEN, "Composition.type"),
        ("category", _TOKEN, "Composition.category"),
        ("date", _DATE, "Composition.date"),
        ("status", _TOKEN, "Composition.status"),
        ("encounter", _REF, "Composition.encounter", "Encounter"),
        (
            "author",
            _REF,
            "Composition.author",
            "Device Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        (
            "attester",
            _REF,
            "Composition.attester.party",
            "Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("identifier", _TOKEN, "Composition.identifier"),
    ),
    "Condition": (
        ("patient", _REF, "Condition.subject", "Patient"),
        ("subject", _REF, "Condition.subject", "Group Patient"),
        ("code", _TOKEN, "Condition.code"),
        ("category", _TOKEN, "Condition.category"),
        ("clinical-status", _TOKEN, "Condition.clinicalStatus"),
        ("verification-status", _TOKEN, "Condition.verificationStatus"),
        ("onset-date", _DATE, "Condition.onset.ofType(dateTime) | Condition.onset.ofType(Period)"),
        (
            "abatement-date",
            _DATE,
            "Condition.abatement.ofType(dateTime) | Condition.abatement.ofType(Period)",
        ),
        ("recorded-date", _DATE, "Condition.recordedDate"),
        ("severity", _TOKEN, "Condition.severity"),
        ("evidence", _TOKEN, "Condition.evidence.code"),
        ("body-site", _TOKEN, "Condition.bodySite"),
        ("encounter", _REF, "Condition.encounter", "Encounter"),
        ("identifier", _TOKEN, "Condition.identifier"),
        (
            "asserter",
            _REF,
            "Condition.asserter",
            "Patient Practitioner PractitionerRole RelatedPerson",
        ),
    ),
    "Consent": (
        ("patient", _REF, "Consent.patient", "Patient"),
        ("status", _TOKEN, "Consent.status"),
        ("category", _TOKEN, "Consent.category"),
        ("date", _DATE, "Consent.dateTime"),
        ("identifier", _TOKEN, "Consent.identifier"),
    ),
    "Coverage": (
        ("patient", _REF, "Coverage.beneficiary", "Patient"),
        ("beneficiary", _REF, "Coverage.beneficiary", "Patient"),
        ("subscriber", _REF, "Coverage.subscriber", "Patient RelatedPerson"),
        ("policy-holder", _REF, "Coverage.policyHolder", "Organization Patient RelatedPerson"),
        ("payor", _REF, "Coverage.payor", "Organization Patient RelatedPerson"),
        ("status", _TOKEN, "Coverage.status"),
        ("type", _TOKEN, "Coverage.type"),
        ("identifier", _TOKEN, "Coverage.identifier"),
    ),
    "CoverageEligibilityRequest": (
        ("patient", _REF, "CoverageEligibilityRequest.patient", "Patient"),
        ("status", _TOKEN, "CoverageEligibilityRequest.status"),
        ("identifier", _TOKEN, "CoverageEligibilityRequest.identifier"),
    ),
    "CoverageEligibilityResponse": (
        ("patient", _REF, "CoverageEligibilityResponse.patient", "Patient"),
        ("status", _TOKEN, "CoverageEligibilityResponse.status"),
        ("identifier", _TOKEN, "CoverageEligibilityResponse.identifier"),
    ),
    "DetectedIssue": (
        ("patient", _REF, "DetectedIssue.patient", "Patient"),
        ("identified", _DATE, "DetectedIssue.identified"),
        ("identifier", _TOKEN, "DetectedIssue.identifier"),
    ),
    "Device": (
        ("patient", _REF, "Device.patient", "Patient"),
        ("identifier", _TOKEN, "Device.identifier"),
        ("type", _TOKEN, "Device.type"),
        ("status", _TOKEN, "Device.status"),
    ),
    "DeviceRequest": (
        ("patient", _REF, "DeviceRequest.subject", "Patient"),
        ("subject", _REF, "DeviceRequest.subject", "Device Group Location Patient"),
        ("code", _TOKEN, "(DeviceRequest.code.ofType(CodeableConcept))"),
        ("status", _TOKEN, "DeviceRequest.status"),
        ("intent", _TOKEN, "DeviceRequest.intent"),
        (
            "performer",
            _REF,
            "DeviceRequest.performer",
            "CareTeam Device HealthcareService Organization Patient Practitioner"
            " PractitionerRole RelatedPerson",
        ),
        ("identifier", _TOKEN, "DeviceRequest.identifier"),
        ("encounter", _REF, "DeviceRequest.encounter", "Encounter"),
    ),
    "DeviceUseStatement": (
        ("patient", _REF, "DeviceUseStatement.subject", "Patient"),
        ("subject", _REF, "DeviceUseStatement.subject", "Group Patient"),
        ("device", _REF, "DeviceUseStatement.device", "Device"),
        ("identifier", _TOKEN, "DeviceUseStatement.identifier"),
    ),
    "DiagnosticReport": (
        ("patient", _REF, "DiagnosticReport.subject", "Patient"),
        ("subject", _REF, "DiagnosticReport.subject", "Device Group Location Patient"),
        ("code", _TOKEN, "DiagnosticReport.code"),
        ("category", _TOKEN, "DiagnosticReport.category"),
        ("status", _TOKEN, "DiagnosticReport.status"),
        ("date", _DATE, "DiagnosticReport.effective"),
        ("issued", _DATE, "DiagnosticReport.issued"),
        ("encounter", _REF, "DiagnosticReport.encounter", "Encounter"),
        ("identifier", _TOKEN, "DiagnosticReport.identifier"),
        ("result", _REF, "DiagnosticReport.result", "Observation"),
        (
            "based-on",
            _REF,
            "DiagnosticReport.basedOn",
            "CarePlan ImmunizationRecommendation MedicationRequest NutritionOrder ServiceRequest",
        ),
        (
            "performer",
            _REF,
            "DiagnosticReport.performer",
            "CareTeam Organization Practitioner PractitionerRole",
        ),
        (
            "results-interpreter",
            _REF,
            "DiagnosticReport.resultsInterpreter",
            "CareTeam Organization Practitioner PractitionerRole",
        ),
        ("conclusion", _TOKEN, "DiagnosticReport.conclusionCode"),
    ),
    "DocumentManifest": (
        ("patient", _REF, "DocumentManifest.subject", "Patient"),
        ("subject", _REF, "DocumentManifest.subject", "Device Group Patient Practitioner"),
        (
            "author",
            _REF,
            "DocumentManifest.author",
            "Device Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        (
            "recipient",
            _REF,
            "DocumentManifest.recipient",
            "Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("status", _TOKEN, "DocumentManifest.status"),
        ("identifier", _TOKEN, "DocumentManifest.masterIdentifier | DocumentManifest.identifier"),
    ),
    "DocumentReference": (
        ("patient", _REF, "DocumentReference.subject", "Patient"),
        ("subject", _REF, "DocumentReference.subject", "Device Group Patient Practitioner"),
        ("type", _TOKEN, "DocumentReference.type"),
        ("category", _TOKEN, "DocumentReference.category"),
        ("status", _TOKEN, "DocumentReference.status"),
        ("date", _DATE, "DocumentReference.date"),
        ("period", _DATE, "DocumentReference.context.period"),
        (
            "author",
            _REF,
            "DocumentReference.author",
            "Device Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("encounter", _REF, "DocumentReference.context.encounter", "Encounter EpisodeOfCare"),
        ("relatesto", _REF, "DocumentReference.relatesTo.target", "DocumentReference"),
        ("contenttype", _TOKEN, "DocumentReference.content.attachment.contentType"),
        ("identifier", _TOKEN, "DocumentReference.masterIdentifier | DocumentReference.identifier"),
        ("custodian", _REF, "DocumentReference.custodian", "Organization"),
    ),
    "Encounter": (
        ("patient", _REF, "Encounter.subject", "Patient"),
        ("subject", _REF, "Encounter.subject", "Group Patient"),
        ("class", _TOKEN, "Encounter.class"),
        ("type", _TOKEN, "Encounter.type"),
        ("status", _TOKEN, "Encounter.status"),
        ("date", _DATE, "Encounter.period"),
        (
            "participant",
            _REF,
            "Encounter.participant.individual",
            "Practitioner PractitionerRole RelatedPerson",
        ),
        ("practitioner", _REF, "Encounter.participant.individual", "Practitioner"),
        ("location", _REF, "Encounter.location.location", "Location"),
        ("service-provider", _REF, "Encounter.serviceProvider", "Organization"),
        ("reason-code", _TOKEN, "Encounter.reasonCode"),
        ("episode-of-care", _REF, "Encounter.episodeOfCare", "EpisodeOfCare"),
        ("part-of", _REF, "Encounter.partOf", "Encounter"),
        ("based-on", _REF, "Encounter.basedOn", "ServiceRequest"),
        ("identifier", _TOKEN, "Encounter.identifier"),
    ),
    "EnrollmentRequest": (
        ("patient", _REF, "EnrollmentRequest.candidate", "Patient"),
        ("subject", _REF, "EnrollmentRequest.candidate", "Patient"),
        ("status", _TOKEN, "EnrollmentRequest.status"),
        ("identifier", _TOKEN, "EnrollmentRequest.identifier"),
    ),
    "EpisodeOfCare": (
        ("patient", _REF, "EpisodeOfCare.patient", "Patient"),
        ("status", _TOKEN, "EpisodeOfCare.status"),
        ("type", _TOKEN, "EpisodeOfCare.type"),
        ("date", _DATE, "EpisodeOfCare.period"),
        ("identifier", _TOKEN, "EpisodeOfCare.identifier"),
    ),
    "ExplanationOfBenefit": (
        ("patient", _REF, "ExplanationOfBenefit.patient", "Patient"),
        ("status", _TOKEN, "ExplanationOfBenefit.status"),
        ("created", _DATE, "ExplanationOfBenefit.created"),
        (
            "provider",
            _REF,
            "ExplanationOfBenefit.provider",
            "Organization Practitioner PractitionerRole",
        ),
        ("claim", _REF, "ExplanationOfBenefit.claim", "Claim"),
        ("coverage", _REF, "ExplanationOfBenefit.insurance.coverage", "Coverage"),
        ("encounter", _REF, "ExplanationOfBenefit.item.encounter", "Encounter"),
        ("identifier", _TOKEN, "ExplanationOfBenefit.identifier"),
        (
            "payee",
            _REF,
            "ExplanationOfBenefit.payee.party",
            "Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("enterer", _REF, "ExplanationOfBenefit.enterer", "Practitioner PractitionerRole"),
        (
            "care-team",
            _REF,
            "ExplanationOfBenefit.careTeam.provider",
            "Organization Practitioner PractitionerRole",
        ),
    ),
    "FamilyMemberHistory": (
        ("patient", _REF, "FamilyMemberHistory.patient", "Patient"),
        ("code", _TOKEN, "FamilyMemberHistory.condition.code"),
        ("status", _TOKEN, "FamilyMemberHistory.status"),
        ("date", _DATE, "FamilyMemberHistory.date"),
        ("relationship", _TOKEN, "FamilyMemberHistory.relationship"),
        ("identifier", _TOKEN, "FamilyMemberHistory.identifier"),
    ),
    "Flag": (
        ("patient", _REF, "Flag.subject", "Patient"),
        (
            "subject",
            _REF,
            "Flag.subject",
            "Group Location Medication Organization Patient PlanDefinition Practitioner Procedure",
        ),
        ("date", _DATE, "Flag.period"),
        (
            "author",
            _REF,
            "Flag.author",
            "Device Organization Patient Practitioner PractitionerRole",
        ),
    ),
    "Goal": (
        ("patient", _REF, "Goal.subject", "Patient"),
        ("subject", _REF, "Goal.subject", "Group Organization Patient"),
        ("category", _TOKEN, "Goal.category"),
        ("lifecycle-status", _TOKEN, "Goal.lifecycleStatus"),
        ("achievement-status", _TOKEN, "Goal.achievementStatus"),
        ("target-date", _DATE, "(Goal.target.due.ofType(date))"),
        ("start-date", _DATE, "(Goal.start.ofType(date))"),
        ("identifier", _TOKEN, "Goal.identifier"),
    ),
    "Group": (
        (
            "member",
            _REF,
            "Group.member.entity",
            "Device Group Medication Patient Practitioner PractitionerRole Substance",
        ),
        ("code", _TOKEN, "Group.code"),
        ("type", _TOKEN, "Group.type"),
        ("identifier", _TOKEN, "Group.identifier"),
        ("actual", _TOKEN, "Group.actual"),
    ),
    "HealthcareService": (
        ("identifier", _TOKEN, "HealthcareService.identifier"),
        ("name", _STRING, "HealthcareService.name"),
        ("active", _TOKEN, "HealthcareService.active"),
        ("organization", _REF, "HealthcareService.providedBy", "Organization"),
        ("location", _REF, "HealthcareService.location", "Location"),
        ("service-type", _TOKEN, "HealthcareService.type"),
        ("specialty", _TOKEN, "HealthcareService.specialty"),
    ),
    "ImagingStudy": (
        ("patient", _REF, "ImagingStudy.subject", "Patient"),
        ("subject", _REF, "ImagingStudy.subject", "Device Group Patient"),
        ("started", _DATE, "ImagingStudy.started"),
        ("status", _TOKEN, "ImagingStudy.status"),
        ("identifier", _TOKEN, "ImagingStudy.identifier"),
        ("encounter", _REF, "ImagingStudy.encounter", "Encounter"),
    ),
    "Immunization": (
        ("patient", _REF, "Immunization.patient", "Patient"),
        ("vaccine-code", _TOKEN, "Immunization.vaccineCode"),
        ("status", _TOKEN, "Immunization.status"),
        ("date", _DATE, "Immunization.occurrence"),
        ("lot-number", _STRING, "Immunization.lotNumber"),
        ("identifier", _TOKEN, "Immunization.identifier"),
        (
            "performer",
            _REF,
            "Immunization.performer.actor",
            "Organization Practitioner PractitionerRole",
        ),
        ("location", _REF, "Immunization.location", "Location"),
    ),
    "ImmunizationEvaluation": (
        ("patient", _REF, "ImmunizationEvaluation.patient", "Patient"),
        ("status", _TOKEN, "ImmunizationEvaluation.status"),
        ("identifier", _TOKEN, "ImmunizationEvaluation.identifier"),
    ),
    "ImmunizationRecommendation": (
        ("patient", _REF, "ImmunizationRecommendation.patient", "Patient"),
        ("vaccine-type", _TOKEN, "ImmunizationRecommendation.recommendation.vaccineCode"),
        ("identifier", _TOKEN, "ImmunizationRecommendation.identifier"),
    ),
    "Invoice": (
        ("patient", _REF, "Invoice.subject", "Patient"),
        ("subject", _REF, "Invoice.subject", "Group Patient"),
        ("recipient", _REF, "Invoice.recipient", "Organization Patient RelatedPerson"),
        ("status", _TOKEN, "Invoice.status"),
        ("identifier", _TOKEN, "Invoice.identifier"),
    ),
    "List": (
        ("patient", _REF, "List.subject", "Patient"),
        ("subject", _REF, "List.subject", "Device Group Location Patient"),
        ("code", _TOKEN, "List.code"),
        ("status", _TOKEN, "List.status"),
        ("date", _DATE, "List.date"),
        ("source", _REF, "List.source", "Device Patient Practitioner PractitionerRole"),
        ("identifier", _TOKEN, "List.identifier"),
        ("encounter", _REF, "List.encounter", "Encounter"),
    ),
    "Location": (
        ("identifier", _TOKEN, "Location.identifier"),
        ("name", _STRING, "Location.name | Location.alias"),
        ("address", _STRING, "Location.address"),
        ("organization", _REF, "Location.managingOrganization", "Organization"),
        ("status", _TOKEN, "Location.status"),
        ("type", _TOKEN, "Location.type"),
        ("partof", _REF, "Location.partOf", "Location"),
    ),
    "MeasureReport": (
        ("patient", _REF, "MeasureReport.subject", "Patient"),
        (
            "subject",
            _REF,
            "MeasureReport.subject",
            "CareTeam Device Group HealthcareService Location Organization Patient"
            " Practitioner PractitionerRole RelatedPerson",
        ),
        ("status", _TOKEN, "MeasureReport.status"),
        ("identifier", _TOKEN, "MeasureReport.identifier"),
    ),
    "Media": (
        ("patient", _REF, "Media.subject", "Patient"),
        (
            "subject",
            _REF,
            "Media.subject",
            "Device Group Location Patient Practitioner PractitionerRole Specimen",
        ),
        ("created", _DATE, "Media.created"),
        ("type", _TOKEN, "Media.type"),
        ("status", _TOKEN, "Media.status"),
        ("identifier", _TOKEN, "Media.identifier"),
    ),
    "Medication": (
        ("code", _TOKEN, "Medication.code"),
        ("identifier", _TOKEN, "Medication.identifier"),
        ("status", _TOKEN, "Medication.status"),
    ),
    "MedicationAdministration": (
        ("patient", _REF, "MedicationAdministration.subject", "Patient"),
        ("subject", _REF, "MedicationAdministration.subject", "Group Patient"),
        ("code", _TOKEN, "(MedicationAdministration.medication.ofType(CodeableConcept))"),
        ("status", _TOKEN, "MedicationAdministration.status"),
        ("effective-time", _DATE, "MedicationAdministration.effective"),
        ("context", _REF, "MedicationAdministration.context", "Encounter EpisodeOfCare"),
        (
            "performer",
            _REF,
            "MedicationAdministration.performer.actor",
            "Device Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("identifier", _TOKEN, "MedicationAdministration.identifier"),
    ),
    "MedicationDispense": (
        ("patient", _REF, "MedicationDispense.subject", "Patient"),
        ("subject", _REF, "MedicationDispense.subject", "Group Patient"),
        ("code", _TOKEN, "(MedicationDispense.medication.ofType(CodeableConcept))"),
        ("status", _TOKEN, "MedicationDispense.status"),
        ("receiver", _REF, "MedicationDispense.receiver", "Patient Practitioner"),
        (
            "performer",
            _REF,
            "MedicationDispense.performer.actor",
            "Device Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("prescription", _REF, "MedicationDispense.authorizingPrescription", "MedicationRequest"),
        ("identifier", _TOKEN, "MedicationDispense.identifier"),
        ("whenhandedover", _DATE, "MedicationDispense.whenHandedOver"),
        ("whenprepared", _DATE, "MedicationDispense.whenPrepared"),
    ),
    "MedicationRequest": (
        ("patient", _REF, "MedicationRequest.subject", "Patient"),
        ("subject", _REF, "MedicationRequest.subject", "Group Patient"),
        ("code", _TOKEN, "(MedicationRequest.medication.ofType(CodeableConcept))"),
        ("category", _TOKEN, "MedicationRequest.category"),
        ("status", _TOKEN, "MedicationRequest.status"),
        ("authoredon", _DATE, "MedicationRequest.authoredOn"),
        ("intent", _TOKEN, "MedicationRequest.intent"),
        ("medication", _REF, "(MedicationRequest.medication.ofType(Reference))", "Medication"),
        (
            "requester",
            _REF,
            "MedicationRequest.requester",
            "Device Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("encounter", _REF, "MedicationRequest.encounter", "Encounter"),
        ("identifier", _TOKEN, "MedicationRequest.identifier"),
        (
            "intended-performer",
            _REF,
            "MedicationRequest.performer",
            "CareTeam Device Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
    ),
    "MedicationStatement": (
        ("patient", _REF, "MedicationStatement.subject", "Patient"),
        ("subject", _REF, "MedicationStatement.subject", "Group Patient"),
        ("code", _TOKEN, "(MedicationStatement.medication.ofType(CodeableConcept))"),
        ("status", _TOKEN, "MedicationStatement.status"),
        ("effective", _DATE, "MedicationStatement.effective"),
        ("category", _TOKEN, "MedicationStatement.category"),
        ("context", _REF, "MedicationStatement.context", "Encounter EpisodeOfCare"),
        ("identifier", _TOKEN, "MedicationStatement.identifier"),
    ),
    "MolecularSequence": (
        ("patient", _REF, "MolecularSequence.patient", "Patient"),
        ("identifier", _TOKEN, "MolecularSequence.identifier"),
    ),
    "NutritionOrder": (
        ("patient", _REF, "NutritionOrder.patient", "Patient"),
        ("status", _TOKEN, "NutritionOrder.status"),
        ("datetime", _DATE, "NutritionOrder.dateTime"),
        ("identifier", _TOKEN, "NutritionOrder.identifier"),
        ("encounter", _REF, "NutritionOrder.encounter", "Encounter"),
    ),
    "Observation": (
        ("patient", _REF, "Observation.subject", "Patient"),
        ("subject", _REF, "Observation.subject", "Device Group Location Patient"),
        ("code", _TOKEN, "Observation.code"),
        ("category", _TOKEN, "Observation.category"),
        ("status", _TOKEN, "Observation.status"),
        ("date", _DATE, "Observation.effective"),
        ("encounter", _REF, "Observation.encounter", "Encounter"),
        ("identifier", _TOKEN, "Observation.identifier"),
        (
            "value-quantity",
            _QUANTITY,
            "(Observation.value.ofType(Quantity)) | (Observation.value.ofType(SampledData))",
        ),
        ("value-concept", _TOKEN, "(Observation.value.ofType(CodeableConcept))"),
        (
            "value-string",
            _STRING,
            "(Observation.value.ofType(string)) | (Observation.value.ofType(CodeableConcept)).text",
        ),
        (
            "value-date",
            _DATE,
            "(Observation.value.ofType(dateTime)) | (Observation.value.ofType(Period))",
        ),
        ("combo-code", _TOKEN, "Observation.code | Observation.component.code"),
        ("component-code", _TOKEN, "Observation.component.code"),
        (
            "based-on",
            _REF,
            "Observation.basedOn",
            "CarePlan DeviceRequest ImmunizationRecommendation MedicationRequest"
            " NutritionOrder ServiceRequest",
        ),
        (
            "derived-from",
            _REF,
            "Observation.derivedFrom",
            "DocumentReference ImagingStudy Media MolecularSequence Observation"
            " QuestionnaireResponse",
        ),
        (
            "has-member",
            _REF,
            "Observation.hasMember",
            "MolecularSequence Observation QuestionnaireResponse",
        ),
        (
            "part-of",
            _REF,
            "Observation.partOf",
            "ImagingStudy Immunization MedicationAdministration MedicationDispense"
            " MedicationStatement Procedure",
        ),
        (
            "performer",
            _REF,
            "Observation.performer",
            "CareTeam Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("device", _REF, "Observation.device", "Device DeviceMetric"),
        ("focus", _REF, "Observation.focus", ""),
    ),
    "Organization": (
        ("identifier", _TOKEN, "Organization.identifier"),
        ("name", _STRING, "Organization.name | Organization.alias"),
        ("active", _TOKEN, "Organization.active"),
        ("type", _TOKEN, "Organization.type"),
        ("address", _STRING, "Organization.address"),
        ("partof", _REF, "Organization.partOf", "Organization"),
    ),
    "Patient": (
        ("identifier", _TOKEN, "Patient.identifier"),
        ("name", _STRING, "Patient.name"),
        ("family", _STRING, "Patient.name.family"),
        ("given", _STRING, "Patient.name.given"),
        ("birthdate", _DATE, "Patient.birthDate"),
        ("gender", _TOKEN, "Patient.gender"),
        ("active", _TOKEN, "Patient.active"),
        ("address", _STRING, "Patient.address"),
        ("address-city", _STRING, "Patient.address.city"),
        ("address-state", _STRING, "Patient.address.state"),
        ("address-postalcode", _STRING, "Patient.address.postalCode"),
        ("address-country", _STRING, "Patient.address.country"),
        ("phone", _TOKEN, "Patient.telecom.where(system='phone')"),
        ("email", _TOKEN, "Patient.telecom.where(system='email')"),
        ("telecom", _TOKEN, "Patient.telecom"),
        (
            "general-practitioner",
            _REF,
            "Patient.generalPractitioner",
            "Organization Practitioner PractitionerRole",
        ),
        ("organization", _REF, "Patient.managingOrganization", "Organization"),
        ("death-date", _DATE, "(Patient.deceased.ofType(dateTime))"),
        ("deceased", _TOKEN, "Patient.deceased.exists() and Patient.deceased != false"),
        ("language", _TOKEN, "Patient.communication.language"),
        ("link", _REF, "Patient.link.other", "Patient RelatedPerson"),
    ),
    "Person": (
        ("patient", _REF, "Person.link.target", "Patient"),
        ("identifier", _TOKEN, "Person.identifier"),
        ("name", _STRING, "Person.name"),
        ("link", _REF, "Person.link.target", "Patient Person Practitioner RelatedPerson"),
    ),
    "Practitioner": (
        ("identifier", _TOKEN, "Practitioner.identifier"),
        ("name", _STRING, "Practitioner.name"),
        ("family", _STRING, "Practitioner.name.family"),
        ("given", _STRING, "Practitioner.name.given"),
        ("active", _TOKEN, "Practitioner.active"),
        ("telecom", _TOKEN, "Practitioner.telecom"),
        ("email", _TOKEN, "Practitioner.telecom.where(system='email')"),
        ("phone", _TOKEN, "Practitioner.telecom.where(system='phone')"),
    ),
    "PractitionerRole": (
        ("identifier", _TOKEN, "PractitionerRole.identifier"),
        ("practitioner", _REF, "PractitionerRole.practitioner", "Practitioner"),
        ("organization", _REF, "PractitionerRole.organization", "Organization"),
        ("location", _REF, "PractitionerRole.location", "Location"),
        ("role", _TOKEN, "PractitionerRole.code"),
        ("specialty", _TOKEN, "PractitionerRole.specialty"),
        ("active", _TOKEN, "PractitionerRole.active"),
        ("service", _REF, "PractitionerRole.healthcareService", "HealthcareService"),
    ),
    "Procedure": (
        ("patient", _REF, "Procedure.subject", "Patient"),
        ("subject", _REF, "Procedure.subject", "Group Patient"),
        ("code", _TOKEN, "Procedure.code"),
        ("category", _TOKEN, "Procedure.category"),
        ("status", _TOKEN, "Procedure.status"),
        ("date", _DATE, "Procedure.performed"),
        ("encounter", _REF, "Procedure.encounter", "Encounter"),
        ("identifier", _TOKEN, "Procedure.identifier"),
        (
            "performer",
            _REF,
            "Procedure.performer.actor",
            "Device Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("based-on", _REF, "Procedure.basedOn", "CarePlan ServiceRequest"),
        ("part-of", _REF, "Procedure.partOf", "MedicationAdministration Observation Procedure"),
        ("reason-code", _TOKEN, "Procedure.reasonCode"),
    ),
    "Provenance": (
        ("patient", _REF, "Provenance.target", "Patient"),
        ("target", _REF, "Provenance.target", ""),
        (
            "agent",
            _REF,
            "Provenance.agent.who",
            "Device Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("recorded", _DATE, "Provenance.recorded"),
    ),
    "Questionnaire": (
        ("name", _STRING, "Questionnaire.name"),
        ("title", _STRING, "Questionnaire.title"),
        ("status", _TOKEN, "Questionnaire.status"),
        ("url", _URI, "Questionnaire.url"),
        ("version", _TOKEN, "Questionnaire.version"),
        ("code", _TOKEN, "Questionnaire.item.code"),
        ("identifier", _TOKEN, "Questionnaire.identifier"),
        ("date", _DATE, "Questionnaire.date"),
    ),
    "QuestionnaireResponse": (
        ("patient", _REF, "QuestionnaireResponse.subject", "Patient"),
        ("subject", _REF, "QuestionnaireResponse.subject", ""),
        ("questionnaire", _REF, "QuestionnaireResponse.questionnaire", "Questionnaire"),
        ("status", _TOKEN, "QuestionnaireResponse.status"),
        ("authored", _DATE, "QuestionnaireResponse.authored"),
        (
            "author",
            _REF,
            "QuestionnaireResponse.author",
            "Device Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        (
            "source",
            _REF,
            "QuestionnaireResponse.source",
            "Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("encounter", _REF, "QuestionnaireResponse.encounter", "Encounter"),
        ("based-on", _REF, "QuestionnaireResponse.basedOn", "CarePlan ServiceRequest"),
        ("identifier", _TOKEN, "QuestionnaireResponse.identifier"),
        ("part-of", _REF, "QuestionnaireResponse.partOf", "Observation Procedure"),
    ),
    "RelatedPerson": (
        ("patient", _REF, "RelatedPerson.patient", "Patient"),
        ("identifier", _TOKEN, "RelatedPerson.identifier"),
        ("name", _STRING, "RelatedPerson.name"),
        ("relationship", _TOKEN, "RelatedPerson.relationship"),
        ("active", _TOKEN, "RelatedPerson.active"),
        ("telecom", _TOKEN, "RelatedPerson.telecom"),
        ("gender", _TOKEN, "RelatedPerson.gender"),
        ("birthdate", _DATE, "RelatedPerson.birthDate"),
    ),
    "RequestGroup": (
        ("patient", _REF, "RequestGroup.subject", "Patient"),
        ("subject", _REF, "RequestGroup.subject", "Group Patient"),
        (
            "participant",
            _REF,
            "RequestGroup.action.participant",
            "Device Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("status", _TOKEN, "RequestGroup.status"),
        ("identifier", _TOKEN, "RequestGroup.identifier"),
    ),
    "ResearchSubject": (
        ("patient", _REF, "ResearchSubject.individual", "Patient"),
        ("individual", _REF, "ResearchSubject.individual", "Patient"),
        ("status", _TOKEN, "ResearchSubject.status"),
        ("identifier", _TOKEN, "ResearchSubject.identifier"),
    ),
    "RiskAssessment": (
        ("patient", _REF, "RiskAssessment.subject", "Patient"),
        ("subject", _REF, "RiskAssessment.subject", "Group Patient"),
        ("date", _DATE, "(RiskAssessment.occurrence.ofType(dateTime))"),
        ("identifier", _TOKEN, "RiskAssessment.identifier"),
        ("encounter", _REF, "RiskAssessment.encounter", "Encounter"),
    ),
    "Schedule": (
        (
            "actor",
            _REF,
            "Schedule.actor",
            "Device HealthcareService Location Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("active", _TOKEN, "Schedule.active"),
        ("date", _DATE, "Schedule.planningHorizon"),
        ("identifier", _TOKEN, "Schedule.identifier"),
        ("service-type", _TOKEN, "Schedule.serviceType"),
        ("specialty", _TOKEN, "Schedule.specialty"),
    ),
    "ServiceRequest": (
        ("patient", _REF, "ServiceRequest.subject", "Patient"),
        ("subject", _REF, "ServiceRequest.subject", "Device Group Location Patient"),
        ("code", _TOKEN, "ServiceRequest.code"),
        ("category", _TOKEN, "ServiceRequest.category"),
        ("status", _TOKEN, "ServiceRequest.status"),
        ("intent", _TOKEN, "ServiceRequest.intent"),
        ("authored", _DATE, "ServiceRequest.authoredOn"),
        (
            "requester",
            _REF,
            "ServiceRequest.requester",
            "Device Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        (
            "performer",
            _REF,
            "ServiceRequest.performer",
            "CareTeam Device HealthcareService Organization Patient Practitioner"
            " PractitionerRole RelatedPerson",
        ),
        ("encounter", _REF, "ServiceRequest.encounter", "Encounter"),
        ("identifier", _TOKEN, "ServiceRequest.identifier"),
        ("based-on", _REF, "ServiceRequest.basedOn", "CarePlan MedicationRequest ServiceRequest"),
    ),
    "Slot": (
        ("schedule", _REF, "Slot.schedule", "Schedule"),
        ("status", _TOKEN, "Slot.status"),
        ("start", _DATE, "Slot.start"),
        ("service-type", _TOKEN, "Slot.serviceType"),
        ("appointment-type", _TOKEN, "Slot.appointmentType"),
        ("specialty", _TOKEN, "Slot.specialty"),
        ("identifier", _TOKEN, "Slot.identifier"),
    ),
    "Specimen": (
        ("patient", _REF, "Specimen.subject", "Patient"),
        ("subject", _REF, "Specimen.subject", "Device Group Location Patient Substance"),
        ("type", _TOKEN, "Specimen.type"),
        ("status", _TOKEN, "Specimen.status"),
        ("collected", _DATE, "Specimen.collection.collected"),
        ("identifier", _TOKEN, "Specimen.identifier"),
    ),
    "SupplyDelivery": (
        ("patient", _REF, "SupplyDelivery.patient", "Patient"),
        ("status", _TOKEN, "SupplyDelivery.status"),
        ("identifier", _TOKEN, "SupplyDelivery.identifier"),
    ),
    "SupplyRequest": (
        ("subject", _REF, "SupplyRequest.deliverTo", "Location Organization Patient"),
        (
            "requester",
            _REF,
            "SupplyRequest.requester",
            "Device Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("status", _TOKEN, "SupplyRequest.status"),
        ("category", _TOKEN, "SupplyRequest.category"),
        ("date", _DATE, "SupplyRequest.authoredOn"),
        ("identifier", _TOKEN, "SupplyRequest.identifier"),
    ),
    "Task": (
        ("patient", _REF, "Task.for", "Patient"),
        ("subject", _REF, "Task.for", ""),
        ("focus", _REF, "Task.focus", ""),
        (
            "owner",
            _REF,
            "Task.owner",
            "CareTeam Device HealthcareService Organization Patient Practitioner"
            " PractitionerRole RelatedPerson",
        ),
        (
            "requester",
            _REF,
            "Task.requester",
            "Device Organization Patient Practitioner PractitionerRole RelatedPerson",
        ),
        ("status", _TOKEN, "Task.status"),
        ("code", _TOKEN, "Task.code"),
        ("intent", _TOKEN, "Task.intent"),
        ("business-status", _TOKEN, "Task.businessStatus"),
        ("authored-on", _DATE, "Task.authoredOn"),
        ("modified", _DATE, "Task.lastModified"),
        ("part-of", _REF, "Task.partOf", "Task"),
        ("based-on", _REF, "Task.basedOn", ""),
        ("identifier", _TOKEN, "Task.identifier"),
        ("period", _DATE, "Task.executionPeriod"),
        ("performer", _TOKEN, "Task.performerType"),
        ("encounter", _REF, "Task.encounter", "Encounter"),
    ),
    "VisionPrescription": (
        ("patient", _REF, "VisionPrescription.patient", "Patient"),
        ("status", _TOKEN, "VisionPrescription.status"),
        ("datewritten", _DATE, "VisionPrescription.dateWritten"),
        ("identifier", _TOKEN, "VisionPrescription.identifier"),
    ),
}


def _build(resource_type: str, rows: tuple[_Row, ...]) -> Mapping[str, SearchParam]:
    params = dict(COMMON_PARAMS)
    for row in rows:
        code, ptype, expression = row[0], row[1], row[2]
        targets = tuple(row[3].split()) if len(row) == 4 else ()
        params[code] = SearchParam(resource_type, code, ptype, expression, targets)
    return MappingProxyType(params)


_PARAMS: dict[str, Mapping[str, SearchParam]] = {
    rt: _build(rt, rows) for rt, rows in _TABLE.items()
}


def params_for(resource_type: str) -> Mapping[str, SearchParam]:
    """The search parameters of ``resource_type``, by code, common ones included.

    A type Porch does not know gets only the common parameters.
    """
    return _PARAMS.get(resource_type, COMMON_PARAMS)


def get_param(resource_type: str, code: str) -> SearchParam | None:
    return params_for(resource_type).get(code)


def supported_resource_types() -> tuple[str, ...]:
    return _SUPPORTED


_SUPPORTED = tuple(sorted(_TABLE))
