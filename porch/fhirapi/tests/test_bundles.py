"""POST /fhir with transaction and batch Bundles."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from porch.fhirapi.tests.conftest import BASE, Api, body, diagnostics, expressions
from porch.tests import shared_data
from porch.tests.fhir_factories import observation, patient

pytestmark = pytest.mark.django_db

EXAMPLES = shared_data.EXAMPLES
ANA = "urn:uuid:6b1f3c2e-4f1a-4d5e-9a51-1c2d3e4f5a6b"


def _bundle(kind: str, *entries: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": list(entries)}


def _post(resource: dict[str, Any], full_url: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": resource,
        "request": {"method": "POST", "url": resource["resourceType"]},
    }
    if full_url:
        entry["fullUrl"] = full_url
    return entry


def _observation_of_ana(value: float = 120) -> dict[str, Any]:
    resource = observation("x", value)
    resource["subject"] = {"reference": ANA}
    return resource


def test_a_transaction_stores_every_entry_and_rewrites_urn_references(api: Api) -> None:
    bundle = _bundle(
        "transaction",
        _post(patient(), ANA),
        _post(_observation_of_ana(120)),
        _post(_observation_of_ana(130)),
    )
    response = api.post("/fhir/", bundle)
    assert response.status_code == 200, response.content
    answer = body(response)
    assert answer["type"] == "transaction-response"
    assert [e["response"]["status"] for e in answer["entry"]] == ["201 Created"] * 3
    assert answer["entry"][0]["fullUrl"].startswith(f"{BASE}/Patient/")
    patient_ref = answer["entry"][0]["response"]["location"].split("/_history")[0]
    observation_ref = answer["entry"][1]["response"]["location"].split("/_history")[0]
    stored = body(api.get(f"/fhir/{observation_ref}"))
    assert stored["subject"]["reference"] == patient_ref
    assert api.total("Observation") == 2


def test_a_transaction_with_an_invalid_second_entry_stores_nothing(api: Api) -> None:
    broken = _observation_of_ana()
    del broken["status"]
    response = api.post("/fhir/", _bundle("transaction", _post(patient(), ANA), _post(broken)))
    assert response.status_code == 400
    assert "Bundle.entry[1]" in diagnostics(response)
    assert "Bundle.entry[1].resource.status" in expressions(response)
    assert api.total("Patient") == 0 and api.total("Observation") == 0


def test_a_transaction_that_fails_while_writing_stores_nothing(api: Api) -> None:
    existing = body(api.post("/fhir/Patient", patient("Existing")))["id"]
    stale = {
        "resource": patient("Overwritten", id=existing),
        "request": {"method": "PUT", "url": f"Patient/{existing}", "ifMatch": 'W/"5"'},
    }
    response = api.post("/fhir/", _bundle("transaction", _post(patient("New")), stale))
    assert response.status_code == 412
    assert "Bundle.entry[1]" in diagnostics(response)
    assert api.total("Patient") == 1
    assert body(api.get(f"/fhir/Patient/{existing}"))["name"][0]["family"] == "Existing"


def test_the_hl7_example_transaction_is_refused_whole_for_its_conditional_update(api: Api) -> None:
    # The official example uses a conditional PUT (entry 3), which Porch does not support:
    # the client is told which entry and why, and none of the other entries is stored.
    example = orjson.loads((EXAMPLES / "Bundle-bundle-transaction.json").read_bytes())
    response = api.post("/fhir/", example)
    assert response.status_code == 400
    assert "Bundle.entry[3]" in diagnostics(response)
    assert api.total("Patient") == 0


def test_a_batch_runs_each_entry_on_its_own(api: Api) -> None:
    broken = patient("Broken", gender="robot")
    bundle = _bundle("batch", _post(patient("First")), _post(broken), _post(patient("Third")))
    response = api.post("/fhir/", bundle)
    assert response.status_code == 200
    answer = body(response)
    assert answer["type"] == "batch-response"
    statuses = [e["response"]["status"] for e in answer["entry"]]
    assert statuses[0] == statuses[2] == "201 Created"
    assert statuses[1].startswith("400")
    assert answer["entry"][1]["response"]["outcome"]["resourceType"] == "OperationOutcome"
    assert api.total("Patient") == 2


def test_only_transaction_and_batch_bundles_can_be_posted_to_the_base(api: Api) -> None:
    response = api.post("/fhir/", {"resourceType": "Bundle", "type": "document"})
    assert response.status_code == 400
    assert "Bundle.type" in expressions(response)
    assert api.post("/fhir/", patient()).status_code == 400


def test_get_on_the_base_is_not_an_interaction_porch_offers(api: Api) -> None:
    response = api.get("/fhir/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
