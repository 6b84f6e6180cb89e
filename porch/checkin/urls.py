from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from porch.checkin import views

app_name = "checkin"

# fhir_id: an Appointment's id; pk: a ReportedChange (the outsider walk fills both).
urlpatterns: list[URLPattern | URLResolver] = [
    path("appointments/<str:fhir_id>/check-in/", views.checkin, name="checkin"),
    path("staff/appointments/<str:fhir_id>/check-in/", views.staff_checkin, name="staff"),
    path("staff/check-in/changes/<int:pk>/", views.decide, name="decide"),
]
