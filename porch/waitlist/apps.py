from __future__ import annotations

from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "porch.waitlist"
    label = "waitlist"
    default_auto_field = "django.db.models.BigAutoField"
