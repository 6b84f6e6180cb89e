"""Clinicians see the patients they care for; anyone else's chart needs breaking the glass."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from porch.access.models import BreakGlass
from porch.access.rules import patients_cared_for
from porch.access.tests.helpers import client_of, fhir, ids, total
from porch.access.tests.records import Cast, create
from porch.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

REASON = "Patient unconscious in the emergency room"


def test_dr_cruz_cares_for_patients_by_care_team_gp_and_appointment(cast: Cast) -> None:
    assert patients_cared_for("pr-cruz") == {"ana", "carla", "teo", "elda"}
    cruz = client_of(cast.cruz)
    assert ids(fhir(cruz, "/fhir/Patient")[1]) == {"ana", "carla", "teo", "elda"}
    assert fhir(cruz, f"/fhir/Condition/{cast.plain['ana']}")[0] == 200
    assert fhir(cruz, "/fhir/Patient/mallory")[0] == 404


def test_dr_diaz_is_refused_anas_chart(cast: Cast) -> None:
    diaz = client_of(cast.diaz)
    assert patients_cared_for("pr-diaz") == frozenset()
    assert fhir(diaz, "/fhir/Patient/ana")[0] == 404
    assert fhir(diaz, f"/fhir/Condition/{cast.plain['ana']}")[0] == 404
    assert total(diaz, "/fhir/Condition") == 0


def test_the_patient_list_takes_three_queries_however_many_patients(cast: Cast) -> None:
    for _ in range(20):
        pid = create(
            {
                "resourceType": "Patient",
                "generalPractitioner": [{"reference": "Practitioner/pr-cruz"}],
            }
        )
        create(
            {
                "resourceType": "Appointment",
                "status": "booked",
                "participant": [
                    {"actor": {"reference": f"Patient/{pid}"}, "status": "accepted"},
                    {"actor": {"reference": "Practitioner/pr-cruz"}, "status": "accepted"},
                ],
            }
        )
    with CaptureQueriesContext(connection) as queries:
        cared = patients_cared_for("pr-cruz")
    assert len(cared) == 24
    assert len(queries) == 3  # references, readable resources, their compartments


def test_a_clinician_without_a_practitioner_link_sees_nothing(cast: Cast) -> None:
    cast.cruz.practitioner_link.delete()
    cruz = client_of(cast.cruz)
    assert total(cruz, "/fhir/Patient") == 0


def test_a_clinician_opens_one_of_their_patients_charts(cast: Cast) -> None:
    cruz = client_of(cast.cruz)
    assert cruz.post("/records/open/", {"patient": "ana"}).status_code == 302
    ctx = cruz.get("/records/").wsgi_request.access
    assert ctx.acting_for == "ana" and ctx.role == "clinician" and ctx.purpose == "treatment"
    assert cruz.post("/records/open/", {"patient": "mallory"}).status_code == 404
    assert cruz.post("/records/open/", {"patient": ""}).status_code == 302
    assert cruz.get("/records/").wsgi_request.access.acting_for is None


def _break(client, patient: str = "ana", reason: str = REASON):  # type: ignore[no-untyped-def]
    return client.post(f"/chart/{patient}/break-glass/", {"reason": reason})


def test_dr_diaz_breaks_the_glass_with_a_reason_and_sees_the_chart(cast: Cast) -> None:
    diaz = client_of(cast.diaz)
    assert diaz.get("/chart/ana/break-glass/").status_code == 200
    response = _break(diaz)
    assert response.status_code == 302
    row = BreakGlass.objects.get(user=cast.diaz)
    assert row.patient_id == "ana" and row.reason == REASON
    assert row.expires_at - row.started_at == timedelta(minutes=60)
    assert fhir(diaz, f"/fhir/Condition/{cast.plain['ana']}")[0] == 200
    ctx = diaz.get("/records/").wsgi_request.access
    assert ctx.acting_for == "ana" and ctx.purpose == "break-the-glass"
    assert ctx.break_glass == frozenset({"ana"})


def test_breaking_the_glass_is_flagged_in_the_audit_log_without_the_reason(cast: Cast) -> None:
    diaz = client_of(cast.diaz)
    _break(diaz)
    fhir(diaz, f"/fhir/Condition/{cast.plain['ana']}")
    event = AuditEvent.objects.get(action=Action.BREAK_GLASS)
    assert event.patient_id == "ana" and event.break_glass and event.user_id == cast.diaz.pk
    read = AuditEvent.objects.filter(action=Action.READ, user_id=cast.diaz.pk).get()
    assert read.break_glass
    for event in AuditEvent.objects.all():
        assert REASON not in str([getattr(event, f.name) for f in AuditEvent._meta.fields])


def test_a_short_reason_is_refused(cast: Cast) -> None:
    diaz = client_of(cast.diaz)
    response = _break(diaz, reason="because")
    assert response.status_code == 200
    assert not BreakGlass.objects.exists()
    assert fhir(diaz, "/fhir/Patient/ana")[0] == 404


def test_only_clinicians_break_the_glass_and_only_for_known_patients(cast: Cast) -> None:
    for outsider in (cast.mallory, cast.ben, cast.fran):
        assert _break(client_of(outsider)).status_code == 404
    assert _break(client_of(cast.diaz), patient="no-such-patient").status_code == 404
    assert not BreakGlass.objects.exists()


def test_a_clinician_on_the_care_team_has_no_glass_to_break(cast: Cast) -> None:
    assert _break(client_of(cast.cruz)).status_code == 302
    assert not BreakGlass.objects.exists()


def test_break_the_glass_access_ends_when_it_expires(cast: Cast) -> None:
    diaz = client_of(cast.diaz)
    _break(diaz)
    BreakGlass.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert fhir(diaz, "/fhir/Patient/ana")[0] == 404


def test_the_privacy_officer_reviews_break_the_glass_events(cast: Cast) -> None:
    _break(client_of(cast.diaz))
    priya = client_of(cast.priya)
    page = priya.get("/privacy/break-glass/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Dan Diaz" in text and "Ana Alvarez" in text and REASON in text
    row = BreakGlass.objects.get()
    assert priya.post(f"/privacy/break-glass/{row.pk}/review/").status_code == 302
    row.refresh_from_db()
    assert row.reviewed_at is not None and row.reviewed_by == cast.priya
    assert "by Priya Patel" in priya.get("/privacy/break-glass/").content.decode()
    assert REASON not in priya.get("/privacy/break-glass/?unreviewed=1").content.decode()
    assert not mail.outbox


def test_only_the_privacy_officer_sees_the_report(cast: Cast) -> None:
    _break(client_of(cast.diaz))
    row = BreakGlass.objects.get()
    for outsider in (cast.diaz, cast.cruz, cast.fran, cast.ana):
        client = client_of(outsider)
        assert client.get("/privacy/break-glass/").status_code == 404
        assert client.post(f"/privacy/break-glass/{row.pk}/review/").status_code == 404
    assert client_of(cast.priya).post("/privacy/break-glass/999999/review/").status_code == 404
    row.refresh_from_db()
    assert row.reviewed_at is None


def test_the_report_takes_the_same_queries_for_one_or_many_events(
    cast: Cast, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    priya = client_of(cast.priya)
    priya.get("/privacy/break-glass/")
    for patient in ("ana", "mallory"):
        _break(client_of(cast.diaz), patient=patient)
    with CaptureQueriesContext(connection) as few:
        priya.get("/privacy/break-glass/")
    for _ in range(5):
        BreakGlass.objects.create(
            user=cast.diaz, patient_id="mallory", reason=REASON, expires_at=timezone.now()
        )
    with CaptureQueriesContext(connection) as many:
        priya.get("/privacy/break-glass/")
    assert len(many) == len(few)
