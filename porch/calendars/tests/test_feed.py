"""The private calendar feed: made and turned off on its page, read by calendar apps with
only its token, with the owner's access to the record as it is now."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast
from porch.audit.models import AuditEvent
from porch.calendars.models import CalendarFeed
from porch.calendars.tests.records import (
    NEVER_SAID,
    appointment,
    booked,
    events,
    make_feed,
    open_record,
    parsed,
    uid,
)
from porch.scheduling.tests.records import Clinic, free

pytestmark = pytest.mark.django_db


def fetch(address: str) -> tuple[int, bytes, Client]:
    """What a calendar app gets: no session, no cookies."""
    app = Client()
    response = app.get(address)
    return response.status_code, response.content, app


# --- the page -----------------------------------------------------------------------------


def test_ana_makes_a_feed_and_sees_its_address_only_once(cast: Cast) -> None:
    ana = client_of(cast.ana)
    before = ana.get("/calendar-feed/")
    assert before.status_code == 200
    assert "There is no calendar feed of this record." in before.content.decode()

    response = ana.post("/calendar-feed/", {"action": "create"})

    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    feed = CalendarFeed.objects.get()
    assert (feed.user, feed.patient_id, feed.revoked_at) == (cast.ana, "ana", None)
    address = make_feed_address(page)
    assert address.startswith("http://testserver/calendar/")
    assert f'href="webcal://{address.removeprefix("http://")}"' in page
    after = ana.get("/calendar-feed/").content.decode()
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert token not in after and "A calendar feed of this record is on" in after


def make_feed_address(page: str) -> str:
    start = page.index('id="feed-address" type="text" value="') + len(
        'id="feed-address" type="text" value="'
    )
    return page[start : page.index('"', start)]


def test_only_the_hash_of_the_token_is_stored(cast: Cast) -> None:
    address = make_feed(client_of(cast.ana))
    token = address.removeprefix("/calendar/").removesuffix(".ics")

    feed = CalendarFeed.objects.get()

    assert len(token) >= 43  # 256 bits
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(v) for v in CalendarFeed.objects.values_list().get()]
    assert not any(token in value for value in stored)


def test_a_new_feed_turns_the_old_one_off(cast: Cast) -> None:
    ana = client_of(cast.ana)
    old = make_feed(ana)
    new = make_feed(ana)

    assert old != new
    assert fetch(old)[0] == 404
    assert fetch(new)[0] == 200
    assert CalendarFeed.objects.filter(revoked_at=None).count() == 1
    assert CalendarFeed.objects.count() == 2


def test_ana_turns_the_feed_off(cast: Cast) -> None:
    ana = client_of(cast.ana)
    address = make_feed(ana)

    response = ana.post("/calendar-feed/", {"action": "revoke"})

    assert response.status_code == 302 and response["Location"] == "/calendar-feed/"
    assert fetch(address)[0] == 404
    assert CalendarFeed.objects.get().revoked_at is not None
    assert "There is no calendar feed" in ana.get("/calendar-feed/").content.decode()


def test_a_feed_is_per_person_and_record(cast: Cast) -> None:
    ben = client_of(cast.ben)
    carlas = make_feed(ben)
    open_record(ben, "teo")
    teos = make_feed(ben)
    ana = make_feed(client_of(cast.ana))

    assert fetch(carlas)[0] == fetch(teos)[0] == fetch(ana)[0] == 200
    live = CalendarFeed.objects.filter(revoked_at=None)
    assert sorted(live.values_list("patient_id", flat=True)) == ["ana", "carla", "teo"]


def test_a_bad_action_is_refused_and_changes_nothing(cast: Cast) -> None:
    ana = client_of(cast.ana)
    response = ana.post("/calendar-feed/", {"action": "share"})
    assert response.status_code == 400
    assert "Choose whether to make the calendar feed or turn it off." in response.content.decode()
    assert not CalendarFeed.objects.exists()


def test_staff_and_visitors_have_no_feed_page(cast: Cast) -> None:
    for person in (cast.cruz, cast.fran, cast.priya):
        assert client_of(person).get("/calendar-feed/").status_code == 404
        assert client_of(person).post("/calendar-feed/", {"action": "create"}).status_code == 404
    assert Client().get("/calendar-feed/")["Location"].startswith("/accounts/login/")
    assert not CalendarFeed.objects.exists()


def test_the_appointments_page_links_to_the_feed_page(cast: Cast) -> None:
    page = client_of(cast.ana).get("/appointments/").content.decode()
    assert 'href="/calendar-feed/"' in page


# --- the feed -------------------------------------------------------------------------------


def test_the_feed_lists_upcoming_and_recently_cancelled_appointments(
    cast: Cast, clinic: Clinic
) -> None:
    ana = client_of(cast.ana)
    now = timezone.now()
    upcoming = booked(ana, free(clinic.follow_up), key="a")
    cancelled_soon = booked(ana, free(clinic.follow_up, 2), key="b")
    cancelling = ana.post(f"/appointments/{cancelled_soon}/cancel/", {"reason": "Feeling better"})
    assert cancelling.status_code == 302
    cancelled_lately = appointment("ana", now - timedelta(days=10), status="cancelled")
    cancelled_long_ago = appointment("ana", now - timedelta(days=40), status="cancelled")
    past = appointment("ana", now - timedelta(days=3))
    proposed = appointment("ana", now + timedelta(days=5), status="proposed")
    address = make_feed(ana)

    status, body, _app = fetch(address)

    assert status == 200
    found = events(body)
    assert set(found) == {uid(upcoming), uid(cancelled_soon), uid(cancelled_lately)}
    assert str(found[uid(upcoming)]["STATUS"]) == "CONFIRMED"
    assert str(found[uid(cancelled_soon)]["STATUS"]) == "CANCELLED"
    assert str(found[uid(cancelled_lately)]["STATUS"]) == "CANCELLED"
    assert {cancelled_long_ago, past, proposed}.isdisjoint(i.split("@")[0] for i in found)
    for event in found.values():
        assert str(event["SUMMARY"]) == "Appointment at Porch Clinic"
        assert str(event["URL"]).startswith("http://testserver/appointments/")
        assert "LOCATION" not in event and "ATTENDEE" not in event
    text = body.decode()
    assert [word for word in NEVER_SAID if word in text] == []


def test_the_feed_answers_with_private_headers(cast: Cast) -> None:
    address = make_feed(client_of(cast.ana))
    response = Client().get(address)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex"
    calendar = parsed(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Appointments at Porch Clinic"
    assert str(calendar["UID"]) == f"feed-{CalendarFeed.objects.get().pk}@porch"


def test_an_unknown_token_is_not_found(cast: Cast) -> None:
    make_feed(client_of(cast.ana))
    response = Client().get("/calendar/not-a-real-token.ics")
    assert response.status_code == 404
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_proxy_who_lost_access_gets_nothing(cast: Cast) -> None:
    appointment("carla")
    ben = client_of(cast.ben)
    address = make_feed(ben)
    assert fetch(address)[0] == 200

    grant = cast.grants["ben-carla"]
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])

    assert fetch(address)[0] == 404


def test_a_proxy_whose_grant_ended_gets_nothing(cast: Cast) -> None:
    ben = client_of(cast.ben)
    address = make_feed(ben)
    assert fetch(address)[0] == 200  # until the grant ends
    grant = cast.grants["ben-carla"]
    grant.starts_at, grant.ends_at = timezone.now() - timedelta(days=9), timezone.now()
    grant.save(update_fields=["starts_at", "ends_at"])
    assert fetch(address)[0] == 404


def test_a_deactivated_account_gets_nothing(cast: Cast) -> None:
    address = make_feed(client_of(cast.ana))
    assert fetch(address)[0] == 200  # until the account is turned off
    cast.ana.is_active = False
    cast.ana.save(update_fields=["is_active"])
    assert fetch(address)[0] == 404


def test_a_parents_feed_leaves_out_a_teens_confidential_appointments(cast: Cast) -> None:
    ordinary = appointment("teo")
    private = appointment("teo", confidential=True)
    ben = client_of(cast.ben)
    open_record(ben, "teo")
    parents = make_feed(ben)
    teos = make_feed(client_of(cast.teo))

    assert set(events(fetch(parents)[1])) == {uid(ordinary)}
    assert set(events(fetch(teos)[1])) == {uid(ordinary), uid(private)}


def test_reading_the_feed_is_audited_as_its_owner(cast: Cast) -> None:
    appointment("carla")
    ben = client_of(cast.ben)
    address = make_feed(ben)
    started = timezone.now()

    fetch(address)

    # A search is logged once per record it found something in, naming the type.
    looked = AuditEvent.objects.filter(at__gte=started, resource_type="Appointment")
    assert list(looked.values_list("user_id", "actor", "role", "patient_id", "action")) == [
        (cast.ben.pk, "Ben Alvarez", "proxy", "carla", "search")
    ]


def test_the_feed_speaks_its_owners_language(cast: Cast) -> None:
    fhir_id = appointment("ana")
    cast.ana.language = "es"
    cast.ana.save(update_fields=["language"])
    address = make_feed(client_of(cast.ana))
    assert str(events(fetch(address)[1])[uid(fhir_id)]["SUMMARY"]) == "Cita en Porch Clinic"


def test_the_feed_takes_the_same_queries_for_more_appointments(cast: Cast) -> None:
    address = make_feed(client_of(cast.ana))
    appointment("ana")
    with CaptureQueriesContext(connection) as one:
        assert fetch(address)[0] == 200
    for days in range(3, 8):
        appointment("ana", timezone.now() + timedelta(days=days))
        appointment("ana", timezone.now() - timedelta(days=days), status="cancelled")
    with CaptureQueriesContext(connection) as eleven:
        status, body, _app = fetch(address)
    assert status == 200 and len(events(body)) == 11
    assert len(eleven) == len(one)


def test_the_feed_reads_and_may_not_write_even_for_someone_who_may_act(cast: Cast) -> None:
    from porch.calendars.queries import feed_context

    make_feed(client_of(cast.ana))
    ctx = feed_context(CalendarFeed.objects.get(revoked_at=None))
    assert ctx is not None and ctx.patient_ids == {"ana"}
    assert ctx.purpose == "calendar-feed" and not ctx.may_write
