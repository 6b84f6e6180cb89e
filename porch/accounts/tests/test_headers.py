"""Headers and cookies, passwords, and `check --deploy` with production settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from porch.accounts.models import User
from porch.accounts.tests.cast import ANA, make_user, sign_in

pytestmark = pytest.mark.django_db


def test_pages_carry_a_csp_naming_no_other_origin(client: Client) -> None:
    make_user(ANA)
    sign_in(client, ANA)
    for page in ["/", "/accounts/login/", "/accounts/2fa/"]:
        csp = client.get(page)["Content-Security-Policy"]
        sources = {s for directive in csp.split(";") for s in directive.split()[1:]}
        assert sources <= {"'self'", "'none'", "data:"}, (page, csp)
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_pages_refuse_framing_and_sniffing(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_httponly_and_lax(client: Client) -> None:
    make_user(ANA)
    sign_in(client, ANA)
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PORCH_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "porch.example",
        "PORCH_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "porch.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def passwords_refused(client: Client, password: str) -> bool:
    response = client.post(
        "/accounts/signup/",
        {
            "first_name": "Pat",
            "last_name": "Price",
            "email": "pat@example.org",
            "password1": password,
            "password2": password,
        },
    )
    return not User.objects.filter(email="pat@example.org").exists() and bool(
        response.context["form"].errors.get("password1")
    )


@pytest.mark.parametrize("password", ["short12", "password1", "12345678", "iloveyou", "qwertyuiop"])
def test_short_and_common_passwords_are_refused(client: Client, password: str) -> None:
    assert passwords_refused(client, password)


@pytest.mark.parametrize(
    "password",
    [
        "tulip-kettle",  # no digit, no capital, no symbol: no composition rules
        "73920184662",  # only digits but not common: no NumericPasswordValidator
        "the quick brown fox jumps over the lazy dog and keeps running far away",  # 70 chars
        "x" * 3 + "a long passphrase " * 10,  # 183 characters
    ],
)
def test_long_passphrases_and_plain_passwords_are_welcome(client: Client, password: str) -> None:
    assert not passwords_refused(client, password)
