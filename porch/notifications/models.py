"""Operational data about notifications: what each person was told, how each message went
out, how each person wants to hear, and which phone numbers said STOP.

None of these rows holds health information: a notification names a kind ("new message
from your care team") and a link into Porch, never what the message or result says.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from porch.notifications.kinds import Kind


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class Notification(models.Model):
    """One thing one person is told about; shown in the portal, and the parent of the
    email and text deliveries. (recipient, key) is unique: the same event notifies once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # A path in Porch ("/messages/12"); where "Open" takes the person.
    link = models.CharField(max_length=500)
    # Whose record it is about, for a proxy ("" for staff work such as a pool's message).
    patient_id = models.CharField(max_length=64, blank=True)
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once")
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_list"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class Delivery(models.Model):
    """A notification going out on one channel. Claimed by a worker with a conditional
    update (queued -> sending), so any number of workers may run (porch.notifications.tasks)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")
        SKIPPED = "skipped", _("Skipped")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Where it went (email address or phone number), written when it is sent.
    address = models.CharField(max_length=254, blank=True)
    # The server's or provider's words, trimmed; never the content of the notification.
    last_error = models.CharField(max_length=300, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Held until then (quiet hours, back-off).
    not_before = models.DateTimeField(null=True, blank=True)
    # When the current attempt was claimed: a "sending" older than the lease is recovered.
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once")
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="delivery_log")]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.channel} {self.status} for notification {self.notification_id}"


class ContactSettings(models.Model):
    """How to reach a person besides the portal: a phone for texts and quiet hours
    (email and texts wait until they end; the portal shows things at once). Absent: no
    phone, no quiet hours. The language is the account's own (User.language)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_settings"
    )
    # E.164, e.g. +15555550123.
    phone = models.CharField(max_length=16, blank=True)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"contact settings of {self.user_id}"


class KindPreference(models.Model):
    """A person's channels for one kind. Absent: email on, texts off (the portal is
    always on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_kinds"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    email = models.BooleanField(default=True)
    sms = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="kind_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"


class SmsOptOut(models.Model):
    """A phone number that said STOP (or that the provider reports as unsubscribed).
    Nothing is texted to it until it says START."""

    class Source(models.TextChoices):
        KEYWORD = "keyword", "Replied STOP"
        PROVIDER = "provider", "Provider reported unsubscribed"

    phone = models.CharField(max_length=16, unique=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    opted_out_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.phone} opted out"
