"""Turning templates into FHIR Schedule and Slot resources: idempotent, in the clinic's
time zone across daylight-saving changes, and blocked by exceptions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from porch.access.tests.records import system
from porch.record import repository
from porch.scheduling.models import AvailabilityTemplate, ScheduleException, Slot, VisitType
from porch.scheduling.slots import extend_slots

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
# The clocks in New York move forward on 10 March 2030 (a Sunday) and back on 3 November.
SPRING = date(2030, 3, 10)
AUTUMN = date(2030, 11, 3)


def _template(weekday: int, visit_type: VisitType) -> AvailabilityTemplate:
    template = AvailabilityTemplate.objects.create(
        practitioner_id="pr-cruz",
        location="Main Street Clinic",
        weekday=weekday,
        starts_at=time(9),
        ends_at=time(10),
    )
    template.visit_types.set([visit_type])
    return template


@pytest.fixture
def follow_up(settings: object) -> VisitType:
    settings.TIME_ZONE = "America/New_York"  # type: ignore[attr-defined]
    return VisitType.objects.create(name="Follow-up", slug="follow-up", minutes=20)


@pytest.mark.parametrize("day", [SPRING, AUTUMN])
def test_a_nine_oclock_slot_on_the_day_the_clock_moves_is_nine_local(
    follow_up: VisitType, day: date
) -> None:
    _template(6, follow_up)  # Sundays
    extend_slots(8, today=day - timedelta(days=7))
    slots = list(Slot.objects.order_by("starts_at"))
    assert [s.starts_at.astimezone(NEW_YORK).time() for s in slots] == [
        time(9),
        time(9, 20),
        time(9, 40),
    ] * 2
    before, on = slots[0], slots[3]
    assert on.starts_at.astimezone(NEW_YORK).date() == day
    # The same wall-clock time is a different UTC hour on either side of the change.
    assert (
        before.starts_at.astimezone(ZoneInfo("UTC")).hour
        != on.starts_at.astimezone(ZoneInfo("UTC")).hour
    )
    stored = repository.read(system(), "Slot", on.fhir_id).content or {}
    expected = datetime.combine(day, time(9), tzinfo=NEW_YORK).astimezone(ZoneInfo("UTC"))
    assert stored["start"] == expected.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_extending_twice_writes_each_slot_once(follow_up: VisitType) -> None:
    for weekday in range(7):
        _template(weekday, follow_up)
    today = timezone.localdate()
    first = extend_slots(3, today=today)
    again = extend_slots(3, today=today)
    later = extend_slots(4, today=today)
    assert (first.created, again.created, later.created) == (9, 0, 3)
    assert Slot.objects.count() == 12
    found = repository.search(system(), "Slot", [("_summary", "count")])
    assert found.total == 12
    schedules = repository.search(system(), "Schedule", [("actor", "Practitioner/pr-cruz")])
    assert len(schedules.matches) == 1


def test_an_exception_blocks_its_slots_and_leaves_the_rest(follow_up: VisitType) -> None:
    for weekday in range(7):
        _template(weekday, follow_up)
    tomorrow = timezone.localdate() + timedelta(days=1)
    extend_slots(2, today=tomorrow)
    ScheduleException.objects.create(
        practitioner_id="pr-cruz",
        starts_at=datetime.combine(tomorrow, time(0), tzinfo=NEW_YORK),
        ends_at=datetime.combine(tomorrow, time(23), tzinfo=NEW_YORK),
        reason=ScheduleException.Reason.HOLIDAY,
    )
    call_command("extend_slots", "--days", "3")
    blocked = Slot.objects.filter(blocked=True)
    assert blocked.count() == 3
    assert {s.starts_at.astimezone(NEW_YORK).date() for s in blocked} == {tomorrow}
    for slot in blocked:
        content = repository.read(system(), "Slot", slot.fhir_id).content or {}
        assert content["status"] == "busy-unavailable"
    # The day of the exception gets no new slots either.
    assert Slot.objects.filter(blocked=False).count() == 6


def test_a_run_reads_a_clinician_s_slots_once_however_many_weekly_hours(
    follow_up: VisitType,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _template(0, follow_up)
    today = timezone.localdate()
    extend_slots(7, today=today)
    with CaptureQueriesContext(connection) as one_day:
        assert extend_slots(7, today=today).created == 0
    for weekday in range(1, 7):
        _template(weekday, follow_up)
    # Two templates of the same hours (Mondays) in one run give each new slot once.
    _template(0, follow_up)
    assert extend_slots(14, today=today).created == 42 - 3
    assert Slot.objects.count() == 42
    with CaptureQueriesContext(connection) as every_day:
        assert extend_slots(14, today=today).created == 0
    assert len(every_day) == len(one_day)
