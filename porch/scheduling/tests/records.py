"""The scheduling test clinic, on top of the access cast (porch.access.tests.records).

Dr. Cruz works at "Main Street Clinic" every day from 9:00 to 10:00 (clinic time). Visit
types: "Follow-up" (20 min, anyone), "New patient" (40 min, new patients only), "Teen
visit" (20 min, ages 12 to 17), "Annual physical" (30 min, request only) and "Home
visit" (20 min, not online). Slots are written for the 7 days from tomorrow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from porch.scheduling.models import AvailabilityTemplate, Slot, VisitType
from porch.scheduling.queries import open_slots
from porch.scheduling.slots import extend_slots

CLINIC = "Main Street Clinic"


@dataclass
class Clinic:
    follow_up: VisitType
    new_patient: VisitType
    teen: VisitType
    annual: VisitType
    home: VisitType


def build_clinic(days: int = 7) -> Clinic:
    clinic = Clinic(
        follow_up=VisitType.objects.create(
            name="Follow-up", slug="follow-up", minutes=20, cancel_cutoff_hours=0
        ),
        new_patient=VisitType.objects.create(
            name="New patient", slug="new-patient", minutes=40, who=VisitType.Who.NEW
        ),
        teen=VisitType.objects.create(
            name="Teen visit", slug="teen", minutes=20, min_age=12, max_age=17
        ),
        annual=VisitType.objects.create(
            name="Annual physical", slug="annual", minutes=30, policy=VisitType.Policy.REQUEST
        ),
        home=VisitType.objects.create(
            name="Home visit", slug="home", minutes=20, policy=VisitType.Policy.OFFLINE
        ),
    )
    for weekday in range(7):
        template = AvailabilityTemplate.objects.create(
            practitioner_id="pr-cruz",
            location=CLINIC,
            weekday=weekday,
            starts_at=time(9),
            ends_at=time(10),
        )
        template.visit_types.set(
            [clinic.follow_up, clinic.new_patient, clinic.teen, clinic.annual, clinic.home]
        )
    extend_slots(days, today=timezone.localdate() + timedelta(days=1))
    return clinic


def free(visit_type: VisitType, index: int = 0) -> Slot:
    return list(open_slots(visit_type=visit_type))[index]


def book(client: Client, slot: Slot, key: str = "k-1", **extra: Any) -> Any:
    return client.post(f"/appointments/book/{slot.pk}/", {"key": key, **extra})
