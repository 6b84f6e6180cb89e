from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("fhir/", include("porch.fhirapi.urls")),
    path("admin/", admin.site.urls),
]
