"""Every refusal is an OperationOutcome with the right status, saying what and where."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from porch.fhirapi.tests.conftest import Api, body, diagnostics, expressions
from porch.tests.fhir_factories import observation, patient

pytestmark = pytest.mark.django_db


def test_malformed_json_is_400_naming_line_and_column(api: Api) -> None:
    response = api.post("/fhir/Patient", b'{"resourceType": "Patient",\n  "name": [}')
    assert response.status_code == 400
    message = diagnostics(response)
    assert "not valid JSON" in message and "line 2" in message and "column" in message
    assert api.total("Patient") == 0


def test_a_body_that_is_not_an_object_is_400(api: Api) -> None:
    response = api.post("/fhir/Patient", [patient()])
    assert response.status_code == 400
    assert "JSON object" in diagnostics(response)


def test_an_empty_body_is_400(api: Api) -> None:
    response = api.post("/fhir/Patient", b"")
    assert response.status_code == 400
    assert "empty" in diagnostics(response)


def test_a_resource_type_other_than_the_urls_is_400(api: Api) -> None:
    response = api.post("/fhir/Observation", patient())
    assert response.status_code == 400
    assert "Patient" in diagnostics(response) and "Observation" in diagnostics(response)
    assert expressions(response) == ["resourceType"]


def test_an_id_other_than_the_urls_is_400(api: Api) -> None:
    response = api.put("/fhir/Patient/ana", patient(id="ben"))
    assert response.status_code == 400
    assert "Patient.id" in expressions(response)


def test_an_invalid_resource_is_400_naming_the_path(api: Api) -> None:
    broken = observation("ana")
    del broken["status"]
    response = api.post("/fhir/Observation", broken)
    assert response.status_code == 400
    assert "Observation.status" in expressions(response)
    assert api.total("Observation") == 0


def test_a_wrong_value_type_names_the_path(api: Api) -> None:
    response = api.post("/fhir/Patient", patient(birthDate=19900203))
    assert response.status_code == 400
    assert "Patient.birthDate" in expressions(response)


@pytest.mark.parametrize(
    "path", ["/fhir/Spaceship", "/fhir/Spaceship/1", "/fhir/Spaceship/_history"]
)
def test_an_unknown_resource_type_is_404_naming_it(api: Api, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert "'Spaceship'" in diagnostics(response)


def test_a_path_that_is_no_interaction_is_a_fhir_404(api: Api) -> None:
    response = api.get("/fhir/Patient/1/_history/1/extra")
    assert response.status_code == 404
    assert body(response)["resourceType"] == "OperationOutcome"


def test_an_unsupported_method_is_405_with_allow(api: Api) -> None:
    response = api.client.patch(
        "/fhir/Patient/1", b"[]", content_type="application/json-patch+json"
    )
    assert response.status_code == 405
    assert response["Allow"] == "DELETE, GET, PUT"
    assert "PATCH" in diagnostics(response)


def test_a_body_in_another_format_is_415(api: Api) -> None:
    response = api.client.post("/fhir/Patient", "<Patient/>", content_type="application/fhir+xml")
    assert response.status_code == 415
    assert "application/fhir+xml" in diagnostics(response)


def test_plain_application_json_bodies_are_accepted(api: Api) -> None:
    response = api.client.post("/fhir/Patient", patient(), content_type="application/json")
    assert response.status_code == 201


def test_a_body_over_the_size_limit_is_413(api: Api, settings: Any) -> None:
    settings.FHIR_MAX_REQUEST_BYTES = 2048
    big = patient(family="x" * 4000)
    response = api.post("/fhir/Patient", big)
    assert response.status_code == 413
    assert "2048" in diagnostics(response)


def test_writes_need_no_csrf_token(lab_feed_token: str) -> None:
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {lab_feed_token}"})
    response = client.post("/fhir/Patient", patient(), content_type="application/fhir+json")
    assert response.status_code == 201


def test_an_unexpected_error_is_500_without_internals(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret database detail")

    monkeypatch.setattr("porch.record.repository.read", explode)
    response = api.get("/fhir/Patient/ana")
    assert response.status_code == 500
    outcome = body(response)
    assert outcome["issue"][0]["code"] == "exception"
    assert b"secret" not in response.content and b"Traceback" not in response.content
