"""Sign-in, failed sign-in, sign-out and MFA changes are written to the audit log, from
the request (address, browser), never with a password or the email typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from porch.accounts.models import Role
from porch.accounts.tests.cast import ANA, CRUZ, PASSWORD, make_user, sign_in, totp_now
from porch.audit.models import Action, AuditEvent, Outcome

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (TestBrowser)"


def _client() -> Client:
    return Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.7")


def _fields(event: AuditEvent) -> str:
    return " ".join(str(getattr(event, f.name)) for f in AuditEvent._meta.fields)


def test_signing_in_and_out_is_recorded_with_who_and_where_from() -> None:
    ana = make_user(ANA, Role.PATIENT)
    client = _client()
    sign_in(client, ANA)
    client.post("/accounts/logout/")
    events = list(AuditEvent.objects.order_by("pk"))
    assert [e.action for e in events] == [Action.SIGN_IN, Action.SIGN_OUT]
    for event in events:
        assert event.user_id == ana.pk
        assert event.actor == "Ana Alvarez"
        assert event.role == "patient"
        assert event.ip == "203.0.113.7"
        assert event.user_agent == BROWSER
        assert event.patient_id == ""  # about an account, not a record


def test_a_staff_sign_in_is_recorded_once_after_the_second_factor() -> None:
    cruz = make_user(CRUZ, Role.CLINICIAN)
    client = _client()
    client.post("/accounts/login/", {"login": CRUZ, "password": PASSWORD})
    assert not AuditEvent.objects.filter(action=Action.SIGN_IN).exists()
    client.post("/accounts/2fa/authenticate/", {"code": totp_now()})
    event = AuditEvent.objects.get(action=Action.SIGN_IN)
    assert (event.user_id, event.role) == (cruz.pk, "clinician")


def test_a_wrong_password_names_the_account_by_id_only() -> None:
    ana = make_user(ANA, Role.PATIENT)
    _client().post("/accounts/login/", {"login": ANA, "password": "not her password"})
    event = AuditEvent.objects.get()
    assert event.action == Action.SIGN_IN_FAILED
    assert event.outcome == Outcome.FAILED
    assert event.user_id == ana.pk
    assert event.actor == "unknown"
    assert event.ip == "203.0.113.7"
    assert ANA not in _fields(event)
    assert "not her password" not in _fields(event)


def test_a_sign_in_with_an_unknown_email_records_nothing_identifying() -> None:
    _client().post("/accounts/login/", {"login": "who@example.org", "password": "guess-guess"})
    event = AuditEvent.objects.get()
    assert event.action == Action.SIGN_IN_FAILED
    assert event.user_id is None
    assert event.actor == "unknown"
    assert "who@example.org" not in _fields(event)
    assert "guess-guess" not in _fields(event)


def test_adding_an_authenticator_app_is_an_mfa_change(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    ana = make_user(ANA, Role.PATIENT)
    client = _client()
    sign_in(client, ANA)
    # Changing MFA asks for the password again (a sensitive action).
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200, page.status_code
    secret = client.session[SECRET_SESSION_KEY]
    # allauth sends its signal once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/activate/", {"code": totp_now(secret)})
    assert response.status_code == 302, response.content
    # Two changes: the authenticator app, and the recovery codes allauth makes with it.
    changes = AuditEvent.objects.filter(action=Action.MFA_CHANGE)
    assert {(e.user_id, e.ip) for e in changes} == {(ana.pk, "203.0.113.7")}
    assert changes.count() == 2
