"""Refuse UPDATE and DELETE of audit events in the database itself.

The hash chain (porch audit verify) detects tampering; these triggers stop the casual
kind. Someone who can drop a trigger can still tamper, and the chain still catches it.

PostgreSQL: a row trigger refuses UPDATE and DELETE. TRUNCATE is left to privileges (an
operator revokes it from Porch's role; the test runner's flush truncates).
SQLite: a trigger refuses UPDATE. DELETE is not refused there, because Django's test
flush empties tables with DELETE; the chain reports deleted events.
"""

from __future__ import annotations

from django.db import migrations

# One statement per string: drivers run them one at a time.
FORWARD = {
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP;
        END;
        $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    ],
    "sqlite": [
        """CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit_auditevent
        BEGIN
            SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused');
        END""",
    ],
}
BACKWARD = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent",
        "DROP FUNCTION IF EXISTS audit_refuse_change()",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS audit_append_only"],
}


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    for statement in FORWARD.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    for statement in BACKWARD.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head")]

    operations = [migrations.RunPython(forward, backward)]
