"""Bearer tokens: lab-feed holds an active token; others hold none, a wrong or a revoked one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from porch.fhirapi.models import ApiToken
from porch.fhirapi.tests.conftest import Api, diagnostics
from porch.tests.fhir_factories import patient

pytestmark = pytest.mark.django_db


def _assert_refused(client: Api) -> None:
    for response in (client.get("/fhir/Patient"), client.post("/fhir/Patient", patient())):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="porch"'
        assert "token" in diagnostics(response).lower() or "bearer" in diagnostics(response).lower()


def test_the_lab_feed_with_its_token_gets_in(api: Api) -> None:
    assert api.get("/fhir/Patient").status_code == 200


def test_a_request_without_a_token_is_401(anonymous: Api) -> None:
    _assert_refused(anonymous)


def test_an_unknown_token_is_401(lab_feed_token: str) -> None:
    _assert_refused(Api(lab_feed_token + "x"))


def test_another_scheme_is_401(lab_feed_token: str) -> None:
    client = Api(None)
    response = client.get("/fhir/Patient", Authorization=f"Basic {lab_feed_token}")
    assert response.status_code == 401


def test_a_revoked_token_is_401(lab_feed_token: str) -> None:
    ApiToken.objects.filter(name="lab-feed").update(revoked_at=timezone.now())
    _assert_refused(Api(lab_feed_token))


def test_nothing_is_stored_by_a_refused_request(lab_feed_token: str) -> None:
    Api(None).post("/fhir/Patient", patient())
    assert Api(lab_feed_token).total("Patient") == 0


def test_only_the_hash_of_a_token_is_stored(lab_feed_token: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, token_hash FROM fhirapi_apitoken")
        rows = cursor.fetchall()
    assert rows and all(lab_feed_token not in str(value) for row in rows for value in row)
    assert len(rows[0][1]) == 64


def test_use_is_recorded_at_most_once_a_minute(api: Api) -> None:
    assert ApiToken.objects.get(name="lab-feed").last_used_at is None
    api.get("/fhir/Patient")
    first = ApiToken.objects.get(name="lab-feed").last_used_at
    assert first is not None
    api.get("/fhir/Patient")
    assert ApiToken.objects.get(name="lab-feed").last_used_at == first
    ApiToken.objects.filter(name="lab-feed").update(last_used_at=first - timedelta(minutes=2))
    api.get("/fhir/Patient")
    latest = ApiToken.objects.get(name="lab-feed").last_used_at
    assert latest is not None and latest > first


def test_writes_are_attributed_to_the_token(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from porch.record import repository

    seen = []
    real_create = repository.create

    def spy(ctx, resource, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((ctx.actor, ctx.purpose))
        return real_create(ctx, resource, **kwargs)

    monkeypatch.setattr(repository, "create", spy)
    assert api.post("/fhir/Patient", patient()).status_code == 201
    assert seen == [("api-token:lab-feed", "system-api")]
