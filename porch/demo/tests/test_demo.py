"""`porch demo --load-only` loads the demo clinic once, and a second run reuses it."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.test import Client

from porch.access.context import AccessContext
from porch.access.models import ProxyGrant
from porch.access.rules import build_state
from porch.accounts.models import PatientLink, PractitionerLink, User
from porch.accounts.roles import roles_of
from porch.accounts.tests.cast import totp_now
from porch.demo import clinic, users
from porch.record import search

pytestmark = pytest.mark.django_db(transaction=True)


def _ages(ctx: AccessContext) -> list[int]:
    patients = search.search(ctx, "Patient", [("_count", "100")]).matches
    today = date.today()
    return sorted(
        (today - date.fromisoformat(p.content["birthDate"])).days // 365
        for p in patients
        if p.content is not None
    )


def test_the_demo_loads_a_panel_of_all_ages_once(system_ctx: AccessContext) -> None:
    out = StringIO()
    call_command("demo", "--load-only", stdout=out)
    assert "Loaded" in out.getvalue()
    ages = _ages(system_ctx)
    assert len(ages) >= 20
    assert any(a < 12 for a in ages), "children"
    assert any(12 <= a < 18 for a in ages), "teens"
    assert any(18 <= a < 65 for a in ages), "adults"
    assert any(a >= 65 for a in ages), "elderly"
    organizations = search.search(system_ctx, "Organization", [("_summary", "count")]).total
    practitioners = search.search(system_ctx, "Practitioner", [("_summary", "count")]).total
    assert organizations and practitioners
    # People's names without Synthea's numbers.
    names = search.search(system_ctx, "Patient", [], default_count=100).matches
    assert names and all(
        not any(ch.isdigit() for ch in str(n.get("family", "")) + "".join(n.get("given", [])))
        for p in names
        for n in (p.content or {}).get("name", [])
    )

    again = StringIO()
    call_command("demo", "--load-only", stdout=again)
    assert "already loaded" in again.getvalue()
    assert clinic.is_loaded()


def test_the_demo_people_exist_sign_in_and_open_the_right_records(
    settings: object, tmp_path: object
) -> None:

    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    out = StringIO()
    call_command("demo", "--load-only", stdout=out)
    password = users.demo_password()
    printed = out.getvalue()
    assert password in printed
    sign_ins = users.ensure()  # a second run changes nothing
    assert len(sign_ins) == 8
    assert User.objects.filter(email__endswith=users.DOMAIN).count() == 8
    assert ProxyGrant.objects.count() == 3
    for person in sign_ins:
        assert person.email in printed
        user = User.objects.get(email=person.email)
        client = Client()
        response = client.post("/accounts/login/", {"login": user.email, "password": password})
        assert response.status_code == 302, person.label
        if person.totp_secret:
            assert person.totp_secret in printed
            assert Authenticator.objects.filter(user=user, type="totp").count() == 1
            response = client.post(
                "/accounts/2fa/authenticate/", {"code": totp_now(person.totp_secret)}
            )
            assert response.status_code == 302, person.label
        assert client.session.get("_auth_user_id") == str(user.pk), person.label
        assert roles_of(user), person.label
    assert PatientLink.objects.filter(user__email__startswith="patient@").exists()
    assert PatientLink.objects.filter(user__email__startswith="teen@").exists()
    assert PractitionerLink.objects.count() == 2

    # Dr. Care cares for the demo patients (their general practitioner); Dr. Other does not.
    ids = {p.id for p in users.choose_patients(date.today()).all()}
    assert ids <= build_state(User.objects.get(email=f"dr.care@{users.DOMAIN}")).cared_for
    assert not ids & build_state(User.objects.get(email=f"dr.other@{users.DOMAIN}")).cared_for
