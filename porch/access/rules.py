"""Who may see what: builds the AccessContext of a request from accounts, grants and age.

A missing rule denies: an unknown or unverified person gets AccessContext.nobody(), and a
signed-in person sees only the records a rule below opens for them:
- their own record (PatientLink);
- the record of someone who gave them an active proxy grant, within the age rules;
- for a clinician (role and PractitionerLink), the patients they care for (care team,
  general practitioner, an appointment with them) and those whose chart they opened by
  breaking the glass, while that lasts.

Everything is read again on every request (no cache across requests), so a revoked grant
or an expired break-the-glass stops working on the very next request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from porch.access.context import AccessContext
from porch.access.models import BreakGlass, ProxyGrant
from porch.accounts.models import PatientLink, PractitionerLink, Role
from porch.accounts.roles import roles_of
from porch.record import repository

# The session key holding the patient id of the open record (set by the record switcher).
SESSION_KEY = "acting_for"
# How a clinician's patients refer to them: (resource type, reference search parameter).
CARE_LINKS = [
    ("CareTeam", "participant"),
    ("Patient", "general-practitioner"),
    ("Appointment", "practitioner"),
]
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_BIRTH_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_STAFF_ROLE_ORDER = (Role.ADMINISTRATOR, Role.FRONT_DESK)


def system_context() -> AccessContext:
    """What the access rules themselves read the record with (birth dates, names, links)."""
    return AccessContext.system(actor="system:access", purpose="access-rules")


# --- facts about patients, read once per request --------------------------------------


@dataclass(frozen=True)
class PatientFacts:
    patient_id: str
    name: str
    birth_date: date | None


class PatientDirectory:
    """Names and birth dates of patients, read from the record on first use and kept for
    the request. Unknown patients are absent."""

    def __init__(self) -> None:
        self._known: dict[str, PatientFacts | None] = {}

    def get(self, patient_id: str) -> PatientFacts | None:
        return self.load([patient_id]).get(patient_id)

    def load(self, patient_ids: list[str] | set[str] | frozenset[str]) -> dict[str, PatientFacts]:
        missing = sorted(p for p in set(patient_ids) - set(self._known) if _FHIR_ID.match(p))
        if missing:
            for start in range(0, len(missing), 500):
                chunk = missing[start : start + 500]
                found = repository.search(
                    system_context(),
                    "Patient",
                    [("_id", ",".join(chunk)), ("_total", "none")],
                    default_count=len(chunk),
                    max_count=len(chunk),
                ).matches
                for stored in found:
                    self._known[stored.id] = facts_of(stored.id, stored.content or {})
            for patient_id in missing:
                self._known.setdefault(patient_id, None)
        return {p: f for p in patient_ids if (f := self._known.get(p)) is not None}


def facts_of(patient_id: str, content: dict[str, Any]) -> PatientFacts:
    return PatientFacts(patient_id, display_name(content), parse_birth_date(content))


def display_name(content: dict[str, Any]) -> str:
    """ "<given> <family>" of the first usable name (official first), or "" when none."""
    names = [n for n in content.get("name") or [] if isinstance(n, dict)]
    names.sort(key=lambda n: 0 if n.get("use") == "official" else 1)
    for name in names:
        given = " ".join(str(g) for g in name.get("given") or [])
        text = " ".join(part for part in (given, str(name.get("family") or "")) if part)
        if text or name.get("text"):
            return text or str(name["text"])
    return ""


def parse_birth_date(content: dict[str, Any]) -> date | None:
    """Patient.birthDate as a date. A partial date ("2010", "2010-05") reads as its first
    day, the oldest the person can be: age rules then err toward privacy (hiding a teen's
    confidential items earlier, ending a parent's access at 18 earlier)."""
    match = _BIRTH_DATE.match(str(content.get("birthDate") or ""))
    if match is None:
        return None
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def age_on(birth: date, today: date) -> int:
    years = today.year - birth.year
    return years - 1 if (today.month, today.day) < (birth.month, birth.day) else years


def birthday(birth: date, years: int) -> date:
    """The day someone born on `birth` turns `years` (29 February turns on 1 March)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return date(birth.year + years, 3, 1)


# --- proxy grants and the age rules ---------------------------------------------------


@dataclass(frozen=True)
class GrantAccess:
    """What an active grant opens: whether confidential items stay hidden, whether it may act."""

    limited: bool
    may_write: bool


def grant_access(
    grant: ProxyGrant, birth: date | None, now: datetime, *, granted_by_patient: bool = False
) -> GrantAccess | None:
    """What `grant` allows now for a patient born on `birth`, or None when it allows nothing.
    `granted_by_patient`: the grant was given by the patient themself (their own account).

    Age rules (settings PROXY_FULL_ACCESS_MAX_AGE, ADULT_AGE):
    - up to PROXY_FULL_ACCESS_MAX_AGE: full access;
    - from then until ADULT_AGE: limited, confidential items hidden;
    - from ADULT_AGE: every grant that began before that birthday has ended. One given
      after it holds as granted when the adult gave it, or when it records a legal
      guardian of the adult (staff set those up, with the legal basis); any other ends.
    An unknown birth date gives limited access: the rules cannot tell a teen from an adult.
    """
    may_write = grant.scope == ProxyGrant.Scope.ACT
    # Revoked: nothing.
    if grant.revoked_at is not None:
        return None
    # Not started or already ended: nothing.
    if grant.starts_at > now or (grant.ends_at is not None and grant.ends_at <= now):
        return None
    # Age unknown: the confidential items stay hidden.
    if birth is None:
        return GrantAccess(limited=True, may_write=may_write)
    age = age_on(birth, timezone.localdate(now))
    if age < settings.ADULT_AGE:
        return GrantAccess(limited=age > settings.PROXY_FULL_ACCESS_MAX_AGE, may_write=may_write)
    adulthood = timezone.make_aware(datetime.combine(birthday(birth, settings.ADULT_AGE), time.min))
    # A grant from before adulthood ended on that birthday; the adult may grant it again.
    if grant.starts_at < adulthood:
        return None
    # Given by the adult, or a legal guardian of the adult: as granted.
    if granted_by_patient or grant.relationship == ProxyGrant.Relationship.GUARDIAN:
        return GrantAccess(limited=False, may_write=may_write)
    return None


def active_grants(user_id: int, now: datetime) -> list[ProxyGrant]:
    """The user's grants that are not revoked and are within their dates (before age rules)."""
    return list(
        ProxyGrant.objects.filter(proxy_id=user_id, revoked_at=None, starts_at__lte=now)
        .filter(Q(ends_at=None) | Q(ends_at__gt=now))
        .order_by("pk")
    )


# --- clinicians -----------------------------------------------------------------------


def patients_cared_for(practitioner_id: str) -> frozenset[str]:
    """Patients with a care team, general practitioner or appointment naming the practitioner."""
    return repository.patients_referring_to(
        system_context(), f"Practitioner/{practitioner_id}", CARE_LINKS
    )


def broken_glass(user_id: int, now: datetime) -> frozenset[str]:
    """Patients whose chart the user opened by breaking the glass, while that lasts."""
    rows = BreakGlass.objects.filter(user_id=user_id, started_at__lte=now, expires_at__gt=now)
    return frozenset(rows.values_list("patient_id", flat=True))


# --- what a person may open -----------------------------------------------------------


@dataclass(frozen=True)
class Openable:
    """A record a person may open for themself: their own, or one a grant opens."""

    patient_id: str
    is_self: bool
    limited: bool
    may_write: bool
    relationship: str = ""  # of a proxy grant


@dataclass
class AccessState:
    """Everything the rules found about one signed-in person for this request."""

    user: Any
    roles: frozenset[Role]
    own: str | None
    personal: dict[str, Openable]  # own record first, then grants in the order given
    practitioner_id: str | None
    cared_for: frozenset[str]
    break_glass: frozenset[str]
    directory: PatientDirectory = field(default_factory=PatientDirectory)

    @property
    def is_clinician(self) -> bool:
        return self.practitioner_id is not None

    @property
    def chart_ids(self) -> frozenset[str]:
        """The charts a clinician may open now."""
        return self.cared_for | self.break_glass

    def may_open(self, patient_id: str) -> bool:
        return patient_id in self.personal or patient_id in self.chart_ids


def build_state(user: Any, now: datetime | None = None) -> AccessState:
    """The records `user` may open now. Precondition: `user` is authenticated and active."""
    now = now or timezone.now()
    roles = roles_of(user)
    directory = PatientDirectory()
    personal: dict[str, Openable] = {}
    link = PatientLink.objects.filter(user_id=user.pk).first()
    if link is not None:
        personal[link.patient_id] = Openable(link.patient_id, True, False, True)
    grants = [g for g in active_grants(user.pk, now) if g.patient_id not in personal]
    facts = directory.load({g.patient_id for g in grants})
    granters = _own_records({g.granted_by_id for g in grants if g.granted_by_id is not None})
    for grant in grants:
        patient = facts.get(grant.patient_id)
        # A grant for a patient the record does not know opens nothing.
        if patient is None:
            continue
        by_patient = granters.get(grant.granted_by_id or 0) == grant.patient_id
        allowed = grant_access(grant, patient.birth_date, now, granted_by_patient=by_patient)
        if allowed is None:
            continue
        _merge(
            personal,
            Openable(
                grant.patient_id, False, allowed.limited, allowed.may_write, grant.relationship
            ),
        )
    practitioner_id: str | None = None
    cared: frozenset[str] = frozenset()
    glass: frozenset[str] = frozenset()
    # A clinician needs both the role and the link to the Practitioner they are.
    if Role.CLINICIAN in roles:
        practitioner = PractitionerLink.objects.filter(user_id=user.pk).first()
        if practitioner is not None:
            practitioner_id = practitioner.practitioner_id
            cared = patients_cared_for(practitioner_id)
            glass = broken_glass(user.pk, now) - cared
    return AccessState(
        user=user,
        roles=roles,
        own=link.patient_id if link else None,
        personal=personal,
        practitioner_id=practitioner_id,
        cared_for=cared,
        break_glass=glass,
        directory=directory,
    )


def _own_records(user_ids: set[int]) -> dict[int, str]:
    """The own record of each of these accounts that has one."""
    if not user_ids:
        return {}
    links = PatientLink.objects.filter(user_id__in=user_ids).values_list("user_id", "patient_id")
    return dict(links)


def _merge(personal: dict[str, Openable], new: Openable) -> None:
    """Two grants for the same patient: the wider of each permission counts."""
    old = personal.get(new.patient_id)
    if old is None:
        personal[new.patient_id] = new
        return
    personal[new.patient_id] = Openable(
        new.patient_id,
        False,
        old.limited and new.limited,
        old.may_write or new.may_write,
        old.relationship,
    )


def access_state(request: HttpRequest) -> AccessState | None:
    """The request's AccessState, built once; None for an anonymous or inactive person."""
    if hasattr(request, "_porch_access_state"):
        cached: AccessState | None = request._porch_access_state
        return cached
    user = getattr(request, "user", None)
    state = None
    if user is not None and user.is_authenticated and user.is_active:
        state = build_state(user)
    request._porch_access_state = state  # type: ignore[attr-defined]
    return state


# --- the context ----------------------------------------------------------------------


def request_context(request: HttpRequest) -> AccessContext:
    """The request's context, built on first use and kept for the request. request.access
    (set by AccessContextMiddleware) is the lazy form of this; use this one where a plain
    AccessContext is needed (dataclasses.replace)."""
    cached: AccessContext | None = getattr(request, "_porch_access_context", None)
    if cached is None:
        cached = context_for_request(request)
        request._porch_access_context = cached  # type: ignore[attr-defined]
    return cached


def context_for_request(request: HttpRequest) -> AccessContext:
    """The access context of the person making this request. Built once per request by
    AccessContextMiddleware (request.access); never widened afterwards.

    - anonymous or inactive: nobody;
    - the open record (session "acting_for") is one of their own or proxy records: that
      record only, as patient or proxy (a page never mixes two people's data);
    - otherwise a clinician: every patient they care for or broke the glass for, with
      the open chart, if any, as acting_for;
    - otherwise their own record, else the first record a grant opens;
    - otherwise (staff without a chart, an account not yet verified): no patient at all.
    """
    state = access_state(request)
    if state is None:
        return AccessContext.nobody()
    wanted = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if isinstance(wanted, str) and wanted in state.personal:
        ctx = _personal_context(state, state.personal[wanted])
    elif state.is_clinician:
        ctx = _clinician_context(state, wanted if isinstance(wanted, str) else None)
    elif state.personal:
        ctx = _personal_context(state, next(iter(state.personal.values())))
    else:
        ctx = AccessContext(
            actor_name(state.user),
            "none",
            patient_ids=frozenset(),
            may_read_shared=False,
            may_write=False,
            user_id=state.user.pk,
            role=_staff_role(state.roles),
        )
    return with_request_origin(ctx, request)


def with_request_origin(ctx: AccessContext, request: HttpRequest) -> AccessContext:
    """`ctx` naming where the request came from (address, browser), for the audit log."""
    return ctx.with_request(
        client_ip=request.META.get("REMOTE_ADDR", ""),
        user_agent=request.headers.get("User-Agent", "")[:300],
    )


def personal_context(
    user: Any, patient_id: str, now: datetime | None = None
) -> AccessContext | None:
    """The context in which `user` may open `patient_id`'s record as themselves or a proxy,
    decided now, outside a request (e.g. a calendar feed); None when they may not (an
    inactive account, an ended grant, the age rules)."""
    if not user.is_active:
        return None
    state = build_state(user, now)
    record = state.personal.get(patient_id)
    return _personal_context(state, record) if record is not None else None


def _personal_context(state: AccessState, record: Openable) -> AccessContext:
    pid = record.patient_id
    return AccessContext(
        actor_name(state.user),
        "patient-access" if record.is_self else "proxy-access",
        patient_ids=frozenset({pid}),
        may_read_shared=True,
        may_write=record.may_write,
        confidential_hidden=frozenset({pid}) if record.limited else frozenset(),
        user_id=state.user.pk,
        role=Role.PATIENT.value if record.is_self else Role.PROXY.value,
        acting_for=pid,
    )


def _clinician_context(state: AccessState, wanted: str | None) -> AccessContext:
    charts = state.chart_ids
    open_chart = wanted if wanted in charts else None
    return AccessContext(
        actor_name(state.user),
        "break-the-glass" if open_chart in state.break_glass else "treatment",
        patient_ids=charts,
        may_read_shared=True,
        may_write=True,
        break_glass=state.break_glass,
        user_id=state.user.pk,
        role=Role.CLINICIAN.value,
        acting_for=open_chart,
    )


def _staff_role(roles: frozenset[Role]) -> str:
    return next((r.value for r in _STAFF_ROLE_ORDER if r in roles), "")


def actor_name(user: Any) -> str:
    return str(user.get_full_name() or user.email)


def context_for_change(
    request: HttpRequest, patient_id: str, *, role: Role, purpose: str
) -> AccessContext:
    """A context that may write one patient's compartment, for a change the caller has
    authorized (a patient inviting a proxy to their own record, staff setting one up): the
    record writes and the audit events name the person and the role they act in."""
    user: Any = request.user
    ctx = AccessContext(
        actor_name(user),
        purpose,
        patient_ids=frozenset({patient_id}),
        may_read_shared=True,
        may_write=True,
        user_id=user.pk,
        role=role.value,
        acting_for=patient_id,
    )
    return with_request_origin(ctx, request)
