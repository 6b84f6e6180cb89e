"""The notification pages: the list, opening one, settings and the staff delivery log."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from porch.access.tests.records import Cast
from porch.notifications.actions import do_notify_record_audience, do_notify_users
from porch.notifications.kinds import Kind
from porch.notifications.models import ContactSettings, Delivery, KindPreference, Notification


def notify_ana(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        do_notify_record_audience(
            "ana", Kind.MESSAGE, confidential=False, link=f"/messages/{i}/", key=f"m:{i}"
        )


def test_ana_sees_her_notifications_with_the_unread_count(client: Client, cast: Cast) -> None:
    notify_ana(2)
    client.force_login(cast.ana)
    page = client.get("/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("New message from your care team") == 2
    assert "Notifications (2 unread)" in html


def test_opening_a_notification_marks_it_read_and_follows_its_link(
    client: Client, cast: Cast
) -> None:
    notify_ana(1)
    notification = Notification.objects.get(recipient=cast.ana)
    client.force_login(cast.ana)
    response = client.get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/messages/0/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "unread" not in client.get("/notifications/").content.decode()


def test_a_link_to_another_site_is_not_followed(client: Client, cast: Cast) -> None:
    do_notify_users([cast.ana.pk], Kind.ACCOUNT, link="https://evil.example/", key="evil")
    notification = Notification.objects.get(recipient=cast.ana)
    client.force_login(cast.ana)
    response = client.get(f"/notifications/{notification.pk}/")
    assert response["Location"] == "/notifications/"


def test_a_proxy_opening_a_notification_opens_the_record_it_is_about(
    client: Client, cast: Cast
) -> None:
    do_notify_record_audience("carla", Kind.RESULT, confidential=False, link="/results/", key="r")
    notification = Notification.objects.get(recipient=cast.ben)
    client.force_login(cast.ben)
    client.get(f"/notifications/{notification.pk}/")
    assert client.session["acting_for"] == "carla"


def test_mallory_cannot_open_or_see_anas_notifications(client: Client, cast: Cast) -> None:
    notify_ana(1)
    notification = Notification.objects.get(recipient=cast.ana)
    for outsider in (cast.mallory, cast.ben, cast.diaz, cast.priya):
        client.force_login(outsider)
        assert client.get(f"/notifications/{notification.pk}/").status_code == 404
        assert "New message" not in client.get("/notifications/").content.decode()
    notification.refresh_from_db()
    assert notification.read_at is None


def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client, cast: Cast) -> None:
    notify_ana(1)
    notification = Notification.objects.get(recipient=cast.ana)
    assert client.get(f"/notifications/{notification.pk}/").status_code == 302
    assert client.get("/notifications/").status_code == 302


def test_mark_all_read(client: Client, cast: Cast) -> None:
    notify_ana(3)
    client.force_login(cast.ana)
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=cast.ana, read_at=None).exists()


def test_the_list_takes_the_same_queries_for_few_and_many(
    client: Client, cast: Cast, django_assert_max_num_queries: Any
) -> None:
    client.force_login(cast.ana)
    notify_ana(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/notifications/")
    notify_ana(40, start=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/notifications/")
    assert page.content.decode().count("New message from your care team") == 42


def test_ana_chooses_texts_for_messages_and_quiet_hours(client: Client, cast: Cast) -> None:
    client.force_login(cast.ana)
    assert client.get("/notifications/settings/").status_code == 200
    response = client.post(
        "/notifications/settings/",
        {
            "phone": "+1 555 555 0100",
            "quiet_start": "21:00",
            "quiet_end": "07:00",
            "message_email": "on",
            "message_sms": "on",
        },
    )
    assert response.status_code == 302
    contact = ContactSettings.objects.get(user=cast.ana)
    assert contact.phone == "+15555550100"
    assert str(contact.quiet_start) == "21:00:00"
    message = KindPreference.objects.get(user=cast.ana, kind="message")
    assert (message.email, message.sms) == (True, True)
    result = KindPreference.objects.get(user=cast.ana, kind="result")
    assert (result.email, result.sms) == (False, False)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"phone": "555-0100"}, "country code"),
        ({"message_sms": "on"}, "Add a phone number"),
        ({"quiet_start": "21:00"}, "both the start and the end"),
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "valid time"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(
    client: Client, cast: Cast, data: dict[str, str], error: str
) -> None:
    client.force_login(cast.ana)
    response = client.post("/notifications/settings/", data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ContactSettings.objects.exists()


def test_the_settings_page_is_in_spanish_for_a_spanish_speaker(client: Client, cast: Cast) -> None:
    cast.ana.language = "es"
    cast.ana.save(update_fields=["language"])
    client.force_login(cast.ana)
    html = client.get("/notifications/settings/").content.decode()
    assert "Configuración de avisos" in html


def test_staff_see_the_delivery_log_filtered_by_status(client: Client, cast: Cast) -> None:
    do_notify_users([cast.ana.pk, cast.mallory.pk], Kind.MESSAGE, link="/m/", key="k")
    Delivery.objects.filter(notification__recipient=cast.mallory).update(
        status="bounced", last_error="550 no such user"
    )
    for staff in (cast.fran, cast.priya):
        client.force_login(staff)
        everything = client.get("/notifications/log/").content.decode()
        assert cast.ana.email not in everything  # queued: no address written yet
        bounced = client.get("/notifications/log/?status=bounced").content.decode()
        assert "550 no such user" in bounced
        assert (
            "No deliveries to show"
            in client.get("/notifications/log/?status=sent").content.decode()
        )


def test_the_delivery_log_takes_the_same_queries_for_few_and_many(
    client: Client, cast: Cast, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    do_notify_users([cast.ana.pk], Kind.MESSAGE, link="/m/", key="k:0")
    client.force_login(cast.fran)
    with CaptureQueriesContext(connection) as few:
        client.get("/notifications/log/")
    for i in range(1, 30):
        do_notify_users([cast.ana.pk, cast.mallory.pk], Kind.MESSAGE, link="/m/", key=f"k:{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/notifications/log/")
    assert page.content.decode().count('data-label="Channel"') == 59


def test_patients_and_clinicians_do_not_see_the_delivery_log(client: Client, cast: Cast) -> None:
    for person in (cast.ana, cast.cruz, cast.ben):
        client.force_login(person)
        assert client.get("/notifications/log/").status_code == 404


def test_patients_choose_for_refills_and_appointments_and_staff_for_requests(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.ana)
    page = client.get("/notifications/settings/").content.decode()
    assert 'name="refill_update_sms"' in page and 'name="appointment_reminder_email"' in page
    assert 'name="refill_request_email"' not in page  # a patient gets no staff notices
    client.force_login(cast.cruz)
    page = client.get("/notifications/settings/").content.decode()
    assert 'name="refill_request_email"' in page and 'name="appointment_request_sms"' in page
