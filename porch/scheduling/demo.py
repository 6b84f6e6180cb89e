"""The demo clinic's schedule: four visit types, two clinicians' weekly hours, and one
booked visit for the adult patient, close enough that check-in is already open.

Called by porch.demo.users.ensure. Idempotent: visit types are found by slug, templates
by clinician, place and hours, slots by `extend_slots`, and the visit is booked only when
the patient has no upcoming one.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from porch.access.context import AccessContext
from porch.scheduling import actions, queries
from porch.scheduling.models import AvailabilityTemplate, Booking, Slot, VisitType
from porch.scheduling.slots import extend_slots

MAIN_OFFICE = "Main Street office"
ELM_OFFICE = "Elm Avenue office"
# How many days of slots the demo writes (a running install uses SCHEDULING_SLOT_DAYS).
DEMO_SLOT_DAYS = 21

VISIT_TYPES: tuple[dict[str, Any], ...] = (
    {"slug": "follow-up", "name": "Follow-up", "minutes": 20, "cancel_cutoff_hours": 24},
    {
        "slug": "new-patient",
        "name": "New patient visit",
        "minutes": 40,
        "who": VisitType.Who.NEW,
    },
    {
        "slug": "annual",
        "name": "Annual physical",
        "minutes": 30,
        "policy": VisitType.Policy.REQUEST,
    },
    {"slug": "video", "name": "Video visit", "minutes": 20, "video": True},
)

# (which clinician, place, weekdays, from, to, visit type slugs)
HOURS: tuple[tuple[str, str, tuple[int, ...], time, time, tuple[str, ...]], ...] = (
    # Saturday mornings too: then every stretch of two days holds a follow-up, so the demo
    # visit always falls inside check-in and outside the cancellation cutoff.
    ("caring", MAIN_OFFICE, (0, 1, 2, 3, 4, 5), time(9), time(12), ("follow-up", "new-patient")),
    ("caring", MAIN_OFFICE, (1, 3), time(13), time(16), ("annual",)),
    ("caring", "Video", (0, 2, 4), time(14), time(16), ("video",)),
    ("other", ELM_OFFICE, (1, 3), time(9), time(12), ("follow-up", "new-patient")),
)


def ensure(ctx: AccessContext, caring_id: str, other_id: str, patient_id: str) -> None:
    """The schedule of the two demo clinicians, and a follow-up booked for `patient_id`."""
    types = {
        spec["slug"]: VisitType.objects.update_or_create(slug=spec["slug"], defaults=spec)[0]
        for spec in VISIT_TYPES
    }
    who = {"caring": caring_id, "other": other_id}
    for clinician, place, weekdays, start, end, slugs in HOURS:
        for weekday in weekdays:
            template, _ = AvailabilityTemplate.objects.get_or_create(
                practitioner_id=who[clinician],
                location=place,
                weekday=weekday,
                starts_at=start,
                ends_at=end,
            )
            template.visit_types.set([types[slug] for slug in slugs])
    extend_slots(DEMO_SLOT_DAYS)
    _book_follow_up(ctx, patient_id, types["follow-up"], caring_id)


def _book_follow_up(
    ctx: AccessContext, patient_id: str, follow_up: VisitType, clinician_id: str
) -> None:
    now = timezone.now()
    if Booking.objects.filter(patient_id=patient_id, active=True, slot__starts_at__gt=now).exists():
        return
    slot = follow_up_slot(follow_up, clinician_id, now)
    if slot is not None:
        actions.do_book(ctx, None, patient_id, slot, key="", now=now)


def follow_up_slot(follow_up: VisitType, clinician_id: str, now: datetime) -> Slot | None:
    """The first open follow-up the patient could still move or cancel online and can
    already check in for."""
    return (
        queries.open_slots(visit_type=follow_up, practitioner_id=clinician_id, now=now)
        .filter(
            starts_at__gt=now + timedelta(hours=follow_up.cancel_cutoff_hours),
            starts_at__lte=now + timedelta(days=settings.CHECKIN_OPENS_DAYS_BEFORE),
        )
        .first()
    )
