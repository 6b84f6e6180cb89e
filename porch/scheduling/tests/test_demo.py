"""The demo clinic's schedule: bookable, with one visit for the adult patient where
check-in is open, and the same on a second run (nothing doubled)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast, system
from porch.scheduling import demo
from porch.scheduling.models import Booking, Slot, VisitType
from porch.scheduling.slots import local_moment

pytestmark = pytest.mark.django_db


def test_the_demo_schedule_is_bookable_and_made_once(cast: Cast) -> None:
    demo.ensure(system(), "pr-cruz", "pr-diaz", "ana")
    slots = Slot.objects.count()
    (booking,) = Booking.objects.filter(active=True)
    demo.ensure(system(), "pr-cruz", "pr-diaz", "ana")

    assert Slot.objects.count() == slots > 0
    assert list(Booking.objects.filter(active=True)) == [booking]
    assert set(VisitType.objects.values_list("slug", flat=True)) == {
        "follow-up",
        "new-patient",
        "annual",
        "video",
    }
    assert set(Slot.objects.values_list("practitioner_id", flat=True)) == {"pr-cruz", "pr-diaz"}
    # Ana's follow-up is far enough for online changes and near enough to check in.
    assert booking.patient_id == "ana" and booking.slot.visit_type.slug == "follow-up"
    assert timezone.now() + timedelta(hours=24) < booking.slot.starts_at
    page = client_of(cast.ana).get("/appointments/").content.decode()
    assert f"/appointments/{booking.appointment_id}/check-in/" in page


def test_the_demo_follow_up_is_movable_and_open_for_check_in_whenever_the_demo_starts(
    cast: Cast,
) -> None:
    demo.ensure(system(), "pr-cruz", "pr-diaz", "ana")
    follow_up = VisitType.objects.get(slug="follow-up")
    # Every hour of a week (slots exist three weeks ahead, so start from tomorrow).
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    for hour in range(7 * 24):
        now = local_moment(monday, time.min) + timedelta(hours=hour)
        slot = demo.follow_up_slot(follow_up, "pr-cruz", now)
        assert slot is not None, now
        assert timedelta(hours=24) < slot.starts_at - now <= timedelta(days=3), now
