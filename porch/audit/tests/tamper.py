"""What an attacker with database access would do: switch off the append-only trigger.

Used inside a test's transaction, so the trigger is back when the test ends.
"""

from __future__ import annotations

from django.db import connection

OFF = {
    "postgresql": "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_append_only",
    "sqlite": "DROP TRIGGER IF EXISTS audit_append_only",
}


def disable_append_only_trigger() -> None:
    with connection.cursor() as cursor:
        cursor.execute(OFF[connection.vendor])


def raw(sql: str, *params: object) -> None:
    disable_append_only_trigger()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
