"""Writes of prescription refills: `check_*` validates and authorizes, `do_*` writes the
Django rows, the FHIR resources (through the record repository with the caller's
context, so the store scopes and audits them) and the notifications in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from porch.access.context import AccessContext
from porch.accounts.models import PractitionerLink, Role, User
from porch.medications import resources
from porch.medications.models import RefillRequest, RefillRule, RefillStatus, SavedPharmacy
from porch.medications.queries import Medication, Pharmacy
from porch.messaging.actions import patient_author
from porch.messaging.models import Pool
from porch.messaging.queries import StaffMember
from porch.notifications.actions import do_notify_record_audience, do_notify_users
from porch.notifications.kinds import Kind
from porch.record import repository, scoping
from porch.record.errors import FhirError
from porch.record.repository import new_id

NOTE_MAX = 1000
REASON_MAX = 1000


class RefillRefused(Exception):
    """A request or answer that may not be made; `reason` is for the person."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


# --- the patient's request ------------------------------------------------------------


def check_request_refill(
    ctx: AccessContext,
    user: User,
    medication: Medication,
    pharmacy: Pharmacy,
    note: str,
    form_key: str,
) -> RefillRequest:
    """Validates and makes the request. Raises RefillRefused (403 for a proxy who may only
    view; 409 for a medication that is not active or already has an open request)."""
    # A proxy allowed only to view: reads the record, asks for nothing.
    if not ctx.may_write:
        raise RefillRefused(_("You may read this record but not ask for refills."), 403)
    # A stopped, completed or cancelled prescription is not renewed online.
    if not medication.active:
        raise RefillRefused(
            _(
                "This prescription is no longer active, so it cannot be renewed here. "
                "Send a message to your care team if you still need it."
            ),
            409,
        )
    return do_request_refill(ctx, user, medication, pharmacy, note.strip(), form_key)


def matching_rule(medication: Medication) -> RefillRule | None:
    for rule in RefillRule.objects.filter(active=True).order_by("name", "pk"):
        if rule.matches(medication.codes):
            return rule
    return None


@dataclass(frozen=True)
class Routing:
    owner: resources.Owner
    pool: Pool | None
    practitioner_id: str
    staff_ids: list[int]


def route(medication: Medication) -> Routing:
    """The prescriber (when they have a Porch account) and their pool, else the
    REFILL_POOL pool."""
    prescriber = medication.prescriber_id
    accounts = (
        list(
            PractitionerLink.objects.filter(practitioner_id=prescriber).values_list(
                "user_id", flat=True
            )
        )
        if prescriber
        else []
    )
    pools = Pool.objects.filter(active=True)
    pool = pools.filter(members__in=accounts).order_by("name", "pk").first() if accounts else None
    if pool is None and settings.REFILL_POOL:
        pool = pools.filter(slug=settings.REFILL_POOL).first()
    if accounts:
        owner = resources.Owner(practitioner_id=prescriber)
    else:
        owner = resources.Owner(
            pool_slug=pool.slug if pool else "", pool_name=pool.name if pool else ""
        )
    staff = list(accounts)
    if pool is not None:
        staff += list(pool.members.filter(is_active=True).values_list("pk", flat=True))
    return Routing(owner, pool, prescriber, staff)


def do_request_refill(
    ctx: AccessContext,
    user: User,
    medication: Medication,
    pharmacy: Pharmacy,
    note: str,
    form_key: str,
) -> RefillRequest:
    """The RefillRequest row (the constraint makes one per medication and one per form),
    the Task, the saved pharmacy and the staff notification, in one transaction. A rule
    that matches answers "visit needed" at once. A second submission of the same form
    returns the first request; a second request for the same medication raises
    RefillRefused (409)."""
    now = timezone.now()
    rule = matching_rule(medication)
    routing = route(medication)
    confidential = scoping.content_is_confidential(medication.content)
    task_id = new_id()
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = RefillRequest.objects.create(
                    task_id=task_id,
                    patient_id=medication.patient_id,
                    medication_request_id=medication.id,
                    practitioner_id=routing.practitioner_id,
                    pool=routing.pool,
                    status=RefillStatus.VISIT_NEEDED if rule else RefillStatus.REQUESTED,
                    confidential=confidential,
                    form_key=form_key,
                    requested_by=user,
                    requested_at=now,
                    decided_at=now if rule else None,
                )
        except IntegrityError as error:
            earlier = RefillRequest.objects.filter(form_key=form_key).first()
            # The same form sent twice (a double-click): the first request stands.
            if earlier is not None and earlier.patient_id == medication.patient_id:
                return earlier
            raise RefillRefused(
                _(
                    "A refill of this medication was already requested and is waiting for an answer."
                ),
                409,
            ) from error
        task = resources.refill_task(
            patient_id=medication.patient_id,
            medication_request_id=medication.id,
            medication_name=medication.name,
            requester=patient_author(ctx, user, medication.patient_id).sender,
            owner=routing.owner,
            pharmacy_id=pharmacy.id,
            pharmacy_name=pharmacy.name,
            note=note,
            now=now,
            confidential=confidential,
        )
        if rule is not None:
            task = resources.visit_needed(task, rule.reason, rule.visit_type, now)
        repository.create(ctx, task, fhir_id=task_id)
        SavedPharmacy.objects.update_or_create(
            patient_id=medication.patient_id,
            organization_id=pharmacy.id,
            defaults={"last_used_at": now},
        )
        if rule is None and routing.staff_ids:
            do_notify_users(
                routing.staff_ids,
                Kind.REFILL_REQUEST,
                link=reverse("medications:staff_request", args=[task_id]),
                key=f"refill-request:{task_id}",
            )
    return row


# --- the care team's answer -------------------------------------------------------------


APPROVE = "approve"
DENY = "deny"
VISIT = "visit"


@dataclass(frozen=True)
class Answer:
    decision: str
    reason: str = ""
    visit_type: str = ""
    changes: resources.Changes = field(default_factory=resources.Changes)


def check_answer(
    ctx: AccessContext, member: StaffMember, row: RefillRequest, answer: Answer
) -> None:
    """Validates and records the answer. Raises RefillRefused: 403 for staff who are not
    clinicians, 409 for a request already answered or a prescription no longer active,
    400 for a denial without a reason."""
    # Only a clinician linked to a Practitioner answers a prescription.
    if member.role != Role.CLINICIAN or not member.practitioner_id:
        raise RefillRefused(_("Only a clinician may answer a refill request."), 403)
    # Answered already (by a colleague, or in another tab).
    if row.status != RefillStatus.REQUESTED:
        raise RefillRefused(_("This request has already been answered."), 409)
    # The patient must read why.
    if answer.decision in (DENY, VISIT) and not answer.reason.strip():
        raise RefillRefused(_("Give the reason the patient will read."))
    do_answer(ctx, member, row, answer)


def do_answer(ctx: AccessContext, member: StaffMember, row: RefillRequest, answer: Answer) -> None:
    now = timezone.now()
    status = {
        APPROVE: RefillStatus.APPROVED,
        DENY: RefillStatus.DENIED,
        VISIT: RefillStatus.VISIT_NEEDED,
    }[answer.decision]
    with transaction.atomic():
        # Only one answer wins, whatever the number of tabs or colleagues.
        claimed = RefillRequest.objects.filter(pk=row.pk, status=RefillStatus.REQUESTED).update(
            status=status, decided_by=member.user, decided_at=now
        )
        if claimed != 1:
            raise RefillRefused(_("This request has already been answered."), 409)
        try:
            task = repository.read(ctx, "Task", row.task_id).content or {}
            if answer.decision == APPROVE:
                changed = _approve(ctx, member, row, task, answer.changes, now)
            elif answer.decision == DENY:
                changed = resources.denied(task, answer.reason.strip(), now)
            else:
                changed = resources.visit_needed(
                    task, answer.reason.strip(), answer.visit_type or "follow-up", now
                )
            repository.update(ctx, "Task", row.task_id, changed)
        except FhirError as error:
            raise RefillRefused(
                _("The record refused this change: %(error)s") % {"error": error}
            ) from error
        do_notify_record_audience(
            row.patient_id,
            Kind.REFILL_UPDATE,
            confidential=row.confidential,
            link=reverse("medications:requests"),
            key=f"refill-update:{row.task_id}",
        )
    row.refresh_from_db()


def _approve(
    ctx: AccessContext,
    member: StaffMember,
    row: RefillRequest,
    task: dict[str, Any],
    changes: resources.Changes,
    now: Any,
) -> dict[str, Any]:
    old = repository.read(ctx, "MedicationRequest", row.medication_request_id).content or {}
    # Stopped since it was asked for: nothing to renew.
    if old.get("status") != "active":
        raise RefillRefused(
            _("This prescription is no longer active; deny the request or ask for a visit."), 409
        )
    new_prescription_id = new_id()
    requester = {
        "reference": f"Practitioner/{member.practitioner_id}",
        "display": member.user.get_full_name() or member.user.email,
    }
    new = resources.renewal(
        old, new_id=new_prescription_id, requester=requester, changes=changes, now=now
    )
    repository.create(ctx, new, fhir_id=new_prescription_id)
    repository.update(ctx, "MedicationRequest", row.medication_request_id, resources.completed(old))
    return resources.approved(task, new_prescription_id, now)
