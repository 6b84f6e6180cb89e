"""`porch api-token create | revoke | list`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from porch.fhirapi.models import ApiToken, hash_token
from porch.fhirapi.tests.conftest import Api

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("api_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_create_prints_a_working_token_once_and_stores_only_its_hash() -> None:
    plain = _run("create", "lab-feed").strip()
    assert plain.startswith("porch_")
    token = ApiToken.objects.get(name="lab-feed")
    assert token.token_hash == hash_token(plain) != plain
    assert Api(plain).get("/fhir/Patient").status_code == 200
    assert plain not in _run("list")


def test_a_second_token_with_the_same_name_is_refused() -> None:
    _run("create", "lab-feed")
    with pytest.raises(CommandError, match="already exists"):
        _run("create", "lab-feed")


def test_revoke_shuts_the_token_out() -> None:
    plain = _run("create", "lab-feed").strip()
    assert "revoked" in _run("revoke", "lab-feed")
    assert Api(plain).get("/fhir/Patient").status_code == 401
    assert "already revoked" in _run("revoke", "lab-feed")


def test_revoking_an_unknown_name_is_an_error() -> None:
    with pytest.raises(CommandError, match="No token named 'nobody'"):
        _run("revoke", "nobody")


def test_list_shows_each_token_and_its_state() -> None:
    assert "No tokens" in _run("list")
    _run("create", "lab-feed")
    _run("create", "old-feed")
    _run("revoke", "old-feed")
    lines = _run("list").splitlines()
    assert lines[0].startswith("lab-feed\tactive") and "last used never" in lines[0]
    assert lines[1].startswith("old-feed\trevoked")
