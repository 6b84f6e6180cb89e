"""FHIR R4 validation: real HL7 examples and Synthea bundles pass, and each kind of bad
input gets an issue that names the resource type, the path and the problem.

Pure functions, no database. The data is read in place from ../shared/data (see its README).
"""

from __future__ import annotations

import bz2
import csv
import json
from pathlib import Path
from typing import Any

import pytest

from porch.record.validation import MAX_ISSUES, Issue, validate_resource
from porch.tests import shared_data

DATA = shared_data.SHARED_DATA
EXAMPLES = DATA / "fhir-r4-examples" / "clinical"
SYNTHEA = DATA / "synthea"
# A small patient, a large one (about 5,000 entries) and a batch of practitioners.
SYNTHEA_BUNDLES = [
    "085e81c0-7a95-ef02-16ef-aa1b4344deed.json.bz2",
    "4b86befa-fa7e-9285-615f-e081dab3f93c.json.bz2",
    "0-practitionerInformation1625911868739.json.bz2",
]
# The one official example that is invalid: nested items without their required linkId.
KNOWN_BAD_EXAMPLE = "Questionnaire-qs1.json"


def observation(**fields: Any) -> dict[str, Any]:
    """A minimal valid Observation, with `fields` added or (when None) removed."""
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "valueQuantity": {"value": 72, "unit": "/min"},
    }
    resource.update(fields)
    return {k: v for k, v in resource.items() if v is not None}


def patient(**fields: Any) -> dict[str, Any]:
    return {"resourceType": "Patient", "name": [{"family": "Ana", "given": ["Lucía"]}], **fields}


def only_issue(resource: object) -> Issue:
    issues = validate_resource(resource)
    assert len(issues) == 1, issues
    return issues[0]


def load_bundle(name: str) -> dict[str, Any]:
    with bz2.open(SYNTHEA / name, "rt", encoding="utf-8") as f:
        bundle: dict[str, Any] = json.load(f)
    return bundle


# --- what must pass -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(EXAMPLES.glob("*.json")) if p.name != KNOWN_BAD_EXAMPLE],
    ids=lambda p: p.name,
)
def test_every_official_example_validates_clean(path: Path) -> None:
    assert validate_resource(json.loads(path.read_text(encoding="utf-8"))) == []


def test_the_official_examples_are_all_there() -> None:
    # Guards the parametrized test above against silently running on an empty folder.
    assert len(list(EXAMPLES.glob("*.json"))) == 703


def test_it_reports_the_missing_linkid_of_the_official_questionnaire_example() -> None:
    resource = json.loads((EXAMPLES / KNOWN_BAD_EXAMPLE).read_text(encoding="utf-8"))
    issues = validate_resource(resource)
    assert issues
    assert all(i.code == "required" and i.expression.endswith(".linkId") for i in issues)
    first = issues[0]
    assert first.expression == "Questionnaire.item[0].item[0].linkId"
    assert first.diagnostics == "Questionnaire.item[0].item[0].linkId: missing required element"


@pytest.mark.parametrize("name", SYNTHEA_BUNDLES)
def test_every_resource_of_a_synthea_bundle_validates_clean(name: str) -> None:
    bundle = load_bundle(name)
    with (SYNTHEA / "INDEX.csv").open(encoding="utf-8") as f:
        expected = {row["file"]: int(row["entries"]) for row in csv.DictReader(f)}
    assert len(bundle["entry"]) == expected[name]
    for entry in bundle["entry"]:
        assert validate_resource(entry["resource"]) == [], entry["fullUrl"]


@pytest.mark.parametrize("name", SYNTHEA_BUNDLES)
def test_a_whole_synthea_bundle_validates_clean(name: str) -> None:
    assert validate_resource(load_bundle(name)) == []


def test_a_primitive_given_only_as_its_extension_counts_as_present() -> None:
    data_absent = {
        "url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
        "valueCode": "unknown",
    }
    resource = observation(status=None, _status={"extension": [data_absent]})
    assert validate_resource(resource) == []


def test_it_accepts_a_non_breaking_space_in_a_string() -> None:
    # The official schema's string pattern rejected U+00A0; an HL7 example contains one.
    assert validate_resource(patient(name=[{"text": "Ana\xa0Lucía Ruiz"}])) == []


def test_it_accepts_fhir_version_4_0_1() -> None:
    resource = json.loads((EXAMPLES / "CapabilityStatement-phr.json").read_text(encoding="utf-8"))
    assert resource["fhirVersion"] == "4.0.1"
    assert validate_resource(resource) == []


# --- resource envelope ----------------------------------------------------------------


@pytest.mark.parametrize("value", [None, [], "Patient", 5, True])
def test_it_rejects_what_is_not_a_json_object(value: object) -> None:
    issue = only_issue(value)
    assert (issue.code, issue.expression) == ("structure", "Resource")
    assert "expected a JSON object" in issue.diagnostics


def test_it_rejects_a_resource_without_resource_type() -> None:
    issue = only_issue({"id": "ana"})
    assert (issue.code, issue.expression) == ("required", "Resource.resourceType")
    assert "missing resourceType" in issue.diagnostics


@pytest.mark.parametrize("resource_type", ["Patinet", "DomainResource", 7])
def test_it_rejects_an_unknown_resource_type(resource_type: object) -> None:
    issue = only_issue({"resourceType": resource_type})
    assert (issue.code, issue.expression) == ("code-invalid", "Resource.resourceType")
    assert "unknown resource type" in issue.diagnostics


# --- schema failures ------------------------------------------------------------------


def test_it_rejects_an_unknown_status_code_naming_the_path() -> None:
    issue = only_issue(observation(status="bogus"))
    assert (issue.code, issue.expression) == ("code-invalid", "Observation.status")
    assert issue.diagnostics.startswith(
        "Observation.status: 'bogus' is not one of registered, preliminary, final, amended"
    )


def test_it_shortens_a_long_list_of_allowed_codes() -> None:
    resource = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "oops"}],
    }
    issue = only_issue(resource)
    assert issue.expression == "OperationOutcome.issue[0].code"
    assert "'oops' is not one of invalid, structure, required" in issue.diagnostics
    assert "(31 codes in all)" in issue.diagnostics


def test_it_rejects_a_wrong_data_type() -> None:
    issue = only_issue(patient(birthDate=19800101))
    assert (issue.code, issue.expression) == ("value", "Patient.birthDate")
    assert "expected a JSON string (FHIR date), got number 19800101" in issue.diagnostics


def test_it_rejects_a_number_in_a_list_of_strings_naming_the_index() -> None:
    issue = only_issue(patient(name=[{"given": ["Ana", 3]}]))
    assert (issue.code, issue.expression) == ("value", "Patient.name[0].given[1]")


def test_it_rejects_a_fraction_where_an_integer_is_required() -> None:
    # The schema's integer is a JSON number with a regex, which never applied to numbers.
    issue = only_issue(observation(valueQuantity=None, valueInteger=1.5))
    assert (issue.code, issue.expression) == ("value", "Observation.valueInteger")
    assert "expected a JSON integer (FHIR integer), got number 1.5" in issue.diagnostics


def test_it_rejects_a_negative_number_where_an_unsigned_integer_is_required() -> None:
    issue = only_issue(patient(photo=[{"contentType": "image/png", "size": -1}]))
    assert (issue.code, issue.expression) == ("value", "Patient.photo[0].size")
    assert "must be at least 0" in issue.diagnostics


def test_it_rejects_an_unknown_element_naming_it() -> None:
    issue = only_issue(patient(favouriteColour="blue"))
    assert (issue.code, issue.expression) == ("structure", "Patient.favouriteColour")
    assert "unknown element 'favouriteColour'" in issue.diagnostics


@pytest.mark.parametrize("value", ["1980-13-01", "01/02/1980", "1980-1-1", ""])
def test_it_rejects_an_invalid_date_format(value: str) -> None:
    issue = only_issue(patient(birthDate=value))
    assert (issue.code, issue.expression) == ("value", "Patient.birthDate")
    assert f"'{value}' is not a date: YYYY, YYYY-MM or YYYY-MM-DD" in issue.diagnostics


def test_it_rejects_a_date_time_without_time_zone() -> None:
    issue = only_issue(observation(effectiveDateTime="2024-01-09T12:30:00"))
    assert (issue.code, issue.expression) == ("value", "Observation.effectiveDateTime")
    assert "is not a dateTime" in issue.diagnostics


@pytest.mark.parametrize("bad_id", ["has space", "a" * 65, "ana_1", ""])
def test_it_rejects_a_bad_id(bad_id: str) -> None:
    issue = only_issue(patient(id=bad_id))
    assert (issue.code, issue.expression) == ("value", "Patient.id")
    assert "is not an id: 1 to 64 letters, digits, '-' or '.'" in issue.diagnostics


def test_it_accepts_the_longest_id() -> None:
    assert validate_resource(patient(id="A-1." + "z" * 60)) == []


def test_it_rejects_control_characters_in_a_string_showing_them_escaped() -> None:
    issue = only_issue(patient(name=[{"text": "Ana\x07"}]))
    assert (issue.code, issue.expression) == ("value", "Patient.name[0].text")
    assert '"Ana\\u0007" is not a string' in issue.diagnostics


def test_it_rejects_a_missing_required_complex_element() -> None:
    issue = only_issue(observation(code=None))
    assert (issue.code, issue.expression) == ("required", "Observation.code")
    assert issue.diagnostics == "Observation.code: missing required element"


# --- requirements the schema misses ---------------------------------------------------


def test_it_rejects_a_missing_observation_status() -> None:
    issue = only_issue(observation(status=None))
    assert (issue.code, issue.expression) == ("required", "Observation.status")
    assert issue.diagnostics == "Observation.status: missing required element"


def test_it_rejects_a_missing_required_choice() -> None:
    resource = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/ana"},
    }
    issue = only_issue(resource)
    assert (issue.code, issue.expression) == ("required", "MedicationRequest.medication[x]")


def test_it_rejects_an_extension_without_url_however_deep() -> None:
    resource = patient(_birthDate={"extension": [{"valueDateTime": "1980-01-01T10:00:00Z"}]})
    issue = only_issue(resource)
    assert (issue.code, issue.expression) == ("required", "Patient._birthDate.extension[0].url")


# --- resources inside resources -------------------------------------------------------


def test_it_checks_a_contained_resource_as_its_own_type() -> None:
    resource = patient(
        contained=[observation(id="hr"), observation(id="bp", status="done", code=None)]
    )
    issues = {(i.code, i.expression): i.diagnostics for i in validate_resource(resource)}
    assert issues.keys() == {
        ("code-invalid", "Patient.contained[1].status"),
        ("required", "Patient.contained[1].code"),
    }
    assert (
        "'done' is not one of registered" in issues["code-invalid", "Patient.contained[1].status"]
    )


def test_it_checks_required_primitives_in_a_contained_resource() -> None:
    issue = only_issue(patient(contained=[observation(status=None)]))
    assert (issue.code, issue.expression) == ("required", "Patient.contained[0].status")


def test_it_rejects_a_contained_resource_of_unknown_type() -> None:
    issue = only_issue(patient(contained=[{"resourceType": "Patinet"}]))
    assert (issue.code, issue.expression) == ("code-invalid", "Patient.contained[0].resourceType")
    assert "unknown resource type 'Patinet'" in issue.diagnostics


def test_it_names_the_bundle_entry_of_an_invalid_resource() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": patient()}, {"resource": observation(status="bogus")}],
    }
    issue = only_issue(bundle)
    assert (issue.code, issue.expression) == ("code-invalid", "Bundle.entry[1].resource.status")
    assert "'bogus' is not one of registered" in issue.diagnostics


def test_it_finds_a_missing_primitive_inside_a_bundle_entry() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": patient(), "request": {"method": "POST", "url": "Patient"}},
            {"resource": observation(status=None), "request": {"url": "Observation"}},
        ],
    }
    expressions = {i.expression for i in validate_resource(bundle)}
    assert expressions == {"Bundle.entry[1].resource.status", "Bundle.entry[1].request.method"}


# --- volume ---------------------------------------------------------------------------


def test_it_reports_each_problem_once() -> None:
    issues = validate_resource(observation(status="bogus", code=None, id="a b"))
    assert len(issues) == len({(i.expression, i.diagnostics) for i in issues}) == 3


def test_it_stops_after_max_issues_with_a_warning() -> None:
    resource = patient(name=[{"given": [n]} for n in range(200)])
    issues = validate_resource(resource)
    assert len(issues) == MAX_ISSUES + 1
    assert all(i.severity == "error" for i in issues[:MAX_ISSUES])
    assert (issues[-1].severity, issues[-1].code) == ("warning", "too-costly")


def test_it_cuts_a_long_bad_value_in_diagnostics() -> None:
    issue = only_issue(patient(gender="x" * 500))
    assert issue.expression == "Patient.gender"
    assert len(issue.diagnostics) < 200


# --- hostile or odd input never raises ------------------------------------------------


def test_it_rejects_an_integer_beyond_32_bits() -> None:
    issue = only_issue(patient(multipleBirthInteger=2**31))
    assert (issue.code, issue.expression) == ("value", "Patient.multipleBirthInteger")
    assert "must be at most 2147483647 (FHIR integer)" in issue.diagnostics


def test_it_reports_a_python_value_json_cannot_hold() -> None:
    issue = only_issue(patient(photo={"not", "json"}))
    assert (issue.code, issue.expression) == ("structure", "Patient")
    assert "not JSON data" in issue.diagnostics


def test_it_checks_a_resource_nested_deeper_than_a_json_parser_allows() -> None:
    # orjson, which parses request bodies, stops at 1,024 levels; this is 1,200.
    extension: dict[str, Any] = {"valueString": "no url down here"}
    for _ in range(600):
        extension = {"url": "http://example.org/x", "extension": [extension]}
    issue = only_issue(patient(extension=[extension]))
    assert issue.code == "required"
    assert issue.expression == "Patient" + ".extension[0]" * 601 + ".url"


def test_it_rejects_a_contained_resource_type_that_is_not_a_string() -> None:
    issue = only_issue(patient(contained=[{"resourceType": ["Patient"]}]))
    assert (issue.code, issue.expression) == ("code-invalid", "Patient.contained[0].resourceType")
