"""Staff edit the confidential codes here; grants and break-the-glass are shown for support.

Proxy grants are made and revoked through the access pages (porch.access.views), which
write the RelatedPerson and the audit event; the admin only shows them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from porch.access.models import BreakGlass, ConfidentialCode, ProxyGrant


@admin.register(ConfidentialCode)
class ConfidentialCodeAdmin(admin.ModelAdmin[ConfidentialCode]):
    list_display = ("system", "code", "display", "category")
    list_filter = ("category", "system")
    search_fields = ("code", "display")
    ordering = ("category", "system", "code")


class _ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ProxyGrant)
class ProxyGrantAdmin(_ReadOnly):
    list_display = (
        "patient_id",
        "proxy",
        "invited_email",
        "relationship",
        "scope",
        "starts_at",
        "ends_at",
        "revoked_at",
    )
    list_filter = ("relationship", "scope")
    search_fields = ("patient_id", "invited_email", "proxy__email")


@admin.register(BreakGlass)
class BreakGlassAdmin(_ReadOnly):
    list_display = ("started_at", "user", "patient_id", "expires_at", "reviewed_at")
    search_fields = ("patient_id", "user__email")
