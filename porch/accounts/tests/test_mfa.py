"""Second factor: required for staff (and everyone by setting), offered to patients."""

from __future__ import annotations

import base64

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from porch.accounts.models import Role
from porch.accounts.tests.cast import ANA, CRUZ, PASSWORD, make_user, sign_in, totp_now

pytestmark = pytest.mark.django_db


def test_a_clinician_without_an_authenticator_is_sent_to_set_one_up(client: Client) -> None:
    make_user(CRUZ, Role.CLINICIAN, mfa=False)
    client.post("/accounts/login/", {"login": CRUZ, "password": PASSWORD})
    for page in ["/", "/staff/activation-codes/", "/accounts/password/change/", "/admin/"]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == "/accounts/2fa/", page
    assert client.get("/accounts/2fa/").status_code == 200


def test_a_clinician_sets_up_totp_and_then_reaches_every_page(client: Client) -> None:
    cruz = make_user(CRUZ, Role.CLINICIAN, mfa=False)
    client.post("/accounts/login/", {"login": CRUZ, "password": PASSWORD})
    # Adding a factor asks for the password again (allauth's re-authentication).
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    client.post(response["Location"], {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_now(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=cruz, type=Authenticator.Type.TOTP).exists()
    assert client.get("/").status_code == 200


def test_a_clinician_signs_in_with_password_and_a_totp_code(client: Client) -> None:
    make_user(CRUZ, Role.CLINICIAN)
    response = client.post("/accounts/login/", {"login": CRUZ, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_now()})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert b"Create an activation code" in client.get("/").content


def test_a_totp_code_cannot_be_used_twice(client: Client) -> None:
    make_user(CRUZ, Role.CLINICIAN)
    code = totp_now()
    client.post("/accounts/login/", {"login": CRUZ, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": code})
    client.post("/accounts/logout/")
    other = Client()
    other.post("/accounts/login/", {"login": CRUZ, "password": PASSWORD})
    other.post("/accounts/2fa/authenticate/", {"code": code})
    assert "_auth_user_id" not in other.session


def test_a_patient_without_mfa_is_not_forced_but_encouraged(client: Client) -> None:
    make_user(ANA, Role.PATIENT)
    sign_in(client, ANA)
    home = client.get("/")
    assert home.status_code == 200
    assert b"Set up two-step sign-in" in home.content


def test_the_operator_can_require_mfa_of_everyone(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MFA_REQUIRED_FOR_EVERYONE = True
    make_user(ANA, Role.PATIENT)
    sign_in(client, ANA)
    assert client.get("/")["Location"] == "/accounts/2fa/"


def test_staff_cannot_remove_their_only_second_factor(client: Client) -> None:
    cruz = make_user(CRUZ, Role.CLINICIAN)
    sign_in(client, CRUZ)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.post("/accounts/2fa/totp/deactivate/")
    assert Authenticator.objects.filter(user=cruz, type=Authenticator.Type.TOTP).exists()


def test_a_patient_may_remove_their_second_factor(client: Client) -> None:
    ana = make_user(ANA, Role.PATIENT, mfa=True)
    sign_in(client, ANA)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.post("/accounts/2fa/totp/deactivate/")
    assert not Authenticator.objects.filter(user=ana, type=Authenticator.Type.TOTP).exists()


def test_the_totp_secret_is_a_real_base32_secret(client: Client) -> None:
    make_user(CRUZ, Role.CLINICIAN, mfa=False)
    client.post("/accounts/login/", {"login": CRUZ, "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    secret = client.get("/accounts/2fa/totp/activate/").context["form"].secret
    assert len(base64.b32decode(secret, casefold=True)) >= 16


def test_the_admin_signs_in_through_the_same_pages(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
