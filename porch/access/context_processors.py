"""Template context: whose record is open, so every page can say it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from porch.access.rules import access_state


def open_record(request: HttpRequest) -> dict[str, Any]:
    """{"open_record": {"id", "name", "is_self", "limited"}}, or None when no record is open.

    "limited": the open record's confidential items are hidden from this person.
    """
    ctx = getattr(request, "access", None)
    state = access_state(request)
    if ctx is None or state is None or not ctx.acting_for:
        return {"open_record": None}
    patient_id = ctx.acting_for
    facts = state.directory.get(patient_id)
    return {
        "open_record": {
            "id": patient_id,
            "name": (facts.name if facts else "") or patient_id,
            "is_self": patient_id == state.own,
            "limited": patient_id in ctx.confidential_hidden,
        }
    }
