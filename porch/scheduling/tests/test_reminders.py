"""Reminders a day and two hours before, each sent once however often the sweep runs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast
from porch.notifications.kinds import Kind
from porch.notifications.models import Delivery, Notification
from porch.scheduling.reminders import sweep_reminders
from porch.scheduling.tests.records import Clinic, book, free

pytestmark = pytest.mark.django_db


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
