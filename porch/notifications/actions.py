"""Notifying people: the one way the rest of Porch tells someone something is new.

Call these inside the transaction that makes the change, so the notification and its
deliveries are committed (or rolled back) with it. `key` makes a call idempotent: the
same key twice notifies once.

Each call writes one Notification per recipient (the portal channel, shown at once) and
one Delivery per other channel the person chose, and enqueues a task per delivery in the
same transaction (django-tasks-db writes the task row through the same connection). A
crash before the commit loses all of it together; after the commit a worker sends it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from porch.accounts.models import User
from porch.notifications import tasks
from porch.notifications.audience import record_audience
from porch.notifications.kinds import Kind
from porch.notifications.models import (
    Channel,
    ContactSettings,
    Delivery,
    KindPreference,
    Notification,
    SmsOptOut,
)
from porch.notifications.quiet import quiet_until


def do_notify_users(user_ids: Iterable[int], kind: Kind, *, link: str, key: str) -> None:
    """Notify these accounts (e.g. staff in a pool) of `kind`; `link` is a path in Porch."""
    _notify(list(dict.fromkeys(user_ids)), kind, link=link, key=key, patient_id="")


def do_notify_record_audience(
    patient_id: str, kind: Kind, *, confidential: bool, link: str, key: str
) -> None:
    """Notify everyone who may read this patient's record about a new item of `kind`:
    the patient's own accounts and their proxies, except proxies who may not see
    confidential items when `confidential` is true (a teen's private message)."""
    audience = record_audience(patient_id, confidential=confidential, now=timezone.now())
    _notify(audience, kind, link=link, key=key, patient_id=patient_id)


def _notify(user_ids: list[int], kind: Kind, *, link: str, key: str, patient_id: str) -> None:
    if not user_ids:
        return
    now = timezone.now()
    with transaction.atomic():
        already = set(
            Notification.objects.filter(key=key, recipient_id__in=user_ids).values_list(
                "recipient_id", flat=True
            )
        )
        users = list(
            User.objects.filter(pk__in=[u for u in user_ids if u not in already], is_active=True)
        )
        if not users:
            return
        rows = [
            Notification(
                recipient=u, kind=kind, link=link, key=key, patient_id=patient_id, created_at=now
            )
            for u in users
        ]
        try:
            # A savepoint: a concurrent call with the same key loses the race cleanly.
            with transaction.atomic():
                created = Notification.objects.bulk_create(rows)
        except IntegrityError:
            created = [n for n in (_create_one(row) for row in rows) if n is not None]
        _plan_deliveries(created, kind, now)


def _create_one(row: Notification) -> Notification | None:
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return None
    return row


def _plan_deliveries(created: list[Notification], kind: Kind, now: datetime) -> None:
    """A Delivery per chosen channel, held through quiet hours, with its task enqueued."""
    user_ids = [n.recipient_id for n in created]
    prefs = {p.user_id: p for p in KindPreference.objects.filter(user_id__in=user_ids, kind=kind)}
    contacts = {c.user_id: c for c in ContactSettings.objects.filter(user_id__in=user_ids)}
    phones = [c.phone for c in contacts.values() if c.phone]
    opted_out = set(SmsOptOut.objects.filter(phone__in=phones).values_list("phone", flat=True))
    deliveries: list[Delivery] = []
    for notification in created:
        pref = prefs.get(notification.recipient_id)
        contact = contacts.get(notification.recipient_id)
        hold = quiet_until(contact, now)
        if (pref is None or pref.email) and notification.recipient.email:
            deliveries.append(_delivery(notification, Channel.EMAIL, hold, now))
        if pref is not None and pref.sms and contact is not None and contact.phone:
            delivery = _delivery(notification, Channel.SMS, hold, now)
            # An opted-out number is never texted; the log shows why nothing went.
            if contact.phone in opted_out:
                delivery.status = Delivery.Status.SKIPPED
                delivery.last_error = "The number replied STOP."
                delivery.finished_at = now
            deliveries.append(delivery)
    for delivery in Delivery.objects.bulk_create(deliveries):
        if delivery.status == Delivery.Status.QUEUED:
            tasks.enqueue_delivery(delivery.pk, delivery.not_before)


def _delivery(
    notification: Notification, channel: Channel, hold: datetime | None, now: datetime
) -> Delivery:
    return Delivery(notification=notification, channel=channel, not_before=hold, created_at=now)


def do_mark_read(notification: Notification) -> None:
    """The person opened it: no longer unread. Idempotent."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at=None).update(
            read_at=notification.read_at
        )


def do_mark_all_read(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at=None).update(
        read_at=timezone.now()
    )


def do_save_settings(user_id: int, kinds: list[Kind], data: dict[str, Any]) -> None:
    """Save a person's channels per kind, phone number and quiet hours (cleaned form data)."""
    with transaction.atomic():
        ContactSettings.objects.update_or_create(
            user_id=user_id,
            defaults={
                "phone": data.get("phone") or "",
                "quiet_start": data.get("quiet_start"),
                "quiet_end": data.get("quiet_end"),
            },
        )
        for kind in kinds:
            KindPreference.objects.update_or_create(
                user_id=user_id,
                kind=kind,
                defaults={
                    "email": bool(data.get(f"{kind.value}_email")),
                    "sms": bool(data.get(f"{kind.value}_sms")),
                },
            )


def do_record_sms_keyword(phone: str, word: str) -> None:
    """An inbound text said STOP (opt out) or START (opt back in)."""
    if word == "stop":
        SmsOptOut.objects.get_or_create(phone=phone, defaults={"source": SmsOptOut.Source.KEYWORD})
    elif word == "start":
        SmsOptOut.objects.filter(phone=phone).delete()
