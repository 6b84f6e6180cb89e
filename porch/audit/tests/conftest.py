"""The audit tests' cast: Ana (patient), Ben (parent of Teo, 15), Teo (teen), Dr. Cruz,
Dr. Diaz, Mallory (another patient), Alma (administrator). Accounts come from
porch.accounts.tests.cast; records and grants are made here with the record store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client

from porch.access.context import AccessContext
from porch.access.models import ProxyGrant
from porch.accounts.models import PatientLink, Role, User
from porch.accounts.tests.cast import ANA, BEN, CRUZ, DIAZ, MALLORY, make_user
from porch.record import repository
from porch.tests.fhir_factories import patient

ALMA = "alma@example.org"
TEO = "teo@example.org"
# A restricted-confidentiality label: hidden from a teen's parents whatever its codes.
RESTRICTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"}


@dataclass
class Cast:
    ana: User
    ben: User
    teo: User
    cruz: User
    diaz: User
    mallory: User
    alma: User
    ana_id: str
    teo_id: str
    mallory_id: str
    teo_visible: str  # a Condition of Teo's his parent may see
    teo_confidential: str  # one he may not


def _years_ago(years: int) -> str:
    today = date.today()
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


def _condition(patient_id: str, **extra: object) -> str:
    system = AccessContext.system()
    body = {
        "resourceType": "Condition",
        "subject": {"reference": f"Patient/{patient_id}"},
        "code": {"text": "a condition"},
        **extra,
    }
    return repository.create(system, body).stored.id


@pytest.fixture
def cast(db: None) -> Cast:
    system = AccessContext.system()
    ids = {
        name: repository.create(system, patient(name, birthDate=_years_ago(age))).stored.id
        for name, age in (("Alvarez", 40), ("Teo", 15), ("Moss", 33))
    }
    ana = make_user(ANA, Role.PATIENT)
    teo = _named(make_user(TEO, Role.PATIENT), "Teo", "Alvarez")
    mallory = make_user(MALLORY, Role.PATIENT)
    ben = make_user(BEN, Role.PROXY)
    PatientLink.objects.create(user=ana, patient_id=ids["Alvarez"])
    PatientLink.objects.create(user=teo, patient_id=ids["Teo"])
    PatientLink.objects.create(user=mallory, patient_id=ids["Moss"])
    ProxyGrant.objects.create(
        proxy=ben,
        patient_id=ids["Teo"],
        relationship=ProxyGrant.Relationship.PARENT,
        legal_basis="parent of a minor",
    )
    return Cast(
        ana=ana,
        ben=ben,
        teo=teo,
        cruz=make_user(CRUZ, Role.CLINICIAN),
        diaz=make_user(DIAZ, Role.CLINICIAN),
        mallory=mallory,
        alma=_named(make_user(ALMA, Role.ADMINISTRATOR), "Alma", "Admin"),
        ana_id=ids["Alvarez"],
        teo_id=ids["Teo"],
        mallory_id=ids["Moss"],
        teo_visible=_condition(ids["Teo"]),
        teo_confidential=_condition(ids["Teo"], meta={"security": [RESTRICTED]}),
    )


def _named(user: User, first: str, last: str) -> User:
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def signed_in(user: User) -> Client:
    """A client signed in as `user` (force_login: sign-in itself is tested elsewhere; it
    still writes a sign-in event)."""
    client = Client()
    client.force_login(user)
    return client
