from __future__ import annotations

from django.apps import AppConfig


class MedicationsConfig(AppConfig):
    name = "porch.medications"
    label = "medications"
    default_auto_field = "django.db.models.BigAutoField"
