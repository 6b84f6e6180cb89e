from __future__ import annotations

from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "porch.access"
    label = "access"
    verbose_name = "Access: proxies, confidentiality, break-the-glass"

    def ready(self) -> None:
        # Binds pending proxy invitations when their account signs in or verifies its email.
        from porch.access import signals  # noqa: F401
