from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from porch.frontdesk import views

app_name = "frontdesk"

# patient_id: a Patient id; fhir_id: an Appointment id (the outsider walk fills both with
# a victim's ids); slot: the pk of an operational Slot row (clinic data, nobody's record).
urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/schedule/", views.schedule, name="schedule"),
    path(
        "staff/patients/<str:patient_id>/appointments/",
        views.appointments,
        name="appointments",
    ),
    path("staff/patients/<str:patient_id>/appointments/book/", views.find, name="find"),
    path(
        "staff/patients/<str:patient_id>/appointments/book/<int:slot>/",
        views.confirm,
        name="confirm",
    ),
    path("staff/appointments/<str:fhir_id>/move/", views.move, name="move"),
    path(
        "staff/appointments/<str:fhir_id>/move/<int:slot>/",
        views.move_confirm,
        name="move_confirm",
    ),
    path("staff/appointments/<str:fhir_id>/cancel/", views.cancel, name="cancel"),
]
