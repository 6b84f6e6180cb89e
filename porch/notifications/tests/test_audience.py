"""Who is notified about a new item in a record, and that a key notifies once."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from porch.access.tests.records import Cast
from porch.notifications.actions import do_notify_record_audience, do_notify_users
from porch.notifications.kinds import Kind
from porch.notifications.models import Delivery, Notification


def recipients(key: str) -> set[str]:
    rows = Notification.objects.filter(key=key).select_related("recipient")
    return {n.recipient.email for n in rows}


def test_a_parent_of_a_seven_year_old_hears_of_a_confidential_item(cast: Cast) -> None:
    do_notify_record_audience(
        "carla", Kind.RESULT, confidential=True, link="/results/1", key="result:carla:1"
    )
    assert recipients("result:carla:1") == {cast.ben.email}


def test_a_parent_of_a_teen_gets_no_notice_of_a_confidential_item(cast: Cast) -> None:
    do_notify_record_audience(
        "teo", Kind.MESSAGE, confidential=True, link="/messages/1", key="message:teo:1"
    )
    assert recipients("message:teo:1") == {cast.teo.email}


def test_a_parent_of_a_teen_hears_of_an_ordinary_item(cast: Cast) -> None:
    do_notify_record_audience(
        "teo", Kind.MESSAGE, confidential=False, link="/messages/2", key="message:teo:2"
    )
    assert recipients("message:teo:2") == {cast.teo.email, cast.ben.email}


def test_a_caregiver_the_patient_invited_hears_with_the_patient(cast: Cast) -> None:
    do_notify_record_audience(
        "elda", Kind.MESSAGE, confidential=True, link="/messages/3", key="message:elda:3"
    )
    assert recipients("message:elda:3") == {cast.elda.email, cast.gil.email}


def test_a_revoked_proxy_hears_nothing(cast: Cast) -> None:
    grant = cast.grants["ben-carla"]
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    do_notify_record_audience(
        "carla", Kind.RESULT, confidential=False, link="/results/2", key="result:carla:2"
    )
    assert recipients("result:carla:2") == set()


def test_outsiders_hear_nothing_of_anas_record(cast: Cast) -> None:
    do_notify_record_audience(
        "ana", Kind.RESULT, confidential=False, link="/results/3", key="result:ana:3"
    )
    assert recipients("result:ana:3") == {cast.ana.email}


def test_the_same_key_notifies_once(cast: Cast) -> None:
    for _ in range(3):
        do_notify_record_audience(
            "ana", Kind.MESSAGE, confidential=False, link="/messages/9", key="message:ana:9"
        )
        do_notify_users([cast.cruz.pk, cast.cruz.pk], Kind.PATIENT_MESSAGE, link="/x", key="k")
    assert Notification.objects.filter(key="message:ana:9").count() == 1
    assert Notification.objects.filter(key="k").count() == 1
    assert Delivery.objects.count() == 2
    assert DBTaskResult.objects.count() == 2


def test_each_delivery_is_enqueued_with_its_notification(cast: Cast) -> None:
    do_notify_users([cast.cruz.pk, cast.fran.pk], Kind.PATIENT_MESSAGE, link="/inbox", key="p1")
    deliveries = list(Delivery.objects.all())
    assert {d.channel for d in deliveries} == {"email"}
    assert {d.status for d in deliveries} == {"queued"}
    queued = DBTaskResult.objects.filter(task_path="porch.notifications.tasks.deliver")
    assert sorted(t.args_kwargs["args"][0] for t in queued) == sorted(d.pk for d in deliveries)


def test_a_rolled_back_change_leaves_no_notification_and_no_task(cast: Cast) -> None:
    try:
        with transaction.atomic():
            do_notify_users([cast.cruz.pk], Kind.PATIENT_MESSAGE, link="/inbox", key="gone")
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert not Notification.objects.exists()
    assert not DBTaskResult.objects.exists()
