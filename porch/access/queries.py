"""Reads of the access pages: the records one may open, proxy grants, break-the-glass.

Each starts from the AccessState of the person asking (porch.access.rules), which holds
only what they may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from porch.access.models import BreakGlass, ProxyGrant
from porch.access.rules import AccessState, PatientDirectory


@dataclass(frozen=True)
class RecordEntry:
    patient_id: str
    name: str
    is_self: bool
    limited: bool
    how: str  # "self", "proxy", "care", "break-glass"
    relationship: str = ""


def records_to_open(state: AccessState) -> list[RecordEntry]:
    """The records this person may open: their own, those of their proxy grants, and for a
    clinician their patients' charts. One query of the record for every name."""
    ids = set(state.personal) | state.chart_ids
    names = state.directory.load(ids)
    entries = [
        RecordEntry(
            r.patient_id,
            _name(names, r.patient_id),
            r.is_self,
            r.limited,
            "self" if r.is_self else "proxy",
            r.relationship,
        )
        for r in state.personal.values()
    ]
    charts = [
        RecordEntry(
            pid,
            _name(names, pid),
            False,
            False,
            "break-glass" if pid in state.break_glass else "care",
        )
        for pid in state.chart_ids - set(state.personal)
    ]
    charts.sort(key=lambda e: (e.name.lower(), e.patient_id))
    return entries + charts


def _name(names: dict[str, Any], patient_id: str) -> str:
    facts = names.get(patient_id)
    return facts.name if facts is not None and facts.name else patient_id


@dataclass(frozen=True)
class GrantEntry:
    grant: ProxyGrant
    who: str
    status: str  # "active", "pending" (no account yet), "scheduled", "ended", "revoked"


def grants_of_patient(patient_id: str, now: datetime | None = None) -> list[GrantEntry]:
    """Every grant that opens (or opened) this patient's record, newest first. The caller
    has checked the person may manage them (the patient, or staff)."""
    now = now or timezone.now()
    rows = ProxyGrant.objects.filter(patient_id=patient_id).select_related("proxy")
    return [GrantEntry(g, _who(g), _status(g, now)) for g in rows.order_by("-starts_at", "-pk")]


def _who(grant: ProxyGrant) -> str:
    if grant.proxy is None:
        return grant.invited_email
    return str(grant.proxy.get_full_name() or grant.proxy.email)


def _status(grant: ProxyGrant, now: datetime) -> str:
    if grant.revoked_at is not None:
        return "revoked"
    if grant.ends_at is not None and grant.ends_at <= now:
        return "ended"
    if grant.starts_at > now:
        return "scheduled"
    return "pending" if grant.proxy_id is None else "active"


@dataclass(frozen=True)
class BreakGlassEntry:
    row: BreakGlass
    who: str
    patient_name: str
    active: bool


def break_glass_report(
    directory: PatientDirectory, *, unreviewed_only: bool = False, limit: int = 200
) -> list[BreakGlassEntry]:
    """Break-the-glass openings for the privacy officer, newest first: three queries
    whatever the number (the openings with their users, the patients' names)."""
    now = timezone.now()
    rows = BreakGlass.objects.select_related("user", "reviewed_by").order_by("-started_at", "-pk")
    if unreviewed_only:
        rows = rows.filter(reviewed_at=None)
    page = list(rows[:limit])
    names = directory.load({r.patient_id for r in page})
    return [
        BreakGlassEntry(
            r,
            str(r.user.get_full_name() or r.user.email),
            names[r.patient_id].name if r.patient_id in names else r.patient_id,
            r.expires_at > now,
        )
        for r in page
    ]
