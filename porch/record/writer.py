"""Staged, bulk writes of resource versions and their index rows.

The repository stages every write of one interaction (a single create, or every entry of
a 25,000-entry transaction) and flushes them with a handful of bulk statements inside the
caller's database transaction. Callers hold the transaction; nothing here commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from django.conf import settings
from django.db import connection
from django.db.models import Model

from porch.record import indexing
from porch.record.errors import PreconditionFailed
from porch.record.models import (
    Compartment,
    DateIndex,
    NumberIndex,
    QuantityIndex,
    ReferenceIndex,
    Resource,
    ResourceVersion,
    StringIndex,
    TokenIndex,
    UriIndex,
)

_INDEX_MODELS: tuple[type[Model], ...] = (
    TokenIndex,
    StringIndex,
    DateIndex,
    ReferenceIndex,
    QuantityIndex,
    UriIndex,
    NumberIndex,
    Compartment,
)
BULK_BATCH = 2000


def content_hash(resource: dict[str, Any]) -> str:
    """Hash of the resource without meta, stable across key order."""
    body = {k: v for k, v in resource.items() if k != "meta"}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


@dataclass
class StagedWrite:
    resource_type: str
    fhir_id: str
    content: dict[str, Any] | None  # None deletes
    existing: Resource | None
    method: str
    row: Resource | None = None  # set by flush


class Writer:
    """Collects writes, then flushes them in bulk with `flush(now)`."""

    def __init__(self) -> None:
        self.staged: list[StagedWrite] = []

    def stage(
        self,
        resource_type: str,
        fhir_id: str,
        content: dict[str, Any] | None,
        existing: Resource | None,
    ) -> StagedWrite:
        if content is None:
            method = ResourceVersion.Method.DELETE
        elif existing is None:
            method = ResourceVersion.Method.CREATE
        else:
            method = ResourceVersion.Method.UPDATE
        write = StagedWrite(resource_type, fhir_id, content, existing, method)
        self.staged.append(write)
        return write

    def flush(self, now: datetime) -> None:
        if not self.staged:
            return
        new_rows: list[Resource] = []
        changed_rows: list[Resource] = []
        for write in self.staged:
            row = self._apply(write, now)
            (changed_rows if write.existing is not None else new_rows).append(row)
        _insert_resources(new_rows)
        self._update_existing(changed_rows)
        insert_tuples(
            ResourceVersion._meta.db_table,
            ("resource_id", "resource_type", "version_id", "last_updated", "method", "content"),
            [self._version(w) for w in self.staged],
        )
        self._reindex(changed_rows, new_rows)
        self.staged = []

    def _apply(self, write: StagedWrite, now: datetime) -> Resource:
        row = write.existing or Resource(resource_type=write.resource_type, fhir_id=write.fhir_id)
        row.version_id = (write.existing.version_id + 1) if write.existing else 1
        row.last_updated = now
        row.deleted = write.content is None
        if write.content is not None:
            write.content["id"] = write.fhir_id
            meta = dict(write.content.get("meta") or {})
            meta["versionId"] = str(row.version_id)
            meta["lastUpdated"] = now.isoformat().replace("+00:00", "Z")
            write.content["meta"] = meta
            row.content = orjson.dumps(write.content).decode()
            row.content_hash = content_hash(write.content)
        else:
            row.content = ""
            row.content_hash = ""
        write.row = row
        return row

    @staticmethod
    def _update_existing(rows: list[Resource]) -> None:
        for row in rows:
            # The version check makes a concurrent writer that read the same version lose.
            updated = Resource.objects.filter(pk=row.pk, version_id=row.version_id - 1).update(
                version_id=row.version_id,
                last_updated=row.last_updated,
                deleted=row.deleted,
                content=row.content,
                content_hash=row.content_hash,
            )
            if updated != 1:
                raise PreconditionFailed(
                    f"{row.resource_type}/{row.fhir_id} was changed by someone else; read it again and retry"
                )

    @staticmethod
    def _version(write: StagedWrite) -> tuple[Any, ...]:
        row = write.row
        assert row is not None
        last_updated = connection.ops.adapt_datetimefield_value(row.last_updated)
        return (row.pk, row.resource_type, row.version_id, last_updated, write.method, row.content)

    def _reindex(self, changed: list[Resource], new: list[Resource]) -> None:
        if changed:
            # A deletion keeps its compartment rows so the patient can still read its history.
            _drop_index_rows(
                [r.pk for r in changed], compartments_of=[r.pk for r in changed if not r.deleted]
            )
        _write_index_rows(
            (write.row, write.content)
            for write in self.staged
            if write.content is not None and write.row is not None
        )


def reindex(resource_type: str, batch: int = BULK_BATCH) -> int:
    """Rebuild the search index rows of every current resource of one type, e.g. after
    a search parameter was added to searchparams.py. Compartment rows are rebuilt too.
    Runs in the caller's transaction; returns the number of resources indexed."""
    done = 0
    rows = Resource.objects.filter(resource_type=resource_type, deleted=False).order_by("pk")
    last = 0
    while chunk := list(rows.filter(pk__gt=last)[:batch]):
        ids = [r.pk for r in chunk]
        _drop_index_rows(ids, compartments_of=ids)
        _write_index_rows((row, orjson.loads(row.content)) for row in chunk)
        done += len(chunk)
        last = chunk[-1].pk
    return done


def _drop_index_rows(ids: list[int], compartments_of: list[int]) -> None:
    """Delete the index rows of resources `ids`, and the compartment rows of
    `compartments_of`."""
    for model in _INDEX_MODELS:
        targets = compartments_of if model is Compartment else ids
        model.objects.filter(resource_id__in=targets).delete()  # type: ignore[attr-defined]


def _write_index_rows(resources: Iterable[tuple[Resource, dict[str, Any]]]) -> None:
    """Insert the index rows of each (stored row, its content)."""
    base = settings.SITE_URL + "/fhir"
    batches: dict[type[Model], list[tuple[Any, ...]]] = {m: [] for m in _INDEX_MODELS}
    for row, content in resources:
        _collect(batches, row, indexing.extract(content, base))
    _insert_rows(batches)


# The IndexRows attribute and the columns after (resource_id, resource_type, param) of each
# index table, in the order of IndexRows' tuples.
_INDEX_LAYOUT: dict[type[Model], tuple[str, tuple[str, ...]]] = {
    TokenIndex: ("tokens", ("system", "code")),
    StringIndex: ("strings", ("normalized", "exact")),
    DateIndex: ("dates", ("low", "high")),
    ReferenceIndex: ("references", ("target_type", "target_id", "url")),
    QuantityIndex: ("quantities", ("value", "system", "code")),
    UriIndex: ("uris", ("value",)),
    NumberIndex: ("numbers", ("value",)),
}


def _collect(
    batches: dict[type[Model], list[tuple[Any, ...]]], row: Resource, values: indexing.IndexRows
) -> None:
    pk, resource_type = row.pk, row.resource_type
    adapt = connection.ops.adapt_datetimefield_value
    for model, (attribute, _) in _INDEX_LAYOUT.items():
        rows = dict.fromkeys(getattr(values, attribute))  # the same value twice is one row
        if model is DateIndex:
            batches[model].extend(
                (pk, resource_type, p, adapt(lo), adapt(hi)) for p, lo, hi in rows
            )
        else:
            batches[model].extend((pk, resource_type, *r) for r in rows)
    batches[Compartment].extend((pk, pid) for pid in sorted(values.compartments))


def _insert_rows(batches: dict[type[Model], list[tuple[Any, ...]]]) -> None:
    """Insert index rows as plain tuples: COPY on PostgreSQL, executemany elsewhere.

    Building 300,000 model instances for one large bundle cost four times the database's
    own time (profiled), for nothing the rows need; on PostgreSQL, COPY is the bulk path.
    """
    for model, rows in batches.items():
        if model is Compartment:
            columns: tuple[str, ...] = ("resource_id", "patient_id")
        else:
            columns = ("resource_id", "resource_type", "param", *_INDEX_LAYOUT[model][1])
        insert_tuples(model._meta.db_table, columns, rows)


_RESOURCE_COLUMNS = (
    "id",
    "resource_type",
    "fhir_id",
    "version_id",
    "last_updated",
    "deleted",
    "content",
    "content_hash",
)


def _insert_resources(rows: list[Resource]) -> None:
    """Insert new Resource rows and give them their primary keys."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        Resource.objects.bulk_create(rows, batch_size=BULK_BATCH)
        return
    # COPY returns no ids, so take them from the table's sequence first.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Resource._meta.db_table, len(rows)],
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = pk
    values = [tuple(getattr(row, c) for c in _RESOURCE_COLUMNS) for row in rows]
    insert_tuples(Resource._meta.db_table, _RESOURCE_COLUMNS, values)


def insert_tuples(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """The one database-specific seam of the writer; tested on both engines by the suite."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quote = connection.ops.quote_name
            names = ", ".join(quote(c) for c in columns)
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = _insert_sql(table, columns)
        for start in range(0, len(rows), BULK_BATCH * 5):
            cursor.executemany(sql, rows[start : start + BULK_BATCH * 5])


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608 - names are ours


def analyze_tables() -> None:
    """ANALYZE the record tables (PostgreSQL) or the database (SQLite)."""
    tables: list[type[Model]] = [Resource, ResourceVersion, *_INDEX_MODELS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quote = connection.ops.quote_name
            cursor.execute("ANALYZE " + ", ".join(quote(m._meta.db_table) for m in tables))
        else:
            cursor.execute("ANALYZE")
