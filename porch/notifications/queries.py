"""Reads of notifications. A person reads only their own notifications; staff read the
delivery log, which names addresses and outcomes, never content."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from porch.accounts.models import Role
from porch.accounts.roles import is_staff_member, roles_of
from porch.notifications.kinds import Kind
from porch.notifications.models import (
    ContactSettings,
    Delivery,
    KindPreference,
    Notification,
    SmsOptOut,
)

PAGE_SIZE = 50
LOG_PAGE_SIZE = 100


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at=None).count()


def list_notifications(user_id: int, *, limit: int = PAGE_SIZE) -> list[Notification]:
    """The person's newest notifications."""
    rows = Notification.objects.filter(recipient_id=user_id).order_by("-created_at", "-pk")
    return list(rows[:limit])


def access_notification(user_id: int, notification_id: int) -> Notification:
    """The person's own notification; Http404 for one that is missing or someone else's."""
    found = Notification.objects.filter(pk=notification_id, recipient_id=user_id).first()
    # Missing, or another person's: the same answer.
    if found is None:
        raise Http404("No such notification")
    return found


def delivery_log(status: str = "", *, limit: int = LOG_PAGE_SIZE) -> QuerySet[Delivery]:
    """Deliveries that ended or are under way, newest first, optionally of one status."""
    rows = Delivery.objects.order_by("-created_at", "-pk")
    if status:
        rows = rows.filter(status=status)
    return rows[:limit]


def kinds_for(user: Any) -> list[Kind]:
    """The kinds a person can receive: staff also hear of patients' messages and requests."""
    kinds = [
        Kind.MESSAGE,
        Kind.RESULT,
        Kind.REFILL_UPDATE,
        Kind.APPOINTMENT,
        Kind.APPOINTMENT_REMINDER,
        Kind.CHECKIN_OPEN,
        Kind.WAITLIST_OFFER,
        Kind.ACCOUNT,
    ]
    if is_staff_member(user):
        kinds += [Kind.PATIENT_MESSAGE, Kind.REFILL_REQUEST, Kind.APPOINTMENT_REQUEST]
    return kinds


def settings_initial(user_id: int, kinds: list[Kind]) -> dict[str, Any]:
    """The settings form's values: saved choices, else email on and texts off."""
    contact = ContactSettings.objects.filter(user_id=user_id).first()
    prefs = {p.kind: p for p in KindPreference.objects.filter(user_id=user_id)}
    initial: dict[str, Any] = {
        "phone": contact.phone if contact else "",
        "quiet_start": contact.quiet_start if contact else None,
        "quiet_end": contact.quiet_end if contact else None,
    }
    for kind in kinds:
        pref = prefs.get(kind.value)
        initial[f"{kind.value}_email"] = pref.email if pref else True
        initial[f"{kind.value}_sms"] = pref.sms if pref else False
    return initial


def may_see_delivery_log(user: Any) -> bool:
    """Administrators and the front desk see the delivery log; a missing role denies."""
    return bool(roles_of(user) & {Role.ADMINISTRATOR, Role.FRONT_DESK})


def phone_opted_out(phone: str) -> bool:
    return bool(phone) and SmsOptOut.objects.filter(phone=phone).exists()
