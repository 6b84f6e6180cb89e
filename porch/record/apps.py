from __future__ import annotations

from django.apps import AppConfig


class RecordConfig(AppConfig):
    name = "porch.record"
    label = "record"
    verbose_name = "Clinical record (FHIR R4)"
