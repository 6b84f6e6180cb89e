"""Operational data about test results: who opened which report, releases of held
reports, and patients' choices about held results. The results themselves are FHIR
DiagnosticReports and Observations in the record store."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ResultSeen(models.Model):
    """A patient or proxy opened a report: it is no longer marked "New" for them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    patient_id = models.CharField(max_length=64)
    report_id = models.CharField(max_length=64)
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "report_id"], name="results_seen_once")
        ]
        indexes = [models.Index(fields=["user", "patient_id"], name="results_seen_by_patient")]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.report_id}"


class ResultRelease(models.Model):
    """A clinician released a held report to the patient, with an optional comment."""

    report_id = models.CharField(max_length=64, unique=True)
    patient_id = models.CharField(max_length=64, db_index=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField()
    comment = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.report_id} released {self.released_at:%Y-%m-%d}"


class ResultPreference(models.Model):
    """A patient's choice for one held category (a RESULT_RELEASE_HELD_CODES token): see
    such results only after a clinician released them, never by automatic release."""

    patient_id = models.CharField(max_length=64)
    token = models.CharField(max_length=200)
    after_release_only = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient_id", "token"], name="results_pref_once")
        ]

    def __str__(self) -> str:
        return f"{self.patient_id}: {self.token}"
