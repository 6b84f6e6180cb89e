"""The FHIR R4 REST API (http://hl7.org/fhir/R4/http.html), JSON only.

Each view is built by `endpoint`, which does everything the interactions share, in one
place: method dispatch (405), format negotiation (406), the size limit (413), the
resource type in the URL (404), authentication (401), and turning every error into an
OperationOutcome. The handlers below it only parse, call the record repository, render.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from porch.access.context import AccessContext
from porch.fhirapi import responses
from porch.fhirapi.auth import access_context_for
from porch.fhirapi.capability import capability_statement
from porch.fhirapi.responses import HttpError
from porch.record import bundles, repository
from porch.record.errors import FhirError, InvalidRequest, InvalidResource, NotFound
from porch.record.repository import WriteOutcome
from porch.record.searchparams import supported_resource_types
from porch.record.stored import StoredResource

logger = logging.getLogger(__name__)

Handler = Callable[..., HttpResponse]

JSON_MEDIA_TYPES = frozenset({"application/fhir+json", "application/json", "application/json+fhir"})
_JSON_FORMATS = JSON_MEDIA_TYPES | {"json"}
_ACCEPTABLE = JSON_MEDIA_TYPES | {"*/*", "application/*"}
_FORM = "application/x-www-form-urlencoded"
_HISTORY_PARAMS = frozenset({"_count", "_offset", "_format", "_pretty"})


# --- the shared part of every interaction -------------------------------------------------


def endpoint(*, public: bool = False, **handlers: Handler) -> Callable[..., HttpResponse]:
    """A view that dispatches by HTTP method to `handlers`, e.g. endpoint(GET=read).

    Handlers are called as handler(request, ctx, **url_kwargs), or without ctx when
    `public`. Every FhirError becomes its OperationOutcome; anything else is logged and
    answered 500 without internals.
    """

    # The API authenticates each request by its bearer token, never by a cookie, so a
    # cross-site request carries no credential to forge: CSRF protection has nothing to
    # protect here and would refuse every legitimate client.
    @csrf_exempt
    def view(request: HttpRequest, **kwargs: str) -> HttpResponse:
        try:
            return _dispatch(request, handlers, public, kwargs)
        except FhirError as exc:
            return responses.error_response(exc)
        except RequestDataTooBig:
            return responses.error_response(_too_large())
        except Exception:
            logger.exception("FHIR API: unexpected error on %s %s", request.method, request.path)
            return responses.outcome_response(
                500, "exception", "An unexpected error happened; it was logged."
            )

    return view


def _dispatch(
    request: HttpRequest, handlers: dict[str, Handler], public: bool, kwargs: dict[str, str]
) -> HttpResponse:
    handler = handlers.get(request.method or "")
    if handler is None:
        allowed = ", ".join(sorted(handlers))
        raise HttpError(
            405,
            "not-supported",
            f"{request.method} is not supported here; allowed: {allowed}",
            headers={"Allow": allowed},
        )
    _check_format(request)
    _check_size(request)
    _check_type(kwargs.get("resource_type"))
    if public:
        return handler(request, **kwargs)
    return handler(request, access_context_for(request), **kwargs)


def _check_format(request: HttpRequest) -> None:
    wanted = request.GET.get("_format")
    # An unencoded "+" in "_format=application/fhir+json" arrives as a space.
    if wanted is not None and _media_type(wanted.replace(" ", "+")) not in _JSON_FORMATS:
        raise HttpError(
            406,
            "not-supported",
            f"_format={wanted!r} is not supported: this server speaks FHIR JSON only",
        )
    accept = request.headers.get("Accept", "")
    if accept and wanted is None and not {_media_type(a) for a in accept.split(",")} & _ACCEPTABLE:
        raise HttpError(
            406,
            "not-supported",
            f"Accept: {accept!r} is not supported: this server speaks FHIR JSON only",
        )


def _media_type(value: str) -> str:
    return value.partition(";")[0].strip().lower()


def _check_size(request: HttpRequest) -> None:
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > settings.FHIR_MAX_REQUEST_BYTES:
        raise _too_large()


def _too_large() -> HttpError:
    limit = settings.FHIR_MAX_REQUEST_BYTES
    return HttpError(
        413, "too-costly", f"The request body is larger than this server accepts ({limit} bytes)"
    )


_KNOWN_TYPES = frozenset(supported_resource_types())


def _check_type(resource_type: str | None) -> None:
    if resource_type is not None and resource_type not in _KNOWN_TYPES:
        raise NotFound(
            f"Unknown resource type {resource_type!r}: see GET /fhir/metadata for the types served"
        )


# --- request parsing ------------------------------------------------------------------------


def _json_body(request: HttpRequest) -> Any:
    """The parsed JSON body.

    Raises InvalidRequest for an empty or malformed body, HttpError 415 for another
    content type.
    """
    if not request.body:
        raise InvalidRequest("The request body is empty; expected FHIR JSON")
    content_type = _media_type(request.META.get("CONTENT_TYPE", "")) or "(none)"
    if content_type not in JSON_MEDIA_TYPES:
        raise HttpError(
            415,
            "not-supported",
            f"Content-Type {content_type} is not supported; send application/fhir+json",
        )
    try:
        return orjson.loads(request.body)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest(
            f"The body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc


def _resource_body(request: HttpRequest, resource_type: str) -> dict[str, Any]:
    """The body, if it is a JSON object of the type the URL names. Raises InvalidResource."""
    body = _json_body(request)
    if not isinstance(body, dict):
        raise InvalidResource(
            f"The body must be a JSON object (a FHIR resource), not {type(body).__name__}"
        )
    if body.get("resourceType") != resource_type:
        raise InvalidResource(
            f"resourceType is {body.get('resourceType')!r} but the URL names {resource_type}",
            expression="resourceType",
        )
    return body


def _prefer(request: HttpRequest) -> dict[str, str]:
    """The Prefer header (RFC 7240) as {name: value}, e.g. {"return": "minimal"}."""
    preferences: dict[str, str] = {}
    for part in request.headers.get("Prefer", "").replace(";", ",").split(","):
        name, _, value = part.strip().partition("=")
        if name:
            preferences[name.lower()] = value.strip().strip('"')
    return preferences


def _query_params(request: HttpRequest) -> list[tuple[str, str]]:
    return [(name, value) for name, values in request.GET.lists() for value in values]


def _non_negative(params: list[tuple[str, str]], name: str, default: int) -> int:
    value = dict(params).get(name)
    if value is None:
        return default
    if not value.isascii() or not value.isdigit():
        raise InvalidRequest(
            f"Invalid value {value!r} for {name}: expected a whole number, 0 or more",
            expression=name,
        )
    return int(value)


def _render(request: HttpRequest, body: dict[str, Any] | None, status: int = 200) -> HttpResponse:
    return responses.fhir_json(body, status, pretty=request.GET.get("_pretty") == "true")


# --- interactions ---------------------------------------------------------------------------


def metadata(request: HttpRequest) -> HttpResponse:
    return _render(request, capability_statement(responses.base_url()))


def read(
    request: HttpRequest, ctx: AccessContext, resource_type: str, fhir_id: str
) -> HttpResponse:
    return _resource_response(request, repository.read(ctx, resource_type, fhir_id))


def vread(
    request: HttpRequest, ctx: AccessContext, resource_type: str, fhir_id: str, version_id: str
) -> HttpResponse:
    return _resource_response(request, repository.vread(ctx, resource_type, fhir_id, version_id))


def _resource_response(request: HttpRequest, stored: StoredResource) -> HttpResponse:
    if request.headers.get("If-None-Match") == responses.etag(stored):
        return responses.with_version_headers(HttpResponse(status=304), stored)
    return responses.with_version_headers(_render(request, stored.content), stored)


def create(request: HttpRequest, ctx: AccessContext, resource_type: str) -> HttpResponse:
    resource = _resource_body(request, resource_type)
    outcome = repository.create(ctx, resource, if_none_exist=request.headers.get("If-None-Exist"))
    return _write_response(request, outcome)


def update(
    request: HttpRequest, ctx: AccessContext, resource_type: str, fhir_id: str
) -> HttpResponse:
    resource = _resource_body(request, resource_type)
    outcome = repository.update(
        ctx, resource_type, fhir_id, resource, if_match=request.headers.get("If-Match")
    )
    return _write_response(request, outcome)


def _write_response(request: HttpRequest, outcome: WriteOutcome) -> HttpResponse:
    stored = outcome.stored
    wanted = _prefer(request).get("return", "representation")
    body: dict[str, Any] | None = stored.content
    if wanted == "minimal":
        body = None
    elif wanted == "OperationOutcome":
        body = responses.information(
            f"{stored.reference} version {stored.version_id}: {outcome.status}"
        )
    response = _render(request, body, outcome.http_status)
    return responses.with_version_headers(response, stored, location=True)


def delete(
    request: HttpRequest, ctx: AccessContext, resource_type: str, fhir_id: str
) -> HttpResponse:
    # Deleting what is already deleted succeeds again (R4 §3.1.0.7.1: delete is idempotent).
    repository.delete(ctx, resource_type, fhir_id, if_match=request.headers.get("If-Match"))
    return HttpResponse(status=204)


def search_get(request: HttpRequest, ctx: AccessContext, resource_type: str) -> HttpResponse:
    return _search(request, ctx, resource_type, _query_params(request))


def search_post(request: HttpRequest, ctx: AccessContext, resource_type: str) -> HttpResponse:
    if request.body and _media_type(request.META.get("CONTENT_TYPE", "")) != _FORM:
        raise HttpError(415, "not-supported", f"POST _search takes its parameters as {_FORM}")
    form = [(name, value) for name, values in request.POST.lists() for value in values]
    return _search(request, ctx, resource_type, _query_params(request) + form)


def _search(
    request: HttpRequest, ctx: AccessContext, resource_type: str, params: list[tuple[str, str]]
) -> HttpResponse:
    result = repository.search(
        ctx,
        resource_type,
        params,
        strict=_prefer(request).get("handling") == "strict",
        default_count=settings.FHIR_DEFAULT_PAGE_SIZE,
        max_count=settings.FHIR_MAX_PAGE_SIZE,
    )
    summary_count = ("_summary", "count") in result.used
    return _render(request, responses.searchset(result, summary_count=summary_count))


def history(
    request: HttpRequest,
    ctx: AccessContext,
    resource_type: str | None = None,
    fhir_id: str | None = None,
) -> HttpResponse:
    """History of one resource, one type, or the whole system, as the URL says."""
    params = _query_params(request)
    unsupported = sorted({name for name, _ in params} - _HISTORY_PARAMS)
    if unsupported:
        # Ignoring _since or _at would answer a different question than the one asked.
        raise InvalidRequest(
            f"History does not support {', '.join(unsupported)} (only _count and _offset)"
        )
    count = min(
        _non_negative(params, "_count", settings.FHIR_DEFAULT_PAGE_SIZE),
        settings.FHIR_MAX_PAGE_SIZE,
    )
    page = repository.history(
        ctx, resource_type, fhir_id, count=count, offset=_non_negative(params, "_offset", 0)
    )
    path = "/".join(part for part in (resource_type, fhir_id, "_history") if part)
    return _render(request, responses.history_bundle(page, path))


def transaction_or_batch(request: HttpRequest, ctx: AccessContext) -> HttpResponse:
    answer = bundles.process(ctx, _json_body(request))
    return _render(request, responses.with_absolute_full_urls(answer))


def no_such_endpoint(request: HttpRequest, path: str) -> HttpResponse:
    raise NotFound(f"No FHIR interaction at {request.path}; see GET /fhir/metadata")
