"""The questionnaire renderer: a Django form from a FHIR Questionnaire, every item type,
required items, enableWhen (each operator, all/any, nested groups), bad input with errors
naming the question, and the QuestionnaireResponse it makes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils import translation

from porch.checkin.questionnaire import QuestionnaireError, QuestionnaireForm, parse
from porch.checkin.tests.records import SNOMED, URL, questionnaire
from porch.record.repository import check_resource


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are compared in English, whatever an earlier test left active."""
    with translation.override("en"):
        yield


AUTHORED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def form(data: dict[str, str], q: dict[str, Any] | None = None) -> QuestionnaireForm:
    return QuestionnaireForm(q or questionnaire(), {f"qr-q_{k}": v for k, v in data.items()})


def response(data: dict[str, str], q: dict[str, Any] | None = None) -> dict[str, Any]:
    made = form(data, q)
    assert made.is_valid(), made.errors
    return made.response(subject="Patient/ana", authored=AUTHORED)


def errors(made: QuestionnaireForm) -> list[str]:
    return [e for field_errors in made.errors.values() for e in field_errors]


FULL = {
    "reason": "Check my blood pressure",
    "smoke": "true",
    "smoke_amount": "4",
    "pain": "6",
    "where": "22253000",
    "since": "2026-02-01",
    "temperature": "37.5",
    "how": "Sharp",
    "notes": "Line one\nline two",
}


def test_every_item_type_is_answered_in_a_valid_questionnaire_response() -> None:
    made = response(FULL)
    check_resource(made, resource_type="QuestionnaireResponse")
    assert made["questionnaire"] == f"{URL}|1"
    assert made["status"] == "completed"
    assert made["subject"] == {"reference": "Patient/ana"}
    assert made["authored"] == "2026-03-02T09:30:00+00:00"
    top = {i["linkId"]: i for i in made["item"]}
    assert "intro" not in top  # display items carry no answer
    assert top["reason"]["answer"] == [{"valueString": "Check my blood pressure"}]
    assert top["smoke"]["answer"] == [{"valueBoolean": True}]
    assert top["smoke-amount"]["answer"] == [{"valueInteger": 4}]
    assert top["notes"]["answer"] == [{"valueString": "Line one\nline two"}]
    details = {i["linkId"]: i for i in top["details"]["item"]}
    assert details["where"]["answer"] == [
        {"valueCoding": {"system": SNOMED, "code": "22253000", "display": "Back"}}
    ]
    assert details["since"]["answer"] == [{"valueDate": "2026-02-01"}]
    inner = {i["linkId"]: i for i in details["inner"]["item"]}
    assert inner["temperature"]["answer"] == [{"valueDecimal": 37.5}]
    assert inner["how"]["answer"] == [{"valueString": "Sharp"}]


def test_required_questions_are_named_in_their_error() -> None:
    made = form({})
    assert not made.is_valid()
    assert "“Main reason for the visit”: answer this question." in errors(made)
    assert "“Do you smoke?”: answer this question." in errors(made)
    # Not enabled (no yes to smoking), so not required.
    assert not any("Cigarettes" in e for e in errors(made))


def test_a_required_question_counts_once_it_is_enabled() -> None:
    made = form({"reason": "x", "smoke": "true"})
    assert not made.is_valid()
    assert errors(made) == ["“Cigarettes a day”: answer this question."]


def test_an_answer_to_a_disabled_question_is_ignored_even_when_malformed() -> None:
    made = response(
        {
            "reason": "x",
            "smoke": "false",
            "smoke_amount": "lots",
            "pain": "2",
            "where": "nowhere",
            "since": "31/02/2026",
        }
    )
    ids = [i["linkId"] for i in made["item"]]
    assert ids == ["reason", "smoke", "pain"]


def test_an_empty_enabled_group_is_left_out_of_the_response() -> None:
    made = response({"reason": "x", "smoke": "false", "pain": "5", "where": "25064002"})
    details = next(i for i in made["item"] if i["linkId"] == "details")
    assert [i["linkId"] for i in details["item"]] == ["where"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "since",
            "2026-02-30",
            "“Since when?”: enter a date as year-month-day, such as 2026-03-31.",
        ),
        (
            "since",
            "yesterday",
            "“Since when?”: enter a date as year-month-day, such as 2026-03-31.",
        ),
        ("pain", "6.5", "“Pain score (0 to 10)”: enter a whole number, such as 3."),
        ("pain", "ten", "“Pain score (0 to 10)”: enter a whole number, such as 3."),
        ("temperature", "warm", "“Temperature”: enter a number, such as 37.5."),
        ("where", "999", "“Where is the pain?”: choose one of the answers offered."),
        ("how", "Burning", "“How does it feel?”: choose one of the answers offered."),
        ("smoke", "maybe", "“Do you smoke?”: answer yes or no."),
        ("smoke_amount", "99999999999", "“Cigarettes a day”: the number is too large."),
    ],
)
def test_bad_input_gets_an_error_naming_the_question(field: str, value: str, message: str) -> None:
    data = {"reason": "x", "smoke": "true", "smoke_amount": "1", "pain": "7", "where": "22253000"}
    made = form({**data, field: value})
    assert not made.is_valid()
    assert message in errors(made)


def _with_condition(when: list[dict[str, Any]], behavior: str = "all") -> dict[str, Any]:
    """Three questions and one that depends on them."""
    return {
        "resourceType": "Questionnaire",
        "status": "active",
        "url": "urn:test",
        "item": [
            {"linkId": "n", "type": "decimal", "text": "N"},
            {"linkId": "d", "type": "date", "text": "D"},
            {
                "linkId": "c",
                "type": "choice",
                "text": "C",
                "answerOption": [{"valueCoding": {"code": "a"}}, {"valueCoding": {"code": "b"}}],
            },
            {"linkId": "s", "type": "string", "text": "S"},
            {
                "linkId": "t",
                "type": "string",
                "text": "Dependent",
                "enableWhen": when,
                "enableBehavior": behavior,
            },
        ],
    }


def _enabled(when: list[dict[str, Any]], data: dict[str, str], behavior: str = "all") -> bool:
    made = response({**data, "t": "answered"}, _with_condition(when, behavior))
    return any(i["linkId"] == "t" for i in made.get("item", []))


@pytest.mark.parametrize(
    ("operator", "answer", "given", "expected"),
    [
        ("=", {"answerDecimal": 5}, "5", True),
        ("=", {"answerDecimal": 5}, "6", False),
        ("!=", {"answerDecimal": 5}, "6", True),
        ("!=", {"answerDecimal": 5}, "5", False),
        (">", {"answerDecimal": 5}, "5.1", True),
        (">", {"answerDecimal": 5}, "5", False),
        ("<", {"answerDecimal": 5}, "4.9", True),
        ("<", {"answerDecimal": 5}, "5", False),
        (">=", {"answerDecimal": 5}, "5", True),
        (">=", {"answerDecimal": 5}, "4.99", False),
        ("<=", {"answerDecimal": 5}, "5", True),
        ("<=", {"answerDecimal": 5}, "5.01", False),
    ],
)
def test_each_comparison_operator_enables_by_the_answer(
    operator: str, answer: dict[str, Any], given: str, expected: bool
) -> None:
    assert _enabled([{"question": "n", "operator": operator, **answer}], {"n": given}) is expected


@pytest.mark.parametrize(
    ("operator", "given", "expected"),
    [(">", "2026-03-02", True), (">", "2026-03-01", False), ("<=", "2026-03-01", True)],
)
def test_dates_compare_as_dates(operator: str, given: str, expected: bool) -> None:
    when = [{"question": "d", "operator": operator, "answerDate": "2026-03-01"}]
    assert _enabled(when, {"d": given}) is expected


def test_exists_true_and_false() -> None:
    exists = [{"question": "s", "operator": "exists", "answerBoolean": True}]
    missing = [{"question": "s", "operator": "exists", "answerBoolean": False}]
    assert _enabled(exists, {"s": "x"}) and not _enabled(exists, {})
    assert _enabled(missing, {}) and not _enabled(missing, {"s": "x"})


def test_an_unanswered_question_enables_nothing_but_exists_false() -> None:
    for operator in ("=", "!=", ">", "<", ">=", "<="):
        assert not _enabled([{"question": "n", "operator": operator, "answerDecimal": 1}], {})


def test_a_coding_answer_compares_by_code() -> None:
    when = [{"question": "c", "operator": "=", "answerCoding": {"code": "b"}}]
    assert _enabled(when, {"c": "b"}) and not _enabled(when, {"c": "a"})


def test_enable_behavior_all_needs_every_condition_and_any_needs_one() -> None:
    when = [
        {"question": "c", "operator": "=", "answerCoding": {"code": "a"}},
        {"question": "s", "operator": "=", "answerString": "yes"},
    ]
    assert _enabled(when, {"c": "a", "s": "yes"}, "all")
    assert not _enabled(when, {"c": "a", "s": "no"}, "all")
    assert _enabled(when, {"c": "a", "s": "no"}, "any")
    assert not _enabled(when, {"c": "b", "s": "no"}, "any")


def test_a_question_inside_a_disabled_group_is_disabled_and_not_required() -> None:
    made = response({"reason": "x", "smoke": "false", "pain": "1", "where": "22253000"})
    assert "details" not in [i["linkId"] for i in made["item"]]


def test_a_question_depending_on_a_disabled_one_is_disabled_too() -> None:
    q = _with_condition([{"question": "s", "operator": "exists", "answerBoolean": True}])
    q["item"][3]["enableWhen"] = [{"question": "n", "operator": ">", "answerDecimal": 0}]
    made = response({"n": "0", "s": "hidden answer", "t": "also hidden"}, q)
    assert [i["linkId"] for i in made["item"]] == ["n"]


def test_fields_carry_the_enable_when_for_the_script() -> None:
    html = str(form({}).tree()[3].item.enable_when_json)
    assert html == '[{"name":"q_smoke","op":"=","answer":"true"}]'


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"linkId": "x", "type": "attachment", "text": "X"}, "unsupported type 'attachment'"),
        ({"linkId": "x", "type": "choice", "text": "X"}, "offers no answerOption"),
        (
            {
                "linkId": "x",
                "type": "string",
                "enableWhen": [{"question": "nope", "operator": "=", "answerString": "a"}],
            },
            "unknown question",
        ),
        (
            {
                "linkId": "x",
                "type": "string",
                "enableWhen": [{"question": "x", "operator": "~", "answerString": "a"}],
            },
            "unknown operator",
        ),
    ],
)
def test_a_questionnaire_that_cannot_be_rendered_is_refused_by_name(
    item: dict[str, Any], message: str
) -> None:
    with pytest.raises(QuestionnaireError, match=message):
        parse({"resourceType": "Questionnaire", "item": [item]})
