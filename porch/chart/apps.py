from __future__ import annotations

from django.apps import AppConfig


class ChartConfig(AppConfig):
    """The patient's record in the portal: health summary, visits, download, and the
    clinicians' patient search and chart."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "porch.chart"
    label = "chart"
