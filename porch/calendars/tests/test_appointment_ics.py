"""An appointment as an .ics file: when, "Appointment at <clinic>", a link to Porch, and
nothing else; only for the open record's own appointments."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast
from porch.calendars.tests.records import (
    NEVER_SAID,
    appointment,
    booked,
    events,
    open_record,
    parsed,
    uid,
)
from porch.scheduling.tests.records import Clinic, free

pytestmark = pytest.mark.django_db


@override_settings(CLINIC_NAME="Lakeside Health")
def test_ana_downloads_her_appointment_with_only_the_time_and_the_clinic(
    cast: Cast, clinic: Clinic
) -> None:
    ana, slot = client_of(cast.ana), free(clinic.follow_up)
    fhir_id = booked(ana, slot)

    response = ana.get(f"/appointments/{fhir_id}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    calendar = parsed(response.content)
    assert str(calendar["VERSION"]) == "2.0" and "UID" not in calendar
    (event,) = calendar.events
    assert str(event["UID"]) == uid(fhir_id)
    assert str(event["SUMMARY"]) == "Appointment at Lakeside Health"
    assert event.start == slot.starts_at.astimezone(UTC)
    assert event.end == slot.ends_at.astimezone(UTC)
    assert event.start.tzinfo is not None and event.start.utcoffset() == timedelta(0)
    assert str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == 0
    link = f"http://testserver/appointments/{fhir_id}/"
    assert str(event["URL"]) == link and str(event["DESCRIPTION"]) == link
    assert event["DTSTAMP"].dt <= timezone.now()
    # Only these properties: no LOCATION, ORGANIZER, ATTENDEE, CATEGORIES, ...
    assert set(event) == {
        "UID",
        "DTSTAMP",
        "DTSTART",
        "DTEND",
        "SUMMARY",
        "DESCRIPTION",
        "URL",
        "STATUS",
        "SEQUENCE",
    }
    text = response.content.decode()
    assert [word for word in NEVER_SAID if word in text] == []


def test_the_uid_stays_the_same_when_the_appointment_moves(cast: Cast, clinic: Clinic) -> None:
    ana = client_of(cast.ana)
    fhir_id = booked(ana, free(clinic.follow_up))
    before = events(ana.get(f"/appointments/{fhir_id}/calendar.ics").content)
    later = free(clinic.follow_up, 2)
    moved = ana.post(f"/appointments/{fhir_id}/reschedule/{later.pk}/")
    assert moved.status_code == 302

    after = events(ana.get(f"/appointments/{fhir_id}/calendar.ics").content)

    assert set(before) == set(after) == {uid(fhir_id)}
    assert after[uid(fhir_id)].start == later.starts_at.astimezone(UTC)


def test_a_cancelled_appointment_is_marked_cancelled_with_a_higher_sequence(
    cast: Cast, clinic: Clinic
) -> None:
    ana = client_of(cast.ana)
    fhir_id = booked(ana, free(clinic.follow_up))
    cancelled = ana.post(f"/appointments/{fhir_id}/cancel/", {"reason": "Feeling better"})
    assert cancelled.status_code == 302

    response = ana.get(f"/appointments/{fhir_id}/calendar.ics")

    event = events(response.content)[uid(fhir_id)]
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
    assert "Feeling better" not in response.content.decode()


def test_the_appointment_page_offers_the_file(cast: Cast, clinic: Clinic) -> None:
    ana = client_of(cast.ana)
    fhir_id = booked(ana, free(clinic.follow_up))
    page = ana.get(f"/appointments/{fhir_id}/").content.decode()
    assert f'href="/appointments/{fhir_id}/calendar.ics"' in page


def test_another_patients_appointment_is_not_found(cast: Cast, clinic: Clinic) -> None:
    fhir_id = booked(client_of(cast.ana), free(clinic.follow_up))
    for outsider in (cast.mallory, cast.ben, cast.teo, cast.cruz, cast.diaz, cast.fran):
        response = client_of(outsider).get(f"/appointments/{fhir_id}/calendar.ics")
        assert response.status_code == 404, outsider


def test_an_unknown_appointment_is_not_found(cast: Cast) -> None:
    assert client_of(cast.ana).get("/appointments/nope/calendar.ics").status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(cast: Cast, clinic: Clinic) -> None:
    fhir_id = booked(client_of(cast.ana), free(clinic.follow_up))
    response = Client().get(f"/appointments/{fhir_id}/calendar.ics")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_proxy_gets_the_appointments_of_the_record_they_have_open(cast: Cast) -> None:
    teos = appointment("teo")
    ben = client_of(cast.ben)
    open_record(ben, "carla")
    assert ben.get(f"/appointments/{teos}/calendar.ics").status_code == 404

    open_record(ben, "teo")
    response = ben.get(f"/appointments/{teos}/calendar.ics")

    assert response.status_code == 200
    assert set(events(response.content)) == {uid(teos)}


def test_a_parent_cannot_download_a_teens_confidential_appointment(cast: Cast) -> None:
    private = appointment("teo", confidential=True)
    ben = client_of(cast.ben)
    open_record(ben, "teo")
    assert ben.get(f"/appointments/{private}/calendar.ics").status_code == 404
    assert client_of(cast.teo).get(f"/appointments/{private}/calendar.ics").status_code == 200


def test_an_appointment_without_a_time_has_no_file(cast: Cast) -> None:
    from porch.access.tests.records import create

    requested = create(
        {
            "resourceType": "Appointment",
            "status": "proposed",
            "participant": [{"actor": {"reference": "Patient/ana"}, "status": "needs-action"}],
        }
    )
    assert client_of(cast.ana).get(f"/appointments/{requested}/calendar.ics").status_code == 404


def test_the_summary_speaks_the_persons_language(cast: Cast, clinic: Clinic) -> None:
    ana = client_of(cast.ana)
    fhir_id = booked(ana, free(clinic.follow_up))
    assert ana.post("/i18n/setlang/", {"language": "es", "next": "/"}).status_code == 302
    response = ana.get(f"/appointments/{fhir_id}/calendar.ics")
    assert str(events(response.content)[uid(fhir_id)]["SUMMARY"]) == "Cita en Porch Clinic"
