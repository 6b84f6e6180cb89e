"""Staff edit the refill rules in the admin. Requests are in the record (Tasks) and are
answered in the portal; here only their routing shows, read-only."""

from __future__ import annotations

from django.contrib import admin

from porch.medications.models import RefillRequest, RefillRule


@admin.register(RefillRule)
class RefillRuleAdmin(admin.ModelAdmin[RefillRule]):
    list_display = ("name", "system", "visit_type", "active")
    list_filter = ("active",)


@admin.register(RefillRequest)
class RefillRequestAdmin(admin.ModelAdmin[RefillRequest]):
    # Routing only: the medication, the note and the answer are in the record.
    list_display = ("task_id", "patient_id", "status", "pool", "practitioner_id", "requested_at")
    list_filter = ("status", "pool")
    readonly_fields = (
        "task_id",
        "patient_id",
        "medication_request_id",
        "practitioner_id",
        "pool",
        "status",
        "confidential",
        "form_key",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
    )

    def has_add_permission(self, request: object) -> bool:
        return False
