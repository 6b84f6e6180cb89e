"""Staff administration of accounts. Activation code values are never shown (only hashes
are stored, and the admin hides even those)."""

from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from porch.accounts.models import (
    ActivationCode,
    PatientLink,
    PractitionerLink,
    RoleAssignment,
    User,
)

# The admin signs in through allauth, so staff give their second factor there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]


class RoleAssignmentInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin[RoleAssignment]):
    list_display = ("user", "role", "granted_at")
    list_filter = ("role",)
    search_fields = ("user__email",)
    raw_id_fields = ("user",)


@admin.register(PatientLink)
class PatientLinkAdmin(admin.ModelAdmin[PatientLink]):
    list_display = ("user", "patient_id", "linked_at", "verified_by")
    search_fields = ("user__email", "patient_id")
    raw_id_fields = ("user", "verified_by")


@admin.register(PractitionerLink)
class PractitionerLinkAdmin(admin.ModelAdmin[PractitionerLink]):
    list_display = ("user", "practitioner_id")
    search_fields = ("user__email", "practitioner_id")
    raw_id_fields = ("user",)


@admin.register(ActivationCode)
class ActivationCodeAdmin(admin.ModelAdmin[ActivationCode]):
    """Read-only: codes are made on the staff page, where the plain code is shown once."""

    list_display = ("patient_id", "delivery", "created_by", "created_at", "expires_at", "used_at")
    list_filter = ("delivery",)
    search_fields = ("patient_id",)
    exclude = ("code_hash",)
    readonly_fields = (
        "patient_id",
        "created_by",
        "created_at",
        "expires_at",
        "delivery",
        "used_at",
        "used_by",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
