from __future__ import annotations

from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "porch.access"
    label = "access"
    verbose_name = "Access: proxies, confidentiality, break-the-glass"
