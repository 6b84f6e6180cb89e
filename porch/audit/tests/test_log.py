"""A request's reads go to the audit chain in one append; writes are never held back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from porch.access.context import AccessContext
from porch.audit import log
from porch.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

CTX = AccessContext.for_patients("Ana Alvarez", frozenset({"ana"}), purpose="patient-access")


def _reads(n: int) -> None:
    for i in range(n):
        log.record(CTX, Action.READ, [log.Access("ana", "Observation", f"o{i}")])


def test_a_requests_reads_are_appended_together_when_it_ends() -> None:
    with log.batched_reads():
        _reads(10)
        assert AuditEvent.objects.count() == 0
    assert AuditEvent.objects.count() == 10
    assert list(log.verify()) == []


def test_batched_reads_cost_the_same_queries_for_one_or_ten() -> None:
    counts = []
    for n in (1, 10):
        with CaptureQueriesContext(connection) as queries, log.batched_reads():
            _reads(n)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_writes_are_logged_at_once_inside_a_batch() -> None:
    with log.batched_reads():
        log.record(CTX, Action.UPDATE, [log.Access("ana", "Observation", "o1")])
        assert AuditEvent.objects.filter(action=Action.UPDATE).count() == 1


def test_reads_are_logged_even_when_the_request_fails() -> None:
    with pytest.raises(RuntimeError), log.batched_reads():
        _reads(2)
        raise RuntimeError("the view broke after reading")
    assert AuditEvent.objects.filter(action=Action.READ).count() == 2
