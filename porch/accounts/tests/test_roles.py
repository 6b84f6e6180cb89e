from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from porch.accounts.models import Role
from porch.accounts.roles import has_role, is_staff_member, mfa_required, roles_of
from porch.accounts.tests.cast import ANA, FRAN, make_user

pytestmark = pytest.mark.django_db


def test_anonymous_and_inactive_people_hold_no_role() -> None:
    assert roles_of(AnonymousUser()) == frozenset()
    fran = make_user(FRAN, Role.FRONT_DESK)
    fran.is_active = False
    assert not has_role(fran, Role.FRONT_DESK)


def test_staff_roles_require_mfa_and_patients_do_not() -> None:
    assert mfa_required(make_user(FRAN, Role.FRONT_DESK)) and is_staff_member(
        make_user("admin@example.org", Role.ADMINISTRATOR)
    )
    assert not mfa_required(make_user(ANA, Role.PATIENT, Role.PROXY))


def test_the_home_page_welcomes_anonymous_visitors(client: Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert b"Sign in" in page.content and b"Create an account" in page.content
