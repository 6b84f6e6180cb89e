"""The one access filter of the record store, applied in the same SQL as every query.

Every query of Resource rows, whether read, search, history, include or conditional
lookup, starts from `readable(ctx)`, so no path reaches the data without the check
(DESIGN.md decision 7). A missing rule denies: a context that names patients sees their
compartments, and resources outside every patient compartment only if it may read shared
resources.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from porch.access.context import AccessContext
from porch.record.compartment import PATIENT_COMPARTMENT, in_patient_compartment
from porch.record.models import Compartment, Resource


def readable(ctx: AccessContext, resource_type: str | None = None) -> QuerySet[Resource]:
    """Current (not deleted) resources the context may read, optionally of one type."""
    return scope(ctx, Resource.objects.filter(deleted=False), resource_type)


def scope(
    ctx: AccessContext, qs: QuerySet[Resource], resource_type: str | None
) -> QuerySet[Resource]:
    """Narrow any Resource queryset (deleted rows included) to what the context may read."""
    if resource_type is not None:
        qs = qs.filter(resource_type=resource_type)
    if ctx.patient_ids is None:
        return qs
    in_their_compartments = Exists(
        Compartment.objects.filter(resource=OuterRef("pk"), patient_id__in=sorted(ctx.patient_ids))
    )
    if resource_type is not None:
        if in_patient_compartment(resource_type):
            return qs.filter(in_their_compartments)
        return qs if ctx.may_read_shared else qs.none()
    # Mixed types (system history): compartment types by compartment, the rest as shared.
    shared_ok = ~Q(resource_type__in=list(PATIENT_COMPARTMENT))
    if not ctx.may_read_shared:
        return qs.filter(in_their_compartments)
    return qs.filter(in_their_compartments | shared_ok)
