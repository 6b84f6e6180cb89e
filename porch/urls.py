from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from porch import i18n
from porch.fhirapi import urls as fhirapi_urls

urlpatterns = [
    # The FHIR base without its slash: clients POST transactions to it exactly as named.
    path("fhir", fhirapi_urls.base),
    path("fhir/", include("porch.fhirapi.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", i18n.set_language, name="set_language"),
    path("", include("porch.home.urls")),
    path("", include("porch.accounts.urls")),
    path("", include("porch.access.urls")),
    path("", include("porch.audit.urls")),
    path("", include("porch.results.urls")),
    path("", include("porch.chart.urls")),
    path("", include("porch.notifications.urls")),
    path("", include("porch.messaging.urls")),
    path("", include("porch.scheduling.urls")),
    path("", include("porch.checkin.urls")),
    path("", include("porch.medications.urls")),
    path("", include("porch.calendars.urls")),
    path("", include("porch.waitlist.urls")),
    path("", include("porch.frontdesk.urls")),
    path("admin/", admin.site.urls),
]
