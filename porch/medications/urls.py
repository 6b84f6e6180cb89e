from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from porch.medications import views

app_name = "medications"

# fhir_id: the outsider walk (porch/tests/test_outsider_walk.py) fills it with each of a
# victim's resource ids (a medication is named by its MedicationRequest, a refill request
# by its Task).
urlpatterns: list[URLPattern | URLResolver] = [
    path("medications/refills/", views.requests, name="requests"),
    path("medications/<str:fhir_id>/refill/", views.request_refill, name="request"),
    path("staff/refills/", views.staff_queue, name="staff_queue"),
    path("staff/refills/<str:fhir_id>/", views.staff_request, name="staff_request"),
]
