from __future__ import annotations

from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "porch.waitlist"
    label = "waitlist"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from porch.scheduling.signals import slot_freed
        from porch.waitlist.actions import on_slot_freed

        slot_freed.connect(on_slot_freed, dispatch_uid="waitlist-offer-freed-slot")
