"""Sessions: rotation at sign-in, idle and absolute limits, re-authentication."""

from __future__ import annotations

import time

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.conf import settings as django_settings
from django.template import RequestContext, Template
from django.test import Client, RequestFactory

from porch.accounts import sessions
from porch.accounts.models import Role
from porch.accounts.tests.cast import ANA, CRUZ, PASSWORD, make_user, sign_in, totp_now

pytestmark = pytest.mark.django_db


def shift(client: Client, key: str, seconds: int) -> None:
    session = client.session
    session[key] -= seconds
    session.save()


def test_the_session_id_changes_at_sign_in(client: Client) -> None:
    make_user(ANA)
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    planted = session.session_key
    client.cookies[django_settings.SESSION_COOKIE_NAME] = planted
    sign_in(client, ANA)
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after != planted
    # The planted id is not signed in.
    attacker = Client()
    attacker.cookies[django_settings.SESSION_COOKIE_NAME] = planted
    assert attacker.get("/").context["user"].is_anonymous


def test_the_session_id_changes_after_the_second_factor_too(client: Client) -> None:
    make_user(CRUZ, Role.CLINICIAN)
    client.post("/accounts/login/", {"login": CRUZ, "password": PASSWORD})
    between = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    client.post("/accounts/2fa/authenticate/", {"code": totp_now()})
    assert client.cookies[django_settings.SESSION_COOKIE_NAME].value != between


def test_activity_keeps_the_session_alive(client: Client) -> None:
    make_user(ANA)
    sign_in(client, ANA)
    shift(client, sessions.LAST_SEEN, 14 * 60)
    assert client.get("/").status_code == 200
    shift(client, sessions.LAST_SEEN, 14 * 60)
    assert client.get("/").status_code == 200


def test_an_idle_session_is_signed_out(client: Client) -> None:
    make_user(ANA)
    sign_in(client, ANA)
    shift(client, sessions.LAST_SEEN, 15 * 60)
    response = client.get("/accounts/email/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/email/"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert b"signed out after 15 minutes without activity" in page.content


def test_the_idle_limit_is_a_setting(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SESSION_IDLE_MINUTES = 5
    make_user(ANA)
    sign_in(client, ANA)
    shift(client, sessions.LAST_SEEN, 5 * 60)
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_a_session_ends_after_twelve_hours_however_active(client: Client) -> None:
    make_user(ANA)
    sign_in(client, ANA)
    shift(client, sessions.SIGNED_IN_AT, 12 * 3600)
    response = client.get("/")
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_checking_the_session_does_not_count_as_activity(client: Client) -> None:
    make_user(ANA)
    sign_in(client, ANA)
    shift(client, sessions.LAST_SEEN, 10 * 60)
    left = client.get("/session/status/").json()["idle_seconds_left"]
    assert 4 * 60 <= left <= 5 * 60
    assert client.get("/session/status/").json()["idle_seconds_left"] <= left


def test_stay_signed_in_restarts_the_idle_clock(client: Client) -> None:
    make_user(ANA)
    sign_in(client, ANA)
    shift(client, sessions.LAST_SEEN, 14 * 60)
    assert client.post("/session/keepalive/").status_code == 204
    assert client.get("/session/status/").json()["idle_seconds_left"] >= 14 * 60


def test_the_idle_warning_names_only_this_site(rf: RequestFactory) -> None:
    request = rf.get("/")
    html = Template('{% include "accounts/_session_timeout.html" %}').render(
        RequestContext(request, {})
    )
    assert 'data-idle-seconds="900"' in html
    assert 'src="/static/accounts/session.js"' in html
    assert "Stay signed in" in html


@pytest.mark.urls("porch.accounts.tests.sensitive_urls")
def test_sensitive_pages_ask_for_the_password_again_after_a_while(client: Client) -> None:
    make_user(ANA)
    sign_in(client, ANA)
    response = client.get("/test/download/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reauthenticate/?next=%2Ftest%2Fdownload%2F"
    wrong = client.post("/accounts/reauthenticate/", {"password": "not my password"})
    assert wrong.status_code == 200
    client.post("/accounts/reauthenticate/?next=/test/download/", {"password": PASSWORD})
    assert client.get("/test/download/").content == b"the whole record"
    # Five minutes later it asks again.
    session = client.session
    for record in session[AUTHENTICATION_METHODS_SESSION_KEY]:
        record["at"] = time.time() - 301
    session.save()
    assert client.get("/test/download/")["Location"].startswith("/accounts/reauthenticate/")


@pytest.mark.urls("porch.accounts.tests.sensitive_urls")
def test_sensitive_pages_send_anonymous_visitors_to_sign_in(client: Client) -> None:
    assert client.get("/test/download/")["Location"].startswith("/accounts/login/")
