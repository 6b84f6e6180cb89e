"""The demo's people: who signs in to the demo clinic, and which records they may open.

Created idempotently on every `porch demo` start, from the Synthea patients in
porch/demo/data, chosen by age today (so the cast still fits in a few years):

- an adult patient (the adult closest to 40), with an account of their own;
- a parent, proxy for a child (the child under 12 closest to 7) and a teen (the 12-17
  year-old closest to 15), who has an account of their own;
- a caregiver of an elderly patient (the patient of 65 or more closest to 80);
- two clinicians linked to Synthea Practitioners: one on these patients' care team (made
  their general practitioner), one who has never seen them;
- a front-desk user and an administrator.

One password for every demo account, generated on the first run and kept in
DATA_DIR/demo-password, so no password is a constant in the code. Staff sign in with a
second factor: each gets a TOTP authenticator whose secret the demo prints.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from porch.access.context import AccessContext
from porch.access.models import ProxyGrant
from porch.accounts.models import PatientLink, PractitionerLink, Role, RoleAssignment, User
from porch.checkin import demo as checkin_demo
from porch.medications import demo as medications_demo
from porch.messaging import demo as messaging_demo
from porch.record import repository, search
from porch.record.stored import StoredResource
from porch.scheduling import demo as scheduling_demo

DOMAIN = "demo.porch.example"
PASSWORD_FILE = "demo-password"  # noqa: S105 - the file name, not its content
DEMO_CTX = AccessContext.system(actor="system:demo", purpose="operations")


@dataclass(frozen=True)
class SignIn:
    """One demo account as printed at start."""

    label: str
    email: str
    name: str
    totp_secret: str = ""
    note: str = ""  # whose record it opens, or which Practitioner it is


@dataclass(frozen=True)
class Patients:
    adult: StoredResource
    child: StoredResource
    teen: StoredResource
    elderly: StoredResource

    def all(self) -> list[StoredResource]:
        return [self.adult, self.child, self.teen, self.elderly]


def demo_password() -> str:
    """The install's demo password: made once, kept in DATA_DIR (mode 0600)."""
    path = Path(settings.DATA_DIR) / PASSWORD_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"porch-demo-{secrets.token_urlsafe(9)}")
        path.chmod(0o600)
    return path.read_text().strip()


def age(patient: StoredResource, today: date) -> int:
    born = date.fromisoformat(_content(patient)["birthDate"])
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def choose_patients(today: date) -> Patients:
    people = [
        p
        for p in search.search(DEMO_CTX, "Patient", [("_count", "1000"), ("_sort", "_id")]).matches
        if p.content and "birthDate" in p.content and "deceasedDateTime" not in p.content
    ]

    def closest(target: int, low: int, high: int) -> StoredResource:
        fitting = [p for p in people if low <= age(p, today) <= high]
        if not fitting:
            raise LookupError(f"the demo data has no living patient aged {low} to {high}")
        return min(fitting, key=lambda p: (abs(age(p, today) - target), p.id))

    return Patients(
        adult=closest(40, 18, 64),
        child=closest(7, 0, 11),
        teen=closest(15, 12, 17),
        elderly=closest(80, 65, 200),
    )


def display_name(resource: StoredResource) -> tuple[str, str]:
    """(given, family) without Synthea's numeric suffixes ("Gary33" -> "Gary")."""
    name = (_content(resource).get("name") or [{}])[0]
    given = re.sub(r"\d+", "", (name.get("given") or [""])[0])
    family = re.sub(r"\d+", "", name.get("family", ""))
    return given, family


def _content(resource: StoredResource) -> dict[str, Any]:
    assert resource.content is not None
    return resource.content


def _practitioners_seen(patients: list[StoredResource]) -> Counter[str]:
    """How often each Practitioner appears on these patients' care teams and encounters."""
    ids = ",".join(p.id for p in patients)
    seen: Counter[str] = Counter()
    paths = (("CareTeam", "member"), ("Encounter", "individual"))
    for resource_type, field in paths:
        params = [("patient", ids), ("_count", "1000")]
        for found in search.search(DEMO_CTX, resource_type, params).matches:
            for part in _content(found).get("participant", []):
                reference = part.get(field, {}).get("reference", "")
                if reference.startswith("Practitioner/"):
                    seen[reference.removeprefix("Practitioner/")] += 1
    return seen


def choose_clinicians(patients: Patients) -> tuple[StoredResource, StoredResource]:
    """(on the care team, never seen them): the former the Practitioner they see most."""
    seen = _practitioners_seen(patients.all())
    if not seen:
        raise LookupError("the demo patients have no Practitioner on a care team or encounter")
    caring_id = min(seen, key=lambda pid: (-seen[pid], pid))
    everyone = search.search(DEMO_CTX, "Practitioner", [("_count", "1000"), ("_sort", "_id")])
    stranger = next(p for p in everyone.matches if p.id not in seen)
    return repository.read(DEMO_CTX, "Practitioner", caring_id), stranger


def _make_gp(patient: StoredResource, practitioner: StoredResource) -> None:
    content = dict(_content(patient))
    content["generalPractitioner"] = [{"reference": f"Practitioner/{practitioner.id}"}]
    # Unchanged content makes no new version, so a second run writes nothing.
    repository.update(DEMO_CTX, "Patient", patient.id, content)


def _account(email: str, given: str, family: str, roles: list[Role], password: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(username=email, email=email)
        user.set_password(password)
    user.first_name, user.last_name = given, family
    user.is_staff = user.is_superuser = Role.ADMINISTRATOR in roles
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    for role in roles:
        RoleAssignment.objects.get_or_create(user=user, role=role)
    return user


def _totp_secret(user: User) -> str:
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        secret: str = decrypt(existing.data["secret"])
        return secret
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


# v3 RoleCode for the RelatedPerson: a parent; the caregiver is the patient's daughter.
RELATIONSHIP_CODES = {
    ProxyGrant.Relationship.PARENT: ("PRN", "parent"),
    ProxyGrant.Relationship.CAREGIVER: ("DAUC", "daughter"),
}


def _grant(
    proxy: User,
    patient: StoredResource,
    relationship: ProxyGrant.Relationship,
    basis: str,
    days: int | None = None,
) -> None:
    related_id = f"demo-{relationship}-{patient.id}"[:64]
    code, display = RELATIONSHIP_CODES[relationship]
    related = {
        "resourceType": "RelatedPerson",
        "id": related_id,
        "active": True,
        "patient": {"reference": f"Patient/{patient.id}"},
        "relationship": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                        "code": code,
                        "display": display,
                    }
                ]
            }
        ],
        "name": [{"given": [proxy.first_name], "family": proxy.last_name}],
    }
    repository.update(DEMO_CTX, "RelatedPerson", related_id, related)
    # Made once; a later run keeps the grant (and its end date) as it is.
    ProxyGrant.objects.get_or_create(
        proxy=proxy,
        patient_id=patient.id,
        revoked_at=None,
        defaults={
            "related_person_id": related_id,
            "relationship": relationship,
            "scope": ProxyGrant.Scope.ACT,
            "legal_basis": basis,
            "ends_at": timezone.now() + timedelta(days=days) if days else None,
        },
    )


def _link_patient(user: User, patient: StoredResource) -> None:
    PatientLink.objects.filter(patient_id=patient.id).exclude(user=user).delete()
    PatientLink.objects.update_or_create(user=user, defaults={"patient_id": patient.id})


def _link_practitioner(user: User, practitioner: StoredResource) -> None:
    PractitionerLink.objects.filter(practitioner_id=practitioner.id).exclude(user=user).delete()
    PractitionerLink.objects.update_or_create(
        user=user, defaults={"practitioner_id": practitioner.id}
    )


def ensure(today: date | None = None) -> list[SignIn]:
    """Create or refresh the demo accounts; returns what to print. Idempotent."""
    today = today or timezone.localdate()
    password = demo_password()
    patients = choose_patients(today)
    caring, stranger = choose_clinicians(patients)
    with transaction.atomic():
        for patient in patients.all():
            _make_gp(patient, caring)
        return _accounts(patients, caring, stranger, password, today)


def _accounts(
    patients: Patients,
    caring: StoredResource,
    stranger: StoredResource,
    password: str,
    today: date,
) -> list[SignIn]:
    def email(local: str) -> str:
        return f"{local}@{DOMAIN}"

    def record(p: StoredResource) -> str:
        given, family = display_name(p)
        return f"{given} {family} ({age(p, today)}, Patient/{p.id})"

    adult_given, adult_family = display_name(patients.adult)
    adult = _account(email("patient"), adult_given, adult_family, [Role.PATIENT], password)
    _link_patient(adult, patients.adult)

    teen_given, teen_family = display_name(patients.teen)
    teen = _account(email("teen"), teen_given, teen_family, [Role.PATIENT], password)
    _link_patient(teen, patients.teen)

    _, child_family = display_name(patients.child)
    parent = _account(email("parent"), "Bea", child_family, [Role.PROXY], password)
    _grant(parent, patients.child, ProxyGrant.Relationship.PARENT, "parent of a minor")
    _grant(parent, patients.teen, ProxyGrant.Relationship.PARENT, "parent of a minor")

    _, elder_family = display_name(patients.elderly)
    caregiver = _account(email("caregiver"), "Gala", elder_family, [Role.PROXY], password)
    _grant(
        caregiver,
        patients.elderly,
        ProxyGrant.Relationship.CAREGIVER,
        "invited by the patient",
        days=365,
    )

    staff = []
    for local, resource, label in (
        ("dr.care", caring, "Clinician on these patients' care team"),
        ("dr.other", stranger, "Clinician not on their care team (break the glass)"),
    ):
        given, family = display_name(resource)
        user = _account(email(local), f"Dr. {given}", family, [Role.CLINICIAN], password)
        _link_practitioner(user, resource)
        staff.append((label, user, f"is Practitioner/{resource.id}"))
    desk = _account(email("frontdesk"), "Frank", "Desk", [Role.FRONT_DESK], password)
    admin = _account(email("admin"), "Alma", "Admin", [Role.ADMINISTRATOR], password)
    # Messaging: the Nurses and Front desk pools, and a conversation with a PDF between
    # the adult patient and the clinician on the care team.
    care_user = staff[0][1]
    messaging_demo.ensure_pools([care_user], [desk])
    messaging_demo.ensure_conversation(adult, patients.adult.id, care_user, caring.id)
    medications_demo.ensure(DEMO_CTX)
    # Appointments: the two clinicians' hours, a follow-up booked for the adult patient,
    # and the check-in questionnaire of follow-ups.
    scheduling_demo.ensure(DEMO_CTX, caring.id, stranger.id, patients.adult.id)
    checkin_demo.ensure_questionnaire("follow-up")
    staff += [("Front desk", desk, ""), ("Administrator", admin, "")]

    people = [
        SignIn(
            "Adult patient",
            adult.email,
            adult.get_full_name(),
            note="opens the record of " + record(patients.adult),
        ),
        SignIn(
            "Parent (proxy for a child and a teen)",
            parent.email,
            parent.get_full_name(),
            note=f"opens the records of {record(patients.child)} and {record(patients.teen)}",
        ),
        SignIn(
            "Teen patient",
            teen.email,
            teen.get_full_name(),
            note="opens the record of " + record(patients.teen),
        ),
        SignIn(
            "Caregiver of an elderly patient",
            caregiver.email,
            caregiver.get_full_name(),
            note="opens the record of " + record(patients.elderly),
        ),
    ]
    people += [
        SignIn(label, user.email, user.get_full_name(), _totp_secret(user), note=what)
        for label, user, what in staff
    ]
    return people
