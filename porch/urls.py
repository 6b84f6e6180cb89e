from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from porch.fhirapi import urls as fhirapi_urls

urlpatterns = [
    # The FHIR base without its slash: clients POST transactions to it exactly as named.
    path("fhir", fhirapi_urls.base),
    path("fhir/", include("porch.fhirapi.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("porch.accounts.urls")),
    path("", include("porch.access.urls")),
    path("", include("porch.audit.urls")),
    path("admin/", admin.site.urls),
]
