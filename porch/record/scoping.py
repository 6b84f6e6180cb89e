"""The one access filter of the record store, applied in the same SQL as every query.

Every query of Resource rows, whether read, search, history, include or conditional
lookup, starts from `readable(ctx)` or `scope(ctx, ...)`, so no path reaches the data
without the check (DESIGN.md decision 7). A missing rule denies:
- a context that names patients sees their compartments and nothing else of those types;
- of the patients in `confidential_hidden` (a teen, for a parent), it sees only what no
  confidential code or security label marks;
- resources outside every patient compartment only if it may read shared resources.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from porch.access.context import AccessContext
from porch.access.models import ConfidentialCode
from porch.record import indexing
from porch.record.compartment import PATIENT_COMPARTMENT, in_patient_compartment
from porch.record.models import Compartment, Resource, TokenIndex

# meta.security labels that make an entry confidential whatever its codes:
# v3-Confidentiality restricted / very restricted, and v3-ActCode sensitivity codes.
CONFIDENTIAL_LABELS = {
    "http://terminology.hl7.org/CodeSystem/v3-Confidentiality": ("R", "V"),
    "http://terminology.hl7.org/CodeSystem/v3-ActCode": (
        "ETH",
        "HIV",
        "PSY",
        "PSYTHPN",
        "SDV",
        "SEX",
        "STD",
        "SUD",
        "MH",
        "BH",
        "TBOO",
    ),
}


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
    in_compartments = _compartment_rule(ctx)
    if resource_type is not None:
        if in_patient_compartment(resource_type):
            return qs.filter(in_compartments)
        return qs if ctx.may_read_shared else qs.none()
    # Mixed types (system history): compartment types by compartment, the rest as shared.
    if not ctx.may_read_shared:
        return qs.filter(in_compartments)
    return qs.filter(in_compartments | ~Q(resource_type__in=list(PATIENT_COMPARTMENT)))


def _compartment_rule(ctx: AccessContext) -> Q:
    assert ctx.patient_ids is not None
    full = sorted(ctx.patient_ids - ctx.confidential_hidden)
    limited = sorted(ctx.patient_ids & ctx.confidential_hidden)
    rule = Q(pk__in=[])  # matches nothing: a context with no patients sees no compartment
    if full:
        rule |= Q(Exists(Compartment.objects.filter(resource=OuterRef("pk"), patient_id__in=full)))
    if limited:
        in_limited = Exists(
            Compartment.objects.filter(resource=OuterRef("pk"), patient_id__in=limited)
        )
        rule |= Q(in_limited) & ~Q(is_confidential())
    return rule


def is_confidential() -> Exists:
    """True for a resource with a confidential code (any token, matched with its system)
    or a confidential security label. The code list is data staff edit (ConfidentialCode).
    """
    listed = ConfidentialCode.objects.filter(system=OuterRef("system"), code=OuterRef("code"))
    labelled = Q()
    for system, codes in CONFIDENTIAL_LABELS.items():
        labelled |= Q(param="_security", system=system, code__in=codes)
    return Exists(
        TokenIndex.objects.filter(resource=OuterRef("pk")).filter(Q(Exists(listed)) | labelled)
    )


def content_is_confidential(resource: dict[str, Any]) -> bool:
    """The same test as is_confidential(), on a resource's own content.

    Old versions are not indexed, so history and vread check each version this way for a
    context that must not see a teen's confidential items.
    """
    tokens = indexing.extract(resource).tokens
    for param, system, code in tokens:
        if param == "_security" and code in CONFIDENTIAL_LABELS.get(system, ()):
            return True
    listed = Q(pk__in=[])
    for system, code in {(s, c) for _, s, c in tokens if s}:
        listed |= Q(system=system, code=code)
    return ConfidentialCode.objects.filter(listed).exists()


def in_hidden_compartments(ctx: AccessContext, resource_pks: list[int]) -> set[int]:
    """Of these resources, those in a compartment whose confidential items ctx must not see."""
    if not ctx.confidential_hidden or not resource_pks:
        return set()
    rows = Compartment.objects.filter(
        resource_id__in=resource_pks, patient_id__in=sorted(ctx.confidential_hidden)
    )
    return set(rows.values_list("resource_id", flat=True))
