"""Writes about accounts: activation codes, enrolment, staff verification.

`check_*` validates input and permission and raises; `do_*` writes in one transaction and
records the audit entry. The public entry points other apps use are
`issue_activation_code` and `verify_patient`.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from porch.access.context import AccessContext
from porch.accounts.models import (
    STAFF_ROLES,
    ActivationCode,
    PatientLink,
    Role,
    RoleAssignment,
    User,
    hash_code,
)
from porch.accounts.roles import forget_roles, roles_of
from porch.audit.log import Access, record
from porch.audit.models import Action
from porch.record import repository
from porch.record.errors import FhirError

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: a code read aloud or off paper cannot be mistyped.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 12

# One message for every way a code can fail: it must not hint whose code it was.
CODE_REFUSED = (
    "That activation code and date of birth don't match an invitation we can use. Check "
    "both and try again, or ask the clinic for a new code."
)
CODE_LOCKED = (
    "Too many tries. For your security, wait 15 minutes before trying again, or ask the "
    "clinic for help."
)


class NotAllowed(Exception):
    """The person may not do this (views answer 404, like a missing page)."""


class EnrolmentRefused(Exception):
    """The activation code cannot be used; `str(exc)` is safe to show."""


def _enrolment_ctx(actor: str = "system:enrolment") -> AccessContext:
    return AccessContext.system(actor=actor, purpose="enrolment")


def _audit_ctx(user: User, role: str) -> AccessContext:
    return replace(
        AccessContext.nobody(actor=str(user)), user_id=user.pk, role=role, purpose="enrolment"
    )


def _patient_exists(patient_id: str) -> dict[str, object] | None:
    try:
        return repository.read(_enrolment_ctx(), "Patient", patient_id).content
    except FhirError:
        return None


def _format_code(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


# --- Activation codes -------------------------------------------------------------------


def check_staff(user: User) -> None:
    """Raises NotAllowed unless `user` holds a clinician, front-desk or administrator role."""
    if not roles_of(user) & STAFF_ROLES:
        raise NotAllowed()


def issue_activation_code(staff_user: User, patient_id: str, delivery: str) -> str:
    """A new single-use code for Patient/`patient_id`, returned in plain text once.

    Raises NotAllowed when `staff_user` is not staff, ValueError when the patient does not
    exist, already has an account, or `delivery` is not a ActivationCode.Delivery value.
    """
    check_staff(staff_user)
    if delivery not in ActivationCode.Delivery.values:
        raise ValueError(f"delivery must be one of {', '.join(ActivationCode.Delivery.values)}")
    if _patient_exists(patient_id) is None:
        raise ValueError(f"There is no patient with id {patient_id!r}.")
    if PatientLink.objects.filter(patient_id=patient_id).exists():
        raise ValueError(f"Patient {patient_id} already has an account.")
    return do_issue_activation_code(staff_user, patient_id, delivery)


def do_issue_activation_code(staff_user: User, patient_id: str, delivery: str) -> str:
    """Stores the hash of a new code and retires the patient's earlier unused codes."""
    now = timezone.now()
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    with transaction.atomic():
        ActivationCode.objects.filter(
            patient_id=patient_id, used_at=None, expires_at__gt=now
        ).update(expires_at=now)
        ActivationCode.objects.create(
            code_hash=hash_code(raw),
            patient_id=patient_id,
            created_by=staff_user,
            created_at=now,
            expires_at=now + timedelta(days=settings.ACTIVATION_CODE_DAYS),
            delivery=delivery,
        )
    return _format_code(raw)


# --- Enrolment with a code --------------------------------------------------------------


def _throttle_keys(code: str, ip: str) -> list[str]:
    return [f"porch:enrol-fail:ip:{ip}", f"porch:enrol-fail:code:{hash_code(code)}"]


def _is_locked(keys: list[str]) -> bool:
    counts = cache.get_many(keys)
    return any(n >= settings.ACTIVATION_CODE_MAX_TRIES for n in counts.values())


def _count_failure(keys: list[str]) -> None:
    timeout = settings.ACTIVATION_CODE_LOCKOUT_MINUTES * 60
    for key in keys:
        # add() is a no-op when the key exists; incr() is atomic on shared caches.
        cache.add(key, 0, timeout)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout)


def check_activation_code(code: str, birth_date: date, ip: str) -> ActivationCode:
    """The unused, unexpired code matching `code` whose patient was born on `birth_date`.

    Raises EnrolmentRefused with CODE_LOCKED after ACTIVATION_CODE_MAX_TRIES failures from
    this address or for this code, and with CODE_REFUSED for every other failure (unknown,
    expired, used, wrong birth date, patient already enrolled), counting it.
    """
    keys = _throttle_keys(code, ip)
    if _is_locked(keys):
        raise EnrolmentRefused(CODE_LOCKED)
    row = _usable_code(code, birth_date)
    if row is None:
        _count_failure(keys)
        raise EnrolmentRefused(CODE_LOCKED if _is_locked(keys) else CODE_REFUSED)
    return row


def _usable_code(code: str, birth_date: date) -> ActivationCode | None:
    row = ActivationCode.objects.filter(code_hash=hash_code(code)).first()
    # Unknown code.
    if row is None:
        return None
    # Already used.
    if row.used_at is not None:
        return None
    # Expired (or retired by a newer code).
    if row.expires_at <= timezone.now():
        return None
    # The patient already has an account.
    if PatientLink.objects.filter(patient_id=row.patient_id).exists():
        return None
    patient = _patient_exists(row.patient_id)
    # The patient is gone from the record, or the birth date differs.
    if patient is None or patient.get("birthDate") != birth_date.isoformat():
        return None
    return row


def do_enrol_with_code(user: User, code: ActivationCode) -> None:
    """Links `user` to the code's patient and marks the code used, in one transaction.

    Raises EnrolmentRefused when another request used the code first (the conditional
    update claims it exactly once) or the patient got linked meanwhile.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            claimed = ActivationCode.objects.filter(pk=code.pk, used_at=None).update(
                used_at=now, used_by=user
            )
            if claimed != 1:
                raise EnrolmentRefused(CODE_REFUSED)
            PatientLink.objects.create(user=user, patient_id=code.patient_id, linked_at=now)
            RoleAssignment.objects.get_or_create(user=user, role=Role.PATIENT)
            record(
                _audit_ctx(user, Role.PATIENT),
                Action.ENROL,
                [Access(patient_id=code.patient_id)],
            )
    except IntegrityError as exc:
        raise EnrolmentRefused(CODE_REFUSED) from exc
    forget_roles(user)


# --- Verification by staff --------------------------------------------------------------


def verify_patient(user: User, patient_id: str, staff: User) -> PatientLink:
    """Staff confirm that account `user` is Patient/`patient_id` (sign-up without a code).

    Raises NotAllowed when `staff` is not staff, ValueError when the patient does not
    exist, already has an account, or `user` is already linked to a record.
    """
    check_staff(staff)
    if _patient_exists(patient_id) is None:
        raise ValueError(f"There is no patient with id {patient_id!r}.")
    if PatientLink.objects.filter(patient_id=patient_id).exists():
        raise ValueError(f"Patient {patient_id} already has an account.")
    if PatientLink.objects.filter(user=user).exists():
        raise ValueError(f"{user.email} is already linked to a record.")
    return do_verify_patient(user, patient_id, staff)


def do_verify_patient(user: User, patient_id: str, staff: User) -> PatientLink:
    try:
        with transaction.atomic():
            link = PatientLink.objects.create(user=user, patient_id=patient_id, verified_by=staff)
            RoleAssignment.objects.get_or_create(user=user, role=Role.PATIENT)
            staff_role = next(iter(sorted(roles_of(staff) & STAFF_ROLES)), "")
            record(_audit_ctx(staff, staff_role), Action.ENROL, [Access(patient_id=patient_id)])
    except IntegrityError as exc:
        raise ValueError("That patient or account was linked a moment ago.") from exc
    forget_roles(user)
    return link
