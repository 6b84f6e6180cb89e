from __future__ import annotations

from django.apps import AppConfig


class FrontdeskConfig(AppConfig):
    name = "porch.frontdesk"
    label = "frontdesk"
    default_auto_field = "django.db.models.BigAutoField"
