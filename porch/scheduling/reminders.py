"""Appointment reminders: a day and two hours before (settings
APPOINTMENT_REMINDER_DAY_HOURS and APPOINTMENT_REMINDER_SOON_HOURS; 0 turns one off), and
a nudge to check in when check-in opens (CHECKIN_OPENS_DAYS_BEFORE days before).

The sweep is idempotent and safe to run on any number of workers at once: each booking's
reminder is claimed with a conditional update (`reminded_day=False` to True) before the
notification is written, in the same transaction, so it goes out once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from porch.notifications.actions import do_notify_record_audience
from porch.notifications.kinds import Kind
from porch.scheduling.models import Booking

_DETAIL = "scheduling:detail"
_CHECKIN = "checkin:checkin"


def sweep_reminders(now: datetime | None = None) -> int:
    """Send the reminders now due; returns how many bookings were reminded."""
    now = now or timezone.now()
    sent = 0
    # Nearest first: a visit booked two hours ahead gets the two-hour reminder, which also
    # marks the day reminder as sent (one notice, not two in the same sweep).
    for flag, hours, kind, page, also in (
        (
            "reminded_hours",
            settings.APPOINTMENT_REMINDER_SOON_HOURS,
            Kind.APPOINTMENT_REMINDER,
            _DETAIL,
            {"reminded_day": True},
        ),
        (
            "reminded_day",
            settings.APPOINTMENT_REMINDER_DAY_HOURS,
            Kind.APPOINTMENT_REMINDER,
            _DETAIL,
            {},
        ),
        (
            "checkin_nudged",
            settings.CHECKIN_OPENS_DAYS_BEFORE * 24,
            Kind.CHECKIN_OPEN,
            _CHECKIN,
            {},
        ),
    ):
        if not hours:
            continue
        due = Booking.objects.filter(
            active=True,
            slot__starts_at__gt=now,
            slot__starts_at__lte=now + timedelta(hours=hours),
            **{flag: False},
        ).values_list("pk", "patient_id", "appointment_id")
        for pk, patient_id, appointment_id in due:
            with transaction.atomic():
                # Claim it: another worker running the same sweep updates nothing.
                if (
                    Booking.objects.filter(pk=pk, **{flag: False}).update(**{flag: True}, **also)
                    != 1
                ):
                    continue
                do_notify_record_audience(
                    patient_id,
                    kind,
                    confidential=False,
                    link=reverse(page, args=[appointment_id]),
                    key=f"appointment-reminder:{flag}:{pk}",
                )
                sent += 1
    return sent
