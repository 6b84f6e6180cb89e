"""Operational data that decides access: proxy grants, confidential codes, break-the-glass.

The rules that read them live in porch.access.rules; the record store applies the
resulting AccessContext in SQL (porch.record.scoping).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ProxyGrant(models.Model):
    """Someone acting for a patient: a parent, guardian or caregiver.

    The relationship itself is a FHIR RelatedPerson in the record (`related_person_id`);
    this row is the permission. Age rules (full access to 11, limited 12-17, ending at 18)
    are applied when a context is built, from the patient's birth date.
    """

    class Scope(models.TextChoices):
        VIEW = "view", "View only"
        ACT = "act", "View and act"

    class Relationship(models.TextChoices):
        PARENT = "parent", "Parent"
        GUARDIAN = "guardian", "Legal guardian"
        CAREGIVER = "caregiver", "Caregiver"

    # None while an invitation waits for its account: the grant is then bound to the
    # first account that signs in with `invited_email` verified (porch.access.signals).
    proxy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="proxy_grants",
        null=True,
        blank=True,
    )
    invited_email = models.EmailField(blank=True)
    patient_id = models.CharField(max_length=64)
    related_person_id = models.CharField(max_length=64, blank=True)
    relationship = models.CharField(max_length=16, choices=Relationship.choices)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.VIEW)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Why this grant exists: "parent of a minor", "invited by the patient", "court order 2024-117".
    legal_basis = models.CharField(max_length=200)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["proxy", "patient_id"], name="proxy_grant_lookup"),
            models.Index(fields=["invited_email"], name="proxy_grant_invited"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(proxy__isnull=False) | ~models.Q(invited_email=""),
                name="proxy_grant_has_someone",
            )
        ]

    def __str__(self) -> str:
        who = self.proxy or self.invited_email
        return f"{who} for Patient/{self.patient_id} ({self.relationship}, {self.scope})"


class ConfidentialCode(models.Model):
    """A code that marks a record entry as confidential from a teen's parents.

    Staff edit this list in the admin; it is seeded from the codes seen in the Synthea
    data and common practice (migration 0004_seed_confidential_codes).
    """

    class Category(models.TextChoices):
        SEXUAL_REPRODUCTIVE = "sexual-reproductive", "Sexual and reproductive health"
        MENTAL_HEALTH = "mental-health", "Mental health"
        SUBSTANCE_USE = "substance-use", "Substance use"

    system = models.CharField(max_length=255)
    code = models.CharField(max_length=255)
    category = models.CharField(max_length=32, choices=Category.choices)
    display = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="confidential_code_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.system}|{self.code} ({self.category})"


class BreakGlass(models.Model):
    """A clinician opening the chart of a patient they do not care for, for a reason."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patient_id = models.CharField(max_length=64)
    reason = models.TextField()
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The privacy officer who reviewed it.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["user", "patient_id", "expires_at"], name="break_glass_active")
        ]

    def __str__(self) -> str:
        return f"{self.user} broke the glass for Patient/{self.patient_id}"
