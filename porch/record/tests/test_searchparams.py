"""The search-parameter registry: every expression compiles and runs in fhirpathpy, the
fast walker answers exactly as fhirpathpy does, and the main parameters pull the right
values out of real HL7 examples and Synthea bundles.

Pure functions, no database. The data is read in place from ../shared/data.
"""

from __future__ import annotations

import bz2
import json
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from typing import Any

import fhirpathpy
import pytest
from fhirpathpy.models import models

from porch.record.compartment import PATIENT_COMPARTMENT
from porch.record.searchparams import (
    COMMON_PARAMS,
    ParamType,
    SearchParam,
    compile_path,
    get_param,
    params_for,
    supported_resource_types,
)
from porch.tests import shared_data

DATA = shared_data.SHARED_DATA
EXAMPLES = DATA / "fhir-r4-examples" / "clinical"
# A small Synthea patient: 38 Observations, Encounters, Claims, a Provenance.
SYNTHEA_BUNDLE = DATA / "synthea" / "8a4c9c04-1524-9f1c-d65b-9b17e4520fef.json.bz2"
# Resource types of R4: whatever the r4 model of fhirpathpy derives from (Domain)Resource.
R4_TYPES = frozenset(
    name
    for name, parent in models["r4"]["type2Parent"].items()
    if parent in {"Resource", "DomainResource"} and name != "DomainResource"
)


def all_params() -> list[SearchParam]:
    """Each parameter once: the common ones, then each type's own."""
    own = [p for rt in supported_resource_types() for p in params_for(rt).values()]
    return [*COMMON_PARAMS.values(), *(p for p in own if p.resource_type != "Resource")]


def example(name: str) -> dict[str, Any]:
    with (EXAMPLES / name).open() as f:
        resource: dict[str, Any] = json.load(f)
    return resource


@cache
def synthea_resources() -> tuple[dict[str, Any], ...]:
    with bz2.open(SYNTHEA_BUNDLE) as f:
        bundle = json.load(f)
    return tuple(entry["resource"] for entry in bundle["entry"])


def example_resources() -> Iterator[dict[str, Any]]:
    """Every official example, with the resources inside example Bundles and contained."""
    for path in sorted(EXAMPLES.glob("*.json")):
        with path.open() as f:
            resource = json.load(f)
        yield resource
        for entry in resource.get("entry", ()) if resource["resourceType"] == "Bundle" else ():
            if "resource" in entry:
                yield entry["resource"]
        yield from resource.get("contained", ())


def values(resource: dict[str, Any], code: str) -> list[Any]:
    param = get_param(resource["resourceType"], code)
    assert param is not None, f"{resource['resourceType']}.{code} is not registered"
    return param.compiled(resource)


def codes_of(concepts: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(c.get("system", ""), c["code"]) for cc in concepts for c in cc.get("coding", ())}


# --- the table itself -------------------------------------------------------------


def test_it_covers_the_portal_types_and_the_whole_patient_compartment() -> None:
    supported = set(supported_resource_types())
    portal = {
        "Patient", "Practitioner", "PractitionerRole", "Organization", "Location",
        "Observation", "Condition", "MedicationRequest", "AllergyIntolerance",
        "Immunization", "Encounter", "DiagnosticReport", "DocumentReference", "Procedure",
        "CarePlan", "Goal", "CareTeam", "Claim", "ExplanationOfBenefit", "Schedule", "Slot",
        "Appointment", "Communication", "CommunicationRequest", "Task", "Questionnaire",
        "QuestionnaireResponse", "RelatedPerson", "Device", "Medication", "Provenance",
        "Binary", "ServiceRequest", "Coverage",
    }  # fmt: skip
    assert portal <= supported
    assert set(PATIENT_COMPARTMENT) <= supported
    assert supported <= R4_TYPES
    assert list(supported_resource_types()) == sorted(supported)


def test_every_param_is_one_of_its_own_type() -> None:
    for rt in supported_resource_types():
        for code, param in params_for(rt).items():
            assert param.code == code
            if code.startswith("_"):
                assert param.resource_type == "Resource"
            else:
                assert param.resource_type == rt
                # Restricted to this type: no branch of another type's expression.
                assert param.expression.lstrip("(").startswith(f"{rt}."), param
            assert isinstance(param.type, ParamType)


@pytest.mark.parametrize("param", all_params(), ids=lambda p: f"{p.resource_type}.{p.code}")
def test_every_expression_compiles_with_fhirpathpy_r4(param: SearchParam) -> None:
    fn = fhirpathpy.compile(param.expression, model=models["r4"])
    # resolve() would compile and then fail here; `as` fails on collections.
    resource_type = "Patient" if param.resource_type == "Resource" else param.resource_type
    assert fn({"resourceType": resource_type}, None) in ([], [False])
    assert "resolve()" not in param.expression
    assert " as " not in param.expression
    assert ".as(" not in param.expression


def test_reference_params_name_only_r4_types_and_others_name_none() -> None:
    for param in all_params():
        if param.type is ParamType.REFERENCE:
            assert set(param.target_types) <= R4_TYPES, param
            assert len(set(param.target_types)) == len(param.target_types)
        else:
            assert param.target_types == (), param


def test_patient_params_point_only_to_patients() -> None:
    for rt in supported_resource_types():
        patient = get_param(rt, "patient")
        if patient is not None and patient.type is ParamType.REFERENCE:
            assert patient.target_types == ("Patient",), patient


def test_an_empty_target_list_means_any_type() -> None:
    focus = get_param("Task", "focus")
    assert focus is not None and focus.target_types == ()
    assert focus.can_target("Patient") and focus.can_target("Observation")
    subject = get_param("Observation", "subject")
    assert subject is not None
    assert subject.can_target("Patient") and not subject.can_target("Practitioner")
    code = get_param("Observation", "code")
    assert code is not None and not code.can_target("Patient")


def test_common_params_come_with_every_type_and_alone_for_unknown_types() -> None:
    assert set(COMMON_PARAMS) == {"_id", "_lastUpdated", "_tag", "_profile", "_security"}
    for rt in supported_resource_types():
        assert set(COMMON_PARAMS) <= set(params_for(rt))
    assert params_for("NoSuchType") == COMMON_PARAMS
    assert get_param("NoSuchType", "code") is None
    assert get_param("Observation", "no-such-param") is None
    assert set(params_for("Binary")) == set(COMMON_PARAMS)


def test_id_and_last_updated_are_left_to_the_resource_columns() -> None:
    unindexed = {p.code for p in COMMON_PARAMS.values() if not p.indexed}
    assert unindexed == {"_id", "_lastUpdated"}
    assert all(p.indexed for p in all_params() if not p.code.startswith("_"))


def test_common_params_read_meta_of_any_resource_type() -> None:
    resource = {
        "resourceType": "Observation",
        "id": "o1",
        "meta": {
            "lastUpdated": "2024-05-01T10:00:00Z",
            "tag": [{"system": "urn:t", "code": "x"}],
            "profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-vital-signs"],
            "security": [{"system": "urn:s", "code": "R"}],
        },
    }
    assert values(resource, "_id") == ["o1"]
    assert values(resource, "_lastUpdated") == ["2024-05-01T10:00:00Z"]
    assert values(resource, "_tag") == [{"system": "urn:t", "code": "x"}]
    assert values(resource, "_profile") == resource["meta"]["profile"]  # type: ignore[index]
    assert values(resource, "_security") == [{"system": "urn:s", "code": "R"}]


# --- the walker answers as fhirpathpy does ------------------------------------------


@cache
def fhirpathpy_compiled(expression: str) -> Any:
    return fhirpathpy.compile(expression, model=models["r4"])


def fhirpathpy_answer(expression: str, resource: dict[str, Any]) -> list[Any]:
    result: list[Any] = fhirpathpy_compiled(expression)(resource, None)
    return [as_json_numbers(v) for v in result]


def as_json_numbers(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [as_json_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: as_json_numbers(v) for k, v in value.items()}
    return value


def test_compiled_params_answer_as_fhirpathpy_on_every_example_and_synthea() -> None:
    checked = 0
    resources = [*example_resources(), *synthea_resources()]
    for resource in resources:
        for param in params_for(resource.get("resourceType", "")).values():
            expected = fhirpathpy_answer(param.expression, resource)
            assert param.compiled(resource) == expected, (param, resource.get("id"))
            checked += 1
    assert checked > 5000


@pytest.mark.parametrize(
    "expression",
    [
        "Observation.code | Observation.component.code",
        "(Observation.value.ofType(string)) | (Observation.value.ofType(CodeableConcept)).text",
        "Observation.component.value.ofType(Quantity)",
        "Observation.effective.ofType(Period).start",
        "Patient.telecom.where(system='email').value",
        "Patient.name.exists()",
        "Patient.deceased.exists() and Patient.deceased != false",
        "(Patient.name | Patient.contact.name).family",
        "Patient.name.given.first()",
        "meta.tag.code",
    ],
)
def test_walker_and_fallback_agree_with_fhirpathpy_on_made_up_cases(expression: str) -> None:
    patient = {
        "resourceType": "Patient",
        "name": [{"family": "Ríos", "given": ["Ana", "María"]}],
        "contact": [{"name": {"family": "Ríos", "given": ["Ben"]}}],
        "telecom": [{"system": "email", "value": "ana@example.org"}, {"system": "phone"}],
        "deceasedBoolean": False,
        "meta": {"tag": [{"code": "a"}, {"code": "b"}]},
    }
    observation = {
        "resourceType": "Observation",
        "code": {"text": "bp"},
        "effectivePeriod": {"start": "2024-01-01"},
        "valueCodeableConcept": {"text": "high"},
        "component": [
            {"code": {"text": "bp"}, "valueQuantity": {"value": 120.5, "unit": "mm[Hg]"}},
            {"code": {"text": "dia"}, "valueQuantity": {"value": 80, "unit": "mm[Hg]"}},
            {"code": {"text": "note"}, "valueString": "sitting"},
        ],
    }
    for resource in (patient, observation):
        assert compile_path(expression)(resource) == fhirpathpy_answer(expression, resource)


def test_numbers_come_back_as_the_resource_holds_them() -> None:
    # fhirpathpy alone would answer Decimal("7.2"); the indexer expects int or float.
    observation = {"resourceType": "Observation", "valueQuantity": {"value": 7.2, "unit": "g/dL"}}
    assert values(observation, "value-quantity") == [{"value": 7.2, "unit": "g/dL"}]
    patient = {"resourceType": "Patient", "deceasedBoolean": True}
    assert values(patient, "deceased") == [True]


# --- what the main parameters extract -----------------------------------------------


def test_observation_example_gives_patient_code_date_and_value() -> None:
    obs = example("Observation-example.json")
    assert values(obs, "patient") == [{"reference": "Patient/example"}]
    assert values(obs, "subject") == [{"reference": "Patient/example"}]
    assert ("http://loinc.org", "29463-7") in codes_of(values(obs, "code"))
    assert values(obs, "date") == ["2016-03-28"]
    assert values(obs, "status") == ["final"]
    assert values(obs, "encounter") == [{"reference": "Encounter/example"}]
    [category] = values(obs, "category")
    assert ("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs") in (
        codes_of([category])
    )
    [quantity] = values(obs, "value-quantity")
    assert (quantity["value"], quantity["code"]) == (185, "[lb_av]")
    assert values(obs, "value-concept") == []
    assert values(obs, "value-string") == []


def test_observation_with_components_gives_component_codes_and_combo_codes() -> None:
    bp = example("Observation-blood-pressure.json")
    component_codes = codes_of(values(bp, "component-code"))
    assert {("http://loinc.org", "8480-6"), ("http://loinc.org", "8462-4")} <= component_codes
    combo = codes_of(values(bp, "combo-code"))
    assert combo == codes_of(values(bp, "code")) | component_codes
    assert values(bp, "value-quantity") == []  # the values sit in the components


def test_patient_example_gives_names_birthdate_gender_and_contacts() -> None:
    patient = example("Patient-example.json")
    assert values(patient, "family") == ["Chalmers", "Windsor"]
    assert values(patient, "given") == ["Peter", "James", "Jim", "Peter", "James"]
    assert len(values(patient, "name")) == 3
    assert values(patient, "birthdate") == ["1974-12-25"]
    assert values(patient, "gender") == ["male"]
    assert values(patient, "active") == [True]
    assert values(patient, "address-city") == ["PleasantVille"]
    assert values(patient, "address-postalcode") == ["3999"]
    phones = [t["value"] for t in values(patient, "phone")]
    assert phones == ["(03) 5555 6473", "(03) 3410 5613", "(03) 5555 8834"]
    assert values(patient, "email") == []
    assert values(patient, "organization") == [{"reference": "Organization/1"}]
    assert values(patient, "deceased") == [False]
    assert values(patient, "death-date") == []


def test_dead_patient_gives_deceased_and_death_date() -> None:
    patient = {"resourceType": "Patient", "deceasedDateTime": "2015-02-14T13:42:00+10:00"}
    assert values(patient, "deceased") == [True]
    assert values(patient, "death-date") == ["2015-02-14T13:42:00+10:00"]


def test_appointment_example_gives_every_actor_and_the_patient() -> None:
    appointment = example("Appointment-example.json")
    actors = [a["reference"] for a in values(appointment, "actor")]
    assert actors == ["Patient/example", "Practitioner/example", "Location/1"]
    # The patient and practitioner params find the same references; the indexer
    # keeps the ones whose type is among the param's target types.
    patient = get_param("Appointment", "patient")
    assert patient is not None and patient.target_types == ("Patient",)
    assert values(appointment, "date") == ["2013-12-10T09:00:00Z"]
    assert values(appointment, "status") == ["booked"]


def test_encounter_example_gives_patient_class_and_status() -> None:
    encounter = example("Encounter-example.json")
    assert values(encounter, "patient") == [{"reference": "Patient/example"}]
    [klass] = values(encounter, "class")
    assert klass["code"] == "IMP"
    assert values(encounter, "status") == ["in-progress"]


def test_choice_dates_give_the_type_that_is_present() -> None:
    condition = {
        "resourceType": "Condition",
        "onsetPeriod": {"start": "2020-01-01"},
        "abatementDateTime": "2021-03-04",
        "recordedDate": "2020-01-02",
    }
    assert values(condition, "onset-date") == [{"start": "2020-01-01"}]
    assert values(condition, "abatement-date") == ["2021-03-04"]
    assert values(condition, "recorded-date") == ["2020-01-02"]
    assert values({"resourceType": "Condition", "onsetAge": {"value": 3}}, "onset-date") == []


def test_medication_request_splits_code_from_medication_reference() -> None:
    coded = {"resourceType": "MedicationRequest", "medicationCodeableConcept": {"text": "x"}}
    assert values(coded, "code") == [{"text": "x"}]
    assert values(coded, "medication") == []
    referenced = {"resourceType": "MedicationRequest", "medicationReference": {"reference": "M/1"}}
    assert values(referenced, "code") == []
    assert values(referenced, "medication") == [{"reference": "M/1"}]


def test_synthea_resources_give_their_urn_uuid_references() -> None:
    resources = synthea_resources()
    [patient] = [r for r in resources if r["resourceType"] == "Patient"]
    patient_ref = {"reference": f"urn:uuid:{patient['id']}"}
    observations = [r for r in resources if r["resourceType"] == "Observation"]
    assert len(observations) == 38
    for obs in observations:
        assert values(obs, "patient") == [patient_ref]
        assert values(obs, "encounter")[0]["reference"].startswith("urn:uuid:")
        assert values(obs, "date") == [obs["effectiveDateTime"]]
        assert values(obs, "code") == [obs["code"]]
    linked = ("Encounter", "DiagnosticReport", "Procedure", "DocumentReference", "Immunization")
    for rt in (*linked, "Claim", "ExplanationOfBenefit"):
        for resource in (r for r in resources if r["resourceType"] == rt):
            # Synthea adds the patient's name as Reference.display on some of them.
            [ref] = values(resource, "patient")
            assert ref["reference"] == patient_ref["reference"], rt
    [provenance] = [r for r in resources if r["resourceType"] == "Provenance"]
    assert patient_ref in values(provenance, "target")
