"""Writes of secure messaging: check_* validates and authorizes, do_* writes.

A message is one transaction: its Communication and the DocumentReference of each
attachment go into the record through the repository (with the writer's AccessContext,
so access rules and the audit log apply), its operational rows beside them, its
notifications are enqueued in the same transaction, and its files are removed again if
the transaction does not commit (attachments.StoredFiles). A refused message writes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from allauth.core import ratelimit
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from porch.access.context import AccessContext
from porch.access.models import ProxyGrant
from porch.accounts.models import PractitionerLink, Role, User
from porch.messaging import attachments, officehours, queries, resources
from porch.messaging.attachments import AttachmentRefused, CheckedFile, StoredFiles
from porch.messaging.models import (
    Attachment,
    Conversation,
    InternalNote,
    Message,
    QuickReply,
    ReadMark,
    Status,
    Topic,
)
from porch.notifications.actions import do_notify_record_audience, do_notify_users
from porch.notifications.kinds import Kind
from porch.record import repository
from porch.record.repository import new_id


class MessageRefused(Exception):
    """A message that may not be sent; `reasons` are for the person, each naming what."""

    def __init__(self, *reasons: str, status: int = 400) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = list(reasons)
        self.status = status


@dataclass(frozen=True)
class Author:
    """Who writes, and how the record names them (Communication.sender)."""

    user: User
    role: str
    sender: dict[str, Any]


def _name(user: User) -> str:
    return user.get_full_name() or user.email


def patient_author(ctx: AccessContext, user: User, patient_id: str) -> Author:
    """The patient, or a proxy writing on their behalf (their RelatedPerson, when known)."""
    if ctx.role == Role.PROXY.value:
        grant = (
            ProxyGrant.objects.filter(proxy=user, patient_id=patient_id, revoked_at=None)
            .exclude(related_person_id="")
            .first()
        )
        sender: dict[str, Any] = {"display": _name(user)}
        if grant is not None:
            sender["reference"] = f"RelatedPerson/{grant.related_person_id}"
        return Author(user, Role.PROXY.value, sender)
    return Author(
        user, Role.PATIENT.value, {"reference": f"Patient/{patient_id}", "display": _name(user)}
    )


def staff_author(member: queries.StaffMember) -> Author:
    sender: dict[str, Any] = {"display": _name(member.user)}
    if member.practitioner_id:
        sender["reference"] = f"Practitioner/{member.practitioner_id}"
    return Author(member.user, member.role.value, sender)


# --- checks -------------------------------------------------------------------------------


def check_throttle(request: HttpRequest) -> None:
    """At most settings.MESSAGES_PER_MINUTE messages a minute per account (allauth's rate
    limiter, in the cache). Raises MessageRefused with status 429."""
    if not ratelimit.consume(request, action="send_message", user=request.user):
        raise MessageRefused(
            _(
                "You have sent too many messages in the last minute. Wait a minute, then send again."
            ),
            status=429,
        )


def check_files(uploads: list[UploadedFile[Any]]) -> list[CheckedFile]:
    """Every upload checked; raises MessageRefused naming each refused file."""
    if len(uploads) > attachments.MAX_FILES:
        raise MessageRefused(
            _("You attached %(count)s files; a message may carry %(limit)s at most.")
            % {"count": len(uploads), "limit": attachments.MAX_FILES}
        )
    checked, refused = [], []
    for upload in uploads:
        try:
            checked.append(attachments.check_file(upload))
        except AttachmentRefused as error:
            refused.append(str(error))
    if refused:
        raise MessageRefused(*refused)
    return checked


def _check_may_write(ctx: AccessContext) -> None:
    # A proxy allowed only to view: reads messages, sends none.
    if not ctx.may_write:
        raise MessageRefused(
            _("You may read this record's messages but not send them."), status=403
        )


def check_start_conversation(
    ctx: AccessContext,
    author: Author,
    patient_id: str,
    recipient: queries.Recipient,
    topic: str,
    subject: str,
    body: str,
    uploads: list[UploadedFile[Any]],
    *,
    private: bool,
    may_mark_private: bool,
) -> Conversation:
    _check_may_write(ctx)
    # Only a teen writing for themself may keep a conversation from their parents.
    if private and not may_mark_private:
        raise MessageRefused(_("Only a teen writing for themself can keep a message private."))
    files = check_files(uploads)
    return do_start_conversation(
        ctx, author, patient_id, recipient, topic, subject, body, files, confidential=private
    )


def check_reply(
    ctx: AccessContext,
    author: Author,
    conversation: Conversation,
    body: str,
    uploads: list[UploadedFile[Any]],
) -> Message:
    _check_may_write(ctx)
    files = check_files(uploads)
    return do_reply(ctx, author, conversation, body, files)


# --- writes -------------------------------------------------------------------------------


def do_start_conversation(
    ctx: AccessContext,
    author: Author,
    patient_id: str,
    recipient: queries.Recipient,
    topic: str,
    subject: str,
    body: str,
    files: list[CheckedFile],
    *,
    confidential: bool,
    now: datetime | None = None,
) -> Conversation:
    """A new conversation and its first message; an automatic reply when the pool is
    closed; the staff it reaches notified. Raises FhirError (nothing written) when the
    record refuses a write."""
    now = now or timezone.now()
    thread_id = new_id()
    draft = resources.Draft(
        patient_id=patient_id,
        sender=author.sender,
        recipients=[_recipient_reference(recipient)],
        body=body,
        sent=now,
        confidential=confidential,
        topic_code=topic,
        topic_display=str(Topic(topic).label),
        subject=subject,
    )
    with StoredFiles() as stored, transaction.atomic():
        conversation = Conversation.objects.create(
            thread_id=thread_id,
            patient_id=patient_id,
            topic=topic,
            pool=recipient.pool,
            practitioner_id=recipient.practitioner_id,
            confidential=confidential,
            started_by=author.user,
            started_at=now,
            patient_wrote_at=now,
            last_message_at=now,
        )
        message = _write(ctx, conversation, draft, thread_id, author, files, stored)
        ReadMark.objects.create(user=author.user, conversation=conversation, read_at=now)
        _notify_staff(conversation, message)
        _auto_reply(conversation, message, now)
    return conversation


def do_reply(
    ctx: AccessContext,
    author: Author,
    conversation: Conversation,
    body: str,
    files: list[CheckedFile],
    *,
    now: datetime | None = None,
) -> Message:
    """A reply in the conversation. The patient's side reopens it; the care team's sets it
    waiting for the patient and marks the patient's messages read."""
    now = now or timezone.now()
    care_team = author.role not in (Role.PATIENT.value, Role.PROXY.value)
    last = conversation.messages.order_by("-sent_at", "-pk").first()
    draft = resources.Draft(
        patient_id=conversation.patient_id,
        sender=author.sender,
        recipients=(
            [{"reference": f"Patient/{conversation.patient_id}"}]
            if care_team
            else [_conversation_recipient(conversation)]
        ),
        body=body,
        sent=now,
        confidential=conversation.confidential,
        thread_id=conversation.thread_id,
        in_response_to=last.communication_id if last else conversation.thread_id,
    )
    with StoredFiles() as stored, transaction.atomic():
        message = _write(ctx, conversation, draft, new_id(), author, files, stored)
        rows = Conversation.objects.filter(pk=conversation.pk)
        if care_team:
            rows.update(care_team_wrote_at=now, last_message_at=now, status=Status.WAITING)
            _mark_read(conversation, author.user, Message.Side.PATIENT, now)
            do_notify_record_audience(
                conversation.patient_id,
                Kind.MESSAGE,
                confidential=conversation.confidential,
                link=reverse("messaging:thread", args=[conversation.thread_id]),
                key=f"message:{message.communication_id}",
            )
        else:
            rows.update(patient_wrote_at=now, last_message_at=now, status=Status.OPEN)
            _notify_staff(conversation, message)
            if last is None or not last.automatic:
                _auto_reply(conversation, message, now)
        ReadMark.objects.update_or_create(
            user=author.user, conversation=conversation, defaults={"read_at": now}
        )
    conversation.refresh_from_db()
    return message


def _recipient_reference(recipient: queries.Recipient) -> dict[str, Any]:
    if recipient.pool is not None:
        return {
            "identifier": {"system": resources.POOL_SYSTEM, "value": recipient.pool.slug},
            "display": recipient.pool.name,
        }
    return {"reference": f"Practitioner/{recipient.practitioner_id}", "display": recipient.label}


def _conversation_recipient(conversation: Conversation) -> dict[str, Any]:
    if conversation.pool is not None:
        return _recipient_reference(
            queries.Recipient("", conversation.pool.name, conversation.pool)
        )
    return {"reference": f"Practitioner/{conversation.practitioner_id}"}


def _write(
    ctx: AccessContext,
    conversation: Conversation,
    draft: resources.Draft,
    communication_id: str,
    author: Author,
    files: list[CheckedFile],
    stored: StoredFiles,
) -> Message:
    """The message's rows, files, DocumentReferences and Communication (in the caller's
    transaction)."""
    care_team = author.role not in (Role.PATIENT.value, Role.PROXY.value)
    message = Message.objects.create(
        conversation=conversation,
        communication_id=communication_id,
        side=Message.Side.CARE_TEAM if care_team else Message.Side.PATIENT,
        author=author.user,
        author_role=author.role,
        sent_at=draft.sent,
    )
    documents = []
    for checked in files:
        document_id = new_id()
        stored_name = stored.write(checked.data)
        document = resources.document_reference(
            document_id,
            draft,
            communication_id,
            checked.filename,
            checked.content_type,
            checked.data,
        )
        repository.create(ctx, document, fhir_id=document_id)
        Attachment.objects.create(
            document_id=document_id,
            message=message,
            stored_name=stored_name,
            filename=checked.filename,
            content_type=checked.content_type,
            size=len(checked.data),
        )
        documents.append((document_id, checked.filename))
    repository.create(ctx, resources.communication(draft, documents), fhir_id=communication_id)
    return message


def _notify_staff(conversation: Conversation, message: Message) -> None:
    """The assignee, else the clinician it was sent to, else the pool's members."""
    if conversation.assignee_id is not None:
        user_ids = [conversation.assignee_id]
    elif conversation.practitioner_id:
        user_ids = list(
            PractitionerLink.objects.filter(
                practitioner_id=conversation.practitioner_id
            ).values_list("user_id", flat=True)
        )
    elif conversation.pool is not None:
        user_ids = list(conversation.pool.members.values_list("pk", flat=True))
    else:
        user_ids = []
    if user_ids:
        do_notify_users(
            user_ids,
            Kind.PATIENT_MESSAGE,
            link=reverse("messaging:staff_thread", args=[conversation.thread_id]),
            key=f"patient-message:{message.communication_id}",
        )


def auto_reply_text(conversation: Conversation, now: datetime) -> str:
    pool = conversation.pool
    assert pool is not None
    opening = officehours.next_opening(pool, now)
    if opening is None:
        words = _("Thank you for your message. %(pool)s is not answering messages now.") % {
            "pool": pool.name
        }
    else:
        when = formats.date_format(timezone.localtime(opening), "DATETIME_FORMAT")
        words = _(
            "Thank you for your message. %(pool)s is closed now; expect an answer after "
            "the office opens on %(when)s."
        ) % {"pool": pool.name, "when": when}
    words += " " + _("If this is an emergency, call 911.")
    return f"{words}\n\n{pool.auto_reply}".strip() if pool.auto_reply else words


def _auto_reply(conversation: Conversation, message: Message, now: datetime) -> None:
    """Outside a pool's office hours, say when to expect an answer. The caller skips it
    when the patient's previous message already got one and nobody has answered since."""
    pool = conversation.pool
    if pool is None or officehours.is_open(pool, now):
        return
    ctx = AccessContext.for_patients(
        "Porch (automatic reply)",
        frozenset({conversation.patient_id}),
        purpose="auto-reply",
        may_write=True,
    )
    communication_id = new_id()
    draft = resources.Draft(
        patient_id=conversation.patient_id,
        sender={"display": "Porch"},
        recipients=[{"reference": f"Patient/{conversation.patient_id}"}],
        body=auto_reply_text(conversation, now),
        sent=now,
        confidential=conversation.confidential,
        thread_id=conversation.thread_id,
        in_response_to=message.communication_id,
    )
    Message.objects.create(
        conversation=conversation,
        communication_id=communication_id,
        side=Message.Side.CARE_TEAM,
        author=None,
        sent_at=now,
    )
    repository.create(ctx, resources.communication(draft, []), fhir_id=communication_id)


def _mark_read(conversation: Conversation, user: Any, side: str, now: datetime) -> None:
    conversation.messages.filter(side=side, read_at=None).exclude(author=None).update(
        read_at=now, read_by=user
    )


def do_mark_read(conversation: Conversation, user: Any, *, care_team: bool) -> None:
    """The person opened the conversation: their unread mark goes, and the other side's
    messages get their read receipt (the first reader's name and time)."""
    now = timezone.now()
    with transaction.atomic():
        side = Message.Side.PATIENT if care_team else Message.Side.CARE_TEAM
        _mark_read(conversation, user, side, now)
        ReadMark.objects.update_or_create(
            user=user, conversation=conversation, defaults={"read_at": now}
        )


# --- the care team's tools ------------------------------------------------------------------


def check_assign(
    member: queries.StaffMember, conversation: Conversation, assignee_id: int | None
) -> None:
    """Assign to a colleague (clinician or front desk), or to nobody. Raises
    MessageRefused for anyone else."""
    if assignee_id is not None and assignee_id not in {u.pk for u in queries.colleagues(member)}:
        raise MessageRefused(_("Choose a colleague from the list."))
    do_assign(conversation, assignee_id)


def do_assign(conversation: Conversation, assignee_id: int | None) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(assignee_id=assignee_id)


def check_set_status(conversation: Conversation, status: str) -> None:
    if status not in Status.values:
        raise MessageRefused(_("Choose a status from the list."))
    do_set_status(conversation, status)


def do_set_status(conversation: Conversation, status: str) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(status=status)


def check_add_note(member: queries.StaffMember, conversation: Conversation, body: str) -> None:
    if not body.strip():
        raise MessageRefused(_("Write the note before saving it."))
    do_add_note(member, conversation, body.strip())


def do_add_note(member: queries.StaffMember, conversation: Conversation, body: str) -> None:
    InternalNote.objects.create(conversation=conversation, author=member.user, body=body)


def check_save_quick_reply(member: queries.StaffMember, title: str, body: str) -> QuickReply:
    if not title.strip() or not body.strip():
        raise MessageRefused(_("Give the quick reply a title and words."))
    return QuickReply.objects.create(owner=member.user, title=title.strip(), body=body.strip())


def check_delete_quick_reply(member: queries.StaffMember, quick_reply_id: int) -> None:
    """Raises Http404 for a quick reply that is missing or someone else's."""
    deleted, _rows = QuickReply.objects.filter(pk=quick_reply_id, owner=member.user).delete()
    # Missing or another person's: not found.
    if not deleted:
        raise Http404("No such quick reply")
