from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from porch.calendars import views

app_name = "calendars"

# fhir_id: an Appointment id (the outsider walk fills it with a victim's resource ids).
# token: a calendar feed's secret, the only key to it (no sign-in); unknown, revoked and
# a feed whose owner lost access to the record are all 404.
# The feed page is not under appointments/: scheduling's appointments/<fhir_id>/ comes first.
urlpatterns: list[URLPattern | URLResolver] = [
    path("appointments/<str:fhir_id>/calendar.ics", views.appointment, name="appointment"),
    path("calendar-feed/", views.manage, name="manage"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
