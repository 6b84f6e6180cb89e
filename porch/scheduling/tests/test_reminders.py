"""Reminders a day and two hours before, and the nudge when check-in opens, each sent once
however often the sweep runs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast
from porch.notifications.kinds import Kind
from porch.notifications.models import Delivery, Notification
from porch.scheduling.reminders import sweep_reminders
from porch.scheduling.tests.records import Clinic, book, free

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_checkin_nudge(settings: Any) -> None:
    """Reminders alone (the check-in nudge is tested on its own below)."""
    settings.CHECKIN_OPENS_DAYS_BEFORE = 0


@pytest.mark.usefixtures("no_checkin_nudge")
def test_each_reminder_goes_once_and_names_no_health_information(
    cast: Cast, clinic: Clinic
) -> None:
    slot = free(clinic.follow_up)
    assert book(client_of(cast.ana), slot).status_code == 302
    far_before = slot.starts_at - timedelta(hours=30)
    day_before = slot.starts_at - timedelta(hours=20)
    hour_before = slot.starts_at - timedelta(hours=1)

    assert sweep_reminders(far_before) == 0
    assert sweep_reminders(day_before) == 1
    assert sweep_reminders(day_before) == 0
    assert sweep_reminders(hour_before) == 1
    assert sweep_reminders(hour_before) == 0

    reminders = Notification.objects.filter(recipient=cast.ana, kind=Kind.APPOINTMENT_REMINDER)
    assert reminders.count() == 2
    assert Delivery.objects.filter(notification__in=reminders).count() == 2


@pytest.mark.usefixtures("no_checkin_nudge")
def test_the_operator_can_turn_the_day_reminder_off(
    cast: Cast, clinic: Clinic, settings: object
) -> None:
    settings.APPOINTMENT_REMINDER_DAY_HOURS = 0  # type: ignore[attr-defined]
    slot = free(clinic.follow_up)
    assert book(client_of(cast.ana), slot).status_code == 302
    assert sweep_reminders(slot.starts_at - timedelta(hours=20)) == 0


def test_a_cancelled_visit_gets_no_reminder(cast: Cast, clinic: Clinic) -> None:
    ana, slot = client_of(cast.ana), free(clinic.follow_up)
    location = book(ana, slot)["Location"]
    assert ana.post(f"{location}cancel/", {"reason": "Better"}).status_code == 302
    assert sweep_reminders(slot.starts_at - timedelta(hours=1)) == 0


def test_the_check_in_nudge_goes_once_when_check_in_opens(
    cast: Cast, clinic: Clinic, settings: Any
) -> None:
    settings.APPOINTMENT_REMINDER_DAY_HOURS = settings.APPOINTMENT_REMINDER_SOON_HOURS = 0
    settings.CHECKIN_OPENS_DAYS_BEFORE = 2
    slot = free(clinic.follow_up)
    assert book(client_of(cast.ana), slot).status_code == 302

    assert sweep_reminders(slot.starts_at - timedelta(hours=49)) == 0
    assert sweep_reminders(slot.starts_at - timedelta(hours=47)) == 1
    assert sweep_reminders(slot.starts_at - timedelta(hours=46)) == 0

    (nudge,) = Notification.objects.filter(recipient=cast.ana, kind=Kind.CHECKIN_OPEN)
    assert nudge.link.endswith("/check-in/")
    # The link opens her check-in page (check-in is open: the visit is two days away).
    assert client_of(cast.ana).get(nudge.link).status_code == 200


def test_the_nudge_is_off_when_check_in_is(cast: Cast, clinic: Clinic, settings: Any) -> None:
    settings.CHECKIN_OPENS_DAYS_BEFORE = 0
    settings.APPOINTMENT_REMINDER_DAY_HOURS = settings.APPOINTMENT_REMINDER_SOON_HOURS = 0
    slot = free(clinic.follow_up)
    assert book(client_of(cast.ana), slot).status_code == 302
    assert sweep_reminders(slot.starts_at - timedelta(minutes=5)) == 0
    assert not Notification.objects.filter(kind=Kind.CHECKIN_OPEN).exists()


@pytest.mark.usefixtures("no_checkin_nudge")
def test_a_visit_booked_close_to_its_start_gets_one_reminder_not_two(
    cast: Cast, clinic: Clinic
) -> None:
    slot = free(clinic.follow_up)
    assert book(client_of(cast.ana), slot).status_code == 302
    # The first sweep after booking, an hour before: both reminders are due.
    assert sweep_reminders(slot.starts_at - timedelta(hours=1)) == 1
    assert sweep_reminders(slot.starts_at - timedelta(minutes=30)) == 0
    assert Notification.objects.filter(kind=Kind.APPOINTMENT_REMINDER).count() == 1
