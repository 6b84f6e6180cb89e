"""What a notification is about. The words people read never name health information."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    # To patients and proxies.
    MESSAGE = "message", _("New message from your care team")
    RESULT = "result", _("New test result")
    ACCOUNT = "account", _("Account and security")
    # To staff.
    PATIENT_MESSAGE = "patient_message", _("New message from a patient")
