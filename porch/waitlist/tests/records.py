"""Helpers of the waitlist tests, on the scheduling test clinic (porch.scheduling.tests.records:
Dr. Cruz's follow-up slots at 9:00, 9:20 and 9:40 every day from tomorrow).

`times(clinic)` lists the open follow-up slots before anyone books, so `times[0]` is the
earliest and a larger index is later."""

from __future__ import annotations

from django.test import Client

from porch.scheduling.models import Booking, Slot
from porch.scheduling.queries import open_slots
from porch.scheduling.tests.records import Clinic, book
from porch.waitlist.models import WaitlistOffer


def times(clinic: Clinic) -> list[Slot]:
    return list(open_slots(visit_type=clinic.follow_up))


def booked(client: Client, slot: Slot, key: str = "k") -> str:
    """Books `slot` through the booking page; returns the appointment id."""
    response = book(client, slot, key=key)
    assert response.status_code == 302, response.content.decode()
    return str(response["Location"]).strip("/").rsplit("/", 1)[-1]


def join(client: Client, appointment: str, *, same_clinician: bool = True) -> None:
    data = {"same_clinician": "on"} if same_clinician else {}
    response = client.post(f"/waitlist/join/{appointment}/", data)
    assert response.status_code == 302, response.content.decode()


def cancel(client: Client, appointment: str) -> None:
    response = client.post(f"/appointments/{appointment}/cancel/", {"reason": "Plans changed"})
    assert response.status_code == 302, response.content.decode()


def answer(client: Client, offer: WaitlistOffer, answer: str) -> object:
    return client.post(f"/waitlist/offers/{offer.pk}/", {"answer": answer})


def open_offers(patient_id: str) -> list[WaitlistOffer]:
    return list(
        WaitlistOffer.objects.filter(
            entry__patient_id=patient_id, status=WaitlistOffer.Status.OPEN
        ).select_related("slot")
    )


def slot_of(appointment: str) -> Slot:
    """The slot the appointment's active booking holds."""
    return Booking.objects.select_related("slot").get(appointment_id=appointment, active=True).slot
