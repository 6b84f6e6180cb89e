"""Helpers of the staff scheduling tests, on the scheduling test clinic
(porch.scheduling.tests.records: Dr. Cruz, 9:00 to 10:00 every day from tomorrow)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from porch.scheduling.models import Booking, Slot


def schedule(client: Client, **params: str) -> Any:
    return client.get("/staff/schedule/", params)


def staff_book(client: Client, patient_id: str, slot: Slot, key: str = "s-1") -> Any:
    return client.post(f"/staff/patients/{patient_id}/appointments/book/{slot.pk}/", {"key": key})


def held(slot: Slot) -> Booking:
    return Booking.objects.get(slot=slot, active=True)
