"""Operational state of prescription refills (DESIGN.md decision 5).

The request itself is a FHIR Task in the record (decision 4): what is asked, for which
MedicationRequest, the note, the pharmacy, the answer and its reason live there, read and
written only through the record repository with the caller's AccessContext. These rows
hold what is not a clinical fact: where a request is routed (prescriber, pool), its state
for the queues, and the one-open-request-per-medication rule as a database constraint;
the clinic's rules; and which pharmacies (Organization resources) a patient has used.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


class RefillStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    VISIT_NEEDED = "visit_needed", _("Visit needed")


class RefillRule(models.Model):
    """A rule the clinic edits (in the admin): a medication whose code is listed here is
    not renewed online; its request goes straight to "visit needed", with `reason` shown to
    the patient and a link to book `visit_type`."""

    name = models.CharField(_("name"), max_length=80)
    # The code system the codes are in; blank matches a code in any system.
    system = models.CharField(_("code system"), max_length=200, blank=True, default=RXNORM)
    codes = models.TextField(
        _("medication codes"), help_text=_("One code per line, or separated by commas.")
    )
    reason = models.TextField(
        _("what the patient reads"),
        max_length=500,
        help_text=_("Shown to the patient, e.g. why a visit is needed for this medication."),
    )
    visit_type = models.SlugField(_("visit type to book"), max_length=40, default="follow-up")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def code_list(self) -> frozenset[str]:
        return frozenset(c.strip() for c in self.codes.replace(",", "\n").split() if c.strip())

    def matches(self, codings: set[tuple[str, str]]) -> bool:
        return any(
            code in self.code_list and (not self.system or system == self.system)
            for system, code in codings
        )


class RefillRequest(models.Model):
    """One request: its Task's id, and where it is routed. A medication has at most one
    request waiting for an answer (constraint `one_open_refill_per_medication`), and a
    form submission makes at most one request (`form_key`), so a double-click or two tabs
    give one request."""

    task_id = models.CharField(max_length=64, unique=True)
    patient_id = models.CharField(max_length=64)
    medication_request_id = models.CharField(max_length=64)
    # The prescriber (Practitioner id), when the prescription names one.
    practitioner_id = models.CharField(max_length=64, blank=True)
    # The prescriber's pool, else settings.REFILL_POOL.
    pool = models.ForeignKey(
        "messaging.Pool", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=RefillStatus.choices, default=RefillStatus.REQUESTED
    )
    # The medication is confidential (a teen's): so is its Task, and no limited proxy hears.
    confidential = models.BooleanField(default=False)
    # The random key of the form that made it.
    form_key = models.CharField(max_length=64, unique=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["medication_request_id"],
                condition=Q(status="requested"),
                name="one_open_refill_per_medication",
            )
        ]
        indexes = [
            models.Index(fields=["patient_id", "-requested_at"], name="refill_patient"),
            models.Index(fields=["practitioner_id", "status"], name="refill_prescriber"),
            models.Index(fields=["pool", "status"], name="refill_pool"),
        ]

    def __str__(self) -> str:
        return f"refill request {self.task_id}"


class SavedPharmacy(models.Model):
    """A pharmacy (an Organization in the record's directory) a patient has sent a refill
    to; the refill form offers these first, the last used preselected."""

    patient_id = models.CharField(max_length=64)
    organization_id = models.CharField(max_length=64)
    last_used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient_id", "organization_id"], name="saved_pharmacy_once"
            )
        ]

    def __str__(self) -> str:
        return f"pharmacy {self.organization_id} of {self.patient_id}"
