"""Operational state of secure messaging (DESIGN.md decision 5).

The messages themselves are FHIR Communication resources in the record (decision 4): their
subject line, words and attachments live there, read and written only through the record
repository with the caller's AccessContext. These rows hold what is not a clinical fact:
which conversation a Communication belongs to, where it is routed (pool, clinician,
assignee), its status, who read what when, the pools and their office hours, clinicians'
quick replies, and internal notes the patient never sees.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    MEDICAL = "medical", _("Medical question")
    PRESCRIPTION = "prescription", _("Prescription question")
    APPOINTMENT = "appointment", _("Appointment")
    BILLING = "billing", _("Billing")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting for the patient")
    CLOSED = "closed", _("Closed")


class Pool(models.Model):
    """A shared queue of the care team ("Nurses", "Front desk"), with office hours in the
    clinic's time zone (settings.TIME_ZONE) and an automatic reply outside them."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=40, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="message_pools", blank=True
    )
    # Days the pool answers, Monday = 0, comma-separated: "0,1,2,3,4".
    office_days = models.CharField(max_length=20, default="0,1,2,3,4")
    opens_at = models.TimeField(default=time(8, 0))
    closes_at = models.TimeField(default=time(17, 0))
    # Sent outside office hours, after the standard words saying when the office opens.
    auto_reply = models.TextField(blank=True, max_length=1000)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def days(self) -> frozenset[int]:
        return frozenset(int(d) for d in self.office_days.split(",") if d.strip().isdigit())


class Conversation(models.Model):
    """A thread. `thread_id` is the id of its first Communication; the others point to it
    with partOf."""

    thread_id = models.CharField(max_length=64, unique=True)
    patient_id = models.CharField(max_length=64)
    topic = models.CharField(max_length=16, choices=Topic.choices)
    # Where it was sent: a pool, or the clinician (Practitioner id) the patient chose.
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, null=True, blank=True)
    practitioner_id = models.CharField(max_length=64, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    # A teen's conversation kept private from their parents: every Communication of it is
    # labelled restricted (v3-Confidentiality R) in the record.
    confidential = models.BooleanField(default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    # The last time the patient (or their proxy) wrote: the clinicians' "waiting since".
    patient_wrote_at = models.DateTimeField(default=timezone.now)
    # The last message of the care team (unread marks on the patient's side).
    care_team_wrote_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["patient_id", "-last_message_at"], name="conversation_patient"),
            models.Index(fields=["pool", "status"], name="conversation_pool"),
            models.Index(fields=["practitioner_id", "status"], name="conversation_clinician"),
            models.Index(fields=["assignee", "status"], name="conversation_assignee"),
        ]

    def __str__(self) -> str:
        return f"conversation {self.thread_id}"


class Message(models.Model):
    """One Communication of a conversation: who wrote it (an account, or Porch's automatic
    reply), and when the other side first read it (the read receipt)."""

    class Side(models.TextChoices):
        PATIENT = "patient", _("Patient")
        CARE_TEAM = "care_team", _("Care team")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    communication_id = models.CharField(max_length=64, unique=True)
    side = models.CharField(max_length=16, choices=Side.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The role the author wrote in (patient, proxy, clinician, front_desk, administrator);
    # "" for the automatic reply.
    author_role = models.CharField(max_length=16, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"message {self.communication_id}"

    @property
    def automatic(self) -> bool:
        return self.author_id is None and self.side == self.Side.CARE_TEAM


class ReadMark(models.Model):
    """When a person last opened a conversation (their unread marks)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "conversation"], name="read_mark_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.conversation_id}"


class Attachment(models.Model):
    """Where the file of a message attachment is kept. The record holds it as a
    DocumentReference (`document_id`) in the patient's compartment; the bytes are a file
    with a generated name in settings.MESSAGE_ATTACHMENT_DIR, outside the web root."""

    document_id = models.CharField(max_length=64, unique=True)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    stored_name = models.CharField(max_length=64, unique=True)
    # The checked name the person gave it, shown and offered as the download's name.
    filename = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"attachment {self.document_id}"


class QuickReply(models.Model):
    """A clinician's own saved words, inserted into a reply."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quick_replies"
    )
    title = models.CharField(max_length=80)
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class InternalNote(models.Model):
    """A note among the care team about a conversation. Never in the record, never on a
    patient's or proxy's page, never in the FHIR API."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="internal_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"note on {self.conversation_id}"
