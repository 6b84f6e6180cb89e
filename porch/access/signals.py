"""Binding a pending proxy invitation to its account.

An invitation names an email; it opens nothing until an account with that email,
verified, exists. Both moments that can make that true bind it: signing in (the account
existed, or was just created and verified) and confirming an email address.
"""

from __future__ import annotations

from typing import Any

from allauth.account.signals import email_confirmed
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from porch.access.actions import bind_invitations


@receiver(user_logged_in, dispatch_uid="porch.access.bind_invitations_on_sign_in")
def _bind_on_sign_in(sender: Any, user: Any, **kwargs: Any) -> None:
    bind_invitations(user)


@receiver(email_confirmed, dispatch_uid="porch.access.bind_invitations_on_confirmation")
def _bind_on_confirmation(sender: Any, email_address: Any, **kwargs: Any) -> None:
    bind_invitations(email_address.user)
