"""The age rules of proxy grants, as a pure function and through the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from porch.access.models import ProxyGrant
from porch.access.rules import age_on, birthday, grant_access, parse_birth_date
from porch.access.tests.helpers import client_of, fhir, total
from porch.access.tests.records import Cast, born, grant, patient_resource, system
from porch.record import repository

NOW = datetime(2030, 6, 15, 12, 0, tzinfo=UTC)


def _grant(**fields: object) -> ProxyGrant:
    defaults: dict[str, object] = {
        "patient_id": "p",
        "relationship": "parent",
        "scope": "view",
        "starts_at": datetime(2020, 1, 1, tzinfo=UTC),
        "legal_basis": "parent of a minor",
    }
    return ProxyGrant(**{**defaults, **fields})


def _birth(age: int) -> date:
    return born(age, NOW.date())


def test_a_parent_has_full_access_up_to_eleven() -> None:
    assert grant_access(_grant(), _birth(11), NOW) == grant_access(_grant(), _birth(0), NOW)
    access = grant_access(_grant(), _birth(11), NOW)
    assert access is not None and not access.limited


def test_a_parent_has_limited_access_from_twelve_to_seventeen() -> None:
    for age in (12, 15, 17):
        access = grant_access(_grant(), _birth(age), NOW)
        assert access is not None and access.limited, age


def test_every_grant_from_childhood_ends_at_eighteen() -> None:
    for relationship in ("parent", "guardian", "caregiver"):
        assert grant_access(_grant(relationship=relationship), _birth(18), NOW) is None


def test_the_day_before_eighteen_the_grant_still_holds() -> None:
    eighteen_tomorrow = birthday(NOW.date() + timedelta(days=1), -18)
    assert grant_access(_grant(), eighteen_tomorrow, NOW) is not None
    assert grant_access(_grant(), birthday(NOW.date(), -18), NOW) is None


def _after_eighteen(birth: date) -> datetime:
    return datetime.combine(birthday(birth, 18), datetime.min.time(), tzinfo=UTC) + timedelta(
        days=400
    )


def test_a_grant_the_adult_gave_holds_as_granted() -> None:
    birth = _birth(30)
    given = _grant(relationship="caregiver", scope="act", starts_at=_after_eighteen(birth))
    access = grant_access(given, birth, NOW, granted_by_patient=True)
    assert access is not None and not access.limited and access.may_write


def test_a_legal_guardian_of_an_adult_holds_as_granted() -> None:
    birth = _birth(30)
    guardian = _grant(relationship="guardian", starts_at=_after_eighteen(birth))
    access = grant_access(guardian, birth, NOW)
    assert access is not None and not access.limited


def test_a_caregiver_grant_someone_else_gave_an_adult_opens_nothing() -> None:
    birth = _birth(30)
    given = _grant(relationship="caregiver", starts_at=_after_eighteen(birth))
    assert grant_access(given, birth, NOW, granted_by_patient=False) is None


def test_view_scope_may_not_write_and_act_may() -> None:
    view = grant_access(_grant(), _birth(5), NOW)
    act = grant_access(_grant(scope="act"), _birth(5), NOW)
    assert view is not None and not view.may_write
    assert act is not None and act.may_write


def test_revoked_future_and_ended_grants_open_nothing() -> None:
    assert grant_access(_grant(revoked_at=NOW - timedelta(seconds=1)), _birth(5), NOW) is None
    assert grant_access(_grant(starts_at=NOW + timedelta(minutes=1)), _birth(5), NOW) is None
    assert grant_access(_grant(ends_at=NOW), _birth(5), NOW) is None


def test_an_unknown_birth_date_hides_the_confidential_items() -> None:
    access = grant_access(_grant(), None, NOW)
    assert access is not None and access.limited


def test_partial_birth_dates_read_as_their_first_day() -> None:
    assert parse_birth_date({"birthDate": "2010"}) == date(2010, 1, 1)
    assert parse_birth_date({"birthDate": "2010-05"}) == date(2010, 5, 1)
    assert parse_birth_date({"birthDate": "2010-05-31"}) == date(2010, 5, 31)
    assert parse_birth_date({"birthDate": "not a date"}) is None
    assert parse_birth_date({}) is None


def test_age_counts_whole_years_and_leap_days() -> None:
    assert age_on(date(2012, 2, 29), date(2030, 2, 28)) == 17
    assert age_on(date(2012, 2, 29), date(2030, 3, 1)) == 18
    assert birthday(date(2012, 2, 29), 18) == date(2030, 3, 1)


@pytest.mark.django_db
def test_a_parent_loses_access_when_the_child_turns_eighteen(cast: Cast) -> None:
    adult = patient_resource("teo")
    adult["id"] = "teo"
    adult["birthDate"] = born(18).isoformat()
    repository.update(system(), "Patient", "teo", adult)
    ben = client_of(cast.ben)
    # Even a grant recorded after the birthday ends, when the adult did not give it.
    assert ben.post("/records/open/", {"patient": "teo"}).status_code == 404
    cast.grants["ben-teo"].starts_at = timezone.now() - timedelta(days=3 * 365)
    cast.grants["ben-teo"].save(update_fields=["starts_at"])
    assert ben.post("/records/open/", {"patient": "teo"}).status_code == 404
    assert ben.post("/records/open/", {"patient": "carla"}).status_code == 302
    assert fhir(ben, f"/fhir/Condition/{cast.plain['teo']}")[0] == 404


@pytest.mark.django_db
def test_an_adult_who_grants_again_gives_access_back(cast: Cast) -> None:
    adult = patient_resource("teo")
    adult["id"] = "teo"
    adult["birthDate"] = born(18).isoformat()
    repository.update(system(), "Patient", "teo", adult)
    grant(cast.ben, "teo", "caregiver", by=cast.teo, legal_basis="invited by the patient")
    ben = client_of(cast.ben)
    assert ben.post("/records/open/", {"patient": "teo"}).status_code == 302
    # An adult's grant is as granted: nothing hidden any more.
    assert total(ben, "/fhir/Condition") == 3


@pytest.mark.django_db
def test_a_grant_for_a_patient_unknown_to_the_record_opens_nothing(cast: Cast) -> None:
    grant(cast.gil, "nobody-here", "caregiver", by=cast.fran)
    gil = client_of(cast.gil)
    assert gil.post("/records/open/", {"patient": "nobody-here"}).status_code == 404
