"""Booking, moving and cancelling on a patient's behalf: any visit type's policy, no
cancellation cutoff, one appointment per confirm page, and only for patients the staff
member may schedule for."""

from __future__ import annotations

from datetime import datetime

import pytest

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast, system
from porch.notifications.kinds import Kind
from porch.notifications.models import Notification
from porch.record import repository
from porch.scheduling.models import Booking, Slot, VisitType
from porch.scheduling.tests.records import Clinic, book, free

from .records import held, staff_book

pytestmark = pytest.mark.django_db


def _appointment(fhir_id: str) -> dict[str, object]:
    return repository.read(system(), "Appointment", fhir_id).content or {}


def _notified(cast: Cast) -> int:
    return Notification.objects.filter(recipient=cast.ana, kind=Kind.APPOINTMENT).count()


def _with_cutoff(visit_type: VisitType, hours: int) -> VisitType:
    visit_type.cancel_cutoff_hours = hours
    visit_type.save(update_fields=["cancel_cutoff_hours"])
    return visit_type


@pytest.mark.parametrize("kind", ["annual", "home"])
def test_fran_books_a_request_only_or_offline_visit_the_patient_cannot_book(
    cast: Cast, clinic: Clinic, kind: str
) -> None:
    visit_type = getattr(clinic, kind)
    fran = client_of(cast.fran)
    listed = fran.get("/staff/patients/ana/appointments/book/", {"visit_type": visit_type.slug})
    slot = free(visit_type)
    assert listed.status_code == 200
    assert f"/staff/patients/ana/appointments/book/{slot.pk}/" in listed.content.decode()
    assert book(client_of(cast.ana), slot).status_code == 400

    response = staff_book(fran, "ana", slot)

    assert response.status_code == 302
    assert response["Location"] == "/staff/patients/ana/appointments/"
    booking = held(slot)
    assert booking.patient_id == "ana" and booking.booked_by == cast.fran
    assert _appointment(booking.appointment_id)["status"] == "booked"
    assert _notified(cast) == 1
    page = fran.get("/staff/patients/ana/appointments/").content.decode()
    assert visit_type.name in page and f"/staff/appointments/{booking.appointment_id}/move/" in page


def test_who_and_age_rules_still_apply_to_staff(cast: Cast, clinic: Clinic) -> None:
    response = staff_book(client_of(cast.fran), "ana", free(clinic.teen))
    assert response.status_code == 400
    assert "Teen visit is for patients aged 12 to 17." in response.content.decode()
    assert not Booking.objects.exists()


def test_a_double_submit_books_one_appointment(cast: Cast, clinic: Clinic) -> None:
    fran, slot = client_of(cast.fran), free(clinic.follow_up)
    first = staff_book(fran, "ana", slot, key="same")
    second = staff_book(fran, "ana", slot, key="same")
    assert first.status_code == second.status_code == 302
    assert Booking.objects.count() == 1
    assert _notified(cast) == 1


def test_a_taken_slot_says_so_and_offers_the_next_openings(cast: Cast, clinic: Clinic) -> None:
    slot = free(clinic.follow_up)
    assert book(client_of(cast.mallory), slot, key="m").status_code == 302

    response = staff_book(client_of(cast.fran), "ana", slot)

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else booked this time a moment ago" in page
    following = free(clinic.follow_up)
    assert f"/staff/patients/ana/appointments/book/{following.pk}/" in page
    assert not Booking.objects.filter(patient_id="ana").exists()


def _booked_by_ana(cast: Cast, slot: Slot) -> Booking:
    assert book(client_of(cast.ana), slot).status_code == 302
    return held(slot)


def test_fran_cancels_inside_the_cutoff_the_patient_could_not(cast: Cast, clinic: Clinic) -> None:
    booking = _booked_by_ana(cast, free(_with_cutoff(clinic.follow_up, 24 * 30)))
    url = f"/staff/appointments/{booking.appointment_id}/cancel/"
    own = client_of(cast.ana).post(
        f"/appointments/{booking.appointment_id}/cancel/", {"reason": "x"}
    )
    assert own.status_code == 400
    fran = client_of(cast.fran)
    assert fran.get(url).status_code == 200

    response = fran.post(url, {"reason": "Clinician away"})

    assert response.status_code == 302
    content = _appointment(booking.appointment_id)
    assert content["status"] == "cancelled"
    assert content["cancelationReason"] == {"text": "Clinician away"}
    assert not Booking.objects.filter(active=True).exists()
    assert _notified(cast) == 2  # booked, then cancelled
    assert fran.get(url).status_code == 404  # nothing left to cancel


def test_a_cancellation_needs_a_reason(cast: Cast, clinic: Clinic) -> None:
    booking = _booked_by_ana(cast, free(clinic.follow_up))
    response = client_of(cast.fran).post(
        f"/staff/appointments/{booking.appointment_id}/cancel/", {"reason": ""}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert _appointment(booking.appointment_id)["status"] == "booked"


def test_fran_moves_an_appointment_inside_the_cutoff(cast: Cast, clinic: Clinic) -> None:
    booking = _booked_by_ana(cast, free(_with_cutoff(clinic.follow_up, 24 * 30)))
    fran = client_of(cast.fran)
    later = free(clinic.follow_up, 2)
    listed = fran.get(f"/staff/appointments/{booking.appointment_id}/move/").content.decode()
    assert f"/staff/appointments/{booking.appointment_id}/move/{later.pk}/" in listed

    response = fran.post(f"/staff/appointments/{booking.appointment_id}/move/{later.pk}/")

    assert response.status_code == 302
    moved = held(later)
    assert moved.appointment_id == booking.appointment_id and moved.booked_by == cast.fran
    start = str(_appointment(booking.appointment_id)["start"])
    assert datetime.fromisoformat(start) == later.starts_at
    assert _notified(cast) == 2


def test_moving_to_a_taken_time_offers_the_next_openings(cast: Cast, clinic: Clinic) -> None:
    booking = _booked_by_ana(cast, free(clinic.follow_up))
    taken = free(clinic.follow_up)
    assert book(client_of(cast.mallory), taken, key="m").status_code == 302
    response = client_of(cast.fran).post(
        f"/staff/appointments/{booking.appointment_id}/move/{taken.pk}/"
    )
    assert response.status_code == 409
    assert "Someone else booked this time" in response.content.decode()
    assert held(booking.slot).pk == booking.pk


def test_a_malformed_date_in_the_search_is_refused(cast: Cast, clinic: Clinic) -> None:
    response = client_of(cast.fran).get(
        "/staff/patients/ana/appointments/book/", {"date": "tomorrow"}
    )
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()


def test_dr_cruz_schedules_for_his_patient_from_the_chart(cast: Cast, clinic: Clinic) -> None:
    cruz = client_of(cast.cruz)
    chart = cruz.get("/clinician/patients/ana/").content.decode()
    assert "/staff/patients/ana/appointments/" in chart
    slot = free(clinic.annual)
    assert staff_book(cruz, "ana", slot).status_code == 302
    assert held(slot).booked_by == cast.cruz


@pytest.mark.parametrize("who", ["diaz", "mallory", "ben", "teo"])
def test_someone_outside_the_patients_reach_finds_nothing(
    cast: Cast, clinic: Clinic, who: str
) -> None:
    booking = _booked_by_ana(cast, free(clinic.follow_up))
    client = client_of(getattr(cast, who))
    other = free(clinic.follow_up)
    for url in (
        "/staff/patients/ana/appointments/",
        "/staff/patients/ana/appointments/book/",
        f"/staff/patients/ana/appointments/book/{other.pk}/",
        f"/staff/appointments/{booking.appointment_id}/move/",
        f"/staff/appointments/{booking.appointment_id}/move/{other.pk}/",
        f"/staff/appointments/{booking.appointment_id}/cancel/",
    ):
        assert client.get(url).status_code == 404, url
    assert staff_book(client, "ana", other).status_code == 404
    cancel = client.post(f"/staff/appointments/{booking.appointment_id}/cancel/", {"reason": "x"})
    assert cancel.status_code == 404
    assert Booking.objects.filter(active=True).count() == 1
    assert _appointment(booking.appointment_id)["status"] == "booked"


def test_an_unknown_patient_is_not_found(cast: Cast, clinic: Clinic) -> None:
    assert client_of(cast.fran).get("/staff/patients/nobody/appointments/").status_code == 404
