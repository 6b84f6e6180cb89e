"""FHIR search: each parameter type, its modifiers and prefixes, paging, sorting, includes.

Cast: Ana and José are patients; Mallory is another patient whose record Ana's context
must never reach, not even through _include or _revinclude; Dr. Cruz is a practitioner.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from django.conf import settings

from porch.access.context import AccessContext
from porch.record import indexing
from porch.record.errors import InvalidRequest
from porch.record.models import (
    Compartment,
    DateIndex,
    NumberIndex,
    QuantityIndex,
    ReferenceIndex,
    Resource,
    StringIndex,
    TokenIndex,
    UriIndex,
)
from porch.record.search import SearchResult, match_ids, search
from porch.tests import shared_data

pytestmark = pytest.mark.django_db

EXAMPLES = shared_data.EXAMPLES
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SYSTEM = AccessContext.system()
ANA_ONLY = AccessContext.for_patients("test", frozenset({"ana"}), purpose="test")
T0 = datetime(2024, 1, 1, tzinfo=UTC)

Store = Callable[..., dict[str, Any]]


@pytest.fixture
def store() -> Store:
    """Write a resource with its index and compartment rows, as the repository would.

    Only this fixture touches the tables, so it can be swapped for the repository.
    """
    clock = itertools.count()

    def _store(
        resource: dict[str, Any], *, last_updated: datetime | None = None, deleted: bool = False
    ) -> dict[str, Any]:
        when = last_updated or T0 + timedelta(minutes=next(clock))
        rt = resource["resourceType"]
        meta = {**resource.get("meta", {}), "versionId": "1", "lastUpdated": when.isoformat()}
        row = Resource.objects.create(
            resource_type=rt,
            fhir_id=resource["id"],
            version_id=1,
            last_updated=when,
            deleted=deleted,
            content=orjson.dumps({**resource, "meta": meta}).decode(),
            content_hash="-",
        )
        values = indexing.extract(resource, settings.SITE_URL)
        common = {"resource": row, "resource_type": rt}
        TokenIndex.objects.bulk_create(
            TokenIndex(**common, param=p, system=s, code=c) for p, s, c in values.tokens
        )
        StringIndex.objects.bulk_create(
            StringIndex(**common, param=p, normalized=n, exact=e) for p, n, e in values.strings
        )
        DateIndex.objects.bulk_create(
            DateIndex(**common, param=p, low=lo, high=hi) for p, lo, hi in values.dates
        )
        ReferenceIndex.objects.bulk_create(
            ReferenceIndex(**common, param=p, target_type=t, target_id=i, url=u)
            for p, t, i, u in values.references
        )
        QuantityIndex.objects.bulk_create(
            QuantityIndex(**common, param=p, value=v, system=s, code=c)
            for p, v, s, c in values.quantities
        )
        UriIndex.objects.bulk_create(UriIndex(**common, param=p, value=v) for p, v in values.uris)
        NumberIndex.objects.bulk_create(
            NumberIndex(**common, param=p, value=v) for p, v in values.numbers
        )
        Compartment.objects.bulk_create(
            Compartment(resource=row, patient_id=pid) for pid in values.compartments
        )
        return resource

    return _store


def patient(pid: str, family: str, *given: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": pid,
        "name": [{"family": family, "given": list(given)}],
        **extra,
    }


def observation(
    oid: str, subject: str = "Patient/ana", code: str = "8867-4", system: str = LOINC, **extra: Any
) -> dict[str, Any]:
    coding = {"system": system, "code": code} if system else {"code": code}
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {"coding": [coding]},
        "subject": {"reference": subject},
        **extra,
    }


def ids(result: SearchResult) -> list[str]:
    return [r.id for r in result.matches]


def found(resource_type: str, query: str, ctx: AccessContext = SYSTEM, **kwargs: Any) -> set[str]:
    return set(ids(search(ctx, resource_type, _pairs(query), **kwargs)))


def _pairs(query: str) -> list[tuple[str, str]]:
    return [tuple(part.split("=", 1)) for part in query.split("&")] if query else []  # type: ignore[misc]


# --- token ------------------------------------------------------------------------------


@pytest.fixture
def coded(store: Store) -> None:
    store(
        observation(
            "loinc",
            code="8867-4",
            category=[{"coding": [{"system": "cat", "code": "vital-signs"}]}],
        )
    )
    store(observation("local", code="8867-4", system=""))
    store(observation("other", code="2339-0"))


def test_token_matches_code_in_any_system(coded: None) -> None:
    assert found("Observation", "code=8867-4") == {"loinc", "local"}


def test_token_with_system_matches_only_that_system(coded: None) -> None:
    assert found("Observation", f"code={LOINC}|8867-4") == {"loinc"}
    assert found("Observation", "code=|8867-4") == {"local"}
    assert found("Observation", f"code={LOINC}|") == {"loinc", "other"}


def test_token_not_returns_resources_without_a_matching_code(coded: None) -> None:
    assert found("Observation", "code:not=8867-4") == {"other"}
    assert found("Observation", "code:not=8867-4,2339-0") == set()


def test_token_missing(coded: None) -> None:
    assert found("Observation", "category:missing=true") == {"local", "other"}
    assert found("Observation", "category:missing=false") == {"loinc"}


def test_comma_is_or_and_repeated_parameters_are_and(coded: None) -> None:
    assert found("Observation", "code=2339-0,x-none,8867-4") == {"loinc", "local", "other"}
    assert found("Observation", "code=8867-4&code=2339-0") == set()
    assert found("Observation", "code=8867-4&category=vital-signs") == {"loinc"}


def test_real_example_observation_is_found_by_each_of_its_codes(store: Store) -> None:
    store(json.loads((EXAMPLES / "Observation-example.json").read_text()))
    assert found("Observation", f"code={LOINC}|3141-9&patient=Patient/example") == {"example"}
    assert found("Observation", "code=http://snomed.info/sct|27113001&date=2016-03") == {"example"}
    assert found("Observation", f"value-quantity=185|{UCUM}|[lb_av]") == {"example"}


# --- string -----------------------------------------------------------------------------


@pytest.fixture
def names(store: Store) -> None:
    store(patient("jose", "García", "José"))
    store(patient("joseph", "Smith", "Joseph"))
    store(patient("ana", "Núñez", "Ana", "María"))
    store(patient("pct", "Odd", "100%_sure"))


def test_string_is_a_prefix_match_ignoring_case_and_accents(names: None) -> None:
    assert found("Patient", "name=Jose") == {"jose", "joseph"}
    assert found("Patient", "name=JOSÉ") == {"jose", "joseph"}
    assert found("Patient", "family=nunez") == {"ana"}
    assert found("Patient", "given=mar") == {"ana"}
    assert found("Patient", "name=osé") == set()


def test_string_exact_compares_as_written(names: None) -> None:
    assert found("Patient", "given:exact=José") == {"jose"}
    assert found("Patient", "given:exact=Jose") == set()
    assert found("Patient", "given:exact=José,Joseph") == {"jose", "joseph"}


def test_string_contains_matches_anywhere_and_escapes_wildcards(names: None) -> None:
    assert found("Patient", "name:contains=RCI") == {"jose"}
    assert found("Patient", "name:contains=%") == {"pct"}
    assert found("Patient", "name:contains=%_s") == {"pct"}
    assert found("Patient", "name:contains=o_e") == set()


# --- date -------------------------------------------------------------------------------


@pytest.fixture
def dated(store: Store) -> None:
    store(observation("day", effectiveDateTime="2020-03-04"))
    store(observation("second", effectiveDateTime="2020-03-04T10:00:00Z"))
    store(observation("year", effectiveDateTime="2021"))
    store(observation("period", effectivePeriod={"start": "2020-01-01", "end": "2020-06-30"}))
    store(observation("open", effectivePeriod={"start": "2022-01-01"}))
    store(observation("undated"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-03-04", {"day", "second"}),
        ("eq2020", {"day", "second", "period"}),
        ("2020-03-04T10:00:00Z", {"second"}),
        ("2020-03-04T11:00:00%2B01:00".replace("%2B", "+"), {"second"}),
        ("ne2020", {"year", "open"}),
        ("gt2020-03-04", {"period", "year", "open"}),
        ("lt2020-03-04", {"period"}),
        ("ge2020-03-04", {"day", "second", "period", "year", "open"}),
        ("le2020-03-04", {"day", "second", "period"}),
        ("le2020-03-04T10:00:00Z", {"second", "period", "day"}),
        ("lt2020-03-04T10:00:00Z", {"period", "day"}),
        ("sa2020", {"year", "open"}),
        ("sa2020-03-04T10:00:00Z", {"year", "open"}),
        ("eb2021", {"day", "second", "period"}),
        ("eb2020-03-04", set()),
        ("gt2030", {"open"}),
    ],
)
def test_date_prefixes_compare_ranges(dated: None, value: str, expected: set[str]) -> None:
    assert found("Observation", f"date={value}") == expected


def test_date_ap_widens_by_a_tenth_of_the_distance_to_now(
    dated: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "porch.record.search.timezone.now", lambda: datetime(2025, 3, 4, tzinfo=UTC)
    )
    # Five years back: widened by six months each side, so 2021 stays out.
    assert found("Observation", "date=ap2020-03-04") == {"day", "second", "period"}
    assert found("Observation", "date=ap2021-12-20") == {"year", "open"}


def test_date_range_by_two_parameters_includes_overlapping_periods(dated: None) -> None:
    assert found("Observation", "date=ge2020-03-01&date=le2020-03-31") == {
        "day",
        "second",
        "period",
    }


def test_last_updated_compares_the_instant(store: Store) -> None:
    store(patient("early", "A"), last_updated=datetime(2024, 1, 1, 12, tzinfo=UTC))
    store(patient("late", "B"), last_updated=datetime(2024, 1, 2, 12, tzinfo=UTC))
    assert found("Patient", "_lastUpdated=2024-01-01") == {"early"}
    assert found("Patient", "_lastUpdated=gt2024-01-01") == {"late"}
    assert found("Patient", "_lastUpdated=ge2024-01-01T12:00:00Z") == {"early", "late"}
    assert found("Patient", "_lastUpdated=lt2024-01-02T12:00:00Z") == {"early"}
    assert found("Patient", "_lastUpdated=ne2024-01-02") == {"early"}


# --- reference --------------------------------------------------------------------------


@pytest.fixture
def referring(store: Store) -> None:
    store(observation("ana-1", "Patient/ana"))
    store(observation("ana-2", f"{settings.SITE_URL}/Patient/ana"))
    store(observation("group", "Group/ana"))
    store(observation("foreign", "http://other.example/fhir/Patient/ana"))


def test_reference_by_type_and_id_bare_id_and_our_own_url(referring: None) -> None:
    assert found("Observation", "patient=Patient/ana") == {"ana-1", "ana-2"}
    assert found("Observation", "patient=ana") == {"ana-1", "ana-2"}
    assert found("Observation", f"patient={settings.SITE_URL}/Patient/ana") == {"ana-1", "ana-2"}
    assert found("Observation", "subject=ana") == {"ana-1", "ana-2", "group"}


def test_reference_type_modifier(referring: None) -> None:
    assert found("Observation", "subject:Patient=ana") == {"ana-1", "ana-2"}
    assert found("Observation", "subject:Group=ana") == {"group"}


def test_reference_to_another_server_matches_its_url(referring: None) -> None:
    assert found("Observation", "subject=http://other.example/fhir/Patient/ana") == {"foreign"}


def test_reference_missing(referring: None, store: Store) -> None:
    store({"resourceType": "Observation", "id": "nobody", "status": "final", "code": {"text": "x"}})
    assert found("Observation", "subject:missing=true") == {"nobody"}


# --- quantity and uri -------------------------------------------------------------------


@pytest.fixture
def measured(store: Store) -> None:
    def glucose(oid: str, value: float, code: str = "mmol/L") -> dict[str, Any]:
        return observation(
            oid, valueQuantity={"value": value, "system": UCUM, "code": code, "unit": code}
        )

    store(glucose("g54", 5.4))
    store(glucose("g5449", 5.449))
    store(glucose("g7", 7))
    store(glucose("mg", 97, "mg/dL"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5.4", {"g54", "g5449"}),
        ("5.40", {"g54"}),
        (f"5.4|{UCUM}|mmol/L", {"g54", "g5449"}),
        ("5.4||mg/dL", set()),
        ("gt5.4", {"g5449", "g7", "mg"}),
        ("le7||mmol/L", {"g54", "g5449", "g7"}),
        ("ne5.4", {"g7", "mg"}),
        ("ap100", {"mg"}),
        ("lt6", {"g54", "g5449"}),
        ("eb6", {"g54", "g5449"}),
        ("sa6", {"g7", "mg"}),
        ("ge7", {"g7", "mg"}),
    ],
)
def test_quantity_prefixes_precision_and_units(
    measured: None, value: str, expected: set[str]
) -> None:
    assert found("Observation", f"value-quantity={value}") == expected


def test_uri_exact_and_below(store: Store) -> None:
    def questionnaire(qid: str, url: str) -> dict[str, Any]:
        return {"resourceType": "Questionnaire", "id": qid, "status": "active", "url": url}

    store(questionnaire("phq", "http://example.org/q/phq-9"))
    store(questionnaire("gad", "http://example.org/q/gad-7"))
    assert found("Questionnaire", "url=http://example.org/q/phq-9") == {"phq"}
    assert found("Questionnaire", "url=http://example.org/q") == set()
    assert found("Questionnaire", "url:below=http://example.org/q/") == {"phq", "gad"}
    assert found("Questionnaire", "url:above=http://example.org/q/phq-9/v2") == {"phq"}


def test_common_parameters_tag_and_profile(store: Store) -> None:
    profile = "http://hl7.org/fhir/StructureDefinition/vitalsigns"
    store(
        observation(
            "tagged", meta={"tag": [{"system": "urn:t", "code": "imported"}], "profile": [profile]}
        )
    )
    store(observation("plain"))
    assert found("Observation", "_tag=urn:t|imported") == {"tagged"}
    assert found("Observation", f"_profile={profile}") == {"tagged"}
    assert found("Observation", "_tag:missing=true") == {"plain"}


# --- _id, deleted resources -------------------------------------------------------------


def test_id_with_alternatives_and_deleted_resources_never_match(store: Store) -> None:
    store(patient("ana", "Núñez"))
    store(patient("jose", "García"))
    store(patient("gone", "García"), deleted=True)
    assert found("Patient", "_id=ana,jose,gone") == {"ana", "jose"}
    assert found("Patient", "family=garcia") == {"jose"}


# --- sorting and paging -----------------------------------------------------------------


@pytest.fixture
def series(store: Store) -> None:
    store(observation("mid", effectiveDateTime="2021-06-01"))
    store(observation("undated"))
    store(observation("span", effectivePeriod={"start": "2019-01-01", "end": "2023-01-01"}))
    store(observation("old", effectiveDateTime="2020"))
    store(observation("new", effectiveDateTime="2022-01-01T08:00:00Z"))


def test_sort_by_date_puts_resources_without_a_value_last(series: None) -> None:
    assert ids(search(SYSTEM, "Observation", [("_sort", "date")])) == [
        "span",
        "old",
        "mid",
        "new",
        "undated",
    ]
    assert ids(search(SYSTEM, "Observation", [("_sort", "-date")])) == [
        "span",
        "new",
        "mid",
        "old",
        "undated",
    ]


def test_sort_by_id_and_last_updated(series: None) -> None:
    assert ids(search(SYSTEM, "Observation", [("_sort", "_id")])) == [
        "mid",
        "new",
        "old",
        "span",
        "undated",
    ]
    assert ids(search(SYSTEM, "Observation", [("_sort", "-_lastUpdated")])) == [
        "new", "old", "span", "undated", "mid"
    ]  # fmt: skip


def test_sort_by_string_with_several_keys(store: Store) -> None:
    store(patient("b2", "Baker", "Zoe"))
    store(patient("a1", "Álvarez", "Ana"))
    store(patient("b1", "Baker", "Al"))
    store({"resourceType": "Patient", "id": "none"})
    result = search(SYSTEM, "Patient", [("_sort", "family,-given")])
    assert ids(result) == ["a1", "b2", "b1", "none"]


def test_paging_visits_every_match_once_even_with_ties(store: Store) -> None:
    for n in range(7):
        store(observation(f"o{n}", effectiveDateTime="2020-01-01" if n % 2 else "2021-01-01"))
    seen: list[str] = []
    offset = 0
    while True:
        page = search(
            SYSTEM, "Observation", [("_sort", "-date"), ("_count", "2"), ("_offset", str(offset))]
        )
        seen += ids(page)
        assert page.total == 7 and page.count == 2 and page.offset == offset
        if not page.has_next:
            break
        offset += 2
    assert seen == ["o0", "o2", "o4", "o6", "o1", "o3", "o5"]


def test_count_offset_and_totals(series: None) -> None:
    page = search(SYSTEM, "Observation", [("_count", "2"), ("_offset", "4")])
    assert (len(page.matches), page.has_next, page.total) == (1, False, 5)
    assert search(SYSTEM, "Observation", [("_count", "2"), ("_total", "none")]).total is None
    beyond = search(SYSTEM, "Observation", [("_offset", "10")])
    assert (beyond.matches, beyond.total, beyond.has_next) == ([], 5, False)
    assert search(SYSTEM, "Observation", [("_count", "5000")], max_count=3).count == 3
    assert search(SYSTEM, "Observation", [], default_count=4).has_next


def test_summary_count_and_count_zero_return_only_the_total(series: None) -> None:
    for params in ([("_summary", "count")], [("_count", "0")]):
        result = search(SYSTEM, "Observation", [("date", "ge2020"), *params])
        assert (result.matches, result.total, result.has_next) == ([], 4, False)


# --- _include and _revinclude -----------------------------------------------------------


@pytest.fixture
def charts(store: Store) -> None:
    store({"resourceType": "Practitioner", "id": "cruz", "name": [{"family": "Cruz"}]})
    store(patient("ana", "Núñez", "Ana", generalPractitioner=[{"reference": "Practitioner/cruz"}]))
    store(patient("mallory", "Mallory"))
    store(
        observation("mallory-bp", "Patient/mallory", performer=[{"reference": "Practitioner/cruz"}])
    )
    store(
        observation(
            "ana-panel",
            performer=[{"reference": "Practitioner/cruz"}],
            hasMember=[
                {"reference": "Observation/ana-bp"},
                {"reference": "Observation/mallory-bp"},
            ],
        )
    )
    store(observation("ana-bp", performer=[{"reference": "Practitioner/cruz"}]))


def test_include_adds_targets_once_and_never_a_match(charts: None) -> None:
    result = search(
        SYSTEM,
        "Observation",
        [
            ("patient", "ana"),
            ("_include", "Observation:patient"),
            ("_include", "Observation:has-member"),
        ],
    )
    assert set(ids(result)) == {"ana-panel", "ana-bp"}
    assert [r.reference for r in result.included] == ["Patient/ana", "Observation/mallory-bp"]


def test_include_with_target_type_and_wildcard(charts: None) -> None:
    typed = search(
        SYSTEM, "Observation", [("_id", "ana-bp"), ("_include", "Observation:performer:Patient")]
    )
    assert typed.included == []
    every = search(SYSTEM, "Observation", [("_id", "ana-bp"), ("_include", "*")])
    assert {r.reference for r in every.included} == {"Patient/ana", "Practitioner/cruz"}


def test_revinclude_adds_resources_pointing_at_the_page(charts: None) -> None:
    result = search(SYSTEM, "Practitioner", [("_revinclude", "Observation:performer")])
    assert {r.id for r in result.included} == {"ana-panel", "ana-bp", "mallory-bp"}


def test_include_and_revinclude_never_reach_another_patients_record(charts: None) -> None:
    included = search(ANA_ONLY, "Observation", [("_include", "Observation:has-member")])
    assert set(ids(included)) == {"ana-panel", "ana-bp"}
    assert included.included == []
    revincluded = search(ANA_ONLY, "Practitioner", [("_revinclude", "Observation:performer")])
    assert ids(revincluded) == ["cruz"]
    assert {r.id for r in revincluded.included} == {"ana-panel", "ana-bp"}
    assert found("Patient", "", ANA_ONLY) == {"ana"}


def test_search_with_includes_takes_a_fixed_number_of_queries(
    charts: None, store: Store, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        store(
            observation(
                f"more-{n}",
                performer=[{"reference": "Practitioner/cruz"}],
                effectiveDateTime="2020",
            )
        )
    # 4 for the search and its includes, 6 for the audit log (compartments of the results,
    # savepoint, chain head lock, insert, head update, release) — none grows with the page.
    with django_assert_max_num_queries(10):
        result = search(
            ANA_ONLY,
            "Observation",
            [
                ("_sort", "-date"),
                ("_count", "10"),
                ("_include", "Observation:performer"),
                ("_include", "Observation:patient"),
            ],
        )
    assert len(result.matches) == 10 and result.total == 32
    assert {r.reference for r in result.included} == {"Patient/ana", "Practitioner/cruz"}


# --- unknown parameters and malformed values --------------------------------------------


def test_lenient_mode_ignores_unknown_parameters_and_modifiers(coded: None) -> None:
    result = search(
        SYSTEM,
        "Observation",
        _pairs("foo=1&code:text=x&code=8867-4&_elements=code&_include:iterate=x"),
    )
    assert set(ids(result)) == {"loinc", "local"}
    assert result.ignored == ["foo", "code:text", "_include:iterate"]
    assert result.used == [("code", "8867-4"), ("_elements", "code")]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("foo=1", "Unknown search parameter 'foo' for Observation (Prefer: handling=strict)"),
        ("code:text=x", "Unsupported modifier on search parameter 'code:text' for Observation"),
        (
            "subject:Practitioner=x",
            "Unsupported modifier on search parameter 'subject:Practitioner'",
        ),
        ("subject.name=x", "Unknown search parameter 'subject.name' for Observation"),
    ],
)
def test_strict_mode_refuses_unknown_parameters(coded: None, query: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message.replace("(", r"\(").replace(")", r"\)")):
        search(SYSTEM, "Observation", _pairs(query), strict=True)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("date", "2020-13"),
        ("date", "xx2020"),
        ("value-quantity", "abc"),
        ("value-quantity", "5|a"),
        ("code", "a|b|c"),
        ("_count", "abc"),
        ("_offset", "-1"),
        ("_sort", "foo"),
        ("_sort", "subject"),
        ("category:missing", "maybe"),
        ("_total", "some"),
        ("_summary", "short"),
        ("_include", "Observation:code"),
        ("_revinclude", "Observation:performer"),
        ("_lastUpdated", "yesterday"),
        ("patient", "not/a/ref"),
    ],
)
@pytest.mark.parametrize("strict", [True, False])
def test_malformed_values_are_refused_naming_the_parameter(
    name: str, value: str, strict: bool
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        search(SYSTEM, "Observation", [(name, value)], strict=strict)
    assert f"'{name}'" in str(refused.value) and repr(value) in str(refused.value)


def test_empty_values_are_skipped(coded: None) -> None:
    result = search(SYSTEM, "Observation", [("code", "")])
    assert len(result.matches) == 3 and result.used == [] and result.ignored == []


# --- match_ids --------------------------------------------------------------------------


def test_match_ids_finds_rows_for_conditional_operations(store: Store) -> None:
    store(patient("ana", "Núñez", identifier=[{"system": "urn:mrn", "value": "123"}]))
    store(patient("mallory", "Mallory", identifier=[{"system": "urn:mrn", "value": "456"}]))
    rows = match_ids(SYSTEM, "Patient", [("identifier", "urn:mrn|123")])
    assert [r.fhir_id for r in rows] == ["ana"]
    assert list(match_ids(ANA_ONLY, "Patient", [("identifier", "urn:mrn|456")])) == []


def test_match_ids_never_ignores_an_unknown_parameter(store: Store) -> None:
    with pytest.raises(InvalidRequest, match="Unknown search parameter 'idenitfier' for Patient"):
        match_ids(SYSTEM, "Patient", [("idenitfier", "urn:mrn|123")])
