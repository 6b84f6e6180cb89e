"""The day's schedule: who sees it, whose names it shows, and that it reads the record
once per page, audited."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast
from porch.audit.models import AuditEvent
from porch.scheduling.models import ScheduleException, Slot
from porch.scheduling.slots import block_excepted, clinic_zone
from porch.scheduling.tests.records import Clinic, book, free

from .records import schedule

pytestmark = pytest.mark.django_db


def _day(slot: Slot) -> date:
    return slot.starts_at.astimezone(clinic_zone()).date()


def _booked_by_ana(cast: Cast, clinic: Clinic) -> Slot:
    slot = free(clinic.follow_up)
    assert book(client_of(cast.ana), slot).status_code == 302
    return slot


def test_fran_sees_the_day_with_names_free_times_and_exceptions(cast: Cast, clinic: Clinic) -> None:
    slot = _booked_by_ana(cast, clinic)
    on = _day(slot)
    ScheduleException.objects.create(
        practitioner_id="pr-cruz",
        starts_at=datetime.combine(on, time(9, 40), tzinfo=clinic_zone()),
        ends_at=datetime.combine(on, time(10), tzinfo=clinic_zone()),
        reason=ScheduleException.Reason.BLOCK,
    )
    block_excepted()

    response = schedule(client_of(cast.fran), clinician="pr-cruz", date=on.isoformat())

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ana Alvarez" in page and "Follow-up" in page
    assert "/staff/patients/ana/appointments/" in page
    assert "Free" in page and "Blocked time" in page
    assert page.count('data-testid="row-booked"') == 1
    assert page.count('data-testid="row-blocked"') == 1
    # 9:00 is booked, 9:40 blocked (and the 30-minute 9:30 with it): 9:20 is open.
    assert page.count('data-testid="row-free"') == 1
    # The front desk has no chart: no check-in link that would only answer 404.
    assert "/check-in/" not in page


def test_the_day_defaults_to_today_and_the_first_clinician_and_links_the_next_days(
    cast: Cast, clinic: Clinic
) -> None:
    response = schedule(client_of(cast.fran))
    assert response.status_code == 200
    page = response.content.decode()
    today = datetime.now(clinic_zone()).date()
    assert "Ada Cruz" in page
    assert f"date={today + timedelta(days=1)}" in page
    assert f"date={today - timedelta(days=1)}" in page


def test_dr_cruz_sees_his_patients_name_and_their_check_in(cast: Cast, clinic: Clinic) -> None:
    slot = _booked_by_ana(cast, clinic)
    page = schedule(client_of(cast.cruz), date=_day(slot).isoformat()).content.decode()
    assert "Ana Alvarez" in page
    appointment = slot.bookings.get().appointment_id
    assert f"/staff/appointments/{appointment}/check-in/" in page


def test_dr_diaz_sees_the_time_booked_but_not_who(cast: Cast, clinic: Clinic) -> None:
    slot = _booked_by_ana(cast, clinic)
    response = schedule(client_of(cast.diaz), clinician="pr-cruz", date=_day(slot).isoformat())

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="row-booked"' in page and "Booked" in page
    assert "Alvarez" not in page and "/staff/patients/ana/" not in page
    assert not AuditEvent.objects.filter(user_id=cast.diaz.pk, patient_id="ana").exists()


@pytest.mark.parametrize("who", ["ana", "ben", "mallory", "teo"])
def test_patients_and_proxies_find_no_schedule(cast: Cast, clinic: Clinic, who: str) -> None:
    _booked_by_ana(cast, clinic)
    response = schedule(client_of(getattr(cast, who)))
    assert response.status_code == 404
    assert "Alvarez" not in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in(cast: Cast, clinic: Clinic) -> None:
    from django.test import Client

    response = schedule(Client())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_malformed_date_is_refused_naming_the_field(cast: Cast, clinic: Clinic) -> None:
    response = schedule(client_of(cast.fran), clinician="pr-cruz", date="2030-13-45")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid date." in page and 'id="id_date"' in page
    assert 'data-testid="day"' not in page


def test_an_unknown_clinician_is_refused(cast: Cast, clinic: Clinic) -> None:
    response = schedule(client_of(cast.fran), clinician="pr-nobody")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_names_are_read_once_for_the_page_and_audited(cast: Cast, clinic: Clinic) -> None:
    fran = client_of(cast.fran)
    on = _day(_booked_by_ana(cast, clinic))
    schedule(fran, date=on.isoformat())  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        assert schedule(fran, date=on.isoformat()).status_code == 200
    for patient in (cast.elda, cast.mallory):
        assert (
            book(client_of(patient), free(clinic.follow_up), key=patient.email).status_code == 302
        )
    with CaptureQueriesContext(connection) as three:
        page = schedule(fran, date=on.isoformat()).content.decode()
    assert "Elda Gomez" in page and "Mallory Moss" in page
    assert len(three.captured_queries) == len(one.captured_queries)

    seen = AuditEvent.objects.filter(user_id=cast.fran.pk, resource_type="Patient")
    assert set(seen.values_list("patient_id", flat=True)) >= {"ana", "elda", "mallory"}
    assert set(seen.values_list("role", flat=True)) == {"front_desk"}


def test_the_day_speaks_spanish(cast: Cast, clinic: Clinic) -> None:
    fran = client_of(cast.fran)
    assert fran.post("/i18n/setlang/", {"language": "es", "next": "/"}).status_code == 302
    on = _day(_booked_by_ana(cast, clinic))
    page = schedule(fran, date=on.isoformat()).content.decode()
    assert "La agenda del día" in page and "Día siguiente" in page and "Libre" in page


def test_the_menu_leads_staff_to_the_schedule_and_the_front_desk_to_requests(
    cast: Cast,
) -> None:
    def menu(user: object) -> str:
        return str(client_of(user).get("/").content.decode())

    front_desk, clinician, patient = menu(cast.fran), menu(cast.cruz), menu(cast.ana)
    assert '"/staff/schedule/"' in front_desk and '"/staff/appointments/requests/"' in front_desk
    assert '"/staff/schedule/"' in clinician
    assert '"/staff/appointments/requests/"' not in clinician
    assert "/staff/" not in patient
