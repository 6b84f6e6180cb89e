"""Builds the request's AccessContext once (porch.access.rules) and keeps it on the request.

It is built on first use, after authentication, and read from the database every time:
nothing about access is cached across requests, so a revoked grant stops working on the
proxy's next request.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from porch.audit import log


class AccessContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from porch.access.rules import request_context

        request.access = SimpleLazyObject(lambda: request_context(request))  # type: ignore[attr-defined]
        with log.batched_reads():
            return self.get_response(request)
