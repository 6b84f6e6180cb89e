"""Routes of the FHIR R4 API, below /fhir/ (http://hl7.org/fhir/R4/http.html)."""

from __future__ import annotations

from django.urls import URLPattern, path, re_path, register_converter

from porch.fhirapi import views


class ResourceTypeConverter:
    # Any word: an unknown type gets a FHIR 404 naming it, not Django's HTML 404.
    regex = "[A-Za-z]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class FhirIdConverter(ResourceTypeConverter):
    # R4 id: [A-Za-z0-9\-\.]{1,64}. No underscore, so "_history" and "_search" are never ids.
    regex = r"[A-Za-z0-9\-.]{1,64}"


register_converter(ResourceTypeConverter, "fhirtype")
register_converter(FhirIdConverter, "fhirid")

# POST to the base, exported so the root URLconf can also route "/fhir" without the slash
# (clients post transactions to the base URL exactly as the CapabilityStatement names it).
base = views.endpoint(POST=views.transaction_or_batch)
_ALL_METHODS = {
    m: views.no_such_endpoint for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
}

urlpatterns: list[URLPattern] = [
    path("", base),
    path("metadata", views.endpoint(public=True, GET=views.metadata)),
    path("_history", views.endpoint(GET=views.history)),
    path("<fhirtype:resource_type>", views.endpoint(GET=views.search_get, POST=views.create)),
    path(
        "<fhirtype:resource_type>/_search",
        views.endpoint(POST=views.search_post, GET=views.search_get),
    ),
    path("<fhirtype:resource_type>/_history", views.endpoint(GET=views.history)),
    path(
        "<fhirtype:resource_type>/<fhirid:fhir_id>",
        views.endpoint(GET=views.read, PUT=views.update, DELETE=views.delete),
    ),
    path("<fhirtype:resource_type>/<fhirid:fhir_id>/_history", views.endpoint(GET=views.history)),
    path(
        "<fhirtype:resource_type>/<fhirid:fhir_id>/_history/<fhirid:version_id>",
        views.endpoint(GET=views.vread),
    ),
    re_path(r"^(?P<path>.*)$", views.endpoint(public=True, **_ALL_METHODS)),
]
