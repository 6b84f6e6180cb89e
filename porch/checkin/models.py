"""Check-in before a visit: its state per Appointment, the visit-type questionnaires, and
what the patient reported for the care team to reconcile.

What a patient reports at check-in (a new phone number, a change of insurance, a
medicine they stopped, an allergy) is never written into the clinician's record: it is
kept here as a ReportedChange, pending until a clinician accepts it (and makes the
change themself, in the chart) or dismisses it. The answers to the visit type's
questionnaire are a FHIR QuestionnaireResponse in the record store.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitQuestionnaire(models.Model):
    """Which Questionnaire (a shared resource of the record store, by canonical URL) a
    visit type asks at check-in. The visit type is the code in the Appointment's
    serviceType or appointmentType."""

    visit_type = models.CharField(max_length=100, unique=True)
    questionnaire = models.CharField(max_length=500, help_text="The Questionnaire's canonical URL")

    def __str__(self) -> str:
        return f"{self.visit_type} → {self.questionnaire}"


class CheckIn(models.Model):
    """One per Appointment, made when the patient submits; its presence is 'done'."""

    appointment_id = models.CharField(max_length=64, unique=True)
    patient_id = models.CharField(max_length=64, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()
    questionnaire_response_id = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"Check-in for Appointment/{self.appointment_id}"


class ReportedChange(models.Model):
    class Kind(models.TextChoices):
        CONTACT = "contact", _("Contact details")
        INSURANCE = "insurance", _("Insurance")
        MEDICATION = "medication", _("Medication")
        ALLERGY = "allergy", _("Allergy")

    class State(models.TextChoices):
        PENDING = "pending", _("To reconcile")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What the report is about: "MedicationRequest/12", "Coverage/3", "Patient/ana", or ""
    # for something new ("a medicine I take that is not on the list").
    about = models.CharField(max_length=100, blank=True)
    # The entry as the patient saw it ("Lisinopril 10 mg"), and what they said.
    subject = models.CharField(max_length=300)
    report = models.CharField(max_length=1000)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} report #{self.pk}"
