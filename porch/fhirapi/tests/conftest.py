"""The FHIR API test cast: "lab-feed" is a system client holding a valid API token."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from django.http import HttpResponse
from django.test import Client

from porch.fhirapi.models import ApiToken

FHIR_JSON = "application/fhir+json"
# Where the tests pretend Porch is served; every link and fullUrl starts with it.
SITE = "https://porch.example.org"
BASE = f"{SITE}/fhir"


class Api:
    """A test client that speaks FHIR JSON with a bearer token, through real HTTP handling."""

    def __init__(self, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = Client(headers=headers)

    def get(self, path: str, **headers: str) -> HttpResponse:
        return self.client.get(path, headers=headers)

    def post(self, path: str, body: Any, **headers: str) -> HttpResponse:
        return self.client.post(path, _encode(body), content_type=FHIR_JSON, headers=headers)

    def put(self, path: str, body: Any, **headers: str) -> HttpResponse:
        return self.client.put(path, _encode(body), content_type=FHIR_JSON, headers=headers)

    def delete(self, path: str, **headers: str) -> HttpResponse:
        return self.client.delete(path, headers=headers)

    def follow(self, url: str) -> HttpResponse:
        """GET an absolute link the API handed out."""
        assert url.startswith(SITE), url
        return self.get(url.removeprefix(SITE))

    def total(self, resource_type: str) -> int:
        """How many resources of a type the API says it holds."""
        response = self.get(f"/fhir/{resource_type}?_summary=count")
        assert response.status_code == 200, response.content
        return int(body(response)["total"])


def _encode(value: Any) -> bytes:
    return value if isinstance(value, bytes) else orjson.dumps(value)


def body(response: HttpResponse) -> Any:
    assert response["Content-Type"].startswith(FHIR_JSON), response["Content-Type"]
    return orjson.loads(response.content)


def diagnostics(response: HttpResponse) -> str:
    outcome = body(response)
    assert outcome["resourceType"] == "OperationOutcome", outcome
    return " | ".join(issue.get("diagnostics", "") for issue in outcome["issue"])


def expressions(response: HttpResponse) -> list[str]:
    return [e for issue in body(response)["issue"] for e in issue.get("expression", [])]


@pytest.fixture(autouse=True)
def site_url(settings: Any) -> None:
    settings.SITE_URL = SITE


@pytest.fixture
def lab_feed_token(db: None) -> str:
    _, plain = ApiToken.issue("lab-feed")
    return plain


@pytest.fixture
def api(lab_feed_token: str) -> Api:
    return Api(lab_feed_token)


@pytest.fixture
def anonymous() -> Api:
    return Api(None)
