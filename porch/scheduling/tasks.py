"""Background work of scheduling (django-tasks; `porch worker` runs it). Enqueue
`remind_appointments` every few minutes (e.g. from cron: `porch remind_appointments`)
and `extend_schedule` daily (`porch extend_slots`)."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task


@task()
def remind_appointments() -> int:
    from porch.scheduling.reminders import sweep_reminders

    return sweep_reminders()


@task()
def extend_schedule() -> int:
    from porch.scheduling.slots import extend_slots

    return extend_slots(settings.SCHEDULING_SLOT_DAYS).created
