"""Turning availability templates and exceptions into FHIR Schedule and Slot resources.

`extend_slots(days)` is idempotent: a slot is keyed by (schedule, visit type, start), so
running it again (daily, by `porch extend_slots` or the task) only adds the new days and
blocks slots an exception now covers. Local times are read in the clinic's TIME_ZONE with
zoneinfo, so a 9:00 slot on the day the clock moves is 9:00 local time; the UTC instant
stored is whatever 9:00 local is that day.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from porch.access.context import AccessContext
from porch.record import repository
from porch.record.repository import new_id
from porch.scheduling import resources
from porch.scheduling.models import (
    AvailabilityTemplate,
    Schedule,
    ScheduleException,
    Slot,
    VisitType,
)


def scheduling_context() -> AccessContext:
    """What Porch writes the shared Schedule and Slot resources with (they sit in no
    patient's compartment)."""
    return AccessContext.system(actor="system:scheduling", purpose="scheduling")


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_moment(day: date, at: time) -> datetime:
    """`at` on `day` in the clinic's time zone, aware (the first of two, on a repeated hour)."""
    return datetime.combine(day, at, tzinfo=clinic_zone())


@dataclass(frozen=True)
class Extended:
    created: int
    blocked: int


def slot_times(template: AvailabilityTemplate, visit_type: VisitType, day: date) -> list[datetime]:
    """The starts of `visit_type` slots in `template` on `day`, back to back."""
    starts, length = [], timedelta(minutes=visit_type.minutes)
    # Walk in local wall-clock time: minutes are added to the local time, not to UTC.
    moment = datetime.combine(day, template.starts_at)
    end = datetime.combine(day, template.ends_at)
    while moment + length <= end:
        starts.append(moment.replace(tzinfo=clinic_zone()))
        moment += length
    return starts


def schedule_for(practitioner_id: str, location: str) -> Schedule:
    found = Schedule.objects.filter(practitioner_id=practitioner_id, location=location).first()
    if found is not None:
        return found
    fhir_id = new_id()
    repository.create(
        scheduling_context(), resources.schedule(practitioner_id, location), fhir_id=fhir_id
    )
    return Schedule.objects.create(
        practitioner_id=practitioner_id, location=location, fhir_id=fhir_id
    )


def extend_slots(days: int, *, today: date | None = None) -> Extended:
    """Slots for `days` days from `today` (the clinic's date), written to the record."""
    today = today or timezone.localdate(timezone.now(), clinic_zone())
    exceptions = list(
        ScheduleException.objects.filter(
            ends_at__gt=local_moment(today, time.min),
            starts_at__lt=local_moment(today + timedelta(days=days + 1), time.min),
        )
    )
    created = 0
    templates = AvailabilityTemplate.objects.prefetch_related("visit_types").order_by(
        "practitioner_id", "location", "weekday", "starts_at"
    )
    # One Schedule and one read of its slots for all its templates (a clinician's week).
    for (practitioner_id, location), group in groupby(
        templates, key=lambda t: (t.practitioner_id, t.location)
    ):
        schedule = schedule_for(practitioner_id, location)
        existing = set(
            Slot.objects.filter(
                schedule=schedule, starts_at__gte=local_moment(today, time.min)
            ).values_list("visit_type_id", "starts_at")
        )
        for template in group:
            for visit_type, start, end in _wanted(template, days, today):
                if (visit_type.pk, start) in existing or _covered(
                    exceptions, practitioner_id, start, end
                ):
                    continue
                _create_slot(schedule, visit_type, start, end)
                # Two templates of one schedule may overlap: the second finds it taken.
                existing.add((visit_type.pk, start))
                created += 1
    return Extended(created, block_excepted())


def _wanted(
    template: AvailabilityTemplate, days: int, today: date
) -> Iterator[tuple[VisitType, datetime, datetime]]:
    """Each slot (visit type, start, end) the template offers in `days` days from `today`."""
    for offset in range(days):
        day = today + timedelta(days=offset)
        if day.weekday() != template.weekday:
            continue
        for visit_type in template.visit_types.all():
            for start in slot_times(template, visit_type, day):
                end = (start.replace(tzinfo=None) + timedelta(minutes=visit_type.minutes)).replace(
                    tzinfo=clinic_zone()
                )
                yield visit_type, start, end


def _covered(
    exceptions: list[ScheduleException], practitioner_id: str, start: datetime, end: datetime
) -> bool:
    return any(
        e.practitioner_id == practitioner_id and e.starts_at < end and e.ends_at > start
        for e in exceptions
    )


def _create_slot(schedule: Schedule, visit_type: VisitType, start: datetime, end: datetime) -> None:
    with transaction.atomic():
        row = Slot.objects.create(
            schedule=schedule,
            visit_type=visit_type,
            practitioner_id=schedule.practitioner_id,
            location=schedule.location,
            starts_at=start,
            ends_at=end,
            fhir_id=new_id(),
        )
        repository.create(
            scheduling_context(), resources.slot(row, status="free"), fhir_id=row.fhir_id
        )


def block_excepted() -> int:
    """Block the future, unbooked slots an exception covers (busy-unavailable in FHIR)."""
    blocked = 0
    now = timezone.now()
    for exception in ScheduleException.objects.filter(ends_at__gt=now):
        rows = Slot.objects.filter(
            practitioner_id=exception.practitioner_id,
            blocked=False,
            starts_at__lt=exception.ends_at,
            ends_at__gt=exception.starts_at,
        ).exclude(bookings__active=True)
        for row in rows.select_related("schedule", "visit_type"):
            with transaction.atomic():
                if Slot.objects.filter(pk=row.pk, blocked=False).update(blocked=True) != 1:
                    continue
                repository.update(
                    scheduling_context(),
                    "Slot",
                    row.fhir_id,
                    resources.slot(row, status="busy-unavailable"),
                )
                blocked += 1
    return blocked
