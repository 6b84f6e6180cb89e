from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from porch.notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern | URLResolver] = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read-all/", views.mark_all_read, name="read_all"),
    path("notifications/settings/", views.notification_settings, name="settings"),
    path("notifications/log/", views.delivery_log, name="log"),
    path("notifications/sms/twilio/", views.twilio_inbound, name="twilio_inbound"),
    # pk: the person's own notification; anyone else's is not found.
    path("notifications/<int:pk>/", views.notification_open, name="open"),
]
