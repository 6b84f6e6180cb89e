"""People who sign in, their roles, and the links from an account to the record.

An account is not a patient: a patient is a FHIR Patient in the record. `PatientLink`
says which record is the account holder's own (after enrolment with an activation code,
or verification by staff); `PractitionerLink` says which Practitioner a clinician is.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class User(AbstractUser):
    email = models.EmailField("email address", unique=True)
    language = models.CharField(max_length=8, default="en")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    PROXY = "proxy", "Proxy"
    CLINICIAN = "clinician", "Clinician"
    FRONT_DESK = "front_desk", "Front desk"
    ADMINISTRATOR = "administrator", "Administrator"


# Roles whose accounts must sign in with a second factor, whatever the operator says.
STAFF_ROLES = frozenset({Role.CLINICIAN, Role.FRONT_DESK, Role.ADMINISTRATOR})


class RoleAssignment(models.Model):
    """One role a person holds; a person may hold several (a clinician who is a patient)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_assignment_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.role}"


class PatientLink(models.Model):
    """The account holder's own record."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patient_link"
    )
    patient_id = models.CharField(max_length=64, unique=True)
    linked_at = models.DateTimeField(default=timezone.now)
    # Who verified the person: staff, or None when an activation code did.
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.user} is Patient/{self.patient_id}"


class PractitionerLink(models.Model):
    """The Practitioner a clinician is in the record."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practitioner_link"
    )
    practitioner_id = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"{self.user} is Practitioner/{self.practitioner_id}"


def hash_code(code: str) -> str:
    """Activation codes are stored hashed; the normalised form ignores case, spaces and dashes."""
    normalised = "".join(c for c in code.upper() if c.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


class ActivationCode(models.Model):
    """A single-use, expiring code staff give a patient to enrol with."""

    class Delivery(models.TextChoices):
        PRINTED = "printed"
        EMAIL = "email"
        SMS = "sms"

    code_hash = models.CharField(max_length=64, unique=True)
    patient_id = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    delivery = models.CharField(max_length=8, choices=Delivery.choices, default=Delivery.PRINTED)
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"activation code for Patient/{self.patient_id}"
