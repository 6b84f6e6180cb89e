"""Text messages through a local server that speaks Twilio's Messages API, and the
STOP/START webhook with its signature check."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from porch.access.tests.records import Cast
from porch.notifications import sending
from porch.notifications.actions import do_notify_record_audience
from porch.notifications.kinds import Kind
from porch.notifications.models import ContactSettings, Delivery, KindPreference, SmsOptOut
from porch.notifications.sms import twilio_signature
from porch.notifications.tests.servers import Twilio, twilio_server

SID, TOKEN, FROM = "AC" + "0" * 32, "test-auth-token", "+15555550000"
ANA_PHONE = "+15555550101"
WEBHOOK = "https://porch.example.org/notifications/sms/twilio/"


@pytest.fixture
def twilio(settings: Any) -> Iterator[Twilio]:
    with twilio_server() as (server, base):
        settings.SMS_PROVIDER = "twilio"
        settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = SID, TOKEN
        settings.TWILIO_FROM_NUMBER, settings.TWILIO_API_BASE = FROM, base
        settings.SITE_URL = "https://porch.example.org"
        yield server


@pytest.fixture
def ana_texts(cast: Cast) -> Cast:
    ContactSettings.objects.create(user=cast.ana, phone=ANA_PHONE)
    KindPreference.objects.create(user=cast.ana, kind=Kind.MESSAGE, email=False, sms=True)
    return cast


def notify_ana(key: str = "m1") -> Delivery:
    do_notify_record_audience("ana", Kind.MESSAGE, confidential=False, link="/m/", key=key)
    delivery = Delivery.objects.get(notification__key=key, channel="sms")
    sending.deliver(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def test_ana_gets_a_text_through_twilios_api(ana_texts: Cast, twilio: Twilio) -> None:
    delivery = notify_ana()
    [request] = twilio.received
    assert request["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request["auth"] == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    form = request["form"]
    assert (form["To"], form["From"]) == (ANA_PHONE, FROM)
    assert form["Body"].startswith("Porch: You have a new message from your care team.")
    assert "https://porch.example.org/notifications/" in form["Body"]
    assert "STOP" in form["Body"]
    assert (delivery.status, delivery.provider_id) == ("sent", "SM" + "1".zfill(32))
    assert not Delivery.objects.filter(channel="email").exists()


def test_the_text_is_in_the_persons_language(ana_texts: Cast, twilio: Twilio) -> None:
    ana_texts.ana.language = "es"
    ana_texts.ana.save(update_fields=["language"])
    notify_ana()
    assert "Tiene un mensaje nuevo" in twilio.received[0]["form"]["Body"]


def test_error_21610_marks_the_number_opted_out_and_it_is_never_texted_again(
    ana_texts: Cast, twilio: Twilio
) -> None:
    twilio.answers = [(400, {"code": 21610, "message": "Attempt to send to unsubscribed"})]
    first = notify_ana("m1")
    assert first.status == "failed" and "21610" in first.last_error
    assert SmsOptOut.objects.filter(phone=ANA_PHONE, source="provider").exists()
    do_notify_record_audience("ana", Kind.MESSAGE, confidential=False, link="/m/", key="m2")
    second = Delivery.objects.get(notification__key="m2", channel="sms")
    assert second.status == "skipped"
    assert len(twilio.received) == 1


def test_a_server_error_is_retried(ana_texts: Cast, twilio: Twilio) -> None:
    twilio.answers = [(503, {"code": 20500, "message": "unavailable"})]
    delivery = notify_ana()
    assert (delivery.status, delivery.attempts) == ("queued", 1)
    assert delivery.not_before is not None


def test_a_number_opted_out_after_queueing_is_not_texted(ana_texts: Cast, twilio: Twilio) -> None:
    do_notify_record_audience("ana", Kind.MESSAGE, confidential=False, link="/m/", key="m1")
    SmsOptOut.objects.create(phone=ANA_PHONE, source="keyword")
    delivery = Delivery.objects.get(channel="sms")
    sending.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "skipped"
    assert twilio.received == []


def inbound(client: Client, body: str, *, token: str = TOKEN, phone: str = ANA_PHONE) -> Any:
    params = {"From": phone, "To": FROM, "Body": body, "MessageSid": "SM" + "9" * 32}
    signature = twilio_signature(WEBHOOK, params, token)
    return client.post(
        "/notifications/sms/twilio/", params, headers={"X-Twilio-Signature": signature}
    )


def test_stop_opts_out_and_start_opts_back_in(ana_texts: Cast, twilio: Twilio) -> None:
    client = Client()
    assert inbound(client, " stop ").status_code == 200
    assert SmsOptOut.objects.filter(phone=ANA_PHONE, source="keyword").exists()
    assert notify_ana("m1").status == "skipped"
    assert inbound(client, "START").status_code == 200
    assert not SmsOptOut.objects.exists()
    assert notify_ana("m2").status == "sent"


@pytest.mark.parametrize("word", ["UNSUBSCRIBE", "cancel", "End", "QUIT", "stopall"])
def test_every_twilio_stop_word_opts_out(twilio: Twilio, word: str, db: None) -> None:
    inbound(Client(), word)
    assert SmsOptOut.objects.filter(phone=ANA_PHONE).exists()


def test_a_forged_webhook_is_refused(twilio: Twilio, db: None) -> None:
    client = Client()
    assert inbound(client, "STOP", token="not-the-token").status_code == 403
    response = client.post("/notifications/sms/twilio/", {"From": ANA_PHONE, "Body": "STOP"})
    assert response.status_code == 403
    assert not SmsOptOut.objects.exists()


def test_a_signature_for_other_parameters_is_refused(twilio: Twilio, db: None) -> None:
    params = {"From": ANA_PHONE, "Body": "hello"}
    signature = twilio_signature(WEBHOOK, params, TOKEN)
    response = Client().post(
        "/notifications/sms/twilio/",
        {**params, "Body": "STOP"},
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 403
    assert not SmsOptOut.objects.exists()


def test_the_signature_matches_twilios_documented_example() -> None:
    # https://www.twilio.com/docs/usage/security#validating-requests
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    assert twilio_signature(url, params, "12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_texts_are_skipped_when_no_provider_is_set_up(ana_texts: Cast, settings: Any) -> None:
    settings.SMS_PROVIDER = ""
    assert notify_ana().status == "skipped"
