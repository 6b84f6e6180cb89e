"""Who may see a conversation: the patient and their proxies within their access, and the
staff a rule of may_handle names. A teen's private conversation does not exist for their
parent: not listed, not counted, not opened, not downloaded, not notified. Everyone else
gets "not found", the same answer as for a conversation that does not exist."""

from __future__ import annotations

import pytest
from django.test import Client

from porch.access.context import AccessContext
from porch.access.tests.helpers import client_of, fhir
from porch.access.tests.records import Cast, system
from porch.accounts.models import User
from porch.messaging import queries
from porch.messaging.models import Attachment, Conversation, Message, Pool
from porch.messaging.tests.records import latest, pdf, write
from porch.notifications.kinds import Kind
from porch.notifications.models import Notification
from porch.record import search

pytestmark = pytest.mark.django_db


def _open(client: Client, patient_id: str) -> Client:
    assert client.post("/records/open/", {"patient": patient_id}).status_code == 302
    return client


def _teen_private(cast: Cast) -> Conversation:
    response = write(
        client_of(cast.teo), private="on", subject="Private question", attachments=[pdf()]
    )
    assert response.status_code == 302
    return latest()


def _notified(user: User, kind: Kind) -> int:
    return Notification.objects.filter(recipient=user, kind=kind).count()


def test_a_parent_never_sees_counts_opens_or_downloads_a_teens_private_conversation(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    private = _teen_private(cast)
    write(client_of(cast.teo), subject="Ordinary question")
    ordinary = latest()
    cruz = client_of(cast.cruz)
    for conversation in (private, ordinary):
        cruz.post(f"/staff/messages/{conversation.thread_id}/", {"body": "Answer"})

    ben = _open(client_of(cast.ben), "teo")
    inbox = ben.get("/messages/").content.decode()
    assert "Ordinary question" in inbox
    assert "Private question" not in inbox
    assert inbox.count('data-testid="unread"') == 1
    ctx = queries.patient_record(
        AccessContext(
            "Ben",
            "proxy-access",
            patient_ids=frozenset({"teo"}),
            may_read_shared=True,
            may_write=False,
            confidential_hidden=frozenset({"teo"}),
            role="proxy",
            acting_for="teo",
        )
    )[0]
    assert queries.unread_count(ctx, "teo", cast.ben.pk) == 1
    assert ben.get(f"/messages/{private.thread_id}/").status_code == 404
    assert ben.get(f"/messages/{ordinary.thread_id}/").status_code == 200
    document = Attachment.objects.get().document_id
    assert ben.get(f"/messages/attachments/{document}/").status_code == 404
    # Nor through the FHIR API, nor in a count.
    assert fhir(ben, f"/fhir/Communication/{private.thread_id}")[0] == 404
    status, bundle = fhir(ben, "/fhir/Communication?patient=teo&_summary=count")
    assert (status, bundle["total"]) == (200, 2)  # the ordinary message and its answer

    # Teo himself sees both.
    teo_inbox = client_of(cast.teo).get("/messages/").content.decode()
    assert "Private question" in teo_inbox and "Ordinary question" in teo_inbox
    assert client_of(cast.teo).get(f"/messages/{private.thread_id}/").status_code == 200


def test_a_reply_notifies_the_patient_once_and_the_parent_not_of_a_private_one(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    private = _teen_private(cast)
    write(client_of(cast.teo), subject="Ordinary question")
    ordinary = latest()
    cruz = client_of(cast.cruz)
    cruz.post(f"/staff/messages/{private.thread_id}/", {"body": "Private answer"})
    assert _notified(cast.teo, Kind.MESSAGE) == 1
    assert _notified(cast.ben, Kind.MESSAGE) == 0
    notice = Notification.objects.get(recipient=cast.teo)
    assert notice.link == f"/messages/{private.thread_id}/"

    cruz.post(f"/staff/messages/{ordinary.thread_id}/", {"body": "Ordinary answer"})
    assert _notified(cast.teo, Kind.MESSAGE) == 2
    assert _notified(cast.ben, Kind.MESSAGE) == 1


def test_ana_gets_exactly_one_notification_for_a_reply(cast: Cast, pools: dict[str, Pool]) -> None:
    write(client_of(cast.ana))
    conversation = latest()
    client_of(cast.cruz).post(f"/staff/messages/{conversation.thread_id}/", {"body": "Hello"})
    notices = Notification.objects.filter(kind=Kind.MESSAGE)
    assert [(n.recipient_id, n.link) for n in notices] == [
        (cast.ana.pk, f"/messages/{conversation.thread_id}/")
    ]


def test_a_patients_message_notifies_the_clinician_or_the_pool(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    write(client_of(cast.ana))
    to_cruz = latest()
    assert list(
        Notification.objects.filter(kind=Kind.PATIENT_MESSAGE).values_list("recipient", "link")
    ) == [(cast.cruz.pk, f"/staff/messages/{to_cruz.thread_id}/")]
    write(client_of(cast.ana), recipient="pool:front-desk", topic="billing")
    assert _notified(cast.fran, Kind.PATIENT_MESSAGE) == 1
    assert _notified(cast.cruz, Kind.PATIENT_MESSAGE) == 1


def test_another_patient_gets_not_found_and_cannot_reply(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    write(client_of(cast.ana))
    conversation = latest()
    mallory = client_of(cast.mallory)
    assert mallory.get(f"/messages/{conversation.thread_id}/").status_code == 404
    assert mallory.get("/messages/no-such-thread/").status_code == 404
    response = mallory.post(f"/messages/{conversation.thread_id}/", {"body": "Hi"})
    assert response.status_code == 404
    assert conversation.messages.count() == 1
    assert "Rash on my arm" not in mallory.get("/messages/").content.decode()


def test_staff_who_may_not_handle_it_get_not_found(cast: Cast, pools: dict[str, Pool]) -> None:
    write(client_of(cast.ana))
    to_cruz = latest()
    write(client_of(cast.ana), recipient="pool:front-desk", subject="A bill")
    to_desk = latest()
    refused = {
        cast.diaz: [to_cruz, to_desk],
        cast.fran: [to_cruz],
        cast.priya: [to_cruz, to_desk],
        cast.ana: [to_cruz, to_desk],
    }
    for person, conversations in refused.items():
        client = client_of(person)
        for conversation in conversations:
            url = f"/staff/messages/{conversation.thread_id}/"
            assert client.get(url).status_code == 404, (person, url)
            assert client.post(url, {"body": "x"}).status_code == 404
            assert client.post(url + "status/", {"status": "closed"}).status_code == 404
            assert client.post(url + "notes/", {"body": "x"}).status_code == 404
            assert client.post(url + "assign/", {"assignee": ""}).status_code == 404
        assert "Rash on my arm" not in client.get("/staff/messages/").content.decode()
    assert Message.objects.count() == 2
    # Fran handles the front desk's conversation, Dr. Cruz both (his own, and Ana is his
    # patient).
    assert client_of(cast.fran).get(f"/staff/messages/{to_desk.thread_id}/").status_code == 200
    assert "A bill" in client_of(cast.fran).get("/staff/messages/").content.decode()
    assert client_of(cast.cruz).get(f"/staff/messages/{to_desk.thread_id}/").status_code == 200


def test_an_assigned_colleague_may_handle_it(cast: Cast, pools: dict[str, Pool]) -> None:
    write(client_of(cast.ana))
    conversation = latest()
    url = f"/staff/messages/{conversation.thread_id}/"
    assert client_of(cast.fran).get(url).status_code == 404
    response = client_of(cast.cruz).post(url + "assign/", {"assignee": str(cast.fran.pk)})
    assert response.status_code == 302
    assert client_of(cast.fran).get(url).status_code == 200
    assert (
        "Rash on my arm" in client_of(cast.fran).get("/staff/messages/?queue=mine").content.decode()
    )


def test_patients_find_no_staff_pages_and_anonymous_visitors_are_sent_to_sign_in(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    for url in ("/staff/messages/", "/staff/messages/quick-replies/"):
        assert client_of(cast.ana).get(url).status_code == 404
        assert Client().get(url).status_code == 302
    for url in ("/messages/", "/messages/new/"):
        assert Client().get(url).status_code == 302
        # Staff have no open record: no patient inbox.
        assert client_of(cast.fran).get(url).status_code == 404


def test_the_record_search_of_a_parent_leaves_out_the_private_messages(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    _teen_private(cast)
    everything = search.search(
        system(), "Communication", [("patient", "teo"), ("_summary", "count")]
    )
    assert everything.total == 1


def test_a_link_to_another_of_a_parents_records_opens_that_record_but_never_a_private_one(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    write(client_of(cast.teo), subject="Ordinary question")
    ordinary = latest()
    private = _teen_private(cast)
    ben = _open(client_of(cast.ben), "carla")
    response = ben.get(f"/messages/{ordinary.thread_id}/")
    assert response.status_code == 302
    assert ben.session["acting_for"] == "teo"
    assert ben.get(f"/messages/{ordinary.thread_id}/").status_code == 200
    _open(ben, "carla")
    assert ben.get(f"/messages/{private.thread_id}/").status_code == 404
    assert ben.session["acting_for"] == "carla"
