"""Changes to who may see what: opening a record, breaking the glass, proxy grants.

Each `check_*` validates and authorizes, then calls its `do_*`, which changes the data in
one transaction and writes the audit event. Refusals of something the person may not
touch raise Http404 (the same answer as for something that does not exist); refusals a
person can fix raise Refused with a message for the form.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone

from porch.access.context import AccessContext
from porch.access.models import BreakGlass, ProxyGrant
from porch.access.rules import (
    SESSION_KEY,
    AccessState,
    access_state,
    age_on,
    context_for_change,
    request_context,
)
from porch.accounts.models import Role, User
from porch.accounts.roles import roles_of
from porch.audit import log
from porch.audit.models import Action
from porch.record import repository
from porch.record.errors import Gone, NotFound


class Refused(Exception):
    """A refusal the person can act on; its message is shown on the form."""


class Capability(enum.Enum):
    BREAK_GLASS = "break-glass"
    REVIEW_BREAK_GLASS = "review-break-glass"
    SET_UP_PROXY = "set-up-proxy"


# Which roles hold each capability. A capability missing here is held by nobody.
CAPABILITY_ROLES: dict[Capability, frozenset[Role]] = {
    Capability.BREAK_GLASS: frozenset({Role.CLINICIAN}),
    Capability.REVIEW_BREAK_GLASS: frozenset({Role.ADMINISTRATOR}),
    Capability.SET_UP_PROXY: frozenset({Role.FRONT_DESK, Role.ADMINISTRATOR}),
}


def may(user: Any, capability: Capability) -> bool:
    return bool(roles_of(user) & CAPABILITY_ROLES.get(capability, frozenset()))


def require(request: HttpRequest, capability: Capability) -> AccessState:
    """The person's AccessState if they hold `capability`; Http404 otherwise."""
    state = access_state(request)
    # Anonymous: not found.
    if state is None:
        raise Http404()
    # Without the capability: not found.
    if not may(state.user, capability):
        raise Http404()
    return state


# --- the record switcher --------------------------------------------------------------


def check_switch_record(request: HttpRequest, patient_id: str) -> None:
    """Open `patient_id`'s record for the rest of the session ("" closes a clinician's chart).

    Raises Http404 for a record the person may not open, exactly as for an unknown one.
    """
    state = access_state(request)
    # Anonymous: not found.
    if state is None:
        raise Http404()
    # A clinician may close the open chart.
    if patient_id == "" and state.is_clinician:
        request.session.pop(SESSION_KEY, None)
        return
    # Not one of the records they may open: not found.
    if not state.may_open(patient_id):
        raise Http404()
    request.session[SESSION_KEY] = patient_id


# --- break the glass ------------------------------------------------------------------


def break_glass_target(request: HttpRequest, patient_id: str) -> AccessState:
    """The clinician's AccessState if they may break the glass for `patient_id`.

    Raises Http404 for a non-clinician or an unknown patient, Refused for a chart they
    may already open.
    """
    state = require(request, Capability.BREAK_GLASS)
    # A clinician role without a Practitioner in the record: not found.
    if not state.is_clinician:
        raise Http404()
    # An unknown patient: not found.
    if state.directory.get(patient_id) is None:
        raise Http404()
    if patient_id in state.chart_ids:
        raise Refused("You can already open this chart.")
    return state


def check_break_glass(request: HttpRequest, patient_id: str, reason: str) -> BreakGlass:
    """Open the chart of a patient the clinician does not care for, for BREAK_GLASS_MINUTES,
    and make it the open record. Raises as break_glass_target, and Refused for a reason
    shorter than 10 characters."""
    state = break_glass_target(request, patient_id)
    if len(reason.strip()) < 10:
        raise Refused("Give the reason in at least 10 characters.")
    row = do_break_glass(request_context(request), state.user, patient_id, reason.strip())
    request.session[SESSION_KEY] = patient_id
    return row


def do_break_glass(ctx: AccessContext, user: Any, patient_id: str, reason: str) -> BreakGlass:
    """Record the opening and flag it in the audit log (the reason stays in BreakGlass:
    the audit log never holds free text that may be clinical)."""
    now = timezone.now()
    with transaction.atomic():
        row = BreakGlass.objects.create(
            user=user,
            patient_id=patient_id,
            reason=reason,
            started_at=now,
            expires_at=now + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
        )
        flagged = replace(
            ctx,
            purpose="break-the-glass",
            acting_for=patient_id,
            break_glass=ctx.break_glass | {patient_id},
        )
        log.record(flagged, Action.BREAK_GLASS, [log.Access(patient_id=patient_id)])
    return row


def check_review_break_glass(request: HttpRequest, row_id: int) -> BreakGlass:
    """Mark a break-the-glass event reviewed by the privacy officer. Http404 for others."""
    state = require(request, Capability.REVIEW_BREAK_GLASS)
    row = BreakGlass.objects.filter(pk=row_id).first()
    # Unknown event: not found.
    if row is None:
        raise Http404()
    return do_review_break_glass(row, state.user)


def do_review_break_glass(row: BreakGlass, reviewer: Any) -> BreakGlass:
    # Conditional, so two reviewers at once keep the first one's name and time.
    BreakGlass.objects.filter(pk=row.pk, reviewed_at=None).update(
        reviewed_at=timezone.now(), reviewed_by=reviewer
    )
    row.refresh_from_db()
    return row


# --- proxy grants ---------------------------------------------------------------------

# v3-RoleCode of each relationship, for the RelatedPerson in the record.
ROLE_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
ROLE_CODES = {
    ProxyGrant.Relationship.PARENT: ("PRN", "parent"),
    ProxyGrant.Relationship.GUARDIAN: ("GUARD", "guardian"),
    ProxyGrant.Relationship.CAREGIVER: ("CAREGIVER", "caregiver"),
}
INVITED_BY_PATIENT = "invited by the patient"


@dataclass(frozen=True)
class ProxyRequest:
    """A proxy grant asked for, as the forms parse it."""

    email: str
    given: str
    family: str
    relationship: str
    scope: str
    ends_on: date | None
    legal_basis: str = INVITED_BY_PATIENT


def check_invite_proxy(request: HttpRequest, wanted: ProxyRequest) -> ProxyGrant:
    """An adult patient invites someone to their own record.

    Raises Http404 for someone without a record of their own, Refused for a patient
    under ADULT_AGE (or of unknown age), an invitation of themself, or a past end date.
    """
    state = access_state(request)
    # No record of their own: not found.
    if state is None or state.own is None:
        raise Http404()
    patient = state.directory.get(state.own)
    # Their own record is not in the store: not found.
    if patient is None:
        raise Http404()
    today = timezone.localdate()
    if patient.birth_date is None or age_on(patient.birth_date, today) < settings.ADULT_AGE:
        raise Refused("Only adult patients can invite a proxy; the clinic can set one up.")
    if wanted.email.lower() in _verified_emails(state.user):
        raise Refused("Invite someone else: this is your own email address.")
    _check_end(wanted.ends_on, today)
    ctx = context_for_change(request, state.own, role=Role.PATIENT, purpose="proxy-grant")
    return do_grant_proxy(ctx, state.own, replace(wanted, legal_basis=INVITED_BY_PATIENT))


def check_set_up_proxy(request: HttpRequest, patient_id: str, wanted: ProxyRequest) -> ProxyGrant:
    """Staff set up a parent of a minor or a legal guardian, recording the basis.

    Raises Http404 for anyone without the capability, Refused for an unknown patient, a
    parent of an adult, another relationship, a missing basis or a past end date.
    """
    state = require(request, Capability.SET_UP_PROXY)
    patient = state.directory.get(patient_id)
    if patient is None:
        raise Refused("No patient has this id.")
    today = timezone.localdate()
    if wanted.relationship == ProxyGrant.Relationship.PARENT:
        if patient.birth_date is None or age_on(patient.birth_date, today) >= settings.ADULT_AGE:
            raise Refused(
                "A parent gets access only to a minor's record; for an adult, record a legal guardian."
            )
    elif wanted.relationship != ProxyGrant.Relationship.GUARDIAN:
        raise Refused(
            "Staff set up parents and legal guardians; patients invite caregivers themselves."
        )
    if not wanted.legal_basis.strip():
        raise Refused("Record the legal basis.")
    _check_end(wanted.ends_on, today)
    role = Role.ADMINISTRATOR if Role.ADMINISTRATOR in state.roles else Role.FRONT_DESK
    ctx = context_for_change(request, patient_id, role=role, purpose="proxy-setup")
    return do_grant_proxy(ctx, patient_id, wanted)


def _check_end(ends_on: date | None, today: date) -> None:
    if ends_on is not None and ends_on <= today:
        raise Refused("The end date must be in the future.")


def do_grant_proxy(ctx: AccessContext, patient_id: str, wanted: ProxyRequest) -> ProxyGrant:
    """Write the RelatedPerson and the grant, bound to the account that has this verified
    email, or pending until such an account signs in. Audited as PROXY_GRANT."""
    now = timezone.now()
    email = wanted.email.strip().lower()
    ends_at = _end_of(wanted.ends_on)
    with transaction.atomic():
        related = repository.create(ctx, related_person(patient_id, wanted, now, ends_at)).stored
        grant = ProxyGrant.objects.create(
            proxy=account_with_email(email),
            invited_email=email,
            patient_id=patient_id,
            related_person_id=related.id,
            relationship=wanted.relationship,
            scope=wanted.scope,
            starts_at=now,
            ends_at=ends_at,
            granted_by_id=ctx.user_id,
            legal_basis=wanted.legal_basis.strip()[:200],
        )
        log.record(ctx, Action.PROXY_GRANT, [log.Access(patient_id, "RelatedPerson", related.id)])
        transaction.on_commit(lambda: _send_invitation(email))
    return grant


def _end_of(day: date | None) -> datetime | None:
    """A grant "until" a day lasts through that day, in the clinic's time zone."""
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))


def related_person(
    patient_id: str, wanted: ProxyRequest, start: datetime, end: datetime | None
) -> dict[str, Any]:
    code, display = ROLE_CODES[ProxyGrant.Relationship(wanted.relationship)]
    period: dict[str, str] = {"start": start.isoformat()}
    if end is not None:
        period["end"] = end.isoformat()
    name: dict[str, Any] = {"family": wanted.family.strip()} if wanted.family.strip() else {}
    if wanted.given.strip():
        name["given"] = [wanted.given.strip()]
    person: dict[str, Any] = {
        "resourceType": "RelatedPerson",
        "active": True,
        "patient": {"reference": f"Patient/{patient_id}"},
        "relationship": [
            {"coding": [{"system": ROLE_CODE_SYSTEM, "code": code, "display": display}]}
        ],
        "telecom": [{"system": "email", "value": wanted.email.strip().lower()}],
        "period": period,
    }
    if name:
        person["name"] = [name]
    return person


def _send_invitation(email: str) -> None:
    # No health information and no name: only that there is something to see in Porch.
    send_mail(
        "You have been invited to Porch",
        "Someone has asked you to help with their care in Porch.\n\n"
        f"Sign in, or create an account, with this email address at {settings.SITE_URL}/ "
        "to accept.\n",
        None,
        [email],
        fail_silently=True,
    )


def account_with_email(email: str) -> User | None:
    """The active account whose verified email this is, if any."""
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    return address.user if address is not None else None


def _verified_emails(user: Any) -> set[str]:
    rows = EmailAddress.objects.filter(user_id=user.pk, verified=True)
    return {e.lower() for e in rows.values_list("email", flat=True)}


def bind_invitations(user: Any) -> int:
    """Bind pending invitations to `user` for each of their verified emails; how many."""
    emails = _verified_emails(user)
    if not emails or not user.is_active:
        return 0
    pending = ProxyGrant.objects.filter(proxy=None, revoked_at=None)
    bound = 0
    for email in emails:
        bound += pending.filter(invited_email__iexact=email).update(proxy=user)
    return bound


def access_grant(request: HttpRequest, grant_id: int) -> tuple[ProxyGrant, Role]:
    """A grant the person may revoke, and the role they revoke it as.

    Raises Http404 for a grant that is unknown, already revoked, or not theirs to revoke.
    """
    state = access_state(request)
    grant = ProxyGrant.objects.filter(pk=grant_id, revoked_at=None).first()
    # Anonymous, unknown or already revoked: not found.
    if state is None or grant is None:
        raise Http404()
    # The patient whose record it opens may revoke it.
    if grant.patient_id == state.own:
        return grant, Role.PATIENT
    # Staff who set up proxies may revoke any.
    if may(state.user, Capability.SET_UP_PROXY):
        return grant, Role.ADMINISTRATOR if Role.ADMINISTRATOR in state.roles else Role.FRONT_DESK
    raise Http404()


def check_revoke_proxy(request: HttpRequest, grant_id: int) -> ProxyGrant:
    grant, role = access_grant(request, grant_id)
    ctx = context_for_change(request, grant.patient_id, role=role, purpose="proxy-revoke")
    return do_revoke_proxy(ctx, grant)


def do_revoke_proxy(ctx: AccessContext, grant: ProxyGrant) -> ProxyGrant:
    """Revoke now (effective on the proxy's next request), end the RelatedPerson, audit it."""
    now = timezone.now()
    with transaction.atomic():
        changed = ProxyGrant.objects.filter(pk=grant.pk, revoked_at=None).update(
            revoked_at=now, revoked_by_id=ctx.user_id
        )
        grant.refresh_from_db()
        if not changed:
            return grant
        if grant.related_person_id:
            _end_related_person(ctx, grant.related_person_id, now)
        log.record(
            ctx,
            Action.PROXY_REVOKE,
            [log.Access(grant.patient_id, "RelatedPerson", grant.related_person_id)],
        )
    return grant


def _end_related_person(ctx: AccessContext, fhir_id: str, now: datetime) -> None:
    try:
        current = repository.read(ctx, "RelatedPerson", fhir_id).content
    except (NotFound, Gone):
        return  # removed from the record meanwhile: the grant is what matters
    person = dict(current or {})
    person.pop("meta", None)
    person["active"] = False
    person["period"] = {**(person.get("period") or {}), "end": now.isoformat()}
    repository.update(ctx, "RelatedPerson", fhir_id, person)
