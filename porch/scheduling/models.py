"""Operational data of scheduling (DESIGN.md decision 5): what the clinic offers and who
holds which time. The record keeps the clinical side as FHIR Schedule, Slot and
Appointment (decision 4); see docs/architecture/scheduling.md.

A booked time is claimed by `Claim` rows, one per CELL_MINUTES of the clinician's time,
unique per (clinician, cell start): two bookings of the same or overlapping slots cannot
both commit, on SQLite and PostgreSQL alike, whatever the visit types' lengths.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The grain of a clinician's time: visit lengths and template times are multiples of it.
CELL_MINUTES = 5


def _multiple_of_cell(value: int) -> None:
    if value % CELL_MINUTES:
        raise ValidationError(
            _("A visit length must be a multiple of %(cell)s minutes.") % {"cell": CELL_MINUTES}
        )


class VisitType(models.Model):
    class Policy(models.TextChoices):
        BOOK = "book", _("Patients book directly")
        REQUEST = "request", _("Patients request; staff confirm")
        OFFLINE = "offline", _("Not bookable online")

    class Who(models.TextChoices):
        ANYONE = "anyone", _("New and existing patients")
        NEW = "new", _("New patients only")
        EXISTING = "existing", _("Existing patients only")

    name = models.CharField(max_length=80, unique=True)
    # The visit type's code in Appointments and Slots, in links (?visit_type=follow-up) and
    # in check-in's questionnaire mapping: stable when the name is reworded.
    slug = models.SlugField(max_length=40, unique=True)
    minutes = models.PositiveSmallIntegerField(validators=[_multiple_of_cell])
    video = models.BooleanField(default=False)
    policy = models.CharField(max_length=10, choices=Policy.choices, default=Policy.BOOK)
    who = models.CharField(max_length=10, choices=Who.choices, default=Who.ANYONE)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    book_ahead_days = models.PositiveSmallIntegerField(default=60)
    cancel_cutoff_hours = models.PositiveSmallIntegerField(default=24)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AvailabilityTemplate(models.Model):
    """A clinician's weekly hours at one location, in the clinic's TIME_ZONE."""

    practitioner_id = models.CharField(max_length=64)
    location = models.CharField(max_length=120)
    weekday = models.PositiveSmallIntegerField(help_text="0 is Monday")
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    visit_types = models.ManyToManyField(VisitType, related_name="templates")

    class Meta:
        ordering = ["practitioner_id", "weekday", "starts_at"]

    def __str__(self) -> str:
        return f"{self.practitioner_id} {self.location} day {self.weekday} {self.starts_at}-{self.ends_at}"


class ScheduleException(models.Model):
    class Reason(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        LEAVE = "leave", _("Leave")
        BLOCK = "block", _("Blocked time")

    practitioner_id = models.CharField(max_length=64)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=10, choices=Reason.choices)

    def __str__(self) -> str:
        return f"{self.practitioner_id} {self.reason} {self.starts_at}-{self.ends_at}"


class Schedule(models.Model):
    """The FHIR Schedule of one clinician at one location."""

    practitioner_id = models.CharField(max_length=64)
    location = models.CharField(max_length=120)
    fhir_id = models.CharField(max_length=64, unique=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner_id", "location"], name="one_schedule_per_place"
            )
        ]

    def __str__(self) -> str:
        return f"Schedule/{self.fhir_id}"


class Slot(models.Model):
    """One bookable time of one visit type; its FHIR Slot is `fhir_id`. Times are UTC."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="slots")
    visit_type = models.ForeignKey(VisitType, on_delete=models.CASCADE, related_name="slots")
    practitioner_id = models.CharField(max_length=64)
    location = models.CharField(max_length=120)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    fhir_id = models.CharField(max_length=64, unique=True)
    # An exception (holiday, leave, block) covers it.
    blocked = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "visit_type", "starts_at"], name="one_slot_per_time"
            )
        ]
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["practitioner_id"])]

    def __str__(self) -> str:
        return f"Slot/{self.fhir_id}"


class Booking(models.Model):
    """A patient holding a slot: the operational side of a FHIR Appointment."""

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    patient_id = models.CharField(max_length=64)
    appointment_id = models.CharField(max_length=64, db_index=True)
    active = models.BooleanField(default=True)
    # The confirm form's one-time key: a second submit of it finds this booking.
    key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # Reminder sweeps claim these with a conditional update.
    reminded_day = models.BooleanField(default=False)
    reminded_hours = models.BooleanField(default=False)
    # The check-in nudge, claimed the same way when check-in opens.
    checkin_nudged = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=Q(active=True), name="one_active_booking_per_slot"
            )
        ]

    def __str__(self) -> str:
        return f"Booking of Slot {self.slot_id} for Appointment/{self.appointment_id}"


class Claim(models.Model):
    """One CELL_MINUTES of a clinician's time held by an active booking."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="claims")
    practitioner_id = models.CharField(max_length=64)
    cell = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practitioner_id", "cell"], name="one_claim_per_cell")
        ]

    def __str__(self) -> str:
        return f"{self.practitioner_id} {self.cell}"


class AppointmentRequest(models.Model):
    """A patient's request for a visit type staff book (policy REQUEST): the queue's row.

    What the patient wrote lives in the record, in the FHIR Appointment `appointment_id`
    (status "proposed"; a declined request becomes "cancelled" with the reason). When staff
    book it, that same Appointment becomes "booked" at the chosen slot.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the clinic")
        BOOKED = "booked", _("Booked")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    appointment_id = models.CharField(max_length=64, unique=True)
    patient_id = models.CharField(max_length=64, db_index=True)
    visit_type = models.ForeignKey(VisitType, on_delete=models.PROTECT, related_name="requests")
    # A preferred clinician, or blank for anyone.
    practitioner_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The request form's one-time key: a second submit of it finds this request.
    key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="request"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Request for Appointment/{self.appointment_id} ({self.status})"
