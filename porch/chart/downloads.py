"""Download my record: a FHIR R4 Bundle (type collection) of everything in the open
record the context may read, and the audit event every download writes.

Every type of the R4 Patient compartment is searched through the repository (so the
access filter, teen confidentiality included, is in the SQL), paged until the end. A
date range filters the types that have a date parameter, by DATE_PARAMS; types without
one (Coverage, Account, ...) are included whole, since they describe the person rather
than an event. Built in memory for now; each type is read page by page, so turning this
into a streamed response later changes only the writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.utils import timezone

from porch.access.context import AccessContext
from porch.audit import log
from porch.audit.models import Action
from porch.chart.queries import Period
from porch.record import repository
from porch.record.compartment import PATIENT_COMPARTMENT
from porch.record.searchparams import ParamType, params_for

PAGE = 500
# The date parameter a date range filters each type by, when the first one the registry
# lists is not the best: when the thing happened, rather than when it was written down.
_PREFERRED = {
    "Condition": "recorded-date",
    "DiagnosticReport": "date",
    "Communication": "sent",
    "CommunicationRequest": "authored",
    "Goal": "start-date",
    "Task": "authored-on",
    "DocumentReference": "date",
    "Observation": "date",
}
# The person themself, and people related to them: never filtered by a date.
_UNDATED = {"Patient", "RelatedPerson", "Person", "Group"}


def date_param(resource_type: str) -> str | None:
    """The date search parameter a date range filters `resource_type` by, or None."""
    if resource_type in _UNDATED:
        return None
    if resource_type in _PREFERRED:
        return _PREFERRED[resource_type]
    dated = [
        code
        for code, param in params_for(resource_type).items()
        if param.type == ParamType.DATE and not code.startswith("_")
    ]
    return dated[0] if dated else None


def resources(ctx: AccessContext, period: Period) -> Iterator[dict[str, Any]]:
    """Every resource of the open record `ctx` may read (ctx from queries.open_record)."""
    for resource_type in sorted(PATIENT_COMPARTMENT):
        offset = 0
        while True:
            result = repository.search(
                ctx,
                resource_type,
                [
                    *period.params(date_param(resource_type)),
                    ("_count", str(PAGE)),
                    ("_offset", str(offset)),
                    ("_total", "none"),
                ],
                max_count=PAGE,
            )
            for stored in result.matches:
                if stored.content is not None:
                    yield stored.content
            if not result.has_next:
                break
            offset += PAGE


def bundle(ctx: AccessContext, period: Period) -> dict[str, Any]:
    """A FHIR R4 Bundle of type collection with every resource of the open record."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timezone.now().isoformat(timespec="seconds"),
        "entry": [
            {
                "fullUrl": f"{settings.SITE_URL}/fhir/{content['resourceType']}/{content['id']}",
                "resource": content,
            }
            for content in resources(ctx, period)
        ],
    }


def record_download(ctx: AccessContext, page: str) -> None:
    """Writes the download to the audit log, for the patient's "who has looked" page."""
    if ctx.acting_for:
        log.record(ctx, Action.DOWNLOAD, [log.Access(ctx.acting_for)], page=page)
