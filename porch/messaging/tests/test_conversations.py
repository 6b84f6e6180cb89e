"""A patient and the care team hold a conversation: the record holds it as Communications;
read receipts and who answered are shown; proxies write on behalf of the patient.

Cast: Ana (patient), Dr. Cruz (on Ana's care team, in the Nurses pool), Fran (front
desk, in the Front desk pool), Gil (caregiver of Elda, may act), Ben (parent of Carla
and Teo, view only), Dr. Diaz and Mallory (outsiders)."""

from __future__ import annotations

import pytest

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast, system
from porch.audit.models import AuditEvent
from porch.messaging.models import Conversation, Message, Pool, Status
from porch.messaging.resources import RESTRICTED, TOPIC_SYSTEM
from porch.messaging.tests.records import latest, write
from porch.record import repository, search

pytestmark = pytest.mark.django_db


def test_ana_writes_to_dr_cruz_and_the_record_holds_a_communication(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    ana = client_of(cast.ana)
    page = ana.get("/messages/new/").content.decode()
    assert "Messages are not for emergencies." in page
    assert 'value="clinician:pr-cruz"' in page and "Dr. Ada Cruz" in page
    assert 'value="pool:nurses"' in page

    response = write(ana)
    conversation = latest()
    assert response.status_code == 302
    assert response["Location"] == f"/messages/{conversation.thread_id}/"
    assert (conversation.patient_id, conversation.practitioner_id) == ("ana", "pr-cruz")
    assert conversation.status == Status.OPEN

    stored = repository.read(system(), "Communication", conversation.thread_id).content or {}
    assert stored["subject"] == {"reference": "Patient/ana"}
    assert stored["sender"]["reference"] == "Patient/ana"
    assert stored["recipient"][0]["reference"] == "Practitioner/pr-cruz"
    assert stored["category"][0]["coding"][0] == {
        "system": TOPIC_SYSTEM,
        "code": "medical",
        "display": "Medical question",
    }
    assert stored["topic"] == {"text": "Rash on my arm"}
    assert stored["payload"] == [{"contentString": "It started on Monday."}]
    assert "meta" not in stored or "security" not in stored["meta"]
    # The write is in the audit log, as every write to the record.
    assert AuditEvent.objects.filter(
        resource_type="Communication", resource_id=conversation.thread_id, user_id=cast.ana.pk
    ).exists()


def test_dr_cruz_reads_and_answers_and_ana_sees_who_answered_and_when_it_was_read(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    ana, cruz = client_of(cast.ana), client_of(cast.cruz)
    write(ana)
    conversation = latest()
    assert (
        "Not read yet by the care team"
        in ana.get(f"/messages/{conversation.thread_id}/").content.decode()
    )

    inbox = cruz.get("/staff/messages/?queue=mine").content.decode()
    assert "Rash on my arm" in inbox and "Ana Alvarez" in inbox
    assert 'data-testid="unread"' in inbox

    thread = cruz.get(f"/staff/messages/{conversation.thread_id}/").content.decode()
    assert "It started on Monday." in thread
    response = cruz.post(
        f"/staff/messages/{conversation.thread_id}/", {"body": "Please send a photo."}
    )
    assert response.status_code == 302

    conversation.refresh_from_db()
    assert conversation.status == Status.WAITING
    reply = conversation.messages.get(side=Message.Side.CARE_TEAM)
    stored = repository.read(system(), "Communication", reply.communication_id).content or {}
    assert stored["partOf"] == [{"reference": f"Communication/{conversation.thread_id}"}]
    assert stored["inResponseTo"] == [{"reference": f"Communication/{conversation.thread_id}"}]
    assert stored["sender"]["reference"] == "Practitioner/pr-cruz"
    assert stored["recipient"] == [{"reference": "Patient/ana"}]

    listing = ana.get("/messages/").content.decode()
    assert 'data-testid="unread"' in listing
    page = ana.get(f"/messages/{conversation.thread_id}/").content.decode()
    assert "Please send a photo." in page
    assert "Ada Cruz" in page and "(clinician)" in page
    assert "Read by Ada Cruz (clinician) on" in page
    # Opened: no longer marked new.
    assert 'data-testid="unread"' not in ana.get("/messages/").content.decode()


def test_ana_replies_and_the_conversation_opens_again(cast: Cast, pools: dict[str, Pool]) -> None:
    ana, cruz = client_of(cast.ana), client_of(cast.cruz)
    write(ana)
    conversation = latest()
    cruz.post(f"/staff/messages/{conversation.thread_id}/", {"body": "Any fever?"})
    response = ana.post(f"/messages/{conversation.thread_id}/", {"body": "No fever."})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert conversation.messages.count() == 3
    last = conversation.messages.last()
    assert last is not None
    stored = repository.read(system(), "Communication", last.communication_id).content or {}
    assert stored["recipient"][0]["reference"] == "Practitioner/pr-cruz"


def test_a_caregiver_writes_on_behalf_of_elda_and_is_marked_as_such(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    gil = client_of(cast.gil)
    response = write(gil, recipient="pool:nurses", subject="Elda's cough")
    assert response.status_code == 302, response.content.decode()
    conversation = latest()
    assert conversation.patient_id == "elda"
    assert conversation.pool == pools["nurses"]
    stored = repository.read(system(), "Communication", conversation.thread_id).content or {}
    assert stored["subject"] == {"reference": "Patient/elda"}
    assert stored["sender"]["display"] == "Gil Gomez"
    assert stored["recipient"][0]["identifier"]["value"] == "nurses"
    page = gil.get(f"/messages/{conversation.thread_id}/").content.decode()
    assert "Gil Gomez, on behalf of Elda Gomez" in page
    staff_page = client_of(cast.cruz).get(f"/staff/messages/{conversation.thread_id}/")
    assert "Gil Gomez, on behalf of Elda Gomez" in staff_page.content.decode()


def test_a_parent_with_view_only_access_reads_but_cannot_send(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    ben = client_of(cast.ben)
    ben.post("/records/open/", {"patient": "carla"})
    page = ben.get("/messages/").content.decode()
    assert "Sending messages needs permission to act for this person." in page
    response = write(ben, recipient="pool:nurses")
    assert response.status_code == 403
    assert Conversation.objects.count() == 0
    assert search.search(system(), "Communication", [("_summary", "count")]).total == 0


def test_a_teen_marks_a_message_private_and_only_a_teen_may(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    teo = client_of(cast.teo)
    assert "Keep this conversation private" in teo.get("/messages/new/").content.decode()
    assert (
        "Keep this conversation private"
        not in client_of(cast.ana).get("/messages/new/").content.decode()
    )
    write(teo, private="on", subject="A private question")
    conversation = latest()
    assert conversation.confidential
    stored = repository.read(system(), "Communication", conversation.thread_id).content or {}
    assert stored["meta"]["security"] == [RESTRICTED]
    # An adult's "private" is ignored as a field she does not have.
    write(client_of(cast.ana), private="on")
    assert not latest().confidential


def test_the_pages_speak_spanish(cast: Cast, pools: dict[str, Pool]) -> None:
    cast.ana.language = "es"
    cast.ana.save(update_fields=["language"])
    ana = client_of(cast.ana)
    page = ana.get("/messages/new/").content.decode()
    assert "Los mensajes no son para emergencias." in page
    assert "Pregunta médica" in page and "Enviar mensaje" in page
    response = write(ana, body="")
    assert "Escriba un mensaje antes de enviarlo." in response.content.decode()
