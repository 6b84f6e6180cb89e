"""The care team's inbox: queues (mine, pools), status, time since the patient wrote,
assigning, quick replies, internal notes, search, and the automatic reply outside a
pool's office hours. List pages keep a fixed number of queries."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from porch.access.tests.helpers import client_of, fhir
from porch.access.tests.records import Cast, system
from porch.audit.models import Action, AuditEvent
from porch.messaging import officehours
from porch.messaging.models import Conversation, InternalNote, Message, Pool, QuickReply, Status
from porch.messaging.tests.records import closed_pool, latest, write
from porch.record import repository

pytestmark = pytest.mark.django_db


def test_queues_and_status_filter(cast: Cast, pools: dict[str, Pool]) -> None:
    ana = client_of(cast.ana)
    write(ana, subject="To my doctor")
    write(ana, recipient="pool:nurses", subject="To the nurses")
    write(ana, recipient="pool:front-desk", subject="To the desk")
    cruz = client_of(cast.cruz)
    everything = cruz.get("/staff/messages/").content.decode()
    assert "To my doctor" in everything and "To the nurses" in everything
    assert "To the desk" not in everything
    mine = cruz.get("/staff/messages/?queue=mine").content.decode()
    assert "To my doctor" in mine and "To the nurses" not in mine
    nurses = cruz.get(f"/staff/messages/?queue=pool-{pools['nurses'].pk}").content.decode()
    assert "To the nurses" in nurses and "To my doctor" not in nurses
    # A pool one is not a member of shows one's own queues instead, never the other pool.
    desk = cruz.get(f"/staff/messages/?queue=pool-{pools['front-desk'].pk}").content.decode()
    assert "To the desk" not in desk

    conversation = Conversation.objects.get(pool=pools["nurses"])
    cruz.post(f"/staff/messages/{conversation.thread_id}/status/", {"status": "closed"})
    conversation.refresh_from_db()
    assert conversation.status == Status.CLOSED
    assert "To the nurses" not in cruz.get("/staff/messages/").content.decode()
    closed = cruz.get("/staff/messages/?status=closed").content.decode()
    assert "To the nurses" in closed and "To my doctor" not in closed
    assert "To the nurses" in cruz.get("/staff/messages/?status=").content.decode()
    response = cruz.post(f"/staff/messages/{conversation.thread_id}/status/", {"status": "bogus"})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == Status.CLOSED


def test_the_inbox_shows_how_long_the_patient_has_waited(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    write(client_of(cast.ana))
    Conversation.objects.update(patient_wrote_at=timezone.now() - timezone.timedelta(hours=3))
    page = client_of(cast.cruz).get("/staff/messages/").content.decode()
    assert "3\xa0hours ago" in page


def test_search_by_patient_name_or_subject(cast: Cast, pools: dict[str, Pool]) -> None:
    write(client_of(cast.ana), subject="Knee pain")
    write(client_of(cast.teo), subject="Headache")
    cruz = client_of(cast.cruz)
    by_subject = cruz.get("/staff/messages/?q=knee").content.decode()
    assert "Knee pain" in by_subject and "Headache" not in by_subject
    by_name = cruz.get("/staff/messages/?q=teo").content.decode()
    assert "Headache" in by_name and "Knee pain" not in by_name
    assert "No conversations to show." in cruz.get("/staff/messages/?q=zebra").content.decode()


def test_assigning_to_a_colleague_and_only_a_colleague(cast: Cast, pools: dict[str, Pool]) -> None:
    write(client_of(cast.ana))
    conversation = latest()
    cruz = client_of(cast.cruz)
    url = f"/staff/messages/{conversation.thread_id}/assign/"
    cruz.post(url, {"assignee": str(cast.fran.pk)})
    conversation.refresh_from_db()
    assert conversation.assignee == cast.fran
    # A patient is not a colleague.
    cruz.post(url, {"assignee": str(cast.mallory.pk)})
    conversation.refresh_from_db()
    assert conversation.assignee == cast.fran
    cruz.post(url, {"assignee": ""})
    conversation.refresh_from_db()
    assert conversation.assignee is None
    # The patient's next message goes to the assignee.
    cruz.post(url, {"assignee": str(cast.fran.pk)})
    from porch.notifications.models import Notification

    client_of(cast.ana).post(f"/messages/{conversation.thread_id}/", {"body": "More"})
    assert Notification.objects.filter(recipient=cast.fran).count() == 1


def test_quick_replies_are_the_clinicians_own(cast: Cast, pools: dict[str, Pool]) -> None:
    cruz, fran = client_of(cast.cruz), client_of(cast.fran)
    response = cruz.post(
        "/staff/messages/quick-replies/", {"title": "Photo", "body": "Please send a photo."}
    )
    assert response.status_code == 302
    quick = QuickReply.objects.get()
    assert quick.owner == cast.cruz
    write(client_of(cast.ana))
    thread = cruz.get(f"/staff/messages/{latest().thread_id}/").content.decode()
    assert 'data-insert="Please send a photo."' in thread
    assert "Photo" not in fran.get("/staff/messages/quick-replies/").content.decode()
    assert fran.post(f"/staff/messages/quick-replies/{quick.pk}/delete/").status_code == 404
    assert QuickReply.objects.count() == 1
    assert cruz.post(f"/staff/messages/quick-replies/{quick.pk}/delete/").status_code == 302
    assert QuickReply.objects.count() == 0


def test_internal_notes_are_never_shown_to_the_patient_or_put_in_the_record(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    write(client_of(cast.ana))
    conversation = latest()
    cruz = client_of(cast.cruz)
    cruz.post(f"/staff/messages/{conversation.thread_id}/notes/", {"body": "Call her back"})
    note = InternalNote.objects.get()
    assert (note.author, note.body) == (cast.cruz, "Call her back")
    assert (
        "Call her back" in cruz.get(f"/staff/messages/{conversation.thread_id}/").content.decode()
    )
    # Shown with the conversation, whose reading the audit log holds.
    assert AuditEvent.objects.filter(
        user_id=cast.cruz.pk, patient_id="ana", action=Action.SEARCH, resource_type="Communication"
    ).exists()
    ana = client_of(cast.ana)
    assert "Call her back" not in ana.get(f"/messages/{conversation.thread_id}/").content.decode()
    assert "Call her back" not in ana.get("/messages/").content.decode()
    status, bundle = fhir(ana, "/fhir/Communication?patient=ana")
    assert status == 200 and "Call her back" not in str(bundle)
    status, bundle = fhir(cruz, "/fhir/Communication?patient=ana")
    assert status == 200 and "Call her back" not in str(bundle)
    # An empty note is refused.
    cruz.post(f"/staff/messages/{conversation.thread_id}/notes/", {"body": "  "})
    assert InternalNote.objects.count() == 1


def test_each_handling_change_says_whether_it_was_saved_and_why_not(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    write(client_of(cast.ana))
    conversation = latest()
    cruz = client_of(cast.cruz)
    url = f"/staff/messages/{conversation.thread_id}/"

    def said(path: str, data: dict[str, str]) -> str:
        response = cruz.post(url + path, data, follow=True)
        assert response.redirect_chain == [(url, 302)]
        return str(response.content.decode())

    assert "Choose a status from the list." in said("status/", {"status": "bogus"})
    assert "Choose a colleague from the list." in said("assign/", {"assignee": "x"})
    assert "Choose a colleague from the list." in said("assign/", {"assignee": str(cast.ana.pk)})
    assert "control characters" in said("notes/", {"body": "Call\x07 her"})
    conversation.refresh_from_db()
    assert (conversation.status, conversation.assignee) == (Status.OPEN, None)
    assert not InternalNote.objects.exists()

    assert "Status saved." in said("status/", {"status": "closed"})
    assert "Assignment saved." in said("assign/", {"assignee": str(cast.fran.pk)})
    assert "Note saved. The patient does not see it." in said("notes/", {"body": "Call her"})
    conversation.refresh_from_db()
    assert (conversation.status, conversation.assignee) == (Status.CLOSED, cast.fran)
    assert InternalNote.objects.get().body == "Call her"


def test_outside_office_hours_the_pool_answers_with_when_to_expect_an_answer(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    night = closed_pool(auto_reply="For refills, use the pharmacy line.")
    night.office_days, night.opens_at = "0", time(9, 0)
    night.save()
    # Tuesday evening: closed until Monday 9:00.
    tuesday = timezone.make_aware(datetime(2030, 1, 1, 20, 0))
    assert not officehours.is_open(night, tuesday)
    assert officehours.next_opening(night, tuesday) == timezone.make_aware(
        datetime(2030, 1, 7, 9, 0)
    )
    # Open only the day after tomorrow: closed now, whatever today is.
    night.office_days = str((timezone.localdate().weekday() + 2) % 7)
    night.save()
    ana = client_of(cast.ana)
    write(ana, recipient="pool:night")
    conversation = latest()
    automatic = conversation.messages.get(author=None)
    assert automatic.side == Message.Side.CARE_TEAM
    stored = repository.read(system(), "Communication", automatic.communication_id).content or {}
    assert (
        "closed now; expect an answer after the office opens on"
        in stored["payload"][0]["contentString"]
    )
    assert "For refills, use the pharmacy line." in stored["payload"][0]["contentString"]
    page = ana.get(f"/messages/{conversation.thread_id}/").content.decode()
    assert "Automatic reply from Porch" in page
    # A second message right after the automatic reply gets no second one.
    ana.post(f"/messages/{conversation.thread_id}/", {"body": "Also this"})
    assert conversation.messages.filter(author=None).count() == 1
    # Once the care team has answered, the next message outside hours gets one again.
    client_of(cast.cruz).post(f"/staff/messages/{conversation.thread_id}/", {"body": "Hi"})
    ana.post(f"/messages/{conversation.thread_id}/", {"body": "Thanks"})
    assert conversation.messages.filter(author=None).count() == 2


def test_no_automatic_reply_during_office_hours_or_to_a_clinician(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    write(client_of(cast.ana), recipient="pool:nurses")
    write(client_of(cast.ana))
    assert Message.objects.filter(author=None).count() == 0


def _queries(client: Client, url: str, django_assert_max_num_queries: Any, limit: int) -> None:
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [1, 6])
def test_inbox_pages_take_a_fixed_number_of_queries(
    cast: Cast, pools: dict[str, Pool], django_assert_max_num_queries: Any, count: int
) -> None:
    ana = client_of(cast.ana)
    for number in range(count):
        write(ana, subject=f"Question {number}")
        write(client_of(cast.teo), subject=f"Teen question {number}")
    cruz = client_of(cast.cruz)
    for conversation in Conversation.objects.filter(patient_id="ana"):
        cruz.post(f"/staff/messages/{conversation.thread_id}/", {"body": "Answer"})
    _queries(ana, "/messages/", django_assert_max_num_queries, 22)
    _queries(cruz, "/staff/messages/", django_assert_max_num_queries, 31)
    _queries(cruz, "/staff/messages/?q=question", django_assert_max_num_queries, 31)
    thread = Conversation.objects.filter(patient_id="ana").first()
    assert thread is not None
    _queries(ana, f"/messages/{thread.thread_id}/", django_assert_max_num_queries, 34)
    _queries(cruz, f"/staff/messages/{thread.thread_id}/", django_assert_max_num_queries, 42)
