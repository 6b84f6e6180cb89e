"""Email notifications through a real SMTP server on loopback, run by the real worker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from porch.access.tests.records import Cast
from porch.notifications.actions import do_notify_record_audience, do_notify_users
from porch.notifications.kinds import Kind
from porch.notifications.models import ContactSettings, Delivery, KindPreference
from porch.notifications.tests.servers import Inbox, smtp_server

HEALTH_WORDS = ("depress", "condition", "diagnos", "hypertension", "result:", "carla", "teo")


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    with smtp_server() as (server, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.SITE_URL = "https://porch.example.org"
        yield server


def run_worker() -> None:
    """django-tasks-db's worker, in this process, until nothing is due. (Its command
    closes the database connection between tasks, which would end the test's transaction
    on PostgreSQL: test_exactly_once runs the command itself, in processes of its own.)"""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    for _ in range(100):
        task = DBTaskResult.objects.ready().order_by("run_after", "enqueued_at").first()
        if task is None:
            return
        task.claim(worker.worker_id)
        worker.run_task(task)
    raise AssertionError("the queue never empties")


def let_time_pass() -> None:
    """Everything waiting for later (back-off, quiet hours) is due now."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    Delivery.objects.filter(status="queued").update(not_before=None)


def delivery(user: Any) -> Delivery:
    return Delivery.objects.get(notification__recipient=user, channel="email")


def test_ana_gets_an_email_in_both_parts_with_no_health_information(
    cast: Cast, inbox: Inbox
) -> None:
    do_notify_record_audience(
        "ana", Kind.MESSAGE, confidential=False, link="/messages/1/", key="message:1"
    )
    run_worker()
    [message] = inbox.messages
    assert message["To"] == cast.ana.email
    assert message["Subject"] == "New message in Porch"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    for part in (text, html):
        assert "You have a new message from your care team. Sign in to Porch to read it." in part
        assert "https://porch.example.org/notifications/" in part
        assert not any(word in part.lower() for word in HEALTH_WORDS)
    sent = delivery(cast.ana)
    assert (sent.status, sent.attempts, sent.address) == ("sent", 1, cast.ana.email)
    assert sent.provider_id == message["Message-ID"]


def test_the_email_is_in_the_persons_language(cast: Cast, inbox: Inbox) -> None:
    cast.ana.language = "es"
    cast.ana.save(update_fields=["language"])
    do_notify_record_audience("ana", Kind.MESSAGE, confidential=False, link="/m/", key="m")
    run_worker()
    [message] = inbox.messages
    assert message["Content-Language"] == "es"
    assert message["Subject"] == "Nuevo mensaje en Porch"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Tiene un mensaje nuevo de su equipo de atención" in text


def test_a_parent_is_told_something_is_new_without_naming_the_child(
    cast: Cast, inbox: Inbox
) -> None:
    do_notify_record_audience("carla", Kind.RESULT, confidential=False, link="/r/", key="r")
    run_worker()
    [message] = inbox.messages
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "something new for someone you care for" in text
    assert "Carla" not in text and "test result" not in text


def test_the_message_id_is_the_same_for_every_attempt(cast: Cast, inbox: Inbox) -> None:
    inbox.replies = ["451 try again later"]
    do_notify_users([cast.cruz.pk], Kind.PATIENT_MESSAGE, link="/inbox/", key="pm:1")
    run_worker()
    failed = delivery(cast.cruz)
    assert (failed.status, failed.attempts) == ("queued", 1)
    assert failed.last_error.startswith("451")
    let_time_pass()
    run_worker()
    [message] = inbox.messages
    assert delivery(cast.cruz).provider_id == message["Message-ID"]
    do_notify_users([cast.cruz.pk], Kind.PATIENT_MESSAGE, link="/inbox/", key="pm:2")
    run_worker()
    assert inbox.messages[1]["Message-ID"] != message["Message-ID"]


def test_a_temporary_failure_is_retried_with_back_off_then_fails(
    cast: Cast, inbox: Inbox, settings: Any
) -> None:
    settings.NOTIFY_MAX_ATTEMPTS = 3
    inbox.replies = ["451 busy"] * 3
    do_notify_users([cast.cruz.pk], Kind.PATIENT_MESSAGE, link="/inbox/", key="pm")
    started = timezone.now()
    run_worker()
    waiting = DBTaskResult.objects.get(status="READY", task_path__endswith="tasks.deliver")
    assert waiting.run_after is not None
    assert waiting.run_after >= started + timedelta(seconds=settings.NOTIFY_RETRY_SECONDS)
    let_time_pass()
    again = timezone.now()
    run_worker()
    # The wait doubles.
    second = DBTaskResult.objects.get(status="READY", task_path__endswith="tasks.deliver")
    assert second.run_after is not None
    assert second.run_after >= again + timedelta(seconds=2 * settings.NOTIFY_RETRY_SECONDS)
    let_time_pass()
    run_worker()
    ended = delivery(cast.cruz)
    assert (ended.status, ended.attempts) == ("failed", 3)
    assert inbox.messages == []
    assert not DBTaskResult.objects.filter(status="READY", task_path__endswith="tasks.deliver")


def test_a_5xx_answer_bounces_at_once(cast: Cast, inbox: Inbox) -> None:
    inbox.replies = ["550 5.1.1 mailbox unavailable"]
    do_notify_users([cast.cruz.pk], Kind.PATIENT_MESSAGE, link="/inbox/", key="pm")
    run_worker()
    bounced = delivery(cast.cruz)
    assert (bounced.status, bounced.attempts) == ("bounced", 1)
    assert "550" in bounced.last_error


def test_an_unreachable_server_is_a_temporary_failure(cast: Cast, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # discard: nobody listens
    do_notify_users([cast.cruz.pk], Kind.PATIENT_MESSAGE, link="/inbox/", key="pm")
    run_worker()
    assert delivery(cast.cruz).status == "queued"
    assert "ConnectionRefused" in delivery(cast.cruz).last_error


def test_quiet_hours_hold_the_email_but_not_the_portal(cast: Cast, inbox: Inbox) -> None:
    now = timezone.localtime()
    start = (now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    ContactSettings.objects.create(user=cast.ana, quiet_start=start, quiet_end=end)
    do_notify_record_audience("ana", Kind.MESSAGE, confidential=False, link="/m/", key="m")
    run_worker()
    assert inbox.messages == []
    held = delivery(cast.ana)
    assert held.status == "queued" and held.not_before is not None
    assert held.not_before > timezone.now() + timedelta(minutes=50)
    assert cast.ana.notifications.filter(read_at=None).count() == 1
    ContactSettings.objects.filter(user=cast.ana).update(quiet_start=None, quiet_end=None)
    let_time_pass()
    run_worker()
    assert len(inbox.messages) == 1


def test_quiet_hours_set_after_queueing_still_hold(cast: Cast, inbox: Inbox) -> None:
    do_notify_record_audience("ana", Kind.MESSAGE, confidential=False, link="/m/", key="m")
    ContactSettings.objects.create(user=cast.ana, quiet_start=time(0, 0), quiet_end=time(23, 59))
    run_worker()
    assert inbox.messages == []
    assert delivery(cast.ana).status == "queued"


def test_no_email_when_the_person_turned_email_off(cast: Cast, inbox: Inbox) -> None:
    KindPreference.objects.create(user=cast.ana, kind=Kind.MESSAGE, email=False)
    do_notify_record_audience("ana", Kind.MESSAGE, confidential=False, link="/m/", key="m")
    do_notify_record_audience("ana", Kind.RESULT, confidential=False, link="/r/", key="r")
    run_worker()
    assert [m["Subject"] for m in inbox.messages] == ["New information in Porch"]


def test_a_task_run_twice_sends_once(cast: Cast, inbox: Inbox) -> None:
    from porch.notifications import sending

    do_notify_users([cast.cruz.pk], Kind.PATIENT_MESSAGE, link="/inbox/", key="pm")
    pk = delivery(cast.cruz).pk
    sending.deliver(pk)
    sending.deliver(pk)
    run_worker()
    assert len(inbox.messages) == 1
