"""`{{ request|may_request_refills }}`: whether the health summary offers "Request a
refill" — only to a patient, or a proxy allowed to act, in their own pages (not on a
clinician's chart, nor in the printable record)."""

from __future__ import annotations

from typing import Any

from django import template

from porch.access.rules import request_context
from porch.results.queries import patient_facing

register = template.Library()


@register.filter
def may_request_refills(request: Any) -> bool:
    if request is None or not hasattr(request, "user"):
        return False
    ctx = request_context(request)
    return bool(patient_facing(ctx) and ctx.may_write and ctx.acting_for)
