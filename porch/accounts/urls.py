from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from porch.accounts import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/activation-codes/", views.issue_code, name="issue_activation_code"),
    path("staff/verify-patient/", views.verify_patient, name="verify_patient"),
    path("session/status/", views.session_status, name="session_status"),
    path("session/keepalive/", views.session_keepalive, name="session_keepalive"),
]
