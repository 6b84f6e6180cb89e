"""The record repository: the only road to FHIR resources (DESIGN.md decision 3 and 7).

Every function takes an AccessContext first. Reads start from scoping.readable(ctx), so
what a context may not see answers exactly like what does not exist (NotFound). Writes
are validated against FHIR R4 before anything is stored, and a whole interaction is one
database transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from porch.access.context import AccessContext
from porch.audit.models import Action
from porch.record import auditing, indexing, scoping, writer
from porch.record import search as search_module
from porch.record.errors import (
    Forbidden,
    Gone,
    InvalidRequest,
    InvalidResource,
    NotFound,
    OutcomeIssue,
    PreconditionFailed,
)
from porch.record.models import Compartment, ReferenceIndex, Resource, ResourceVersion
from porch.record.scoping import readable, scope
from porch.record.stored import StoredResource
from porch.record.validation import validate_resource
from porch.record.writer import Writer, content_hash

search = search_module.search


@dataclass(frozen=True)
class WriteOutcome:
    stored: StoredResource
    # created | updated | unchanged | deleted | exists (conditional create found a match)
    status: str

    @property
    def http_status(self) -> int:
        return 201 if self.status == "created" else 200


# --- validation -----------------------------------------------------------------------


def check_resource(
    resource: Any, *, resource_type: str | None = None, fhir_id: str | None = None
) -> dict[str, Any]:
    """The resource, if it is a valid FHIR R4 resource of the expected type and id.

    Raises InvalidResource with one issue per problem, each naming the path.
    """
    if not isinstance(resource, dict):
        raise InvalidResource("The body is not a FHIR resource (expected a JSON object)")
    actual_type = resource.get("resourceType")
    if resource_type is not None and actual_type != resource_type:
        raise InvalidResource(
            f"resourceType is {actual_type!r} but the URL names {resource_type}",
            expression="resourceType",
        )
    if fhir_id is not None and resource.get("id") != fhir_id:
        raise InvalidResource(
            f"{actual_type}.id is {resource.get('id')!r} but the URL names {fhir_id!r}",
            expression=f"{actual_type}.id",
        )
    issues = validate_resource(resource)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise InvalidResource(
            errors[0].diagnostics,
            issues=[OutcomeIssue(i.code, i.diagnostics, i.expression, i.severity) for i in issues],
        )
    return resource


def check_may_write(
    ctx: AccessContext, resource: dict[str, Any] | None, row: Resource | None
) -> None:
    # A context without write permission writes nothing.
    if not ctx.may_write:
        raise Forbidden("This access context may not change the record")
    if ctx.patient_ids is None:
        return
    # A patient-scoped context writes only inside its own patients' compartments.
    compartments = indexing.extract(resource).compartments if resource else set()
    if not compartments or not compartments <= ctx.patient_ids:
        raise Forbidden("This write would reach outside the patients this access context acts for")


def new_id() -> str:
    return str(uuid.uuid4())


# --- reads ----------------------------------------------------------------------------


def _visible_row(ctx: AccessContext, resource_type: str, fhir_id: str) -> Resource:
    row = scope(ctx, Resource.objects.all(), resource_type).filter(fhir_id=fhir_id).first()
    # Missing and not-yours answer the same.
    if row is None:
        raise NotFound(f"{resource_type}/{fhir_id} is not known")
    return row


def read(ctx: AccessContext, resource_type: str, fhir_id: str) -> StoredResource:
    """The current version. Raises NotFound, or Gone when it was deleted."""
    row = _visible_row(ctx, resource_type, fhir_id)
    if row.deleted:
        raise Gone(f"{resource_type}/{fhir_id} was deleted (version {row.version_id})")
    stored = StoredResource.from_row(row)
    auditing.resources_touched(ctx, Action.READ, [stored])
    return stored


def vread(ctx: AccessContext, resource_type: str, fhir_id: str, version_id: str) -> StoredResource:
    """One version. Raises NotFound for an unknown version, Gone for a deletion version."""
    row = _visible_row(ctx, resource_type, fhir_id)
    if not version_id.isdigit():
        raise NotFound(f"{resource_type}/{fhir_id} has no version {version_id!r}")
    version = ResourceVersion.objects.filter(resource=row, version_id=int(version_id)).first()
    if version is None:
        raise NotFound(f"{resource_type}/{fhir_id} has no version {version_id}")
    # An old version may carry a confidential code its current version lost.
    if not _visible_versions(ctx, [version]):
        raise NotFound(f"{resource_type}/{fhir_id} has no version {version_id}")
    stored = StoredResource.from_version(version, fhir_id)
    if stored.deleted:
        raise Gone(f"Version {version_id} of {resource_type}/{fhir_id} is its deletion")
    auditing.resources_touched(ctx, Action.READ, [stored])
    return stored


def _visible_versions(ctx: AccessContext, versions: list[ResourceVersion]) -> list[ResourceVersion]:
    """Drop versions with confidential content for a context that must not see them."""
    hidden_here = scoping.in_hidden_compartments(ctx, sorted({v.resource_id for v in versions}))
    if not hidden_here:
        return versions
    return [
        v
        for v in versions
        if v.resource_id not in hidden_here
        or v.method == ResourceVersion.Method.DELETE
        or not scoping.content_is_confidential(orjson.loads(v.content))
    ]


@dataclass(frozen=True)
class HistoryPage:
    entries: list[StoredResource]
    total: int
    offset: int
    count: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.entries) < self.total


def history(
    ctx: AccessContext,
    resource_type: str | None = None,
    fhir_id: str | None = None,
    *,
    count: int = 50,
    offset: int = 0,
) -> HistoryPage:
    """Versions, newest first: of one resource, one type, or everything the context may read."""
    if fhir_id is not None and resource_type is not None:
        rows = Resource.objects.filter(pk=_visible_row(ctx, resource_type, fhir_id).pk)
    else:
        rows = scope(ctx, Resource.objects.all(), resource_type)
    versions = ResourceVersion.objects.filter(resource__in=rows.values("pk"))
    if resource_type is not None:
        versions = versions.filter(resource_type=resource_type)
    ordered = versions.select_related("resource").order_by("-last_updated", "-pk")
    if ctx.confidential_hidden:
        # Checked version by version (old versions are not indexed), then paged.
        visible = _visible_versions(ctx, list(ordered))
        total, page = len(visible), visible[offset : offset + count]
    else:
        total, page = versions.count(), list(ordered[offset : offset + count])
    entries = [StoredResource.from_version(v, v.resource.fhir_id) for v in page]
    auditing.resources_touched(ctx, Action.READ, entries)
    return HistoryPage(entries, total, offset, count)


# --- writes ---------------------------------------------------------------------------


def create(
    ctx: AccessContext,
    resource: Any,
    *,
    if_none_exist: str | None = None,
    fhir_id: str | None = None,
) -> WriteOutcome:
    """Store a new resource under a new id (or `fhir_id`, for imports that keep theirs).

    With `if_none_exist` (a search query), an existing single match is returned instead;
    several matches raise PreconditionFailed.
    """
    resource = check_resource(resource)
    with transaction.atomic():
        if if_none_exist:
            match = find_one(ctx, resource["resourceType"], if_none_exist)
            if match is not None:
                return WriteOutcome(match, "exists")
        check_may_write(ctx, resource, None)
        resource = dict(resource)
        writer = Writer()
        write = writer.stage(resource["resourceType"], fhir_id or new_id(), resource, None)
        writer.flush(timezone.now())
        assert write.row is not None
        stored = StoredResource.from_row(write.row, write.content)
        auditing.resources_touched(ctx, Action.CREATE, [stored])
    return WriteOutcome(stored, "created")


def update(
    ctx: AccessContext,
    resource_type: str,
    fhir_id: str,
    resource: Any,
    *,
    if_match: str | None = None,
) -> WriteOutcome:
    """Create or replace the resource at this id (update-as-create is allowed).

    `if_match` is the version the client last read (ETag W/"n" or n); a stale one raises
    PreconditionFailed and nothing is stored. A body identical to the current version
    makes no new version.
    """
    resource = dict(check_resource(resource, resource_type=resource_type, fhir_id=fhir_id))
    with transaction.atomic():
        existing = (
            Resource.objects.select_for_update()
            .filter(resource_type=resource_type, fhir_id=fhir_id)
            .first()
        )
        if (
            existing is not None
            and not scope(ctx, Resource.objects.filter(pk=existing.pk), resource_type).exists()
        ):
            raise NotFound(f"{resource_type}/{fhir_id} is not known")
        check_version(existing, if_match, f"{resource_type}/{fhir_id}")
        if (
            existing is not None
            and not existing.deleted
            and existing.content_hash == content_hash(resource)
        ):
            return WriteOutcome(StoredResource.from_row(existing), "unchanged")
        check_may_write(ctx, resource, existing)
        created = existing is None or existing.deleted
        writer = Writer()
        write = writer.stage(resource_type, fhir_id, resource, existing)
        writer.flush(timezone.now())
        assert write.row is not None
        stored = StoredResource.from_row(write.row, write.content)
        auditing.resources_touched(ctx, Action.CREATE if created else Action.UPDATE, [stored])
    return WriteOutcome(stored, "created" if created else "updated")


def delete(
    ctx: AccessContext, resource_type: str, fhir_id: str, *, if_match: str | None = None
) -> WriteOutcome | None:
    """Delete (a new version that is a tombstone; history is kept). None if already gone."""
    with transaction.atomic():
        row = _visible_row(ctx, resource_type, fhir_id)
        row = Resource.objects.select_for_update().get(pk=row.pk)
        if row.deleted:
            return None
        check_version(row, if_match, f"{resource_type}/{fhir_id}")
        check_may_write(ctx, StoredResource.from_row(row).content, row)
        writer = Writer()
        write = writer.stage(resource_type, fhir_id, None, row)
        writer.flush(timezone.now())
        assert write.row is not None
        stored = StoredResource.from_row(write.row)
        auditing.resources_touched(ctx, Action.DELETE, [stored])
    return WriteOutcome(stored, "deleted")


def check_version(existing: Resource | None, if_match: str | None, label: str) -> None:
    if if_match is None:
        return
    wanted = parse_version(if_match)
    current = existing.version_id if existing is not None and not existing.deleted else None
    if current != wanted:
        raise PreconditionFailed(
            f"{label} is at version {current if current is not None else '(none)'}, "
            f"not {wanted}: read it again and retry"
        )


def parse_version(etag: str) -> int:
    """The version number in an ETag / If-Match value such as W/"3". Raises InvalidRequest."""
    text = etag.strip()
    text = text.removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InvalidRequest(f'If-Match {etag!r} is not a version (expected W/"<number>")')
    return int(text)


def refresh_statistics() -> None:
    """Update the query planner's statistics of the record tables after a bulk load."""
    writer.analyze_tables()


# --- conditional lookups ------------------------------------------------------------


def find_one(ctx: AccessContext, resource_type: str, query: str) -> StoredResource | None:
    """The single resource the query matches, None for no match.

    Raises PreconditionFailed when the query matches more than one resource. The query
    may repeat the type in front ("Patient?identifier=..."), as many exports write it.
    """
    query = query.removeprefix(f"{resource_type}?").lstrip("?")
    params = parse_qsl(query, keep_blank_values=True)
    if not params:
        raise InvalidRequest(f"The conditional query {query!r} has no search parameters")
    rows = list(search_module.match_ids(ctx, resource_type, params)[:2])
    if len(rows) > 1:
        raise PreconditionFailed(
            f"{resource_type}?{query.lstrip('?')} matches more than one resource"
        )
    return StoredResource.from_row(rows[0]) if rows else None


def patients_referring_to(
    ctx: AccessContext, reference: str, via: list[tuple[str, str]]
) -> frozenset[str]:
    """Ids of the patients in whose compartments sits a resource the context may read that
    refers to `reference` ("Practitioner/123") through one of `via`, pairs of (resource
    type, reference search parameter), e.g. [("CareTeam", "participant")].

    At most three queries, whatever the number of resources: the clinician's patient
    list (porch.access.rules) asks it on every request.
    """
    target_type, _, target_id = reference.partition("/")
    if not target_type or not target_id or not via:
        return frozenset()
    by_param = Q(pk__in=[])
    for resource_type, param in via:
        by_param |= Q(resource_type=resource_type, param=param)
    # Three plain index lookups rather than one nested query: without statistics (a new
    # database, a test run) PostgreSQL planned the nested form as scans costing 0.1-1 s,
    # and this runs on every request of a clinician.
    pointing = list(
        ReferenceIndex.objects.filter(
            by_param, target_type=target_type, target_id=target_id, url=""
        ).values_list("resource_id", flat=True)
    )
    if not pointing:
        return frozenset()
    readable_ids = list(readable(ctx).filter(pk__in=pointing).values_list("pk", flat=True))
    patients = Compartment.objects.filter(resource_id__in=readable_ids).values_list(
        "patient_id", flat=True
    )
    return frozenset(patients.distinct())


def existing_rows(
    ctx: AccessContext, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], Resource]:
    """Current rows for (type, id) pairs, locked for update; deleted ones included."""
    by_type: dict[str, list[str]] = {}
    for resource_type, fhir_id in keys:
        by_type.setdefault(resource_type, []).append(fhir_id)
    found: dict[tuple[str, str], Resource] = {}
    for resource_type, ids in by_type.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = Resource.objects.select_for_update().filter(
                resource_type=resource_type, fhir_id__in=chunk
            )
            found.update({(r.resource_type, r.fhir_id): r for r in rows})
    return found


__all__ = [
    "HistoryPage",
    "WriteOutcome",
    "check_resource",
    "create",
    "delete",
    "find_one",
    "history",
    "patients_referring_to",
    "read",
    "readable",
    "search",
    "update",
    "vread",
]
