"""The R4 Patient compartment: every type it lists, with parameters that exist in the
registry and can point to a Patient, and that find the patient in real examples.

Pure functions, no database. The data is read in place from ../shared/data.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from porch.record.compartment import (
    PATIENT_COMPARTMENT,
    compartment_params,
    in_patient_compartment,
)
from porch.record.searchparams import ParamType, get_param
from porch.tests import shared_data

EXAMPLES = shared_data.EXAMPLES


def example(name: str) -> dict[str, Any]:
    with (EXAMPLES / name).open() as f:
        resource: dict[str, Any] = json.load(f)
    return resource


def patients_of(resource: dict[str, Any]) -> set[str]:
    """The Patient references the compartment parameters find in ``resource``."""
    found = set()
    for param in compartment_params(resource["resourceType"]):
        for value in param.compiled(resource):
            reference = value.get("reference", "") if isinstance(value, dict) else ""
            if reference.startswith("Patient/"):
                found.add(reference)
    return found


def test_it_lists_the_67_resource_types_of_the_r4_definition() -> None:
    assert len(PATIENT_COMPARTMENT) == 67
    for rt in ("Observation", "Encounter", "Appointment", "Communication", "Task", "Patient"):
        assert in_patient_compartment(rt)
    for rt in ("Practitioner", "Organization", "Location", "Medication", "Binary", "Slot"):
        assert not in_patient_compartment(rt)
        assert compartment_params(rt) == ()


@pytest.mark.parametrize(
    ("resource_type", "codes"),
    [
        ("Observation", ("subject", "performer")),
        ("Encounter", ("patient",)),
        ("Appointment", ("actor",)),
        ("Communication", ("subject", "sender", "recipient")),
        ("Group", ("member",)),
        ("Provenance", ("patient",)),
        ("Patient", ("link",)),
        ("CareTeam", ("patient", "participant")),
        ("AllergyIntolerance", ("patient", "recorder", "asserter")),
        ("Account", ("subject",)),
        ("Coverage", ("policy-holder", "subscriber", "beneficiary", "payor")),
        ("Task", ("patient", "focus")),
    ],
)
def test_it_names_the_r4_params(resource_type: str, codes: tuple[str, ...]) -> None:
    assert PATIENT_COMPARTMENT[resource_type] == codes
    assert tuple(p.code for p in compartment_params(resource_type)) == codes


def test_every_compartment_param_is_a_registered_reference_that_can_point_to_a_patient() -> None:
    for resource_type, codes in PATIENT_COMPARTMENT.items():
        for code in codes:
            param = get_param(resource_type, code)
            assert param is not None, f"{resource_type}.{code}"
            assert param.type is ParamType.REFERENCE, param
            assert param.can_target("Patient"), param
            assert param.indexed


@pytest.mark.parametrize(
    ("file", "patients"),
    [
        ("Observation-example.json", {"Patient/example"}),
        ("Appointment-example.json", {"Patient/example"}),
        ("Encounter-example.json", {"Patient/example"}),
        ("AllergyIntolerance-example.json", {"Patient/example"}),
        ("Condition-example.json", {"Patient/example"}),
        ("CareTeam-example.json", {"Patient/example"}),
        ("Communication-example.json", {"Patient/example"}),
        ("Group-101.json", set()),  # a group described by its traits, with no members
        ("Group-102.json", {"Patient/pat1", "Patient/pat2", "Patient/pat3", "Patient/pat4"}),
        ("Patient-pat1.json", {"Patient/pat2"}),  # linked: the pat2 record replaces it
    ],
)
def test_compartment_params_find_the_patient_in_examples(file: str, patients: set[str]) -> None:
    assert patients_of(example(file)) == patients


def test_a_group_belongs_to_the_compartment_of_each_member() -> None:
    group = {
        "resourceType": "Group",
        "member": [
            {"entity": {"reference": "Patient/ana"}},
            {"entity": {"reference": "Patient/mallory"}},
            {"entity": {"reference": "Practitioner/cruz"}},
        ],
    }
    assert patients_of(group) == {"Patient/ana", "Patient/mallory"}
