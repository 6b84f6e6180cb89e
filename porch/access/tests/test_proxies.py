"""Proxy grants: an adult invites a caregiver, revokes at any time; staff set up parents
of minors and legal guardians of adults."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from porch.access.models import ProxyGrant
from porch.access.tests.helpers import client_of, fhir, ids
from porch.access.tests.records import Cast, system
from porch.accounts.models import Role
from porch.accounts.tests.cast import PASSWORD, make_user, sign_in
from porch.audit.models import Action, AuditEvent
from porch.record import repository

pytestmark = pytest.mark.django_db

DAN = "dan.caregiver@example.org"


def _invite(**fields: Any) -> dict[str, Any]:
    return {
        "email": DAN,
        "given": "Dan",
        "family": "Helper",
        "relationship": "caregiver",
        "scope": "view",
        "ends_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
        **fields,
    }


def _signed_in(email: str) -> Client:
    """Signed in through the real pages, with the password entered again just now (the
    re-authentication sensitive pages ask for)."""
    client = Client()
    sign_in(client, email)
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def test_inviting_a_proxy_asks_for_recent_sign_in(cast: Cast) -> None:
    ana = client_of(cast.ana)  # a session without a recent password entry
    response = ana.post("/proxies/invite/", _invite())
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    assert not ProxyGrant.objects.filter(patient_id="ana").exists()


def test_an_adult_invites_a_caregiver_who_has_an_account(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    dan = make_user(DAN, Role.PROXY)
    ana = _signed_in(cast.ana.email)
    assert ana.get("/proxies/invite/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = ana.post("/proxies/invite/", _invite(scope="act"))
    assert response.status_code == 302, response.content
    grant = ProxyGrant.objects.get(patient_id="ana")
    assert grant.proxy == dan and grant.scope == "act"
    assert grant.legal_basis == "invited by the patient" and grant.granted_by == cast.ana
    person = repository.read(system(), "RelatedPerson", grant.related_person_id).content
    assert person["patient"] == {"reference": "Patient/ana"}
    assert person["relationship"][0]["coding"][0]["code"] == "CAREGIVER"
    assert person["name"] == [{"family": "Helper", "given": ["Dan"]}]
    assert person["telecom"] == [{"system": "email", "value": DAN}]
    event = AuditEvent.objects.get(action=Action.PROXY_GRANT)
    assert event.patient_id == "ana" and event.user_id == cast.ana.pk and event.role == "patient"
    assert ids(fhir(client_of(dan), "/fhir/Patient")[1]) == {"ana"}
    # The invitee is told there is something to see, with no name and no health information.
    assert [m.to for m in mail.outbox] == [[DAN]]
    assert "Ana" not in mail.outbox[0].body and "Alvarez" not in mail.outbox[0].body


def test_an_invitation_waits_for_its_account_and_binds_at_sign_in(cast: Cast) -> None:
    ana = _signed_in(cast.ana.email)
    ana.post("/proxies/invite/", _invite())
    grant = ProxyGrant.objects.get(patient_id="ana")
    assert grant.proxy is None and grant.invited_email == DAN
    assert "Invited, no account yet" in ana.get("/proxies/").content.decode()
    make_user(DAN)
    dan = _signed_in(DAN)
    grant.refresh_from_db()
    assert grant.proxy is not None and grant.proxy.email == DAN
    assert ids(fhir(dan, "/fhir/Patient")[1]) == {"ana"}


def test_an_invitation_never_binds_to_an_unverified_email(cast: Cast) -> None:
    ana = _signed_in(cast.ana.email)
    ana.post("/proxies/invite/", _invite())
    dan = make_user(DAN)
    dan.emailaddress_set.update(verified=False)
    client_of(dan)
    assert ProxyGrant.objects.get(patient_id="ana").proxy is None


def test_a_teen_cannot_invite_a_proxy(cast: Cast) -> None:
    teo = _signed_in(cast.teo.email)
    response = teo.post("/proxies/invite/", _invite())
    assert response.status_code == 200
    assert "Only adult patients" in response.content.decode()
    assert not ProxyGrant.objects.filter(patient_id="teo", relationship="caregiver").exists()


def test_an_account_without_a_record_has_nobody_to_invite_for(cast: Cast) -> None:
    ben = _signed_in(cast.ben.email)
    assert ben.post("/proxies/invite/", _invite()).status_code == 404
    assert ben.get("/proxies/").status_code == 404


def test_bad_input_is_refused_with_a_message(cast: Cast) -> None:
    ana = _signed_in(cast.ana.email)
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    for bad in (
        _invite(ends_on=past),
        _invite(email="not-an-email"),
        _invite(given="Dan\r\nBcc: x@example.org"),
        _invite(email=cast.ana.email),
        _invite(scope="everything"),
    ):
        response = ana.post("/proxies/invite/", bad)
        assert response.status_code == 200, bad
    assert not ProxyGrant.objects.filter(patient_id="ana").exists()


def test_markup_in_a_name_is_shown_as_text(cast: Cast) -> None:
    make_user(DAN)
    ana = _signed_in(cast.ana.email)
    ana.post("/proxies/invite/", _invite(given="<script>alert(1)</script>"))
    page = ana.get("/proxies/").content.decode()
    assert "<script>alert(1)</script>" not in page


def test_revocation_takes_effect_on_the_proxys_next_request(cast: Cast) -> None:
    gil = client_of(cast.gil)
    assert fhir(gil, f"/fhir/Condition/{cast.plain['elda']}")[0] == 200
    elda = client_of(cast.elda)
    assert "Gil Gomez" in elda.get("/proxies/").content.decode()
    grant = cast.grants["gil-elda"]
    response = elda.post(f"/proxies/{grant.pk}/revoke/")
    assert response.status_code == 302
    # The same signed-in session, its very next request.
    assert fhir(gil, f"/fhir/Condition/{cast.plain['elda']}")[0] == 404
    assert gil.get("/records/").wsgi_request.access.patient_ids == frozenset()
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == cast.elda
    event = AuditEvent.objects.get(action=Action.PROXY_REVOKE)
    assert event.patient_id == "elda" and event.user_id == cast.elda.pk


def test_revoking_ends_the_related_person(cast: Cast) -> None:
    make_user(DAN)
    ana = _signed_in(cast.ana.email)
    ana.post("/proxies/invite/", _invite())
    grant = ProxyGrant.objects.get(patient_id="ana")
    ana.post(f"/proxies/{grant.pk}/revoke/")
    person = repository.read(system(), "RelatedPerson", grant.related_person_id).content
    assert person["active"] is False and "end" in person["period"]


def test_nobody_else_revokes_a_grant(cast: Cast) -> None:
    grant = cast.grants["gil-elda"]
    for outsider in (cast.mallory, cast.gil, cast.ana, cast.diaz, cast.cruz):
        assert client_of(outsider).post(f"/proxies/{grant.pk}/revoke/").status_code == 404
    assert client_of(cast.elda).post("/proxies/999999/revoke/").status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_an_expired_grant_opens_nothing(cast: Cast) -> None:
    ProxyGrant.objects.filter(pk=cast.grants["gil-elda"].pk).update(
        ends_at=timezone.now() - timedelta(seconds=1)
    )
    assert fhir(client_of(cast.gil), "/fhir/Patient/elda")[0] == 404


def _set_up(**fields: Any) -> dict[str, Any]:
    return {
        "email": DAN,
        "given": "Dan",
        "family": "Helper",
        "relationship": "guardian",
        "scope": "act",
        "ends_on": "",
        "legal_basis": "court order 2024-117",
        **fields,
    }


def test_the_front_desk_sets_up_a_legal_guardian_of_an_adult(cast: Cast) -> None:
    dan = make_user(DAN)
    fran = _signed_in(cast.fran.email)
    assert fran.get("/staff/patients/mallory/proxies/new/").status_code == 200
    response = fran.post("/staff/patients/mallory/proxies/new/", _set_up())
    assert response.status_code == 302, response.content
    grant = ProxyGrant.objects.get(patient_id="mallory")
    assert grant.proxy == dan and grant.legal_basis == "court order 2024-117"
    assert grant.granted_by == cast.fran
    event = AuditEvent.objects.get(action=Action.PROXY_GRANT)
    assert event.role == "front_desk" and event.patient_id == "mallory"
    assert ids(fhir(client_of(dan), "/fhir/Patient")[1]) == {"mallory"}
    assert "court order 2024-117" in fran.get("/staff/patients/mallory/proxies/").content.decode()


def test_staff_set_up_a_parent_only_for_a_minor_and_always_with_a_basis(cast: Cast) -> None:
    make_user(DAN)
    fran = _signed_in(cast.fran.email)
    refused = fran.post("/staff/patients/mallory/proxies/new/", _set_up(relationship="parent"))
    assert refused.status_code == 200 and "minor" in refused.content.decode()
    assert fran.post("/staff/patients/teo/proxies/new/", _set_up(legal_basis="")).status_code == 200
    assert fran.post("/staff/patients/nobody/proxies/new/", _set_up()).status_code == 200
    assert not ProxyGrant.objects.filter(invited_email=DAN).exists()
    ok = fran.post("/staff/patients/teo/proxies/new/", _set_up(relationship="parent"))
    assert ok.status_code == 302
    assert ProxyGrant.objects.get(invited_email=DAN).patient_id == "teo"


def test_only_front_desk_and_administrators_set_up_proxies(cast: Cast) -> None:
    for outsider in (cast.ana, cast.cruz, cast.ben):
        client = _signed_in(outsider.email)
        assert client.post("/staff/patients/mallory/proxies/new/", _set_up()).status_code == 404
        assert client.get("/staff/patients/mallory/proxies/").status_code == 404
    assert not ProxyGrant.objects.filter(patient_id="mallory").exists()


def test_staff_revoke_a_grant(cast: Cast) -> None:
    grant = cast.grants["ben-teo"]
    response = client_of(cast.fran).post(f"/proxies/{grant.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/patients/teo/proxies/"
    assert client_of(cast.ben).post("/records/open/", {"patient": "teo"}).status_code == 404


def test_the_cast_password_is_the_shared_one() -> None:
    assert PASSWORD
