from __future__ import annotations

from django.apps import AppConfig


class CheckinConfig(AppConfig):
    name = "porch.checkin"
    label = "checkin"
    default_auto_field = "django.db.models.BigAutoField"
