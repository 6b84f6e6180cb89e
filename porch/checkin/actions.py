"""Writes of check-in: the patient's submission, and a clinician's decision on a change the
patient reported. Views call check_*; do_* writes in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from porch.access.context import AccessContext
from porch.audit import log
from porch.audit.models import Action
from porch.checkin.models import CheckIn, ReportedChange
from porch.checkin.queries import check_window, reported
from porch.checkin.questionnaire import QuestionnaireForm
from porch.record import repository
from porch.scheduling.queries import Visit

# QuestionnaireResponse.identifier of a check-in: one per Appointment.
IDENTIFIER_SYSTEM = "urn:porch:checkin"


class Refused(Exception):
    """The check-in may not be submitted; the message says why, in words."""


def check_submit_checkin(
    ctx: AccessContext,
    user: Any,
    visit: Visit,
    reports: list[tuple[str, str, str, str]],
    questions: QuestionnaireForm | None,
) -> CheckIn:
    """Submit a check-in. Precondition: the forms are valid and `visit` was read with ctx.
    Raises NotOpen outside the window, Refused for a person who may only view."""
    # A proxy who may only view the record cannot check in for them.
    if not ctx.may_write:
        raise Refused(_("You may view this record, but checking in needs permission to act."))
    check_window(visit)
    return do_submit_checkin(ctx, user, visit, reports, questions)


def do_submit_checkin(
    ctx: AccessContext,
    user: Any,
    visit: Visit,
    reports: list[tuple[str, str, str, str]],
    questions: QuestionnaireForm | None,
) -> CheckIn:
    """Idempotent: a check-in already submitted for the visit is returned unchanged (a
    double submit makes one CheckIn and one QuestionnaireResponse)."""
    existing = CheckIn.objects.filter(appointment_id=visit.id).first()
    if existing is not None:
        return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                appointment_id=visit.id,
                patient_id=visit.patient_id,
                submitted_by=user,
                submitted_at=now,
            )
            if questions is not None:
                identifier = {"system": IDENTIFIER_SYSTEM, "value": visit.id}
                outcome = repository.create(
                    ctx,
                    questions.response(
                        subject=f"Patient/{visit.patient_id}", authored=now, identifier=identifier
                    ),
                    if_none_exist=f"identifier={IDENTIFIER_SYSTEM}|{visit.id}",
                )
                checkin.questionnaire_response_id = outcome.stored.id
                checkin.save(update_fields=["questionnaire_response_id"])
            changes = ReportedChange.objects.bulk_create(
                ReportedChange(checkin=checkin, kind=k, about=a, subject=s[:300], report=r[:1000])
                for k, a, s, r in reports
            )
            log.record(ctx, Action.CREATE, [reported(c, visit.patient_id) for c in changes])
    except IntegrityError:
        # Submitted twice at once: the other request's check-in stands.
        return CheckIn.objects.get(appointment_id=visit.id)
    return checkin


def check_decide_change(
    ctx: AccessContext, user: Any, change: ReportedChange, decision: str
) -> bool:
    """Accept (the clinician has made the change in the record) or dismiss a pending
    report. Precondition: the change was read with access_reported_change. False when it
    was already decided (by someone else, or a double click)."""
    state = (
        ReportedChange.State.ACCEPTED if decision == "accept" else ReportedChange.State.DISMISSED
    )
    return do_decide_change(ctx, user, change, state)


def do_decide_change(ctx: AccessContext, user: Any, change: ReportedChange, state: str) -> bool:
    """The decision and its audit entry (an update of the report), in one transaction."""
    with transaction.atomic():
        decided = ReportedChange.objects.filter(
            pk=change.pk, state=ReportedChange.State.PENDING
        ).update(state=state, decided_by=user, decided_at=timezone.now())
        if decided != 1:
            return False
        log.record(ctx, Action.UPDATE, [reported(change, change.checkin.patient_id)])
    return True
