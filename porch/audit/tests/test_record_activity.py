""" "Who has looked at my record": a patient reads, in plain words, every event about the
record they have open; a proxy reads it within their scope; nobody else reads it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.test import Client
from django.urls import reverse

from porch.access.context import AccessContext
from porch.access.rules import SESSION_KEY
from porch.accounts.models import User
from porch.audit import log
from porch.audit.models import Action, AuditEvent
from porch.audit.tests.conftest import Cast, signed_in

pytestmark = pytest.mark.django_db
URL = reverse("audit:my_record_log")


def _as(user: User, role: str, patient_ids: set[str], **extra: object) -> AccessContext:
    ctx = AccessContext.for_patients(user.get_full_name(), frozenset(patient_ids), purpose="x")
    return replace(ctx, user_id=user.pk, role=role, client_ip="198.51.100.4", **extra)  # type: ignore[arg-type]


def _lines(response: object) -> list[str]:
    assert response.status_code == 200, response.status_code  # type: ignore[attr-defined]
    return [str(line) for line in response.context["lines"]]  # type: ignore[attr-defined]


def test_a_patient_reads_who_looked_at_their_record_newest_first(cast: Cast) -> None:
    ana = cast.ana_id
    log.record(
        AccessContext.system("system:import", audited=True), Action.IMPORT, [log.Access(ana)]
    )
    log.record(
        _as(cast.cruz, "clinician", {ana}), Action.READ, [log.Access(ana, "Condition", "c1")]
    )
    log.record(_as(cast.ben, "proxy", {ana}), Action.SEARCH, [log.Access(ana, "Observation")])
    glass = _as(cast.diaz, "clinician", {ana}, break_glass=frozenset({ana}))
    log.record(glass, Action.BREAK_GLASS, [log.Access(ana)])
    log.record(glass, Action.READ, [log.Access(ana, "Observation", "o1")])
    log.record(_as(cast.ana, "patient", {ana}), Action.DOWNLOAD, [log.Access(ana)])

    lines = _lines(signed_in(cast.ana).get(URL))
    assert [line.split(" on ")[0] for line in lines] == [
        "You downloaded your record",
        "Dan Diaz (clinician) viewed your result (emergency access)",
        "Dan Diaz (clinician) opened your record in an emergency (break the glass)",
        "Ben Alvarez (your proxy) searched your results",
        "Ada Cruz (clinician) viewed your condition",
        "Porch imported your records",
    ]
    assert " at " in lines[0]


def test_the_page_never_shows_where_a_look_came_from(cast: Cast) -> None:
    ana = cast.ana_id
    log.record(
        _as(cast.cruz, "clinician", {ana}), Action.READ, [log.Access(ana, "Condition", "c1")]
    )
    response = signed_in(cast.ana).get(URL)
    assert b"198.51.100.4" not in response.content


def test_a_patient_does_not_see_events_about_someone_else(cast: Cast) -> None:
    mallory = cast.mallory_id
    log.record(
        _as(cast.cruz, "clinician", {mallory}),
        Action.READ,
        [log.Access(mallory, "Condition", "m1")],
    )
    assert _lines(signed_in(cast.ana).get(URL)) == []
    assert len(_lines(signed_in(cast.mallory).get(URL))) == 1


def test_the_page_is_paginated(cast: Cast) -> None:
    ana = cast.ana_id
    cruz = _as(cast.cruz, "clinician", {ana})
    log.record(cruz, Action.READ, [log.Access(ana, "Condition", f"c{i}") for i in range(30)])
    client = signed_in(cast.ana)
    assert len(_lines(client.get(URL))) == 25
    assert len(_lines(client.get(URL, {"page": "2"}))) == 5


def _open(client: Client, patient_id: str) -> Client:
    session = client.session
    session[SESSION_KEY] = patient_id
    session.save()
    return client


def test_a_parent_sees_a_teens_log_without_their_confidential_entries(cast: Cast) -> None:
    teo = cast.teo_id
    cruz = _as(cast.cruz, "clinician", {teo})
    log.record(cruz, Action.READ, [log.Access(teo, "Condition", cast.teo_visible)])
    log.record(cruz, Action.READ, [log.Access(teo, "Condition", cast.teo_confidential)])

    teen_view = _lines(signed_in(cast.teo).get(URL))
    assert len(teen_view) == 2
    parent_view = _lines(_open(signed_in(cast.ben), teo).get(URL))
    assert [line.split(" on ")[0] for line in parent_view] == [
        "Ada Cruz (clinician) viewed the condition"
    ]
    shown = _open(signed_in(cast.ben), teo).get(URL).context["page"]
    assert [e.resource_id for e in shown] == [cast.teo_visible]


def test_an_anonymous_visitor_is_sent_to_sign_in(cast: Cast) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["cruz", "diaz", "alma"])
def test_staff_without_an_own_record_find_no_such_page(cast: Cast, who: str) -> None:
    log.record(_as(cast.cruz, "clinician", {cast.ana_id}), Action.READ, [log.Access(cast.ana_id)])
    response = signed_in(getattr(cast, who)).get(URL)
    assert response.status_code == 404


def test_reading_the_page_writes_no_read_of_the_record(cast: Cast) -> None:
    signed_in(cast.ana).get(URL)
    assert not AuditEvent.objects.filter(action=Action.READ).exists()
