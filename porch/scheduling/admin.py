"""Clinic set-up in the admin: visit types, weekly templates, exceptions. Slots and
bookings are written by Porch (extend_slots, booking) and are not edited here."""

from __future__ import annotations

from django.contrib import admin

from porch.scheduling.models import AvailabilityTemplate, ScheduleException, VisitType


@admin.register(VisitType)
class VisitTypeAdmin(admin.ModelAdmin[VisitType]):
    list_display = ("name", "slug", "minutes", "video", "policy", "who", "book_ahead_days")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(AvailabilityTemplate)
class AvailabilityTemplateAdmin(admin.ModelAdmin[AvailabilityTemplate]):
    list_display = ("practitioner_id", "location", "weekday", "starts_at", "ends_at")


@admin.register(ScheduleException)
class ScheduleExceptionAdmin(admin.ModelAdmin[ScheduleException]):
    list_display = ("practitioner_id", "reason", "starts_at", "ends_at")
