"""Architecture rules enforced by tests rather than memory (STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import porch

ROOT = Path(porch.__file__).parent
# The record app's own modules that make up the repository and may touch its tables.
RECORD_INTERNALS = {
    "auditing",
    "models",
    "repository",
    "writer",
    "scoping",
    "stored",
    "search",
    "search_params_parse",
    "bundles",
}


def _imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_only_the_record_repository_imports_the_record_tables() -> None:
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        internal = path.stem in RECORD_INTERNALS or {"migrations", "tests"} & set(rel.parts)
        if rel.parts[0] == "record" and internal:
            continue
        if "porch.record.models" in _imports_of(path):
            offenders.append(str(rel))
    assert offenders == [], f"import the repository, not porch.record.models: {offenders}"


@pytest.mark.django_db
def test_string_prefix_columns_compare_by_code_point_on_postgresql() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return  # SQLite compares text byte by byte always
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, collation_name FROM information_schema.columns "
            "WHERE (table_name, column_name) IN "
            "(('record_stringindex', 'normalized'), ('record_uriindex', 'value'))"
        )
        assert dict(cursor.fetchall()) == {"record_stringindex": "C", "record_uriindex": "C"}
