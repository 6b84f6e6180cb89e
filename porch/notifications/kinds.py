"""What a notification is about. The words people read never name health information."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    # To patients and proxies.
    MESSAGE = "message", _("New message from your care team")
    RESULT = "result", _("New test result")
    ACCOUNT = "account", _("Account and security")
    REFILL_UPDATE = "refill_update", _("Answer to a refill request")
    APPOINTMENT = "appointment", _("Appointment booked, changed or cancelled")
    APPOINTMENT_REMINDER = "appointment_reminder", _("Appointment reminder")
    CHECKIN_OPEN = "checkin_open", _("Check-in open before a visit")
    WAITLIST_OFFER = "waitlist_offer", _("Earlier appointment time offered")
    # To staff.
    PATIENT_MESSAGE = "patient_message", _("New message from a patient")
    REFILL_REQUEST = "refill_request", _("New refill request from a patient")
    APPOINTMENT_REQUEST = "appointment_request", _("New appointment request from a patient")
