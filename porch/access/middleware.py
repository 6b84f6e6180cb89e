"""Builds the request's AccessContext once (porch.access.rules) and keeps it on the request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject


class AccessContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from porch.access.rules import context_for_request

        request.access = SimpleLazyObject(lambda: context_for_request(request))  # type: ignore[attr-defined]
        return self.get_response(request)
