"""People signed in to the portal use the API with their session: the same access context
as on every page, bearer tokens first, and CSRF protection for changes."""

from __future__ import annotations

import orjson
import pytest
from django.conf import settings
from django.test import Client

from porch.access.tests.records import Cast, build_cast
from porch.fhirapi.models import ApiToken
from porch.fhirapi.tests.conftest import FHIR_JSON
from porch.tests.fhir_factories import observation

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()


def _post(client: Client, body: object, **headers: str) -> int:
    response = client.post(
        "/fhir/Observation", orjson.dumps(body), content_type=FHIR_JSON, headers=headers
    )
    return response.status_code


def test_a_signed_in_patient_reads_their_record_through_the_api(cast: Cast) -> None:
    ana = Client()
    ana.force_login(cast.ana)
    assert ana.get("/fhir/Patient/ana").status_code == 200
    assert ana.get("/fhir/Patient/mallory").status_code == 404


def test_a_bearer_token_comes_before_the_session(cast: Cast) -> None:
    _, token = ApiToken.issue("lab-feed")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    client.force_login(cast.mallory)
    assert client.get("/fhir/Patient/ana").status_code == 200  # the token's system context
    client = Client(headers={"Authorization": "Bearer wrong"})
    client.force_login(cast.ana)
    assert client.get("/fhir/Patient/ana").status_code == 401  # a bad token never falls through


def test_a_change_with_a_session_needs_the_csrf_token(cast: Cast) -> None:
    ana = Client(enforce_csrf_checks=True)
    ana.force_login(cast.ana)
    assert _post(ana, observation("ana")) == 403
    ana.get("/records/")  # the page sets the CSRF cookie
    token = ana.cookies[settings.CSRF_COOKIE_NAME].value
    assert _post(ana, observation("ana"), **{"X-CSRFToken": token}) == 201


def test_a_session_writes_only_where_its_context_may(cast: Cast) -> None:
    ana = Client()
    ana.force_login(cast.ana)
    assert _post(ana, observation("mallory")) == 403
    ben = Client()
    ben.force_login(cast.ben)  # a view-only parent
    assert _post(ben, observation("carla")) == 403
    gil = Client()
    gil.force_login(cast.gil)  # Elda let him act
    assert _post(gil, observation("elda")) == 201


def test_an_anonymous_caller_is_still_asked_for_credentials(cast: Cast) -> None:
    assert Client().get("/fhir/Patient").status_code == 401
