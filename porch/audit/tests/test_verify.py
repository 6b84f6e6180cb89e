"""`porch audit verify` says the log is intact, or names each event where the chain breaks;
the database itself refuses changes to the log."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from porch.access.context import AccessContext
from porch.audit import log
from porch.audit.models import Action, AuditEvent
from porch.audit.tests.tamper import raw

pytestmark = pytest.mark.django_db

CRUZ = AccessContext.for_patients("Dr. Ada Cruz", frozenset({"ana"}), purpose="treatment")


def _four_events() -> list[int]:
    log.record(CRUZ, Action.READ, [log.Access("ana", "Condition", f"c{i}") for i in range(4)])
    return list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True))


def _verify() -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def test_an_untouched_log_is_reported_intact_with_its_size() -> None:
    _four_events()
    code, out, _ = _verify()
    assert code == 0
    assert "Audit log intact: 4 events" in out


def test_an_empty_log_is_intact() -> None:
    assert _verify()[:2] == (0, "Audit log intact: 0 events\n")


def test_a_changed_field_is_named_with_its_event() -> None:
    ids = _four_events()
    raw("UPDATE audit_auditevent SET actor = %s WHERE id = %s", "Dr. Nobody", ids[1])
    code, _, err = _verify()
    assert code == 1
    assert f"BROKEN event {ids[1]}: was changed after it was written" in err
    assert f"event {ids[2]}" not in err  # the events after it still follow it


def test_a_deleted_event_is_named_by_the_event_after_it() -> None:
    ids = _four_events()
    raw("DELETE FROM audit_auditevent WHERE id = %s", ids[1])
    code, _, err = _verify()
    assert code == 1
    assert f"BROKEN event {ids[2]}: does not follow the event before it" in err


def test_removing_the_newest_event_is_noticed() -> None:
    ids = _four_events()
    raw("DELETE FROM audit_auditevent WHERE id = %s", ids[-1])
    code, _, err = _verify()
    assert code == 1
    assert f"BROKEN event {ids[-1]}: the newest events were removed" in err


def test_the_database_refuses_to_change_an_event() -> None:
    ids = _four_events()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=ids[0]).update(actor="Dr. Nobody")
    assert AuditEvent.objects.get(pk=ids[0]).actor == "Dr. Ada Cruz"


def test_postgresql_refuses_to_delete_an_event() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's test flush deletes rows; there the chain catches deletions")
    ids = _four_events()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=ids[0]).delete()
    assert AuditEvent.objects.count() == 4
