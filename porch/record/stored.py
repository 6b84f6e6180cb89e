"""StoredResource: what the repository hands out, never a model instance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from porch.record.models import Resource, ResourceVersion


@dataclass(frozen=True)
class StoredResource:
    resource_type: str
    id: str
    version_id: int
    last_updated: datetime
    deleted: bool
    content: dict[str, Any] | None  # None for a deletion
    # How this version came to be: create, update or delete.
    method: str = ""

    @property
    def reference(self) -> str:
        return f"{self.resource_type}/{self.id}"

    @classmethod
    def from_row(cls, row: Resource, content: dict[str, Any] | None = None) -> StoredResource:
        """`content`, when the caller holds it already, saves parsing the row's JSON again."""
        if content is None and not row.deleted:
            content = orjson.loads(row.content)
        return cls(
            row.resource_type, row.fhir_id, row.version_id, row.last_updated, row.deleted, content
        )

    @classmethod
    def from_version(cls, version: ResourceVersion, fhir_id: str) -> StoredResource:
        deleted = version.method == ResourceVersion.Method.DELETE
        content = None if deleted else orjson.loads(version.content)
        return cls(
            version.resource_type,
            fhir_id,
            version.version_id,
            version.last_updated,
            deleted,
            content,
            version.method,
        )
