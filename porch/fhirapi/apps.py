from __future__ import annotations

from django.apps import AppConfig


class FhirApiConfig(AppConfig):
    name = "porch.fhirapi"
    label = "fhirapi"
    verbose_name = "FHIR R4 REST API"
