"""Bad input and limits: empty and huge messages, markup and script made inert, control
characters, the per-account throttle, and no half-written message when the record
refuses a write."""

from __future__ import annotations

from pathlib import Path

import pytest

from porch.access.context import AccessContext
from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast, system
from porch.messaging import actions, attachments, queries
from porch.messaging.forms import MESSAGE_MAX, SUBJECT_MAX
from porch.messaging.models import Attachment, Conversation, Message, Pool
from porch.messaging.tests.records import latest, pdf, write
from porch.record import search
from porch.record.errors import Forbidden

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_an_empty_message_is_refused(cast: Cast, pools: dict[str, Pool]) -> None:
    response = write(client_of(cast.ana), body="   \n ")
    assert response.status_code == 400
    assert "Write a message before sending." in response.content.decode()
    response = write(client_of(cast.ana), subject="")
    assert "Give your message a subject." in response.content.decode()
    assert Conversation.objects.count() == 0


def test_a_huge_message_or_subject_is_refused_with_the_limit_named(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    response = write(client_of(cast.ana), body="x" * (MESSAGE_MAX + 1))
    assert response.status_code == 400
    assert (
        f"Ensure this value has at most {MESSAGE_MAX} characters (it has {MESSAGE_MAX + 1})."
        in response.content.decode()
    )
    response = write(client_of(cast.ana), subject="s" * (SUBJECT_MAX + 1))
    assert f"at most {SUBJECT_MAX} characters" in response.content.decode()
    assert Conversation.objects.count() == 0
    # A reply too.
    write(client_of(cast.ana))
    conversation = latest()
    response = client_of(cast.ana).post(
        f"/messages/{conversation.thread_id}/", {"body": "x" * (MESSAGE_MAX + 1)}
    )
    assert response.status_code == 400
    assert conversation.messages.count() == 1


def test_control_characters_are_refused(cast: Cast, pools: dict[str, Pool]) -> None:
    response = write(client_of(cast.ana), subject="Bell\x07")
    assert response.status_code == 400
    assert "control characters" in response.content.decode()
    assert Conversation.objects.count() == 0


def test_markup_and_script_in_subject_and_body_are_shown_as_text_everywhere(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    write(client_of(cast.ana), subject=SCRIPT, body=SCRIPT)
    conversation = latest()
    pages = [
        client_of(cast.ana).get("/messages/"),
        client_of(cast.ana).get(f"/messages/{conversation.thread_id}/"),
        client_of(cast.cruz).get("/staff/messages/"),
        client_of(cast.cruz).get(f"/staff/messages/{conversation.thread_id}/"),
    ]
    for response in pages:
        page = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_markup_in_an_internal_note_and_a_quick_reply_is_inert(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    write(client_of(cast.ana))
    conversation = latest()
    cruz = client_of(cast.cruz)
    cruz.post(f"/staff/messages/{conversation.thread_id}/notes/", {"body": SCRIPT})
    cruz.post("/staff/messages/quick-replies/", {"title": SCRIPT, "body": SCRIPT})
    for url in (f"/staff/messages/{conversation.thread_id}/", "/staff/messages/quick-replies/"):
        page = cruz.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page


def test_a_person_sending_too_many_messages_a_minute_is_throttled(
    cast: Cast, pools: dict[str, Pool], settings: object
) -> None:
    ana = client_of(cast.ana)
    for number in range(10):
        assert write(ana, subject=f"Question {number}").status_code == 302
    response = write(ana, subject="One too many")
    assert response.status_code == 429
    assert "You have sent too many messages in the last minute." in response.content.decode()
    assert Conversation.objects.count() == 10
    reply = ana.post(f"/messages/{latest().thread_id}/", {"body": "and another"})
    assert reply.status_code == 429
    # Another person is not held back by Ana's messages.
    assert write(client_of(cast.teo)).status_code == 302


def test_a_write_the_record_refuses_leaves_no_rows_no_resources_and_no_files(
    cast: Cast, pools: dict[str, Pool], attachment_dir: Path
) -> None:
    # A context that may write, but only Mallory's compartment: the record refuses.
    wrong = AccessContext.for_patients(
        "test", frozenset({"mallory"}), purpose="test", may_write=True
    )
    author = actions.Author(cast.ana, "patient", {"reference": "Patient/ana"})
    recipient = queries.Recipient("clinician:pr-cruz", "Dr. Cruz", practitioner_id="pr-cruz")
    files = [attachments.check_file(pdf())]
    with pytest.raises(Forbidden):
        actions.do_start_conversation(
            wrong, author, "ana", recipient, "medical", "S", "B", files, confidential=False
        )
    assert list(attachment_dir.iterdir()) == []
    assert (Conversation.objects.count(), Message.objects.count(), Attachment.objects.count()) == (
        0,
        0,
        0,
    )
    for resource_type in ("Communication", "DocumentReference"):
        assert search.search(system(), resource_type, [("_summary", "count")]).total == 0
