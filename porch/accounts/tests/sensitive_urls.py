"""The site's URLs plus one page behind @sensitive, for the re-authentication tests."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from porch.accounts.decorators import sensitive
from porch.urls import urlpatterns as site_urlpatterns


@sensitive
def download(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the whole record")


urlpatterns = [path("test/download/", download), *site_urlpatterns]
