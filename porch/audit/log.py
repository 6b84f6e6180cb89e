"""Writing and verifying the audit log. Called by the access layer and the record store,
never by views.

Each event's hash is sha256 over the previous event's hash and the event's own fields,
so changing, removing or reordering any event breaks every hash after it; `porch audit
verify` walks the chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from porch.access.context import AccessContext
from porch.audit.models import Action, AuditEvent, ChainHead, Outcome

GENESIS = "0" * 64
# An event's own fields, in the order they are hashed (and exported).
EVENT_FIELDS = (
    "at",
    "user_id",
    "actor",
    "role",
    "acting_for",
    "patient_id",
    "action",
    "resource_type",
    "resource_id",
    "page",
    "outcome",
    "break_glass",
    "ip",
    "user_agent",
)


@dataclass(frozen=True)
class Access:
    """One thing looked at or changed: whose record, and which resource."""

    patient_id: str = ""
    resource_type: str = ""
    resource_id: str = ""


# Reads and searches of one request, appended to the chain together when it ends
# (porch.access.middleware). Each append locks the chain head; a summary page that runs
# ten searches took six queries per search to log them one by one.
_request_reads: ContextVar[list[AuditEvent] | None] = ContextVar("audit_reads", default=None)
_BATCHED = frozenset({Action.READ, Action.SEARCH})


@contextmanager
def batched_reads() -> Iterator[None]:
    """Collect the read and search events recorded inside, and append them once at the end,
    even when the block raises (what was read was read). Writes are never held back:
    they are logged in the transaction that makes them."""
    token = _request_reads.set([])
    try:
        yield
    finally:
        events = _request_reads.get() or []
        _request_reads.reset(token)
        if events:
            _append(events)


def record(
    ctx: AccessContext,
    action: Action,
    accesses: Iterable[Access] = (Access(),),
    *,
    outcome: Outcome = Outcome.SUCCESS,
    page: str = "",
) -> None:
    """Append one event per access, in the caller's transaction (or its own)."""
    if not ctx.audited:
        return
    now = timezone.now()
    events = [_event(ctx, action, access, outcome, page, now) for access in accesses]
    pending = _request_reads.get()
    if pending is not None and action in _BATCHED:
        pending.extend(events)
    elif events:
        _append(events)


def _event(
    ctx: AccessContext, action: Action, access: Access, outcome: Outcome, page: str, now: datetime
) -> AuditEvent:
    return AuditEvent(
        at=now,
        user_id=ctx.user_id,
        actor=ctx.actor[:200],
        role=ctx.role,
        acting_for=ctx.acting_for or "",
        patient_id=access.patient_id,
        action=action,
        resource_type=access.resource_type,
        resource_id=access.resource_id,
        page=page[:200],
        outcome=outcome,
        break_glass=access.patient_id in ctx.break_glass,
        ip=ctx.client_ip or None,
        user_agent=ctx.user_agent[:300],
    )


def _append(events: list[AuditEvent]) -> None:
    with transaction.atomic():
        # The head row comes with the migrations (audit 0002); locking it orders writers.
        head = ChainHead.objects.select_for_update().get(pk=1)
        previous = head.last_hash
        for event in events:
            event.prev_hash = previous
            event.hash = event_hash(event, previous)
            previous = event.hash
        created = AuditEvent.objects.bulk_create(events)
        head.last_hash = previous
        head.last_event_id = created[-1].pk or 0
        head.save(update_fields=["last_hash", "last_event_id"])


def event_hash(event: AuditEvent, previous: str) -> str:
    digest = hashlib.sha256(previous.encode())
    for name in EVENT_FIELDS:
        value = getattr(event, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        digest.update(b"\x1f" + str("" if value is None else value).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Break:
    event_id: int
    problem: str


def verify() -> Iterator[Break]:
    """Every place the chain is broken, oldest first; nothing for an intact log."""
    previous = GENESIS
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=2000):
        if event.prev_hash != previous:
            yield Break(event.pk, "does not follow the event before it (removed or reordered)")
        elif event_hash(event, previous) != event.hash:
            yield Break(event.pk, "was changed after it was written")
        previous = event.hash
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != previous:
        yield Break(head.last_event_id, "the newest events were removed")
