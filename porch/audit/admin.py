"""The audit log in the admin: read only. Nobody adds, changes or deletes an event here."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from porch.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("at", "actor", "role", "action", "patient_id", "resource_type", "outcome")
    list_filter = ("action", "outcome", "break_glass")
    search_fields = ("patient_id", "actor", "resource_id")
    date_hierarchy = "at"
    ordering = ("-at", "-pk")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
