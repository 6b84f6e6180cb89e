from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from porch.audit import views

app_name = "audit"

urlpatterns: list[URLPattern | URLResolver] = [
    path("record/activity/", views.my_record_log, name="my_record_log"),
    path("staff/audit/", views.report, name="report"),
    path("staff/audit/export.csv", views.report_csv, name="report_csv"),
]
