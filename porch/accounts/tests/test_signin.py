"""Sign-in by email, verification, password reset, enumeration, throttling, redirects."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from porch.accounts.models import User
from porch.accounts.tests.cast import ANA, PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_a_patient_signs_in_with_email_and_password(client: Client) -> None:
    make_user(ANA)
    response = client.post("/accounts/login/", {"login": ANA, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert b"Signed in as Ana Alvarez" in home.content


def test_the_sign_in_page_asks_for_an_email_not_a_username(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert 'type="email"' in page
    assert "username" not in page.lower()


def test_a_wrong_password_is_refused(client: Client) -> None:
    make_user(ANA)
    response = client.post("/accounts/login/", {"login": ANA, "password": "not it at all"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(client: Client) -> None:
    make_user(ANA)
    wrong_password = client.post("/accounts/login/", {"login": ANA, "password": "nope nope"})
    unknown = client.post("/accounts/login/", {"login": "nobody@example.org", "password": "x"})
    assert wrong_password.status_code == unknown.status_code == 200
    assert wrong_password.context["form"].errors == unknown.context["form"].errors


def test_sign_in_is_throttled_per_account(client: Client) -> None:
    make_user(ANA)
    for _ in range(5):
        client.post("/accounts/login/", {"login": ANA, "password": "wrong password"})
    # Even the right password is refused now, from another address too.
    other = Client(REMOTE_ADDR="10.0.0.9")
    response = other.post("/accounts/login/", {"login": ANA, "password": PASSWORD})
    assert "_auth_user_id" not in other.session
    assert b"Too many failed login attempts" in response.content


def test_sign_in_is_throttled_per_address(client: Client) -> None:
    for n in range(20):
        client.post("/accounts/login/", {"login": f"guess{n}@example.org", "password": "x"})
    make_user(ANA)
    response = client.post("/accounts/login/", {"login": ANA, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in response.content


def test_sign_up_requires_verifying_the_email_first(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        {
            "first_name": "Vera",
            "last_name": "Vance",
            "email": "vera@example.org",
            "password1": "a long passphrase of mine",
            "password2": "a long passphrase of mine",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    assert "vera@example.org" in mail.outbox[0].to
    # Signing in before confirming sends another email instead of signing in.
    client.post(
        "/accounts/login/", {"login": "vera@example.org", "password": "a long passphrase of mine"}
    )
    assert "_auth_user_id" not in client.session


def test_sign_up_with_a_taken_email_answers_like_a_new_one(client: Client) -> None:
    make_user(ANA)
    response = client.post(
        "/accounts/signup/",
        {
            "first_name": "Ana",
            "last_name": "Again",
            "email": ANA,
            "password1": "a long passphrase of mine",
            "password2": "a long passphrase of mine",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert User.objects.filter(email=ANA).count() == 1


def test_password_reset_answers_the_same_for_unknown_emails(client: Client) -> None:
    make_user(ANA)
    known = client.post("/accounts/password/reset/", {"email": ANA})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1  # only the real account gets mail


def test_a_patient_resets_the_password_by_email(client: Client) -> None:
    make_user(ANA)
    client.post("/accounts/password/reset/", {"email": ANA})
    body = mail.outbox[0].body
    link = next(word for word in body.split() if "/accounts/password/reset/key/" in word)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else "/" + path
    response = client.post(
        action, {"password1": "a brand new passphrase", "password2": "a brand new passphrase"}
    )
    assert response.status_code == 302
    assert User.objects.get(email=ANA).check_password("a brand new passphrase")


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil.example", "https:evil.example"]
)
def test_next_never_leaves_the_site(client: Client, target: str) -> None:
    make_user(ANA)
    response = client.post("/accounts/login/", {"login": ANA, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_next_may_name_a_page_of_this_site(client: Client) -> None:
    make_user(ANA)
    response = client.post(
        "/accounts/login/?next=/accounts/email/", {"login": ANA, "password": PASSWORD}
    )
    assert response["Location"] == "/accounts/email/"


def test_names_with_markup_and_line_breaks_are_stored_as_text_and_escaped(
    client: Client,
) -> None:
    client.post(
        "/accounts/signup/",
        {
            "first_name": "<script>alert(1)</script>",
            "last_name": "Doe\r\nSet-Cookie: x=1",
            "email": "eve@example.org",
            "password1": "a long passphrase of mine",
            "password2": "a long passphrase of mine",
        },
    )
    user = User.objects.get(email="eve@example.org")
    assert user.first_name == "<script>alert(1)</script>"
    assert user.last_name == "Doe Set-Cookie: x=1"
    for message in mail.outbox:
        assert "\r\nSet-Cookie" not in message.message().as_string()
    client.force_login(user)
    page = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
