from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "porch.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # Registers the system checks and the sign-in receiver that starts session clocks.
        from porch.accounts import checks, sessions  # noqa: F401
