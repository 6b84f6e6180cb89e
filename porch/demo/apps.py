from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "porch.demo"
    label = "demo"
    verbose_name = "Demo clinic"
