"""Rescheduling and cancelling: atomic moves, the cancellation cutoff, and outsiders
who get "not found" for someone else's appointment."""

from __future__ import annotations

import pytest
from django.test import Client

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast, system
from porch.accounts.models import User
from porch.record import repository
from porch.scheduling.models import Booking, Slot
from porch.scheduling.queries import open_slots
from porch.scheduling.tests.records import Clinic, book, free

pytestmark = pytest.mark.django_db


def _booked(client: Client, slot: Slot, key: str = "k") -> str:
    response = book(client, slot, key=key)
    assert response.status_code == 302
    return str(response["Location"]).strip("/").rsplit("/", 1)[-1]


def _content(resource_type: str, fhir_id: str) -> dict[str, object]:
    return repository.read(system(), resource_type, fhir_id).content or {}


def test_ana_cancels_with_a_reason_and_the_time_opens_again(cast: Cast, clinic: Clinic) -> None:
    ana, slot = client_of(cast.ana), free(clinic.follow_up)
    appointment = _booked(ana, slot)
    assert ana.get(f"/appointments/{appointment}/cancel/").status_code == 200

    response = ana.post(f"/appointments/{appointment}/cancel/", {"reason": "Feeling better"})

    assert response.status_code == 302
    content = _content("Appointment", appointment)
    assert content["status"] == "cancelled"
    assert content["cancelationReason"] == {"text": "Feeling better"}
    assert _content("Slot", slot.fhir_id)["status"] == "free"
    assert slot in open_slots(visit_type=clinic.follow_up)
    assert not Booking.objects.filter(active=True).exists()
    page = ana.get(f"/appointments/{appointment}/").content.decode()
    assert "Cancelled" in page and "Feeling better" in page


def test_a_cancellation_without_a_reason_is_refused(cast: Cast, clinic: Clinic) -> None:
    ana = client_of(cast.ana)
    appointment = _booked(ana, free(clinic.follow_up))
    response = ana.post(f"/appointments/{appointment}/cancel/", {"reason": ""})
    assert response.status_code == 400
    assert _content("Appointment", appointment)["status"] == "booked"


def test_a_cancellation_after_the_cutoff_is_refused_naming_the_cutoff(
    cast: Cast, clinic: Clinic
) -> None:
    ana = client_of(cast.ana)
    appointment = _booked(ana, free(clinic.follow_up))
    clinic.follow_up.cancel_cutoff_hours = 24 * 30
    clinic.follow_up.save(update_fields=["cancel_cutoff_hours"])

    response = ana.post(f"/appointments/{appointment}/cancel/", {"reason": "Busy"})

    assert response.status_code == 400
    assert "up to 720 hours before" in response.content.decode()
    assert _content("Appointment", appointment)["status"] == "booked"
    assert Booking.objects.filter(active=True).count() == 1


def test_rescheduling_moves_the_appointment_and_releases_the_old_time(
    cast: Cast, clinic: Clinic
) -> None:
    ana = client_of(cast.ana)
    old, new = free(clinic.follow_up), free(clinic.follow_up, 3)
    appointment = _booked(ana, old)
    listing = ana.get(f"/appointments/{appointment}/reschedule/")
    assert listing.status_code == 200
    assert f"/appointments/{appointment}/reschedule/{new.pk}/" in listing.content.decode()

    response = ana.post(f"/appointments/{appointment}/reschedule/{new.pk}/")

    assert response.status_code == 302
    content = _content("Appointment", appointment)
    assert content["slot"] == [{"reference": f"Slot/{new.fhir_id}"}]
    assert _content("Slot", old.fhir_id)["status"] == "free"
    assert _content("Slot", new.fhir_id)["status"] == "busy"
    assert Booking.objects.get(active=True).slot == new
    assert old in open_slots(visit_type=clinic.follow_up)


def test_moving_to_a_time_someone_took_keeps_the_old_one(cast: Cast, clinic: Clinic) -> None:
    ana = client_of(cast.ana)
    old, taken = free(clinic.follow_up), free(clinic.follow_up, 3)
    appointment = _booked(ana, old)
    _booked(client_of(cast.mallory), taken, key="m")

    response = ana.post(f"/appointments/{appointment}/reschedule/{taken.pk}/")

    assert response.status_code == 409
    assert "Someone else booked this time" in response.content.decode()
    assert _content("Appointment", appointment)["slot"] == [{"reference": f"Slot/{old.fhir_id}"}]
    assert Booking.objects.get(patient_id="ana", active=True).slot == old


def _outsiders(cast: Cast) -> list[User]:
    return [cast.mallory, cast.diaz, cast.fran, cast.ben, cast.teo]


@pytest.mark.parametrize("page", ["", "cancel/", "reschedule/"])
def test_someone_elses_appointment_is_not_found(cast: Cast, clinic: Clinic, page: str) -> None:
    appointment = _booked(client_of(cast.ana), free(clinic.follow_up))
    for outsider in _outsiders(cast):
        client = client_of(outsider)
        assert client.get(f"/appointments/{appointment}/{page}").status_code == 404, outsider
        if page == "cancel/":
            assert (
                client.post(f"/appointments/{appointment}/cancel/", {"reason": "x"}).status_code
                == 404
            )
    assert _content("Appointment", appointment)["status"] == "booked"


def test_a_parent_of_a_teen_sees_the_teens_appointments(cast: Cast, clinic: Clinic) -> None:
    appointment = _booked(client_of(cast.teo), free(clinic.teen))
    ben = client_of(cast.ben)
    assert ben.post("/records/open/", {"patient": "teo"}).status_code == 302
    assert ben.get(f"/appointments/{appointment}/").status_code == 200
    # Ben may only view: no change.
    assert ben.post(f"/appointments/{appointment}/cancel/", {"reason": "x"}).status_code == 403
