"""One delivery, start to end: claim it, send it, write down how it went.

Exactly once, as far as Porch can make it (docs/architecture/notifications.md):
- a delivery is claimed with `filter(status=queued).update(status=sending) == 1`, so of
  any number of workers running the same task, one sends;
- the claim enqueues, in the same transaction, a recovery task due when the lease ends:
  a worker killed mid-delivery leaves the delivery "sending", the recovery puts it back
  in the queue, and another worker sends it;
- the outcome is written only if the claim is still ours (same status and attempt);
- what remains: the provider accepted the message and the worker died before writing
  "sent". The next attempt sends it again, with the same email Message-ID.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from porch.accounts.models import PatientLink
from porch.i18n import language_of
from porch.notifications import mail, sms, tasks, wording
from porch.notifications.models import Channel, ContactSettings, Delivery, SmsOptOut
from porch.notifications.quiet import quiet_until

log = logging.getLogger(__name__)
Status = Delivery.Status


@dataclass(frozen=True)
class Outcome:
    status: str
    address: str = ""
    provider_id: str = ""
    error: str = ""
    # A temporary failure: try again after a back-off, while attempts remain.
    retry: bool = False


def deliver(delivery_id: int) -> None:
    now = timezone.now()
    delivery = claim(delivery_id, now)
    if delivery is None:
        return
    try:
        outcome = send(delivery)
    except Exception as exc:
        log.exception("notification delivery %s failed", delivery_id)
        outcome = Outcome(Status.FAILED, error=f"{type(exc).__name__}"[:300], retry=True)
    finish(delivery, outcome)


def claim(delivery_id: int, now: datetime) -> Delivery | None:
    """The delivery, now "sending" for this worker, or None when it is not ours to send
    (already sent or claimed, not due, or held by quiet hours set since it was queued)."""
    queued = Delivery.objects.filter(pk=delivery_id, status=Status.QUEUED)
    due = queued.filter(Q(not_before=None) | Q(not_before__lte=now))
    with transaction.atomic():
        current = due.select_related("notification__recipient").first()
        if current is None:
            return None
        contact = ContactSettings.objects.filter(user_id=current.notification.recipient_id).first()
        hold = quiet_until(contact, now)
        if hold is not None:
            # Quiet hours now: wait for their end (the portal already shows it).
            if queued.update(not_before=hold) == 1:
                tasks.enqueue_delivery(delivery_id, hold)
            return None
        claimed = due.update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
        if claimed != 1:
            return None
        delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
        lease = timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
        tasks.enqueue_recovery(delivery_id, delivery.attempts, now + lease)
    return delivery


def send(delivery: Delivery) -> Outcome:
    notification = delivery.notification
    user = notification.recipient
    for_proxy = bool(notification.patient_id) and not (
        PatientLink.objects.filter(user_id=user.pk, patient_id=notification.patient_id).exists()
    )
    if delivery.channel == Channel.EMAIL:
        return _send_email(delivery, for_proxy=for_proxy)
    return _send_sms(delivery, for_proxy=for_proxy)


def _send_email(delivery: Delivery, *, for_proxy: bool) -> Outcome:
    user = delivery.notification.recipient
    if not user.email or not user.is_active:
        return Outcome(Status.SKIPPED, error="The account has no email address.")
    message = mail.build(delivery.notification, for_proxy=for_proxy)
    try:
        mail.send(message)
    except mail.MailError as exc:
        if exc.permanent:
            return Outcome(Status.BOUNCED, address=user.email, error=str(exc))
        return Outcome(Status.FAILED, address=user.email, error=str(exc), retry=True)
    return Outcome(Status.SENT, address=user.email, provider_id=message.extra_headers["Message-ID"])


def _send_sms(delivery: Delivery, *, for_proxy: bool) -> Outcome:
    from django.utils import translation

    user = delivery.notification.recipient
    contact = ContactSettings.objects.filter(user_id=user.pk).first()
    phone = contact.phone if contact else ""
    if not phone:
        return Outcome(Status.SKIPPED, error="No phone number.")
    # An opted-out number is never texted.
    if SmsOptOut.objects.filter(phone=phone).exists():
        return Outcome(Status.SKIPPED, address=phone, error="The number replied STOP.")
    provider = sms.provider()
    if provider is None:
        return Outcome(Status.SKIPPED, address=phone, error="Text messages are not set up.")
    language = language_of(user)
    with translation.override(language):
        line = wording.line(delivery.notification.kind, for_proxy=for_proxy)
        body = f"Porch: {line} {settings.SITE_URL}/notifications/ {wording.SMS_STOP}"
    try:
        message_id = provider.send(phone, body)
    except sms.SmsError as exc:
        if exc.unsubscribed:
            SmsOptOut.objects.get_or_create(
                phone=phone, defaults={"source": SmsOptOut.Source.PROVIDER}
            )
        if exc.permanent:
            return Outcome(Status.FAILED, address=phone, error=str(exc))
        return Outcome(Status.FAILED, address=phone, error=str(exc), retry=True)
    return Outcome(Status.SENT, address=phone, provider_id=message_id)


def finish(delivery: Delivery, outcome: Outcome) -> None:
    """Write the outcome, if the claim is still ours; queue a retry with back-off while
    attempts remain."""
    now = timezone.now()
    ours = Delivery.objects.filter(
        pk=delivery.pk, status=Status.SENDING, attempts=delivery.attempts
    )
    fields = {"address": outcome.address, "last_error": outcome.error[:300]}
    if outcome.retry and delivery.attempts < settings.NOTIFY_MAX_ATTEMPTS:
        retry_at = now + backoff(delivery.attempts)
        with transaction.atomic():
            if ours.update(status=Status.QUEUED, not_before=retry_at, **fields) == 1:
                tasks.enqueue_delivery(delivery.pk, retry_at)
        return
    ours.update(status=outcome.status, provider_id=outcome.provider_id, finished_at=now, **fields)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: NOTIFY_RETRY_SECONDS, doubling, at most 6 hours."""
    seconds = settings.NOTIFY_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 6 * 3600))


def recover(delivery_id: int, attempt: int) -> None:
    """A delivery still "sending" after its lease: its worker died. Queue it again (or fail
    it when attempts are used up)."""
    now = timezone.now()
    lease = timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
    stale = Delivery.objects.filter(
        pk=delivery_id, status=Status.SENDING, attempts=attempt, claimed_at__lte=now - lease
    )
    error = "The worker stopped during delivery."
    with transaction.atomic():
        if attempt >= settings.NOTIFY_MAX_ATTEMPTS:
            stale.update(status=Status.FAILED, last_error=error, finished_at=now)
        elif stale.update(status=Status.QUEUED, not_before=None, last_error=error) == 1:
            tasks.enqueue_delivery(delivery_id)
