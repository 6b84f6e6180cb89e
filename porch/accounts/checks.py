"""Start-up checks: settings that would quietly weaken sign-in are refused."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register()
def check_sign_in_settings(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if getattr(settings, "ACCOUNT_EMAIL_VERIFICATION", None) != "mandatory":
        errors.append(
            Error("ACCOUNT_EMAIL_VERIFICATION must be 'mandatory'.", id="porch.accounts.E001")
        )
    if not getattr(settings, "ACCOUNT_PREVENT_ENUMERATION", False):
        errors.append(Error("ACCOUNT_PREVENT_ENUMERATION must be on.", id="porch.accounts.E002"))
    if settings.SESSION_IDLE_MINUTES * 60 >= settings.SESSION_ABSOLUTE_HOURS * 3600:
        errors.append(
            Error(
                "SESSION_IDLE_MINUTES must be shorter than SESSION_ABSOLUTE_HOURS.",
                id="porch.accounts.E003",
            )
        )
    if "totp" not in getattr(settings, "MFA_SUPPORTED_TYPES", []):
        errors.append(Error("MFA_SUPPORTED_TYPES must include 'totp'.", id="porch.accounts.E004"))
    if getattr(settings, "MFA_TRUST_ENABLED", False):
        errors.append(
            Error(
                "MFA_TRUST_ENABLED would let staff skip their second factor.",
                id="porch.accounts.E005",
            )
        )
    return errors
