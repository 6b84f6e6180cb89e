"""The append-only, hash-chained audit log of every access to health information.

Never any clinical content here: who, whose record, which resource (type and id), what
action, when, from where, and the outcome.
"""

from __future__ import annotations

from django.db import models


class Action(models.TextChoices):
    READ = "read"
    SEARCH = "search"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    DOWNLOAD = "download"
    PRINT = "print"
    IMPORT = "import"
    SIGN_IN = "sign-in"
    SIGN_IN_FAILED = "sign-in-failed"
    SIGN_OUT = "sign-out"
    MFA_CHANGE = "mfa-change"
    PROXY_GRANT = "proxy-grant"
    PROXY_REVOKE = "proxy-revoke"
    BREAK_GLASS = "break-glass"
    ENROL = "enrol"
    REFUSED = "refused"


class Outcome(models.TextChoices):
    SUCCESS = "success"
    REFUSED = "refused"
    FAILED = "failed"


class AuditEvent(models.Model):
    at = models.DateTimeField()
    # The user id is kept as a number, not a foreign key: the log outlives accounts.
    user_id = models.BigIntegerField(null=True, blank=True)
    actor = models.CharField(max_length=200)  # "Dr. Ada Cruz", "api-token:lab", "system:import"
    role = models.CharField(max_length=32, blank=True)
    acting_for = models.CharField(max_length=64, blank=True)  # patient id a proxy acts for
    patient_id = models.CharField(max_length=64, blank=True)  # whose record
    action = models.CharField(max_length=32, choices=Action.choices)
    resource_type = models.CharField(max_length=64, blank=True)
    resource_id = models.CharField(max_length=64, blank=True)
    page = models.CharField(max_length=200, blank=True)  # path, without query string
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    break_glass = models.BooleanField(default=False)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["patient_id", "at"], name="audit_patient_at"),
            models.Index(fields=["user_id", "at"], name="audit_user_at"),
            models.Index(fields=["at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.resource_type}/{self.resource_id}"


class ChainHead(models.Model):
    """One row: the hash of the newest event. Locking it orders writers of the chain."""

    last_hash = models.CharField(max_length=64)
    last_event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.last_hash
