from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from porch.results import views

app_name = "results"

urlpatterns: list[URLPattern | URLResolver] = [
    path("results/", views.results_list, name="list"),
    path("results/preferences/", views.preferences, name="preferences"),
    # fhir_id: the outsider walk fills it with every resource id of the victim's record.
    path("results/<str:fhir_id>/", views.report, name="report"),
    path("results/<str:fhir_id>/release/", views.release_report, name="release"),
]
