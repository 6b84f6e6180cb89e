"""Compare folded strings and URIs byte by byte on PostgreSQL.

String search matches a prefix with the range `normalized >= v AND normalized < v||U+10FFFF`,
which is right only when the column sorts by code point. SQLite always does; a PostgreSQL
database created with a linguistic collation (en_US.UTF-8) would not, so the columns get
the "C" collation there. SQLite needs nothing, hence a vendor check rather than
`db_collation` on the field, which SQLite would reject.
"""

from __future__ import annotations

from django.db import migrations

COLUMNS = [("record_stringindex", "normalized", 255), ("record_uriindex", "value", 512)]


def use_c_collation(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, length in COLUMNS:
        schema_editor.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({length}) COLLATE "C"'
        )


def use_default_collation(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, length in COLUMNS:
        schema_editor.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({length}) COLLATE "default"'
        )


class Migration(migrations.Migration):
    dependencies = [("record", "0001_initial")]

    operations = [migrations.RunPython(use_c_collation, use_default_collation)]
