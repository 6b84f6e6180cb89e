"""Helpers of the calendar tests: appointments in the record, feeds made through the
page, and iCalendar parsed back with the icalendar library."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone
from icalendar import Calendar, Event

from porch.access.tests.records import create
from porch.scheduling.models import Slot
from porch.scheduling.tests.records import book

RESTRICTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"}
# What an entry must never say: visit types, the clinician, the place, the people.
NEVER_SAID = (
    "Follow-up",
    "follow-up",
    "Teen visit",
    "Cruz",
    "pr-cruz",
    "Main Street",
    "Alvarez",
    "Ana",
    "Teo",
    "Carla",
    "Feeling better",
)


def appointment(
    patient_id: str,
    start: datetime | None = None,
    *,
    status: str = "booked",
    confidential: bool = False,
) -> str:
    """An Appointment written to the record, as another system (or the front desk) would."""
    start = start or timezone.now() + timedelta(days=2)
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "status": status,
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=20)).isoformat(),
        "serviceType": [{"text": "Teen visit"}],
        "participant": [
            {"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"},
            {
                "actor": {"reference": "Practitioner/pr-cruz", "display": "Dr. Ada Cruz"},
                "status": "accepted",
            },
            {"actor": {"display": "Main Street Clinic"}, "status": "accepted"},
        ],
    }
    if status == "cancelled":
        resource["cancelationReason"] = {"text": "Feeling better"}
    if confidential:
        resource["meta"] = {"security": [RESTRICTED]}
    return create(resource)


def booked(client: Client, slot: Slot, key: str = "k") -> str:
    """Books `slot` through the booking pages; the new Appointment's id."""
    response = book(client, slot, key=key)
    assert response.status_code == 302, response
    return str(response["Location"]).strip("/").rsplit("/", 1)[-1]


def open_record(client: Client, patient_id: str) -> None:
    assert client.post("/records/open/", {"patient": patient_id}).status_code == 302


def make_feed(client: Client) -> str:
    """Makes a feed of the open record through the page; its address (path only)."""
    response = client.post("/calendar-feed/", {"action": "create"})
    assert response.status_code == 200, response
    found = re.search(r'value="https?://[^/"]+(/calendar/[^"]+\.ics)"', response.content.decode())
    assert found is not None
    return found.group(1)


def parsed(body: bytes) -> Calendar:
    return Calendar.from_ical(body)  # type: ignore[return-value]


def events(body: bytes) -> dict[str, Event]:
    """The VEVENTs of an iCalendar body, by UID."""
    return {str(e["UID"]): e for e in parsed(body).events}


def uid(fhir_id: str) -> str:
    return f"{fhir_id}@porch"
