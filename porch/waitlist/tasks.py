"""Background work of the waitlist (django-tasks; `porch worker` runs it). Enqueue
`expire_offers` every few minutes (e.g. from cron: `porch sweep_waitlist`)."""

from __future__ import annotations

from django_tasks import task


@task()
def expire_offers() -> int:
    from porch.waitlist.actions import sweep_offers

    return sweep_offers()
