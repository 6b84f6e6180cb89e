"""The access test cast, with their records: `build_cast()` makes it in one call.

People (accounts from porch.accounts.tests.cast.make_user, all with the cast password):
- Ana, an adult patient (about 40), with her own record;
- Ben, parent of Carla (7) and Teo (15): proxy grants set up by the front desk;
- Teo, 15, with his own account and record;
- Gil, caregiver of Elda (80), allowed to act: Elda invited him from her own account;
- Dr. Cruz, clinician on the care team: CareTeam of Ana, general practitioner of Carla
  and Teo, an appointment with Elda;
- Dr. Diaz, clinician caring for nobody;
- Mallory, another adult patient;
- Elda, 80, with her own account;
- Fran at the front desk; Priya, administrator and privacy officer.

The record (written through the repository with a system context, fixed ids):
Patients "ana", "carla", "teo", "elda", "mallory"; Practitioners "pr-cruz", "pr-diaz";
for each patient an ordinary Condition `plain[<patient>]`; for Teo and Carla also a
mental-health Condition (a seeded confidential SNOMED code) `confidential[<patient>]`
and one labelled meta.security R `labelled[<patient>]`.

    cast = build_cast()
    client.force_login(cast.ben)
    client.get(f"/fhir/Condition/{cast.confidential['teo']}")   # 404: Ben is a parent of a teen
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from porch.access.context import AccessContext
from porch.access.models import ProxyGrant
from porch.access.rules import birthday
from porch.accounts.models import PatientLink, PractitionerLink, Role, User
from porch.accounts.tests.cast import ANA, BEN, CRUZ, DIAZ, FRAN, MALLORY, make_user
from porch.record import repository

TEO = "teo@example.org"
GIL = "gil@example.org"
ELDA = "elda@example.org"
PRIYA = "priya@example.org"
_NAMES = {
    TEO: ("Teo", "Alvarez"),
    GIL: ("Gil", "Gomez"),
    ELDA: ("Elda", "Gomez"),
    PRIYA: ("Priya", "Patel"),
}

SNOMED = "http://snomed.info/sct"
# Major depression disorder: seeded as mental health (access migration 0004).
MENTAL_HEALTH_CODE = "370143000"
# Hypertension: not confidential.
PLAIN_CODE = "59621000"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"

AGES = {"ana": 40, "carla": 7, "teo": 15, "elda": 80, "mallory": 30}
PATIENT_NAMES = {
    "ana": ("Ana", "Alvarez"),
    "carla": ("Carla", "Alvarez"),
    "teo": ("Teo", "Alvarez"),
    "elda": ("Elda", "Gomez"),
    "mallory": ("Mallory", "Moss"),
}


@dataclass
class Cast:
    ana: User
    ben: User
    teo: User
    gil: User
    elda: User
    cruz: User
    diaz: User
    mallory: User
    fran: User
    priya: User
    # Patient ids, by first name.
    patients: dict[str, str]
    # Condition ids by patient: ordinary, confidential by code, labelled confidential.
    plain: dict[str, str] = field(default_factory=dict)
    confidential: dict[str, str] = field(default_factory=dict)
    labelled: dict[str, str] = field(default_factory=dict)
    grants: dict[str, ProxyGrant] = field(
        default_factory=dict
    )  # "ben-carla", "ben-teo", "gil-elda"

    @property
    def outsiders(self) -> list[User]:
        """People who may see none of Ana's record."""
        return [
            self.mallory,
            self.diaz,
            self.ben,
            self.gil,
            self.teo,
            self.elda,
            self.fran,
            self.priya,
        ]


def born(age: int, today: date | None = None) -> date:
    """A birth date making someone `age` today, a month past their birthday."""
    today = today or timezone.localdate()
    return birthday(today - timedelta(days=30), -age)


def system() -> AccessContext:
    return AccessContext.system(actor="system:test", purpose="test")


def patient_resource(key: str, **extra: Any) -> dict[str, Any]:
    given, family = PATIENT_NAMES[key]
    return {
        "resourceType": "Patient",
        "name": [{"use": "official", "given": [given], "family": family}],
        "birthDate": born(AGES[key]).isoformat(),
        **extra,
    }


def condition(patient_id: str, code: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "subject": {"reference": f"Patient/{patient_id}"},
        "code": {"coding": [{"system": SNOMED, "code": code}]},
        **extra,
    }


def labelled_condition(patient_id: str) -> dict[str, Any]:
    """An ordinary code, but labelled restricted in meta.security."""
    return condition(
        patient_id, PLAIN_CODE, meta={"security": [{"system": CONFIDENTIALITY, "code": "R"}]}
    )


def create(resource: dict[str, Any], fhir_id: str | None = None) -> str:
    return repository.create(system(), resource, fhir_id=fhir_id).stored.id


def user(email: str, *roles: Role) -> User:
    person = make_user(email, *roles)
    if email in _NAMES:
        person.first_name, person.last_name = _NAMES[email]
        person.save(update_fields=["first_name", "last_name"])
    return person


def grant(
    proxy: User, patient_id: str, relationship: str, *, by: User, scope: str = "view", **extra: Any
) -> ProxyGrant:
    return ProxyGrant.objects.create(
        proxy=proxy,
        invited_email=proxy.email,
        patient_id=patient_id,
        relationship=relationship,
        scope=scope,
        granted_by=by,
        legal_basis=extra.pop("legal_basis", "parent of a minor"),
        **extra,
    )


def build_cast() -> Cast:
    """The cast, their accounts, links, grants and records. Needs the database."""
    ana = user(ANA, Role.PATIENT)
    ben = user(BEN, Role.PROXY)
    teo = user(TEO, Role.PATIENT)
    gil = user(GIL, Role.PROXY)
    elda = user(ELDA, Role.PATIENT)
    cruz = user(CRUZ, Role.CLINICIAN)
    diaz = user(DIAZ, Role.CLINICIAN)
    mallory = user(MALLORY, Role.PATIENT)
    fran = user(FRAN, Role.FRONT_DESK)
    priya = user(PRIYA, Role.ADMINISTRATOR)

    create(
        {"resourceType": "Practitioner", "name": [{"family": "Cruz", "given": ["Ada"]}]}, "pr-cruz"
    )
    create(
        {"resourceType": "Practitioner", "name": [{"family": "Diaz", "given": ["Dan"]}]}, "pr-diaz"
    )
    gp = {"generalPractitioner": [{"reference": "Practitioner/pr-cruz"}]}
    patients = {}
    for key in AGES:
        extra = gp if key in {"carla", "teo"} else {}
        patients[key] = create(patient_resource(key, **extra), key)
    create(
        {
            "resourceType": "CareTeam",
            "status": "active",
            "subject": {"reference": "Patient/ana"},
            "participant": [{"member": {"reference": "Practitioner/pr-cruz"}}],
        }
    )
    create(
        {
            "resourceType": "Appointment",
            "status": "booked",
            "participant": [
                {"actor": {"reference": "Patient/elda"}, "status": "accepted"},
                {"actor": {"reference": "Practitioner/pr-cruz"}, "status": "accepted"},
            ],
        }
    )
    PatientLink.objects.create(user=ana, patient_id="ana")
    PatientLink.objects.create(user=teo, patient_id="teo")
    PatientLink.objects.create(user=mallory, patient_id="mallory")
    PatientLink.objects.create(user=elda, patient_id="elda")
    PractitionerLink.objects.create(user=cruz, practitioner_id="pr-cruz")
    PractitionerLink.objects.create(user=diaz, practitioner_id="pr-diaz")

    cast = Cast(ana, ben, teo, gil, elda, cruz, diaz, mallory, fran, priya, patients)
    for key in AGES:
        cast.plain[key] = create(condition(key, PLAIN_CODE))
    for key in ("carla", "teo"):
        cast.confidential[key] = create(condition(key, MENTAL_HEALTH_CODE))
        cast.labelled[key] = create(labelled_condition(key))
    cast.grants["ben-carla"] = grant(ben, "carla", "parent", by=fran)
    cast.grants["ben-teo"] = grant(ben, "teo", "parent", by=fran)
    cast.grants["gil-elda"] = grant(
        gil, "elda", "caregiver", by=elda, scope="act", legal_basis="invited by the patient"
    )
    return cast
