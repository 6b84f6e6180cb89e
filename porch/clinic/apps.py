from __future__ import annotations

from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "porch.clinic"
    label = "clinic"
    verbose_name = "Clinic operations (demo, serving, workers)"
