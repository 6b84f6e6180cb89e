from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from porch.chart import views

app_name = "chart"

urlpatterns: list[URLPattern | URLResolver] = [
    path("summary/", views.summary, name="summary"),
    path("summary/immunizations/print/", views.immunizations_print, name="immunizations_print"),
    path("visits/", views.visits, name="visits"),
    # fhir_id: the outsider walk (porch/tests/test_outsider_walk.py) fills it with each of
    # a victim's resource ids.
    path("visits/<str:fhir_id>/", views.visit, name="visit"),
    path(
        "notes/<str:fhir_id>/attachment/",
        views.note_attachment,
        name="note_attachment",
    ),
    path("record/download/", views.download, name="download"),
    path("clinician/patients/", views.patient_search, name="patient_search"),
    path("clinician/patients/<str:patient_id>/", views.patient_chart, name="patient_chart"),
]
