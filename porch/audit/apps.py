from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "porch.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from porch.audit import signals

        signals.connect()
