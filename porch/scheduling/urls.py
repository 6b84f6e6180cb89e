from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from porch.scheduling import views

app_name = "scheduling"

# fhir_id: an Appointment id (the outsider walk fills it with a victim's resource ids);
# slot: the pk of an operational Slot row (shared clinic data, no health information);
# pk: an AppointmentRequest row (the outsider walk fills it with a victim's row ids).
urlpatterns: list[URLPattern | URLResolver] = [
    path("appointments/", views.appointments, name="appointments"),
    path("appointments/book/", views.find, name="find"),
    path("appointments/book/<int:slot>/", views.confirm, name="confirm"),
    path("appointments/request/", views.request_appointment, name="request"),
    path(
        "appointments/requests/<int:pk>/withdraw/", views.withdraw_request, name="withdraw_request"
    ),
    path("appointments/<str:fhir_id>/", views.detail, name="detail"),
    path("appointments/<str:fhir_id>/reschedule/", views.reschedule, name="reschedule"),
    path(
        "appointments/<str:fhir_id>/reschedule/<int:slot>/",
        views.reschedule_confirm,
        name="reschedule_confirm",
    ),
    path("appointments/<str:fhir_id>/cancel/", views.cancel, name="cancel"),
    path("staff/appointments/requests/", views.staff_requests, name="staff_requests"),
    path("staff/appointments/requests/<int:pk>/", views.staff_request, name="staff_request"),
]
