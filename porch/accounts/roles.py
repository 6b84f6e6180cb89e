"""The roles a person holds, read from RoleAssignment.

These are the only functions other apps use to ask about roles; nothing compares role
strings by hand.
"""

from __future__ import annotations

from typing import Any

from porch.accounts.models import STAFF_ROLES, Role, RoleAssignment


def roles_of(user: Any) -> frozenset[Role]:
    """Every role `user` holds; empty for an anonymous or inactive user.

    The result is cached on the user object for the request, so calling it several times
    costs one query.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached: frozenset[Role] | None = getattr(user, "_porch_roles", None)
    if cached is None:
        values = RoleAssignment.objects.filter(user_id=user.pk).values_list("role", flat=True)
        cached = frozenset(Role(v) for v in values)
        user._porch_roles = cached
    return cached


def has_role(user: Any, role: Role) -> bool:
    """Whether `user` holds `role`. A missing assignment denies."""
    return role in roles_of(user)


def is_staff_member(user: Any) -> bool:
    """Whether `user` holds a clinician, front-desk or administrator role."""
    return bool(roles_of(user) & STAFF_ROLES)


def forget_roles(user: Any) -> None:
    """Drop the per-request cache after roles change (tests, enrolment)."""
    if hasattr(user, "_porch_roles"):
        del user._porch_roles


def mfa_required(user: Any) -> bool:
    """Whether `user` must have a second factor: staff always, everyone by setting."""
    from django.conf import settings

    if not getattr(user, "is_authenticated", False):
        return False
    return settings.MFA_REQUIRED_FOR_EVERYONE or is_staff_member(user)
