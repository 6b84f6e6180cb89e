"""Transaction and batch Bundles (R4 §3.1.0.11 http.html#transaction).

A transaction is all-or-nothing: every entry is validated, every `urn:uuid:` and
conditional reference resolved, and every write staged before one bulk flush inside a
single database transaction; any failure stores nothing and names the entry. A batch
runs each entry on its own, and one entry's failure becomes that entry's response.

In import mode, a POST whose fullUrl is `urn:uuid:<uuid>` keeps that uuid as its id, so
importing the same bundle again finds the resources it made and changes nothing.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.db import transaction
from django.utils import timezone

from porch.access.context import AccessContext
from porch.audit.models import Action
from porch.record import auditing, repository
from porch.record import search as search_module
from porch.record.errors import (
    FhirError,
    InvalidRequest,
    InvalidResource,
    NotFound,
    OutcomeIssue,
    operation_outcome,
)
from porch.record.models import Resource
from porch.record.scoping import scope
from porch.record.stored import StoredResource
from porch.record.writer import Writer, content_hash

_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_CONDITIONAL_REF = re.compile(r"^([A-Z][A-Za-z]+)\?(.+)$")
_TYPE_PATH = re.compile(r"/([A-Z][A-Za-z]+(?:/[A-Za-z0-9\-.]{1,64})?)$")
_IMPORT_NAMESPACE = uuid.UUID("6f1c2a51-4d0e-4a8e-9a57-2f0c1d9e8b3a")
_UUID_URN = re.compile(r"^urn:uuid:([0-9a-fA-F-]{36})$")


@dataclass
class _Entry:
    index: int
    method: str
    resource_type: str
    fhir_id: str | None
    query: str | None
    resource: dict[str, Any] | None
    full_url: str | None
    if_none_exist: str | None
    if_match: str | None
    # Filled while processing.
    outcome: str = ""
    stored: StoredResource | None = None
    result: dict[str, Any] | None = None
    existing: Resource | None = None
    write: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"Bundle.entry[{self.index}]"


def process(
    ctx: AccessContext,
    bundle: Any,
    *,
    import_mode: bool = False,
    outcomes: list[str] | None = None,
) -> dict[str, Any]:
    """Run a transaction or batch Bundle; returns the response Bundle.

    `outcomes`, when given, receives one word per entry (created, updated, unchanged,
    exists, deleted, absent, read, failed): the response says "200 OK" for several of them.

    Raises InvalidRequest for a bundle that is not a transaction or batch, and, for a
    transaction, the first FhirError of any entry, its expression naming the entry.
    """
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise InvalidRequest("Expected a Bundle of type transaction or batch", expression="Bundle")
    kind = bundle.get("type")
    if kind not in {"transaction", "batch"}:
        raise InvalidRequest(
            f"Bundle.type is {kind!r}; only transaction and batch can be posted to the base",
            expression="Bundle.type",
        )
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise InvalidRequest("Bundle.entry must be a list", expression="Bundle.entry")
    if kind == "transaction":
        response, done = _transaction(ctx, entries, import_mode)
    else:
        response, done = _batch(ctx, entries, import_mode)
    if outcomes is not None:
        outcomes.extend(
            e.outcome or ("read" if e.method in {"GET", "HEAD"} else "failed") for e in done
        )
    return response


# --- parsing --------------------------------------------------------------------------


def _parse_entry(index: int, raw: Any) -> _Entry:
    where = f"Bundle.entry[{index}]"
    if not isinstance(raw, dict):
        raise InvalidRequest(f"{where} is not an object", expression=where)
    request = raw.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("url"), str):
        raise InvalidRequest(
            f"{where}.request with method and url is required", expression=f"{where}.request"
        )
    method = str(request.get("method", "")).upper()
    if method not in {"GET", "POST", "PUT", "DELETE", "HEAD"}:
        raise InvalidRequest(
            f"{where}.request.method {method!r} is not supported",
            expression=f"{where}.request.method",
        )
    url = _relative_url(request["url"])
    path, _, query = url.partition("?")
    parts = path.split("/")
    resource_type = parts[0]
    fhir_id = parts[1] if len(parts) > 1 and parts[1] else None
    resource = raw.get("resource")
    if method in {"POST", "PUT"}:
        if not isinstance(resource, dict):
            raise InvalidResource(
                f"{where}.resource is required for {method}", expression=f"{where}.resource"
            )
        if resource.get("resourceType") != resource_type:
            raise InvalidResource(
                f"{where}.resource is a {resource.get('resourceType')!r} but request.url names {resource_type!r}",
                expression=f"{where}.resource.resourceType",
            )
    if method in {"PUT", "DELETE"} and (fhir_id is None or not _ID.match(fhir_id)):
        raise InvalidRequest(
            f"{where}.request.url {request['url']!r}: {method} needs Type/id (conditional {method} is not supported)",
            expression=f"{where}.request.url",
        )
    return _Entry(
        index,
        method,
        resource_type,
        fhir_id,
        query or None,
        dict(resource) if isinstance(resource, dict) else None,
        raw.get("fullUrl") if isinstance(raw.get("fullUrl"), str) else None,
        request.get("ifNoneExist"),
        request.get("ifMatch"),
    )


def _relative_url(url: str) -> str:
    """The request url relative to the base: examples and exports often write it absolute
    (http://server/fhir/Patient/1); the Type[/id] at its end is what the request means."""
    if not url.startswith(("http://", "https://")):
        return url.lstrip("/")
    split = urlsplit(url)
    found = _TYPE_PATH.search(split.path.rstrip("/"))
    query = f"?{split.query}" if split.query else ""
    return (found.group(1) if found else url) + query


def _validate(entry: _Entry) -> None:
    if entry.resource is None:
        return
    try:
        repository.check_resource(
            entry.resource, fhir_id=entry.fhir_id if entry.method == "PUT" else None
        )
    except InvalidResource as exc:
        raise InvalidResource(
            f"{entry.where}.resource ({entry.resource_type}): {exc.issues[0].diagnostics}",
            issues=[_relocate(entry, issue) for issue in exc.issues],
        ) from exc


def _relocate(entry: _Entry, issue: OutcomeIssue) -> OutcomeIssue:
    """Re-root an issue's path at the bundle entry, e.g. Bundle.entry[3].resource.status."""
    expression = issue.expression
    if expression.startswith(entry.resource_type):
        expression = f"{entry.where}.resource{expression[len(entry.resource_type) :]}"
    else:
        expression = f"{entry.where}.resource"
    return OutcomeIssue(
        issue.code, f"{entry.where}: {issue.diagnostics}", expression, issue.severity
    )


# --- transaction ----------------------------------------------------------------------


def _transaction(
    ctx: AccessContext, raw_entries: list[Any], import_mode: bool
) -> tuple[dict[str, Any], list[_Entry]]:
    entries = [_parse_entry(i, raw) for i, raw in enumerate(raw_entries)]
    for entry in entries:
        _validate(entry)
    with transaction.atomic():
        references = _resolve_conditional_creates(ctx, entries)
        _assign_ids(entries, references, import_mode)
        _refuse_duplicates(entries)
        resolver = _ReferenceResolver(ctx, references, import_mode=import_mode)
        for entry in entries:
            if entry.resource is not None and entry.outcome != "exists":
                resolver.rewrite(entry, entry.resource)
        _stage_and_flush(ctx, entries, import_mode)
        for entry in entries:
            if entry.method in {"GET", "HEAD"}:
                entry.result = _read_entry(ctx, entry)
    return _response("transaction-response", entries), entries


def _resolve_conditional_creates(ctx: AccessContext, entries: list[_Entry]) -> dict[str, str]:
    references: dict[str, str] = {}
    for entry in entries:
        if entry.method == "POST" and entry.if_none_exist:
            try:
                match = repository.find_one(ctx, entry.resource_type, entry.if_none_exist)
            except FhirError as exc:
                raise type(exc)(
                    f"{entry.where}.request.ifNoneExist: {exc}", expression=f"{entry.where}.request"
                ) from exc
            if match is not None:
                entry.outcome, entry.stored = "exists", match
                if entry.full_url:
                    references[entry.full_url] = match.reference
    return references


def _assign_ids(entries: list[_Entry], references: dict[str, str], import_mode: bool) -> None:
    for entry in entries:
        if entry.method == "POST" and entry.outcome != "exists":
            entry.fhir_id = _import_id(entry) if import_mode else repository.new_id()
        if (
            entry.method in {"POST", "PUT"}
            and entry.full_url
            and entry.fhir_id
            and entry.outcome != "exists"
        ):
            references[entry.full_url] = f"{entry.resource_type}/{entry.fhir_id}"


def _refuse_duplicates(entries: list[_Entry]) -> None:
    """R4: a transaction must not touch the same resource twice (the result would depend
    on the order of processing)."""
    seen: dict[tuple[str, str], _Entry] = {}
    for entry in entries:
        if entry.method not in {"POST", "PUT", "DELETE"} or entry.outcome == "exists":
            continue
        key = (entry.resource_type, entry.fhir_id or "")
        if key in seen:
            raise InvalidRequest(
                f"{seen[key].where} and {entry.where} both change {key[0]}/{key[1]}; "
                "a transaction may change each resource once",
                expression=entry.where,
            )
        seen[key] = entry


def _import_id(entry: _Entry) -> str:
    assert entry.resource is not None
    return import_id(entry.resource, entry.full_url)


def import_id(resource: dict[str, Any], full_url: str | None = None) -> str:
    """The id an import gives a resource: the same every time the same data comes.

    Its own id; else the uuid of its `urn:uuid:` fullUrl; else a uuid5 of its content.
    """
    own = resource.get("id")
    if isinstance(own, str):
        return own  # an invalid id is refused by validation, not silently replaced
    kept = _UUID_URN.match(full_url or "")
    if kept:
        return kept.group(1).lower()
    body = {k: v for k, v in resource.items() if k != "id"}
    return str(uuid.uuid5(_IMPORT_NAMESPACE, content_hash(body)))


class _ReferenceResolver:
    """Rewrites urn:uuid and conditional references to literal Type/id references.

    In import mode, a conditional reference by identifier that matches nothing becomes a
    logical reference (Reference.type + Reference.identifier) instead of failing the
    bundle: the data keeps what it said, and the entry's response carries a warning.
    Over the API the spec's rule holds: no match fails the transaction.
    """

    def __init__(
        self, ctx: AccessContext, references: dict[str, str], *, import_mode: bool = False
    ) -> None:
        self.ctx = ctx
        self.references = references
        self.import_mode = import_mode
        self.conditional: dict[str, str | None] = {}

    def rewrite(self, entry: _Entry, node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("reference")
            if isinstance(ref, str):
                resolved = self._resolve(entry, ref)
                if resolved is None:
                    _make_logical(entry, node, ref)
                else:
                    node["reference"] = resolved
            for key, value in node.items():
                if key != "text" and isinstance(value, dict | list):
                    self.rewrite(entry, value)
        elif isinstance(node, list):
            for item in node:
                self.rewrite(entry, item)

    def _resolve(self, entry: _Entry, ref: str) -> str | None:
        if ref in self.references:
            return self.references[ref]
        if ref.startswith(("urn:uuid:", "urn:oid:")):
            raise InvalidResource(
                f"{entry.where}.resource refers to {ref}, which no entry of this bundle has as fullUrl",
                expression=f"{entry.where}.resource",
            )
        conditional = _CONDITIONAL_REF.match(ref)
        if conditional is None:
            return ref
        if ref not in self.conditional:
            self.conditional[ref] = self._resolve_conditional(entry, ref, *conditional.groups())
        return self.conditional[ref]

    def _resolve_conditional(
        self, entry: _Entry, ref: str, resource_type: str, query: str
    ) -> str | None:
        try:
            match = repository.find_one(self.ctx, resource_type, query)
        except FhirError as exc:
            raise InvalidResource(
                f"{entry.where}.resource: reference {ref}: {exc}",
                expression=f"{entry.where}.resource",
            ) from exc
        if match is not None:
            return match.reference
        if self.import_mode and _LOGICAL_QUERY.match(query):
            return None
        raise InvalidResource(
            f"{entry.where}.resource: conditional reference {ref} matches no resource",
            expression=f"{entry.where}.resource",
        )


_LOGICAL_QUERY = re.compile(r"^identifier=([^|&]*)\|([^&]+)$")


def _make_logical(entry: _Entry, node: dict[str, Any], ref: str) -> None:
    resource_type, query = ref.split("?", 1)
    match = _LOGICAL_QUERY.match(query)
    assert match is not None
    system, value = match.groups()
    del node["reference"]
    node["type"] = resource_type
    node["identifier"] = {"system": system, "value": value} if system else {"value": value}
    entry.warnings.append(
        f"{entry.where}.resource: conditional reference {ref} matched no resource; "
        "kept as a logical reference by identifier"
    )


def _stage_and_flush(ctx: AccessContext, entries: list[_Entry], import_mode: bool) -> None:
    writes = [e for e in entries if e.method in {"POST", "PUT", "DELETE"} and e.outcome != "exists"]
    keys = [
        (e.resource_type, e.fhir_id)
        for e in writes
        if e.fhir_id and (e.method != "POST" or import_mode)
    ]
    existing = repository.existing_rows(ctx, keys) if keys else {}
    _check_visible(ctx, existing)
    writer = Writer()
    for entry in writes:
        assert entry.fhir_id is not None
        row = existing.get((entry.resource_type, entry.fhir_id))
        if entry.if_match:
            repository.check_version(
                row, entry.if_match, f"{entry.where} {entry.resource_type}/{entry.fhir_id}"
            )
        if entry.method == "DELETE":
            entry.outcome = "deleted" if row is not None and not row.deleted else "absent"
            if entry.outcome == "deleted":
                repository.check_may_write(
                    ctx, None if row is None else StoredResource.from_row(row).content, row
                )
                entry.write = writer.stage(entry.resource_type, entry.fhir_id, None, row)
            continue
        assert entry.resource is not None
        entry.resource["id"] = entry.fhir_id
        if row is not None and not row.deleted and row.content_hash == content_hash(entry.resource):
            entry.outcome, entry.stored = "unchanged", StoredResource.from_row(row)
            continue
        repository.check_may_write(ctx, entry.resource, row)
        entry.outcome = "created" if row is None or row.deleted else "updated"
        entry.write = writer.stage(entry.resource_type, entry.fhir_id, entry.resource, row)
    writer.flush(timezone.now())
    for entry in writes:
        if entry.write is not None and entry.write.row is not None:
            entry.stored = StoredResource.from_row(entry.write.row, entry.write.content)
    _audit_writes(ctx, writes)


_AUDIT_ACTIONS = {"created": Action.CREATE, "updated": Action.UPDATE, "deleted": Action.DELETE}


def _audit_writes(ctx: AccessContext, writes: list[_Entry]) -> None:
    for outcome, action in _AUDIT_ACTIONS.items():
        stored = [e.stored for e in writes if e.outcome == outcome and e.stored is not None]
        if stored:
            auditing.resources_touched(ctx, action, stored)


def _check_visible(ctx: AccessContext, existing: dict[tuple[str, str], Resource]) -> None:
    if ctx.patient_ids is None or not existing:
        return
    visible = set(
        scope(
            ctx, Resource.objects.filter(pk__in=[r.pk for r in existing.values()]), None
        ).values_list("pk", flat=True)
    )
    for (resource_type, fhir_id), row in existing.items():
        # Writing over what one may not read answers as if it did not exist.
        if row.pk not in visible:
            raise NotFound(f"{resource_type}/{fhir_id} is not known")


def _read_entry(ctx: AccessContext, entry: _Entry) -> dict[str, Any]:
    if entry.fhir_id:
        stored = repository.read(ctx, entry.resource_type, entry.fhir_id)
        entry.stored = stored
        return {"status": "200 OK"}
    result = search_module.search(
        ctx, entry.resource_type, parse_qsl(entry.query or "", keep_blank_values=True)
    )
    entry.extra["searchset"] = result
    return {"status": "200 OK"}


# --- batch ----------------------------------------------------------------------------


def _batch(
    ctx: AccessContext, raw_entries: list[Any], import_mode: bool
) -> tuple[dict[str, Any], list[_Entry]]:
    entries: list[_Entry] = []
    for index, raw in enumerate(raw_entries):
        try:
            entry = _parse_entry(index, raw)
            _validate(entry)
            with transaction.atomic():
                _run_one(ctx, entry, import_mode)
        except FhirError as exc:
            entry = _Entry(index, "", "", None, None, None, None, None, None)
            entry.result = {
                "status": f"{exc.status} {_reason(exc.status)}",
                "outcome": exc.outcome(),
            }
        entries.append(entry)
    return _response("batch-response", entries), entries


def _run_one(ctx: AccessContext, entry: _Entry, import_mode: bool) -> None:
    if entry.method in {"GET", "HEAD"}:
        entry.result = _read_entry(ctx, entry)
        return
    if entry.method == "POST" and entry.if_none_exist:
        _resolve_conditional_creates(ctx, [entry])
        if entry.outcome == "exists":
            return
    _assign_ids([entry], {}, import_mode)
    if entry.resource is not None:
        _ReferenceResolver(ctx, {}, import_mode=import_mode).rewrite(entry, entry.resource)
    _stage_and_flush(ctx, [entry], import_mode)


# --- response -------------------------------------------------------------------------

_STATUS = {
    "created": "201 Created",
    "updated": "200 OK",
    "unchanged": "200 OK",
    "exists": "200 OK",
    "deleted": "204 No Content",
    "absent": "204 No Content",
}


def _reason(status: int) -> str:
    return {
        400: "Bad Request",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        410: "Gone",
        412: "Precondition Failed",
        422: "Unprocessable Entity",
    }.get(status, "Error")


def _response(kind: str, entries: list[_Entry]) -> dict[str, Any]:
    out: list[dict[str, Any]] = []
    for entry in entries:
        item: dict[str, Any] = {}
        if entry.result is not None:
            item["response"] = dict(entry.result)
        else:
            item["response"] = {"status": _STATUS.get(entry.outcome, "200 OK")}
        stored = entry.stored
        if stored is not None:
            item["fullUrl"] = stored.reference
            item["response"].update(
                {
                    "location": f"{stored.reference}/_history/{stored.version_id}",
                    "etag": f'W/"{stored.version_id}"',
                    "lastModified": stored.last_updated.isoformat().replace("+00:00", "Z"),
                }
            )
            if entry.method in {"GET", "HEAD"} and stored.content is not None:
                item["resource"] = stored.content
        if "searchset" in entry.extra:
            result = entry.extra["searchset"]
            item["resource"] = {
                "resourceType": "Bundle",
                "type": "searchset",
                "total": result.total,
                "entry": [
                    {"fullUrl": m.reference, "resource": m.content, "search": {"mode": "match"}}
                    for m in result.matches
                ],
            }
        if entry.warnings:
            item["response"]["outcome"] = operation_outcome(
                [OutcomeIssue("not-found", w, severity="warning") for w in entry.warnings]
            )
        out.append(item)
    return {"resourceType": "Bundle", "type": kind, "entry": out}
