"""Check-in's place on the appointment pages: a "Check in" link while the window is open,
"Checked in" once done. The pages that use it read the Appointments with their access
context first (the precondition of queries.statuses)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import template

from porch.checkin import queries
from porch.checkin.models import CheckIn
from porch.scheduling.queries import Visit

register = template.Library()


@dataclass(frozen=True)
class CheckinState:
    open: bool
    done: CheckIn | None


def _is_open(visit: Visit) -> bool:
    try:
        queries.check_window(visit)
    except queries.NotOpen:
        return False
    return True


@register.simple_tag
def checkins_of(rows: Iterable[Any]) -> dict[str, CheckIn]:
    """The check-ins of a list of visits (each a Visit or a (Visit, name) pair): one query,
    and none when no visit's window is open."""
    visits = [row[0] if isinstance(row, tuple) else row for row in rows]
    open_ids = [v.id for v in visits if _is_open(v)]
    return queries.statuses(open_ids) if open_ids else {}


@register.simple_tag
def checkin_state(visit: Visit, done: dict[str, CheckIn] | None = None) -> CheckinState:
    """Whether `visit` can be checked in for now, and its check-in if done. `done` is
    checkins_of's answer for a list; without it, one query when the window is open."""
    if not _is_open(visit):
        return CheckinState(open=False, done=None)
    found = done.get(visit.id) if done is not None else queries.checkin_of(visit)
    return CheckinState(open=True, done=found)
