"""Reads for the messaging pages. Each takes an AccessContext first; the messages
themselves are read only through the record store (porch.record.search / repository),
which applies the context in SQL (a parent never gets a teen's private message, even by
its id) and writes the audit log.

Patients and proxies see the conversations of the open record. Staff see a conversation
when one rule of `may_handle` lets them; they then read it with a context for that one
patient (`staff_context`), built from porch.access.rules.context_for_change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from porch.access.context import AccessContext
from porch.access.rules import access_state, age_on, context_for_change, facts_of
from porch.accounts.models import PractitionerLink, Role, User
from porch.messaging import resources
from porch.messaging.models import (
    Attachment,
    Conversation,
    InternalNote,
    Pool,
    ReadMark,
    Status,
    Topic,
)
from porch.record import repository
from porch.record.errors import FhirError
from porch.record.search import search
from porch.record.stored import StoredResource
from porch.results.queries import open_record, patient_facing

INBOX_LIMIT = 100
# Staff search looks through this many of the newest conversations of the chosen queue.
SEARCH_WINDOW = 500
THREAD_LIMIT = 500


def by_ids(ctx: AccessContext, resource_type: str, ids: Iterable[str]) -> dict[str, StoredResource]:
    """The resources of these ids that ctx may read, in one search (missing, hidden and
    not-readable ones are simply absent)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    found = search(
        ctx,
        resource_type,
        [("_id", ",".join(wanted)), ("_total", "none")],
        default_count=len(wanted),
        max_count=len(wanted),
    ).matches
    return {s.id: s for s in found}


def role_label(role: str) -> str:
    labels = {
        Role.PATIENT.value: _("patient"),
        Role.PROXY.value: _("proxy"),
        Role.CLINICIAN.value: _("clinician"),
        Role.FRONT_DESK.value: _("front desk"),
        Role.ADMINISTRATOR.value: _("administrator"),
    }
    return labels.get(role, "")


# --- patients and proxies ---------------------------------------------------------------


def patient_record(ctx: AccessContext) -> tuple[AccessContext, str]:
    """The open record of a patient or proxy, and the context narrowed to it.

    Raises Http404 when no record is open or the person is not patient-facing (a
    clinician with a chart open uses the staff pages)."""
    narrowed, patient_id = open_record(ctx)
    # Staff have their own inbox: the patient pages are not theirs.
    if not patient_facing(narrowed):
        raise Http404("No such page")
    return narrowed, patient_id


@dataclass(frozen=True)
class Recipient:
    key: str  # "clinician:<Practitioner id>" or "pool:<slug>"
    label: str
    pool: Pool | None = None
    practitioner_id: str = ""


def _references(content: dict[str, Any], *paths: str) -> list[str]:
    found = []
    for path in paths:
        items: Any = content
        for step in path.split("."):
            if isinstance(items, list):
                items = [i.get(step) for i in items if isinstance(i, dict)]
                items = [x for i in items for x in (i if isinstance(i, list) else [i])]
            elif isinstance(items, dict):
                items = items.get(step)
        for item in items if isinstance(items, list) else [items]:
            if isinstance(item, dict) and str(item.get("reference", "")).startswith(
                "Practitioner/"
            ):
                found.append(str(item["reference"]).removeprefix("Practitioner/"))
    return found


def recipients(ctx: AccessContext, patient_id: str) -> list[Recipient]:
    """Whom the patient may write to: their own clinicians (general practitioner, active
    care teams) who have a Porch account, then the active pools."""
    patient = repository.read(ctx, "Patient", patient_id).content or {}
    ids = _references(patient, "generalPractitioner")
    teams = search(
        ctx, "CareTeam", [("patient", patient_id), ("status", "active"), ("_total", "none")]
    ).matches
    for team in teams:
        ids += _references(team.content or {}, "participant.member")
    linked = set(
        PractitionerLink.objects.filter(practitioner_id__in=ids).values_list(
            "practitioner_id", flat=True
        )
    )
    wanted = list(dict.fromkeys(i for i in ids if i in linked))
    found = by_ids(ctx, "Practitioner", wanted)
    names = {i: practitioner_name(p.content or {}) for i, p in found.items()}
    people = [
        Recipient(f"clinician:{i}", names.get(i) or _("Your clinician"), practitioner_id=i)
        for i in wanted
    ]
    pools = [Recipient(f"pool:{p.slug}", p.name, pool=p) for p in Pool.objects.filter(active=True)]
    return people + pools


def practitioner_name(content: dict[str, Any]) -> str:
    names = content.get("name") or [{}]
    name = names[0] if isinstance(names[0], dict) else {}
    prefix = " ".join(name.get("prefix") or []) or "Dr."
    given = " ".join(name.get("given") or [])
    return " ".join(p for p in (prefix, given, str(name.get("family") or "")) if p)


def may_mark_private(request: HttpRequest, ctx: AccessContext) -> bool:
    """A teen writing for themself (12 to ADULT_AGE) may keep a conversation from their
    parents. Adults choose their proxies themselves; proxies may not hide from the patient."""
    from django.conf import settings

    state = access_state(request)
    # Only the patient themself, in their own record.
    if state is None or ctx.acting_for is None or ctx.acting_for != state.own:
        return False
    facts = state.directory.get(ctx.acting_for)
    # An unknown birth date: treated as a teen, as the access rules do.
    if facts is None or facts.birth_date is None:
        return True
    age = age_on(facts.birth_date, timezone.localdate())
    return settings.PROXY_FULL_ACCESS_MAX_AGE < age < settings.ADULT_AGE


def visible_conversations(ctx: AccessContext, patient_id: str) -> QuerySet[Conversation]:
    """The open record's conversations this context may know of."""
    rows = Conversation.objects.filter(patient_id=patient_id)
    # A parent of a teen: the teen's private conversations do not exist for them.
    if patient_id in ctx.confidential_hidden:
        rows = rows.filter(confidential=False)
    return rows


def access_conversation(ctx: AccessContext, thread_id: str) -> Conversation:
    """The open record's conversation `thread_id`. Raises Http404 for missing and not-yours."""
    conversation = (
        visible_conversations(ctx, ctx.acting_for or "")
        .filter(thread_id=thread_id)
        .select_related("pool")
        .first()
    )
    # Missing, another patient's, or a teen's private one for a parent: not found.
    if conversation is None:
        raise Http404("No such conversation")
    return conversation


def record_to_open(request: HttpRequest, thread_id: str) -> str | None:
    """The record to open for a link to a conversation of another of the person's own
    records (a parent's notice about their other child): its patient id, when the person
    could read it there; None otherwise."""
    state = access_state(request)
    conversation = Conversation.objects.filter(thread_id=thread_id).first()
    if state is None or conversation is None:
        return None
    record = state.personal.get(conversation.patient_id)
    # Not one of their own records.
    if record is None:
        return None
    # A teen's private conversation, for a parent: as if it did not exist.
    if conversation.confidential and record.limited:
        return None
    return conversation.patient_id


@dataclass(frozen=True)
class InboxLine:
    thread_id: str
    subject: str
    topic: str
    recipient: str
    status: str
    status_label: str
    last_message_at: datetime
    patient_wrote_at: datetime
    unread: bool
    confidential: bool
    patient_name: str = ""
    assignee: str = ""


def _line(
    row: Conversation,
    subject: str,
    recipient: str,
    unread: bool,
    *,
    patient_name: str = "",
    assignee: str = "",
) -> InboxLine:
    return InboxLine(
        thread_id=row.thread_id,
        subject=subject,
        topic=str(Topic(row.topic).label),
        recipient=recipient,
        status=row.status,
        status_label=str(Status(row.status).label),
        last_message_at=row.last_message_at,
        patient_wrote_at=row.patient_wrote_at,
        unread=unread,
        confidential=row.confidential,
        patient_name=patient_name,
        assignee=assignee,
    )


def _first_messages(
    ctx: AccessContext, conversations: Iterable[Conversation]
) -> dict[str, StoredResource]:
    """The first Communication of each conversation that the record lets ctx read, in one
    search (a parent's search leaves out a teen's private ones, whatever the rows say)."""
    return by_ids(ctx, "Communication", (c.thread_id for c in conversations))


def recipient_label(conversation: Conversation, names: dict[str, str]) -> str:
    if conversation.pool is not None:
        return conversation.pool.name
    return names.get(conversation.practitioner_id, _("Your clinician"))


def _practitioner_names(ctx: AccessContext, conversations: list[Conversation]) -> dict[str, str]:
    ids = sorted({c.practitioner_id for c in conversations if c.practitioner_id})
    if not ids:
        return {}
    links = PractitionerLink.objects.filter(practitioner_id__in=ids).select_related("user")
    return {link.practitioner_id: link.user.get_full_name() or link.user.email for link in links}


def inbox(ctx: AccessContext, patient_id: str, user_id: int) -> list[InboxLine]:
    """The open record's conversations, newest first, unread ones marked. A fixed number
    of queries, whatever the number of conversations."""
    rows = list(
        visible_conversations(ctx, patient_id)
        .select_related("pool")
        .order_by("-last_message_at", "-pk")[:INBOX_LIMIT]
    )
    first = _first_messages(ctx, rows)
    read = dict(
        ReadMark.objects.filter(user_id=user_id, conversation__in=rows).values_list(
            "conversation_id", "read_at"
        )
    )
    names = _practitioner_names(ctx, rows)
    lines = []
    for row in rows:
        stored = first.get(row.thread_id)
        if stored is None:
            continue
        seen = read.get(row.pk)
        unread = row.care_team_wrote_at is not None and (
            seen is None or seen < row.care_team_wrote_at
        )
        subject = resources.subject_of(stored.content or {})
        lines.append(_line(row, subject, recipient_label(row, names), unread))
    return lines


def unread_count(ctx: AccessContext, patient_id: str, user_id: int) -> int:
    """Conversations of the open record with care-team words this person has not opened.

    Counted from the rows alone: a teen's private conversations are left out for a parent
    by visible_conversations, so they are never counted."""
    rows = visible_conversations(ctx, patient_id).exclude(care_team_wrote_at=None)
    opened = ReadMark.objects.filter(
        user_id=user_id, conversation=OuterRef("pk"), read_at__gte=OuterRef("care_team_wrote_at")
    )
    return rows.exclude(Exists(opened)).count()


# --- one conversation ---------------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentLine:
    document_id: str
    filename: str
    size: int
    content_type: str


@dataclass(frozen=True)
class ThreadMessage:
    id: str
    side: str
    author: str
    role: str
    on_behalf_of: str
    automatic: bool
    sent_at: datetime
    body: str
    attachments: list[AttachmentLine]
    read_at: datetime | None
    read_by: str
    read_by_role: str
    mine: bool


@dataclass
class Thread:
    conversation: Conversation
    subject: str
    topic: str
    recipient: str
    patient_name: str
    messages: list[ThreadMessage] = field(default_factory=list)
    notes: list[InternalNote] = field(default_factory=list)


def _person(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email


def thread(ctx: AccessContext, conversation: Conversation, user_id: int) -> Thread:
    """The conversation's messages the record lets ctx read, oldest first, with authors
    and read receipts. Raises Http404 when the record hides its first message."""
    rows = list(
        conversation.messages.select_related("author", "read_by").prefetch_related("attachments")[
            :THREAD_LIMIT
        ]
    )
    found = by_ids(ctx, "Communication", (m.communication_id for m in rows))
    first = found.get(conversation.thread_id)
    # The record does not let this context read it: not found, as for anything else.
    if first is None:
        raise Http404("No such conversation")
    patient = repository.read(ctx, "Patient", conversation.patient_id).content or {}
    patient_name = facts_of(conversation.patient_id, patient).name
    names = _practitioner_names(ctx, [conversation])
    messages = []
    for row in rows:
        stored = found.get(row.communication_id)
        if stored is None:
            continue
        messages.append(
            ThreadMessage(
                id=row.communication_id,
                side=row.side,
                author=_person(row.author) if row.author else _("Porch (automatic reply)"),
                role=role_label(row.author_role),
                on_behalf_of=patient_name if row.author_role == Role.PROXY.value else "",
                automatic=row.automatic,
                sent_at=row.sent_at,
                body=resources.body_of(stored.content or {}),
                attachments=[
                    AttachmentLine(a.document_id, a.filename, a.size, a.content_type)
                    for a in row.attachments.all()
                ],
                read_at=row.read_at,
                read_by=_person(row.read_by),
                read_by_role=role_label(_role_of(row.read_by)),
                mine=row.author_id == user_id,
            )
        )
    return Thread(
        conversation=conversation,
        subject=resources.subject_of(first.content or {}),
        topic=str(Topic(conversation.topic).label),
        recipient=recipient_label(conversation, names),
        patient_name=patient_name,
        messages=messages,
    )


def staff_thread(ctx: AccessContext, conversation: Conversation, user_id: int) -> Thread:
    """`thread`, with the care team's internal notes. The notes are read only once the
    record has let ctx read the conversation, a read it wrote to the audit log; they hold
    health information too. Raises Http404 as `thread` does."""
    detail = thread(ctx, conversation, user_id)
    detail.notes = list(conversation.internal_notes.select_related("author"))
    return detail


def _role_of(user: User | None) -> str:
    """The care-team role to show beside a reader's name."""
    if user is None:
        return ""
    from porch.accounts.roles import roles_of

    roles = roles_of(user)
    for role in (Role.CLINICIAN, Role.FRONT_DESK, Role.ADMINISTRATOR):
        if role in roles:
            return role.value
    return ""


# --- staff ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffMember:
    user: Any
    role: Role
    practitioner_id: str | None
    pool_ids: frozenset[int]
    cared_for: frozenset[str]


def staff_member(request: HttpRequest) -> StaffMember:
    """The signed-in clinician, front-desk or administrator. Raises Http404 for anyone else."""
    state = access_state(request)
    # Anonymous or inactive: not found.
    if state is None:
        raise Http404("No such page")
    role = next(
        (r for r in (Role.CLINICIAN, Role.FRONT_DESK, Role.ADMINISTRATOR) if r in state.roles),
        None,
    )
    # Not staff: not found.
    if role is None:
        raise Http404("No such page")
    pools = frozenset(state.user.message_pools.values_list("pk", flat=True))
    return StaffMember(state.user, role, state.practitioner_id, pools, state.cared_for)


def may_handle(member: StaffMember, conversation: Conversation) -> bool:
    """Whether a staff member may read and answer a conversation. A missing rule denies."""
    # A member of the pool it was sent to.
    if conversation.pool_id is not None and conversation.pool_id in member.pool_ids:
        return True
    # The clinician it was sent to.
    if member.practitioner_id and conversation.practitioner_id == member.practitioner_id:
        return True
    # The colleague it is assigned to.
    if conversation.assignee_id is not None and conversation.assignee_id == member.user.pk:
        return True
    # A clinician who cares for the patient (care team, general practitioner, appointment).
    return conversation.patient_id in member.cared_for


def staff_context(request: HttpRequest, member: StaffMember, patient_id: str) -> AccessContext:
    """The context a staff member reads and answers one patient's messages with, once
    may_handle said yes: that patient's compartment only, audited as "messaging"."""
    return context_for_change(request, patient_id, role=member.role, purpose="messaging")


def access_staff_conversation(
    request: HttpRequest, member: StaffMember, thread_id: str
) -> tuple[Conversation, AccessContext]:
    """The conversation and the context to read it with. Raises Http404 for missing and
    not-theirs alike."""
    conversation = (
        Conversation.objects.filter(thread_id=thread_id).select_related("pool", "assignee").first()
    )
    # Missing: not found.
    if conversation is None:
        raise Http404("No such conversation")
    # Not one they may handle: not found.
    if not may_handle(member, conversation):
        raise Http404("No such conversation")
    return conversation, staff_context(request, member, conversation.patient_id)


def access_attachment(ctx: AccessContext, document_id: str) -> Attachment:
    """The attachment whose DocumentReference ctx may read. Raises Http404 for missing and
    not-yours alike (the record store decides, so a parent never gets a teen's private
    file)."""
    try:
        repository.read(ctx, "DocumentReference", document_id)
    except FhirError as error:
        # Not in the record, or not readable by this context: not found.
        raise Http404("No such file") from error
    row = Attachment.objects.filter(document_id=document_id).first()
    # A DocumentReference that is not a message attachment: not found.
    if row is None:
        raise Http404("No such file")
    return row


def access_staff_attachment(
    request: HttpRequest, member: StaffMember, document_id: str
) -> Attachment:
    """The attachment of a conversation the staff member may handle, read with that one
    patient's context. Raises Http404 for missing and not-theirs alike."""
    row = (
        Attachment.objects.filter(document_id=document_id)
        .select_related("message__conversation")
        .first()
    )
    # Missing, or in a conversation they may not handle: not found.
    if row is None or not may_handle(member, row.message.conversation):
        raise Http404("No such file")
    patient_id = row.message.conversation.patient_id
    return access_attachment(staff_context(request, member, patient_id), document_id)


QUEUE_MINE = "mine"
QUEUE_ALL = "all"


def _queue_filter(member: StaffMember, queue: str) -> Q:
    mine = Q(assignee_id=member.user.pk)
    if member.practitioner_id:
        mine |= Q(practitioner_id=member.practitioner_id)
    pools = Q(pool_id__in=sorted(member.pool_ids))
    if queue == QUEUE_MINE:
        return mine
    if queue.startswith("pool-") and queue[5:].isdigit() and int(queue[5:]) in member.pool_ids:
        return Q(pool_id=int(queue[5:]))
    return mine | pools


def staff_inbox(
    request: HttpRequest, member: StaffMember, queue: str, status: str, query: str
) -> list[InboxLine]:
    """The queue's conversations, those waiting longest on top; `query` keeps those whose
    patient's name or subject contains it. A fixed number of queries."""
    rows_qs = Conversation.objects.filter(_queue_filter(member, queue)).select_related(
        "pool", "assignee"
    )
    if status in Status.values:
        rows_qs = rows_qs.filter(status=status)
    order = ("patient_wrote_at", "pk") if status == Status.OPEN else ("-last_message_at", "-pk")
    limit = SEARCH_WINDOW if query else INBOX_LIMIT
    rows = list(rows_qs.order_by(*order)[:limit])
    if not rows:
        return []
    patients = frozenset(r.patient_id for r in rows)
    # One context for the listed patients: each row passed may_handle through the queue.
    ctx = replace(
        staff_context(request, member, sorted(patients)[0]), patient_ids=patients, acting_for=None
    )
    first = _first_messages(ctx, rows)
    people = {
        i: facts_of(i, p.content or {}).name for i, p in by_ids(ctx, "Patient", patients).items()
    }
    read = dict(
        ReadMark.objects.filter(user_id=member.user.pk, conversation__in=rows).values_list(
            "conversation_id", "read_at"
        )
    )
    names = _practitioner_names(ctx, rows)
    folded = query.casefold().strip()
    lines = []
    for row in rows:
        stored = first.get(row.thread_id)
        if stored is None:
            continue
        subject = resources.subject_of(stored.content or {})
        patient_name = people.get(row.patient_id, "")
        if folded and folded not in subject.casefold() and folded not in patient_name.casefold():
            continue
        seen = read.get(row.pk)
        unread = seen is None or seen < row.patient_wrote_at
        lines.append(
            _line(
                row,
                subject,
                recipient_label(row, names),
                unread,
                patient_name=patient_name,
                assignee=_person(row.assignee),
            )
        )
    return lines[:INBOX_LIMIT]


def colleagues(member: StaffMember) -> list[User]:
    """Whom a conversation may be assigned to: clinicians and front-desk staff."""
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__role__in=[Role.CLINICIAN.value, Role.FRONT_DESK.value],
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
