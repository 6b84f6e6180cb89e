from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from porch.waitlist import views

app_name = "waitlist"

# fhir_id: an Appointment id of the open record; pk: a WaitlistOffer to that record (the
# outsider walk fills both with a victim's ids; anyone else's is not found).
urlpatterns: list[URLPattern | URLResolver] = [
    path("waitlist/join/<str:fhir_id>/", views.join, name="join"),
    path("waitlist/leave/<str:fhir_id>/", views.leave, name="leave"),
    path("waitlist/offers/<int:pk>/", views.offer, name="offer"),
]
