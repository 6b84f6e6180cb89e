"""A Django form built from a FHIR R4 Questionnaire, and the QuestionnaireResponse it makes.

Supported item types: string, text, boolean, choice (answerOption valueCoding or
valueString), integer, decimal, date, display and group (nested to any depth); `required`;
`enableWhen` (operators exists, =, !=, >, <, >=, <=) with `enableBehavior` all/any.

enableWhen is decided here, on the server, from the submitted answers: an answer to a
question that is not enabled is ignored (never validated, never stored), and a required
question counts as required only while it is enabled. The static script
checkin/enablewhen.js hides and shows the same questions in the browser as a convenience;
nothing depends on it.

Per R4, an enableWhen whose question has no answer is false for every operator but
`exists` (so "!=" needs an answer to be true). Repeating items are answered once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from django import forms
from django.utils.translation import gettext as _

ANSWER_TYPES = {"string", "text", "boolean", "choice", "integer", "decimal", "date"}
OPERATORS = {"exists", "=", "!=", ">", "<", ">=", "<="}
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
YES, NO = "true", "false"

Answer = str | bool | int | Decimal | date


@dataclass(frozen=True)
class Option:
    value: str  # the form value: the code of a Coding, or the string itself
    label: str
    coding: dict[str, Any] | None = None


@dataclass(frozen=True)
class Condition:
    question: str
    operator: str
    answer: Any  # the enableWhen answer[x] value (a Coding stays a dict)


@dataclass
class Item:
    """One Questionnaire item, flattened in document order (`parent` keeps the tree)."""

    link_id: str
    text: str
    type: str
    required: bool
    depth: int
    parent: str | None
    conditions: list[Condition] = field(default_factory=list)
    behavior: str = "all"
    options: list[Option] = field(default_factory=list)
    children: list[Item] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The form field's name."""
        return "q_" + _NAME_UNSAFE.sub("_", self.link_id)

    @property
    def is_question(self) -> bool:
        return self.type in ANSWER_TYPES

    @property
    def enable_when_json(self) -> str:
        """The conditions for checkin/enablewhen.js (names of fields, not linkIds)."""
        return orjson.dumps(
            [
                {"name": "q_" + _NAME_UNSAFE.sub("_", c.question), "op": c.operator, "answer": a}
                for c in self.conditions
                for a in [_browser_value(c.answer)]
            ]
        ).decode()


class QuestionnaireError(ValueError):
    """The Questionnaire itself cannot be rendered (an unknown item type, a bad enableWhen)."""


def _browser_value(answer: Any) -> Any:
    if isinstance(answer, dict):
        return answer.get("code")
    if isinstance(answer, bool):
        return YES if answer else NO
    return answer


def parse(questionnaire: dict[str, Any]) -> list[Item]:
    """The items of `questionnaire` as a tree. Raises QuestionnaireError naming the item."""
    seen: set[str] = set()

    def walk(raw_items: Any, depth: int, parent: str | None) -> list[Item]:
        items = []
        for raw in raw_items or []:
            link_id = str(raw.get("linkId") or "")
            kind = str(raw.get("type") or "")
            if not link_id or link_id in seen:
                raise QuestionnaireError(f"An item has a missing or repeated linkId {link_id!r}")
            seen.add(link_id)
            if kind not in ANSWER_TYPES | {"display", "group"}:
                raise QuestionnaireError(f"Item {link_id!r} has an unsupported type {kind!r}")
            item = Item(
                link_id,
                str(raw.get("text") or link_id),
                kind,
                bool(raw.get("required")),
                depth,
                parent,
                behavior=str(raw.get("enableBehavior") or "all"),
            )
            for when in raw.get("enableWhen") or []:
                operator = str(when.get("operator") or "")
                if operator not in OPERATORS:
                    raise QuestionnaireError(f"Item {link_id!r}: unknown operator {operator!r}")
                value = next((v for k, v in when.items() if k.startswith("answer")), None)
                item.conditions.append(Condition(str(when.get("question")), operator, value))
            for option in raw.get("answerOption") or []:
                if "valueCoding" in option:
                    coding = option["valueCoding"]
                    code = str(coding.get("code"))
                    item.options.append(Option(code, str(coding.get("display") or code), coding))
                elif "valueString" in option:
                    text = str(option["valueString"])
                    item.options.append(Option(text, text))
            if kind == "choice" and not item.options:
                raise QuestionnaireError(f"Choice item {link_id!r} offers no answerOption")
            item.children = walk(raw.get("item"), depth + 1, link_id)
            items.append(item)
        return items

    items = walk(questionnaire.get("item"), 0, None)
    for item in flatten(items):
        for condition in item.conditions:
            if condition.question not in seen:
                raise QuestionnaireError(
                    f"Item {item.link_id!r}: enableWhen names unknown question "
                    f"{condition.question!r}"
                )
    return items


def flatten(items: list[Item]) -> list[Item]:
    out: list[Item] = []
    for item in items:
        out.append(item)
        out.extend(flatten(item.children))
    return out


# --- enableWhen -----------------------------------------------------------------------


def _comparable(answer: Answer, wanted: Any) -> tuple[Any, Any] | None:
    """The pair to compare, or None when the answer and the enableWhen value don't match
    in kind (then no comparison holds)."""
    if isinstance(wanted, dict):  # answerCoding: a choice's code
        return (answer, str(wanted.get("code"))) if isinstance(answer, str) else None
    if isinstance(answer, bool) or isinstance(wanted, bool):
        return (answer, wanted) if isinstance(answer, bool) and isinstance(wanted, bool) else None
    if isinstance(answer, int | Decimal) and isinstance(wanted, int | float):
        return Decimal(answer), Decimal(str(wanted))
    if isinstance(answer, date) and isinstance(wanted, str):
        try:
            return answer, date.fromisoformat(wanted[:10])
        except ValueError:
            return None
    if isinstance(answer, str) and isinstance(wanted, str):
        return answer, wanted
    return None


def holds(condition: Condition, answer: Answer | None) -> bool:
    """Whether one enableWhen holds for the (enabled) question's answer, or its absence."""
    if condition.operator == "exists":
        return (answer is not None) == bool(condition.answer)
    if answer is None:
        return False
    pair = _comparable(answer, condition.answer)
    if pair is None:
        return condition.operator == "!="
    left, right = pair
    if condition.operator == "=":
        return bool(left == right)
    if condition.operator == "!=":
        return bool(left != right)
    if isinstance(left, bool | str) and condition.operator not in {"=", "!="}:
        # Ordering makes no sense for booleans and codes.
        return False
    comparisons = {
        ">": left > right,
        "<": left < right,
        ">=": left >= right,
        "<=": left <= right,
    }
    return bool(comparisons[condition.operator])


def enabled_items(items: list[Item], answers: dict[str, Answer]) -> set[str]:
    """linkIds of the enabled items. An item is enabled when its parent is and its
    enableWhen holds; a question that is not enabled counts as unanswered. Repeated until
    nothing changes, since an enableWhen may name a later question."""
    everything = flatten(items)
    enabled = {i.link_id for i in everything}
    for _round in range(len(everything) + 1):
        visible = {k: v for k, v in answers.items() if k in enabled}
        now: set[str] = set()
        for item in everything:
            if item.parent is not None and item.parent not in now:
                continue
            results = [holds(c, visible.get(c.question)) for c in item.conditions]
            if not results or (all(results) if item.behavior != "any" else any(results)):
                now.add(item.link_id)
        if now == enabled:
            break
        enabled = now
    return enabled


# --- the form -------------------------------------------------------------------------


def _field(item: Item) -> forms.Field:
    question = item.text
    attrs = {"data-link-id": item.link_id}
    required = {"required": _("“%(question)s”: answer this question.") % {"question": question}}
    if item.type == "string":
        return forms.CharField(max_length=500, widget=forms.TextInput(attrs=attrs))
    if item.type == "text":
        return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={**attrs, "rows": 4}))
    if item.type == "boolean":
        return forms.ChoiceField(
            choices=[(YES, _("Yes")), (NO, _("No"))],
            widget=forms.RadioSelect(attrs=attrs),
            error_messages={
                **required,
                "invalid_choice": _("“%(question)s”: answer yes or no.") % {"question": question},
            },
        )
    if item.type == "choice":
        return forms.ChoiceField(
            choices=[(o.value, o.label) for o in item.options],
            widget=forms.RadioSelect(attrs=attrs),
            error_messages={
                **required,
                "invalid_choice": _("“%(question)s”: choose one of the answers offered.")
                % {"question": question},
            },
        )
    if item.type == "integer":
        return forms.IntegerField(
            widget=forms.NumberInput(attrs={**attrs, "step": "1"}),
            min_value=-(2**31),
            max_value=2**31 - 1,
            error_messages={
                **required,
                "invalid": _("“%(question)s”: enter a whole number, such as 3.")
                % {"question": question},
                "min_value": _("“%(question)s”: the number is too small.") % {"question": question},
                "max_value": _("“%(question)s”: the number is too large.") % {"question": question},
            },
        )
    if item.type == "decimal":
        return forms.DecimalField(
            max_digits=12,
            decimal_places=4,
            localize=True,
            widget=forms.TextInput(attrs={**attrs, "inputmode": "decimal"}),
            error_messages={
                **required,
                "invalid": _("“%(question)s”: enter a number, such as 37.5.")
                % {"question": question},
                "max_digits": _("“%(question)s”: the number is too long.") % {"question": question},
                "max_decimal_places": _("“%(question)s”: use at most 4 decimal places.")
                % {"question": question},
                "max_whole_digits": _("“%(question)s”: the number is too large.")
                % {"question": question},
            },
        )
    # date: the browser's date picker sends YYYY-MM-DD; nothing else is accepted.
    return forms.DateField(
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={**attrs, "type": "date"}, format="%Y-%m-%d"),
        error_messages={
            **required,
            "invalid": _("“%(question)s”: enter a date as year-month-day, such as 2026-03-31.")
            % {"question": question},
        },
    )


_CLASSES = {
    forms.RadioSelect: "usa-radio__input",
    forms.Textarea: "usa-textarea",
    forms.Select: "usa-select",
}


def uswds(form: forms.Form) -> None:
    """Give each widget of `form` its U.S. Web Design System class."""
    for made in form.fields.values():
        css = next((c for k, c in _CLASSES.items() if isinstance(made.widget, k)), "usa-input")
        made.widget.attrs["class"] = css


@dataclass(frozen=True)
class Node:
    item: Item
    field: forms.BoundField | None
    children: list[Node]


class QuestionnaireForm(forms.Form):
    """The questions of a Questionnaire as form fields (all optional to Django: `required`
    and enableWhen are applied in clean(), which knows which questions are enabled)."""

    def __init__(self, questionnaire: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "qr")
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        self.items = parse(questionnaire)
        self.by_name: dict[str, Item] = {}
        for item in flatten(self.items):
            if item.is_question:
                made = _field(item)
                made.label = item.text
                made.required = False
                self.fields[item.name] = made
                self.by_name[item.name] = item
        uswds(self)
        self.enabled: set[str] = {i.link_id for i in flatten(self.items)}
        self.answers: dict[str, Answer] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        answers: dict[str, Answer] = {}
        for name, item in self.by_name.items():
            value = cleaned.get(name)
            if value in (None, ""):
                continue
            if item.type == "boolean":
                value = value == YES
            answers[item.link_id] = value
        self.enabled = enabled_items(self.items, answers)
        for name, item in self.by_name.items():
            if item.link_id not in self.enabled:
                # An answer to a question that is not enabled is ignored, errors and all.
                self.errors.pop(name, None)
                cleaned.pop(name, None)
                answers.pop(item.link_id, None)
            elif item.required and item.link_id not in answers and name not in self.errors:
                self.add_error(
                    name, _("“%(question)s”: answer this question.") % {"question": item.text}
                )
        self.answers = answers
        return cleaned

    def tree(self) -> list[Node]:
        """The items with their bound fields, for the template."""

        def nodes(level: list[Item]) -> list[Node]:
            return [
                Node(i, self[i.name] if i.is_question else None, nodes(i.children)) for i in level
            ]

        return nodes(self.items)

    def response(
        self, *, subject: str, authored: datetime, identifier: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """The QuestionnaireResponse of the cleaned answers. Precondition: is_valid()."""
        return build_response(
            self.questionnaire,
            self.items,
            self.answers,
            self.enabled,
            subject=subject,
            authored=authored,
            identifier=identifier,
        )


def canonical(questionnaire: dict[str, Any]) -> str:
    url = str(questionnaire.get("url") or f"Questionnaire/{questionnaire.get('id')}")
    version = questionnaire.get("version")
    return f"{url}|{version}" if version else url


def _answer(item: Item, value: Answer) -> dict[str, Any]:
    if item.type == "boolean":
        return {"valueBoolean": bool(value)}
    if item.type == "choice":
        option = next(o for o in item.options if o.value == value)
        if option.coding is not None:
            return {"valueCoding": dict(option.coding)}
        return {"valueString": option.value}
    if item.type == "integer":
        return {"valueInteger": int(value)}  # type: ignore[arg-type]
    if item.type == "decimal":
        return {"valueDecimal": float(value)}  # type: ignore[arg-type]
    if item.type == "date":
        return {"valueDate": value.isoformat()}  # type: ignore[union-attr]
    return {"valueString": str(value)}


def build_response(
    questionnaire: dict[str, Any],
    items: list[Item],
    answers: dict[str, Answer],
    enabled: set[str],
    *,
    subject: str,
    authored: datetime,
    identifier: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A completed QuestionnaireResponse: answered, enabled questions in the Questionnaire's
    tree; display items, unanswered questions, disabled items and empty groups omitted."""

    def walk(level: list[Item]) -> list[dict[str, Any]]:
        out = []
        for item in level:
            if item.link_id not in enabled:
                continue
            entry: dict[str, Any] = {"linkId": item.link_id, "text": item.text}
            if item.type == "group":
                children = walk(item.children)
                if not children:
                    continue
                entry["item"] = children
            elif item.is_question and item.link_id in answers:
                entry["answer"] = [_answer(item, answers[item.link_id])]
                children = walk(item.children)
                if children:
                    entry["answer"][0]["item"] = children
            else:
                continue
            out.append(entry)
        return out

    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": canonical(questionnaire),
        "status": "completed",
        "subject": {"reference": subject},
        "authored": authored.isoformat(),
    }
    if identifier:
        response["identifier"] = identifier
    tree = walk(items)
    if tree:
        response["item"] = tree
    return response


def answer_lines(response: dict[str, Any]) -> list[tuple[int, str, str]]:
    """(depth, question text, answer in words) of a QuestionnaireResponse, for staff."""
    lines: list[tuple[int, str, str]] = []

    def words(answer: dict[str, Any]) -> str:
        for key, value in answer.items():
            if key == "valueCoding":
                return str(value.get("display") or value.get("code"))
            if key == "valueBoolean":
                return _("Yes") if value else _("No")
            if key.startswith("value"):
                return str(value)
        return ""

    def walk(level: list[dict[str, Any]], depth: int) -> None:
        for entry in level:
            text = str(entry.get("text") or entry.get("linkId"))
            answers = entry.get("answer") or []
            lines.append((depth, text, ", ".join(words(a) for a in answers)))
            walk(entry.get("item") or [], depth + 1)
            for answer in answers:
                walk(answer.get("item") or [], depth + 1)

    walk(response.get("item") or [], 0)
    return lines
