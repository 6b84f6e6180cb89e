"""Background work of notifications (django-tasks; `porch worker` runs it).

Tasks take ids only and re-read everything; running one twice does no harm, because a
delivery is claimed with a conditional update before anything is sent.
"""

from __future__ import annotations

from datetime import datetime

from django_tasks import task


@task()
def deliver(delivery_id: int) -> None:
    """Send one delivery, if it is still queued and due."""
    from porch.notifications import sending

    sending.deliver(delivery_id)


@task()
def recover_delivery(delivery_id: int, attempt: int) -> None:
    """The lease of `attempt` ran out: if it is still "sending" its worker died; queue it again."""
    from porch.notifications import sending

    sending.recover(delivery_id, attempt)


def enqueue_delivery(delivery_id: int, run_after: datetime | None = None) -> None:
    """Enqueue `deliver` in the caller's transaction (the task row commits with it)."""
    if run_after is None:
        deliver.enqueue(delivery_id)
    else:
        deliver.using(run_after=run_after).enqueue(delivery_id)


def enqueue_recovery(delivery_id: int, attempt: int, run_after: datetime) -> None:
    recover_delivery.using(run_after=run_after).enqueue(delivery_id, attempt)
