"""Porch's allauth adapters: how accounts are shown, and which authenticators may go."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from porch.accounts.roles import mfa_required

# Authenticators that count as a second factor (recovery codes are only a fallback).
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def user_display(user: Any) -> str:
    """How allauth's pages and emails name a person: their name, else their email.

    Never the generated username, which nobody chose.
    """
    return str(user.get_full_name() or user.email)


# allauth ships without type information, so mypy sees its base classes as Any.
class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """Usernames: User keeps AbstractUser's unique `username` column because Django's admin
    and createsuperuser rely on it, but it is never shown or asked for. With
    ACCOUNT_LOGIN_METHODS={"email"} and no username in ACCOUNT_SIGNUP_FIELDS, allauth's
    populate_username fills it with a unique value derived from the email address. Dropping
    the column would need a custom AbstractBaseUser and buys nothing here.
    """


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Someone who must use a second factor cannot remove their last one."""
        user = authenticator.user
        if authenticator.type not in SECOND_FACTORS or not mfa_required(user):
            return True
        others = Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exclude(
            pk=authenticator.pk
        )
        return bool(others.exists())


def has_second_factor(user: Any) -> bool:
    return bool(Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exists())
