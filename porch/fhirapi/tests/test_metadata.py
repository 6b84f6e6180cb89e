"""GET /fhir/metadata: the CapabilityStatement, generated from the search-parameter registry."""

from __future__ import annotations

from typing import Any

import pytest

from porch.fhirapi.tests.conftest import Api, body, diagnostics
from porch.record.searchparams import params_for, supported_resource_types
from porch.record.validation import validate_resource

pytestmark = pytest.mark.django_db


def _resource(statement: dict[str, Any], resource_type: str) -> dict[str, Any]:
    [resource] = [r for r in statement["rest"][0]["resource"] if r["type"] == resource_type]
    return resource


def test_metadata_needs_no_token(anonymous: Api) -> None:
    response = anonymous.get("/fhir/metadata")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; fhirVersion=4.0"


def test_metadata_describes_an_r4_json_server(anonymous: Api) -> None:
    statement = body(anonymous.get("/fhir/metadata"))
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1"
    assert statement["format"] == ["json"]
    rest = statement["rest"][0]
    assert rest["mode"] == "server"
    assert "Bearer" in rest["security"]["description"]
    assert [i["code"] for i in rest["interaction"]] == ["transaction", "batch", "history-system"]


def test_metadata_lists_each_type_with_its_interactions_and_search_params(anonymous: Api) -> None:
    statement = body(anonymous.get("/fhir/metadata"))
    types = [r["type"] for r in statement["rest"][0]["resource"]]
    assert types == list(supported_resource_types())
    observation = _resource(statement, "Observation")
    assert {i["code"] for i in observation["interaction"]} == {
        "read",
        "vread",
        "update",
        "delete",
        "history-instance",
        "history-type",
        "create",
        "search-type",
    }
    assert observation["conditionalCreate"] is True
    assert observation["versioning"] == "versioned-update"
    assert observation["readHistory"] is True and observation["updateCreate"] is True
    params = {p["name"]: p for p in observation["searchParam"]}
    assert set(params) == set(params_for("Observation"))
    assert params["code"]["type"] == "token"
    assert params["code"]["definition"] == "http://hl7.org/fhir/SearchParameter/Observation-code"
    assert (
        params["_lastUpdated"]["definition"]
        == "http://hl7.org/fhir/SearchParameter/Resource-lastUpdated"
    )
    assert all(p["documentation"] for p in observation["searchParam"])
    assert "Observation:subject" in observation["searchInclude"]


def test_metadata_is_a_valid_capability_statement(anonymous: Api) -> None:
    statement = body(anonymous.get("/fhir/metadata"))
    errors = [i for i in validate_resource(statement) if i.severity == "error"]
    assert errors == []


def test_metadata_in_xml_is_refused_with_406(anonymous: Api) -> None:
    response = anonymous.get("/fhir/metadata?_format=xml")
    assert response.status_code == 406
    assert "_format='xml'" in diagnostics(response)
    assert anonymous.get("/fhir/metadata?_format=json").status_code == 200
    assert anonymous.get("/fhir/metadata?_format=application/fhir+json").status_code == 200


def test_an_xml_only_accept_header_is_refused_with_406(anonymous: Api) -> None:
    assert anonymous.get("/fhir/metadata", Accept="application/fhir+xml").status_code == 406
    assert anonymous.get("/fhir/metadata", Accept="application/fhir+json").status_code == 200
    assert anonymous.get("/fhir/metadata", Accept="text/html, */*;q=0.8").status_code == 200
