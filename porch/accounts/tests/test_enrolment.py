"""Enrolment: activation codes from staff, sign-up with code and birth date, verification."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from porch.access.context import AccessContext
from porch.accounts import actions
from porch.accounts.models import ActivationCode, PatientLink, Role, User, hash_code
from porch.accounts.roles import has_role, roles_of
from porch.accounts.tests.cast import ANA, CRUZ, FRAN, MALLORY, make_user, sign_in
from porch.audit.models import Action, AuditEvent
from porch.record import repository

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "my very own passphrase"


@pytest.fixture
def ana_record() -> str:
    ctx = AccessContext.system(actor="system:test", purpose="test")
    patient = {
        "resourceType": "Patient",
        "name": [{"family": "Alvarez", "given": ["Ana"]}],
        "birthDate": "1990-04-12",
    }
    return repository.create(ctx, patient).stored.id


@pytest.fixture
def fran() -> User:
    return make_user(FRAN, Role.FRONT_DESK)


def signup(client: Client, code: str = "", birth_date: str = "", **extra: str) -> Any:
    data = {
        "first_name": "Ana",
        "last_name": "Alvarez",
        "email": ANA,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "activation_code": code,
        "birth_date": birth_date,
        **extra,
    }
    return client.post("/accounts/signup/", data)


def issue(client: Client, patient_id: str) -> str:
    page = client.post(
        "/staff/activation-codes/", {"patient_id": patient_id, "delivery": "printed"}
    )
    assert page.status_code == 200, page.content
    return str(page.context["code"])


def test_front_desk_prints_a_code_and_the_patient_enrols_with_it(
    client: Client, fran: User, ana_record: str
) -> None:
    sign_in(client, FRAN)
    code = issue(client, ana_record)
    assert len(code) == 14 and code.count("-") == 2
    stored = ActivationCode.objects.get(patient_id=ana_record)
    assert stored.code_hash == hash_code(code) and code not in stored.code_hash
    assert stored.expires_at - stored.created_at == timedelta(days=30)

    patient = Client()
    response = signup(patient, code.lower().replace("-", " "), "1990-04-12")
    assert response.status_code == 302
    ana = User.objects.get(email=ANA)
    assert PatientLink.objects.get(user=ana).patient_id == ana_record
    assert roles_of(ana) == {Role.PATIENT}
    assert ActivationCode.objects.get(pk=stored.pk).used_by == ana
    assert AuditEvent.objects.filter(action=Action.ENROL, patient_id=ana_record).exists()
    # The verification email carries nothing from the record.
    for message in mail.outbox:
        assert "1990" not in message.body and ana_record not in message.body


def test_a_patient_cannot_issue_codes(client: Client, ana_record: str) -> None:
    make_user(MALLORY, Role.PATIENT)
    sign_in(client, MALLORY)
    assert client.get("/staff/activation-codes/").status_code == 404
    response = client.post(
        "/staff/activation-codes/", {"patient_id": ana_record, "delivery": "printed"}
    )
    assert response.status_code == 404
    assert not ActivationCode.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in_for_staff_pages(client: Client) -> None:
    for page in ["/staff/activation-codes/", "/staff/verify-patient/"]:
        assert client.get(page)["Location"].startswith("/accounts/login/?next=")


def test_a_code_for_a_patient_who_does_not_exist_is_refused(client: Client, fran: User) -> None:
    sign_in(client, FRAN)
    page = client.post("/staff/activation-codes/", {"patient_id": "nope", "delivery": "printed"})
    assert b"There is no patient with id" in page.content
    assert not ActivationCode.objects.exists()


def refused(response: Any) -> bool:
    return actions.CODE_REFUSED in response.context["form"].errors.get("activation_code", [])


@pytest.mark.parametrize("birth_date", ["1990-04-13", "1991-04-12"])
def test_a_wrong_birth_date_is_refused_without_a_hint(
    client: Client, fran: User, ana_record: str, birth_date: str
) -> None:
    code = actions.issue_activation_code(fran, ana_record, "printed")
    response = signup(client, code, birth_date)
    assert response.status_code == 200 and refused(response)
    assert b"Alvarez" not in response.content.replace(b'value="Alvarez"', b"")
    assert not User.objects.filter(email=ANA).exists()
    assert not PatientLink.objects.exists()


def test_an_unknown_or_malformed_code_is_refused(client: Client, ana_record: str) -> None:
    for code in ["ACDE-FGHJ-KMNP", "x", "'; DROP TABLE x; --", "\r\n<script>"]:
        assert refused(signup(Client(REMOTE_ADDR=f"10.0.0.{len(code)}"), code, "1990-04-12"))
    assert not User.objects.filter(email=ANA).exists()


def test_an_expired_code_is_refused(client: Client, fran: User, ana_record: str) -> None:
    code = actions.issue_activation_code(fran, ana_record, "printed")
    ActivationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert refused(signup(client, code, "1990-04-12"))
    assert not PatientLink.objects.exists()


def test_a_used_code_cannot_be_used_again(client: Client, fran: User, ana_record: str) -> None:
    code = actions.issue_activation_code(fran, ana_record, "printed")
    assert signup(client, code, "1990-04-12").status_code == 302
    again = signup(Client(), code, "1990-04-12", email="someone@example.org")
    assert refused(again)
    assert not User.objects.filter(email="someone@example.org").exists()


def test_a_newer_code_cancels_the_older_one(client: Client, fran: User, ana_record: str) -> None:
    old = actions.issue_activation_code(fran, ana_record, "printed")
    actions.issue_activation_code(fran, ana_record, "email")
    assert refused(signup(client, old, "1990-04-12"))


def test_a_code_claimed_by_a_concurrent_request_links_nothing(
    client: Client, fran: User, ana_record: str
) -> None:
    code = actions.issue_activation_code(fran, ana_record, "printed")
    row = ActivationCode.objects.get()
    # The other request wins between this one's validation and its save.
    other = make_user("other@example.org")
    actions.do_enrol_with_code(other, row)
    with pytest.raises(actions.EnrolmentRefused):
        actions.do_enrol_with_code(make_user("third@example.org"), row)
    response = signup(client, code, "1990-04-12")
    assert refused(response)
    assert not User.objects.filter(email=ANA).exists()


def test_code_tries_lock_out_after_five_failures(
    client: Client, fran: User, ana_record: str
) -> None:
    code = actions.issue_activation_code(fran, ana_record, "printed")
    for _ in range(5):
        signup(client, code, "2000-01-01")
    # The right birth date, even from another address, is locked out for this code.
    response = signup(Client(REMOTE_ADDR="10.9.9.9"), code, "1990-04-12")
    assert actions.CODE_LOCKED in response.context["form"].errors["activation_code"]
    assert not PatientLink.objects.exists()


def test_an_address_is_locked_out_after_five_failed_codes(client: Client, ana_record: str) -> None:
    for n in range(5):
        signup(client, f"AAAA-AAAA-AAA{n}", "1990-04-12")
    response = signup(client, "CCCC-CCCC-CCCC", "1990-04-12")
    assert actions.CODE_LOCKED in response.context["form"].errors["activation_code"]


def test_a_code_needs_a_birth_date(client: Client, fran: User, ana_record: str) -> None:
    code = actions.issue_activation_code(fran, ana_record, "printed")
    response = signup(client, code, "")
    assert response.context["form"].errors["birth_date"]
    assert not User.objects.filter(email=ANA).exists()


def test_sign_up_without_a_code_links_nothing_until_staff_verify(
    client: Client, fran: User, ana_record: str
) -> None:
    assert signup(client).status_code == 302
    ana = User.objects.get(email=ANA)
    assert not PatientLink.objects.filter(user=ana).exists()
    assert roles_of(ana) == frozenset()
    ana.emailaddress_set.update(verified=True)
    client.force_login(ana)
    assert b"not linked to a record yet" in client.get("/").content

    staff = Client()
    sign_in(staff, FRAN)
    response = staff.post(
        "/staff/verify-patient/", {"email": ANA, "patient_id": ana_record, "confirm": "on"}
    )
    assert response.status_code == 302
    link = PatientLink.objects.get(user=ana)
    assert link.patient_id == ana_record and link.verified_by == fran
    assert has_role(User.objects.get(pk=ana.pk), Role.PATIENT)


def test_staff_cannot_link_a_record_that_already_has_an_account(
    client: Client, fran: User, ana_record: str
) -> None:
    ana = make_user(ANA)
    actions.verify_patient(ana, ana_record, fran)
    mallory = make_user(MALLORY)
    with pytest.raises(ValueError, match="already has an account"):
        actions.verify_patient(mallory, ana_record, fran)


def test_a_patient_cannot_verify_anyone(client: Client, ana_record: str) -> None:
    make_user(MALLORY, Role.PATIENT)
    sign_in(client, MALLORY)
    response = client.post(
        "/staff/verify-patient/", {"email": MALLORY, "patient_id": ana_record, "confirm": "on"}
    )
    assert response.status_code == 404
    assert not PatientLink.objects.exists()
    with pytest.raises(actions.NotAllowed):
        actions.verify_patient(
            User.objects.get(email=MALLORY), ana_record, User.objects.get(email=MALLORY)
        )


def test_a_clinician_who_is_also_a_patient_holds_both_roles(ana_record: str) -> None:
    cruz = make_user(CRUZ, Role.CLINICIAN, Role.PATIENT)
    assert roles_of(cruz) == {Role.CLINICIAN, Role.PATIENT}
    assert has_role(cruz, Role.CLINICIAN) and not has_role(cruz, Role.PROXY)


def test_losing_the_race_for_a_code_creates_no_account(
    client: Client, fran: User, ana_record: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = actions.issue_activation_code(fran, ana_record, "printed")
    row = ActivationCode.objects.get()
    # Validation passed, then another request used the code before this one saved.
    monkeypatch.setattr(actions, "check_activation_code", lambda *args: row)
    ActivationCode.objects.update(used_at=timezone.now())
    response = signup(client, code, "1990-04-12")
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/"
    assert not User.objects.filter(email=ANA).exists()
    assert not PatientLink.objects.exists()
