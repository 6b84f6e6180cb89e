from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from porch.access import views

app_name = "access"

urlpatterns: list[URLPattern | URLResolver] = [
    path("records/", views.records, name="records"),
    path("records/open/", views.switch_record, name="switch_record"),
    path("chart/<str:patient_id>/break-glass/", views.break_glass, name="break_glass"),
    path("privacy/break-glass/", views.break_glass_report, name="break_glass_report"),
    path(
        "privacy/break-glass/<int:pk>/review/",
        views.break_glass_review,
        name="break_glass_review",
    ),
    path("proxies/", views.proxies, name="proxies"),
    path("proxies/invite/", views.proxy_invite, name="proxy_invite"),
    path("proxies/<int:pk>/revoke/", views.proxy_revoke, name="proxy_revoke"),
    path("staff/patients/<str:patient_id>/proxies/", views.patient_proxies, name="patient_proxies"),
    path("staff/patients/<str:patient_id>/proxies/new/", views.proxy_set_up, name="proxy_set_up"),
]
