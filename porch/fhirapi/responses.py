"""FHIR R4 JSON responses: resources with their version headers, OperationOutcomes, and
the searchset and history Bundles with their paging links.

Rendering is orjson (DESIGN.md: FHIR JSON is the only serialization of the record), and
every URL a client may follow is absolute, built from settings.SITE_URL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.http import HttpResponse
from django.utils.http import http_date

from porch.record.errors import FhirError, OutcomeIssue, operation_outcome
from porch.record.repository import HistoryPage
from porch.record.search import SearchResult
from porch.record.stored import StoredResource

FHIR_JSON = "application/fhir+json; fhirVersion=4.0"
SUBSETTED = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
    "code": "SUBSETTED",
    "display": "subsetted",
}
# Elements a subset always keeps: without them the resource is not a resource.
_ALWAYS_KEPT = frozenset({"resourceType", "id", "meta"})
# The paging parameters the links set themselves; any given value is replaced.
_PAGING = frozenset({"_count", "_offset"})


class HttpError(FhirError):
    """A refusal at the HTTP level (401, 405, 406, 413, 415), with headers it must carry."""

    def __init__(
        self, status: int, code: str, diagnostics: str, *, headers: dict[str, str] | None = None
    ):
        super().__init__(diagnostics, issues=[OutcomeIssue(code, diagnostics)])
        self.status = status
        self.headers = headers or {}


def base_url() -> str:
    return f"{settings.SITE_URL}/fhir"


def fhir_json(
    body: dict[str, Any] | None, status: int = 200, *, pretty: bool = False
) -> HttpResponse:
    """A FHIR JSON response; `body=None` gives an empty body (Prefer: return=minimal)."""
    if body is None:
        return HttpResponse(status=status, content_type=FHIR_JSON)
    option = orjson.OPT_INDENT_2 if pretty else 0
    return HttpResponse(orjson.dumps(body, option=option), status=status, content_type=FHIR_JSON)


def error_response(error: FhirError) -> HttpResponse:
    response = fhir_json(error.outcome(), error.status)
    if isinstance(error, HttpError):
        for name, value in error.headers.items():
            response[name] = value
    return response


def outcome_response(
    status: int, code: str, diagnostics: str, *, expression: str = ""
) -> HttpResponse:
    return fhir_json(operation_outcome([OutcomeIssue(code, diagnostics, expression)]), status)


def information(diagnostics: str) -> dict[str, Any]:
    """An OperationOutcome that reports success (Prefer: return=OperationOutcome)."""
    return operation_outcome([OutcomeIssue("informational", diagnostics, severity="information")])


def etag(stored: StoredResource) -> str:
    return f'W/"{stored.version_id}"'


def version_url(stored: StoredResource) -> str:
    return f"{base_url()}/{stored.reference}/_history/{stored.version_id}"


def with_version_headers(
    response: HttpResponse, stored: StoredResource, *, location: bool = False
) -> HttpResponse:
    response["ETag"] = etag(stored)
    response["Last-Modified"] = http_date(stored.last_updated.timestamp())
    if location:
        response["Location"] = version_url(stored)
    return response


def fhir_instant(stored: StoredResource) -> str:
    return stored.last_updated.isoformat().replace("+00:00", "Z")


# --- subsetting ---------------------------------------------------------------------------


def subset(resource: dict[str, Any], elements: Iterable[str]) -> dict[str, Any]:
    """The resource with only the named top-level elements, tagged SUBSETTED (R4 §3.1.1.5.9)."""
    keep = _ALWAYS_KEPT | set(elements)
    result = {key: value for key, value in resource.items() if key in keep}
    meta = dict(result.get("meta") or {})
    meta["tag"] = [*meta.get("tag", []), SUBSETTED]
    result["meta"] = meta
    return result


def requested_elements(params: Sequence[tuple[str, str]]) -> list[str] | None:
    """The `_elements` list, or None when the client asked for whole resources."""
    values = [value for name, value in params if name == "_elements"]
    if not values:
        return None
    return [e.strip() for value in values for e in value.split(",") if e.strip()]


# --- searchset ------------------------------------------------------------------------------


def searchset(result: SearchResult, *, summary_count: bool) -> dict[str, Any]:
    """The searchset Bundle of one page: total, self/next/previous links, entries.

    Matches are subset when `_elements` was used; an ignored parameter (lenient handling)
    adds an OperationOutcome entry with search mode "outcome", as R4 §3.1.1.4 suggests.
    """
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset"}
    if result.total is not None:
        bundle["total"] = result.total
    bundle["link"] = _search_links(result)
    elements = requested_elements(result.used)
    entries = [] if summary_count else _search_entries(result, elements)
    if result.ignored:
        entries.append({"resource": _ignored_outcome(result), "search": {"mode": "outcome"}})
    if entries:
        bundle["entry"] = entries
    return bundle


def _search_entries(result: SearchResult, elements: list[str] | None) -> list[dict[str, Any]]:
    entries = []
    for stored in result.matches:
        content = stored.content or {}
        resource = subset(content, elements) if elements is not None else content
        entries.append(_entry(stored, resource, "match"))
    entries.extend(_entry(stored, stored.content or {}, "include") for stored in result.included)
    return entries


def _entry(stored: StoredResource, resource: dict[str, Any], mode: str) -> dict[str, Any]:
    return {
        "fullUrl": f"{base_url()}/{stored.reference}",
        "resource": resource,
        "search": {"mode": mode},
    }


def _ignored_outcome(result: SearchResult) -> dict[str, Any]:
    names = ", ".join(result.ignored)
    diagnostics = (
        f"Ignored as unknown or unsupported for {result.resource_type}: {names}. "
        "Send 'Prefer: handling=strict' to have them refused instead."
    )
    return operation_outcome([OutcomeIssue("not-supported", diagnostics, severity="warning")])


def _search_links(result: SearchResult) -> list[dict[str, str]]:
    kept = [(name, value) for name, value in result.used if name not in _PAGING]
    path = f"{base_url()}/{result.resource_type}"
    return _paging_links(path, kept, result.offset, result.count, has_next=result.has_next)


def _paging_links(
    path: str, params: list[tuple[str, str]], offset: int, count: int, *, has_next: bool
) -> list[dict[str, str]]:
    def link(relation: str, at: int) -> dict[str, str]:
        query = urlencode([*params, ("_count", str(count)), ("_offset", str(at))])
        return {"relation": relation, "url": f"{path}?{query}"}

    links = [link("self", offset)]
    # A zero-size page (e.g. _summary=count) has nowhere to go.
    if has_next and count:
        links.append(link("next", offset + count))
    if offset > 0 and count:
        links.append(link("previous", max(0, offset - count)))
    return links


# --- transaction and batch ------------------------------------------------------------------


def with_absolute_full_urls(bundle: dict[str, Any]) -> dict[str, Any]:
    """The response Bundle with each entry's "Type/id" fullUrl made absolute (R4 requires it)."""
    for entry in bundle.get("entry", []):
        full_url = entry.get("fullUrl")
        if isinstance(full_url, str) and "://" not in full_url and not full_url.startswith("urn:"):
            entry["fullUrl"] = f"{base_url()}/{full_url}"
    return bundle


# --- history --------------------------------------------------------------------------------


def history_bundle(page: HistoryPage, path: str) -> dict[str, Any]:
    """The history Bundle of one page; `path` is below the base, e.g. "Patient/1/_history"."""
    links = _paging_links(
        f"{base_url()}/{path}", [], page.offset, page.count, has_next=page.has_next
    )
    return {
        "resourceType": "Bundle",
        "type": "history",
        "total": page.total,
        "link": links,
        "entry": [_history_entry(stored) for stored in page.entries],
    }


def _history_entry(stored: StoredResource) -> dict[str, Any]:
    # The store records how each version came to be (create, update, delete).
    if stored.deleted:
        method, url, status = "DELETE", stored.reference, "204 No Content"
    elif stored.method == "create":
        method, url, status = "POST", stored.resource_type, "201 Created"
    else:
        method, url, status = "PUT", stored.reference, "200 OK"
    entry: dict[str, Any] = {"fullUrl": f"{base_url()}/{stored.reference}"}
    if stored.content is not None:
        entry["resource"] = stored.content
    entry["request"] = {"method": method, "url": url}
    entry["response"] = {
        "status": status,
        "etag": etag(stored),
        "lastModified": fhir_instant(stored),
    }
    return entry
