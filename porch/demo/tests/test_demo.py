"""`porch demo --load-only` loads the demo clinic once, and a second run reuses it."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from porch.access.context import AccessContext
from porch.demo import clinic
from porch.record import search

pytestmark = pytest.mark.django_db(transaction=True)


def _ages(ctx: AccessContext) -> list[int]:
    patients = search.search(ctx, "Patient", [("_count", "100")]).matches
    today = date.today()
    return sorted(
        (today - date.fromisoformat(p.content["birthDate"])).days // 365
        for p in patients
        if p.content is not None
    )


def test_the_demo_loads_a_panel_of_all_ages_once(system_ctx: AccessContext) -> None:
    out = StringIO()
    call_command("demo", "--load-only", stdout=out)
    assert "Loaded" in out.getvalue()
    ages = _ages(system_ctx)
    assert len(ages) >= 20
    assert any(a < 12 for a in ages), "children"
    assert any(12 <= a < 18 for a in ages), "teens"
    assert any(18 <= a < 65 for a in ages), "adults"
    assert any(a >= 65 for a in ages), "elderly"
    organizations = search.search(system_ctx, "Organization", [("_summary", "count")]).total
    practitioners = search.search(system_ctx, "Practitioner", [("_summary", "count")]).total
    assert organizations and practitioners

    again = StringIO()
    call_command("demo", "--load-only", stdout=again)
    assert "already loaded" in again.getvalue()
    assert clinic.is_loaded()
