from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from porch.fhirapi.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "created_at", "last_used_at", "revoked_at")
    search_fields = ("name",)
    # Tokens are issued with `porch api-token create`, which prints the value once; the
    # admin can revoke (set revoked_at) but neither create nor read a token value.
    fields = ("name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("name", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
