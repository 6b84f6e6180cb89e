"""Writes for the results pages: marking a report seen, releasing a held report, and a
patient's choice about held results."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from porch.access.context import AccessContext
from porch.accounts.models import Role
from porch.audit import log
from porch.audit.models import Action
from porch.results import queries, release
from porch.results.models import ResultPreference, ResultRelease, ResultSeen


def do_mark_seen(user_id: int, patient_id: str, report_id: str) -> None:
    ResultSeen.objects.get_or_create(
        user_id=user_id, report_id=report_id, defaults={"patient_id": patient_id}
    )


class NotHeld(ValueError):
    """The report is not one that waits for release."""


def check_release_result(
    ctx: AccessContext, user_id: int, patient_id: str, report_id: str, comment: str
) -> ResultRelease:
    """Release a held report of the open record to the patient. Raises Http404 unless the
    context is a clinician's that may read the report, NotHeld when it is not held."""
    # Only clinicians release results.
    if ctx.role != Role.CLINICIAN.value:
        raise Http404("No such report")
    report, _observations = queries.access_report(ctx, patient_id, report_id)
    # Only a report of a held kind needs releasing.
    if not release.held_tokens(report.content or {}):
        raise NotHeld(report_id)
    return do_release_result(ctx, user_id, patient_id, report_id, comment.strip())


def do_release_result(
    ctx: AccessContext, user_id: int, patient_id: str, report_id: str, comment: str
) -> ResultRelease:
    with transaction.atomic():
        released, _created = ResultRelease.objects.update_or_create(
            report_id=report_id,
            defaults={
                "patient_id": patient_id,
                "released_by_id": user_id,
                "released_at": timezone.now(),
                "comment": comment,
            },
        )
        # The audit log has no "release" action: a release changes what the patient sees
        # of the report, recorded as an update of it, from the page that did it.
        log.record(
            ctx,
            Action.UPDATE,
            [log.Access(patient_id, "DiagnosticReport", report_id)],
            page="results:release",
        )
    return released


def check_set_preferences(ctx: AccessContext, patient_id: str, waiting: set[str]) -> None:
    """Save which held kinds the patient sees only after release. Raises Http404 unless the
    context is the patient's own, or a proxy's allowed to act."""
    # The patient decides, or a proxy who may act for them.
    if not queries.patient_facing(ctx) or not ctx.may_write:
        raise Http404("No such page")
    tokens = set(settings.RESULT_RELEASE_HELD_CODES)
    with transaction.atomic():
        for token in sorted(tokens):
            ResultPreference.objects.update_or_create(
                patient_id=patient_id,
                token=token,
                defaults={"after_release_only": token in waiting},
            )
