"""FHIRPath for search parameters: fhirpathpy, with a fast walker for plain paths.

Expressions of the search-parameter table (porch.record.searchparams) are evaluated here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import cache, partial
from typing import Any, cast

import fhirpathpy
from fhirpathpy.models import models as fhirpath_models

__all__ = ["CompiledPath", "compile_path"]

CompiledPath = Callable[[Mapping[str, Any]], list[Any]]

# The r4 model tells fhirpathpy which choice types an element has, so that
# "Observation.value" finds valueQuantity; without it such paths find nothing.
_R4_MODEL = fhirpath_models["r4"]


@cache
def compile_path(expression: str) -> CompiledPath:
    """A function evaluating ``expression`` on a resource, as fhirpathpy would, except
    that numbers come back as int or float (fhirpathpy turns floats into Decimal).

    Plain paths (the bulk of the table) get the walker below; anything else goes to
    fhirpathpy. Raises whatever fhirpathpy raises for a malformed expression.
    """
    plan = _plan(expression)
    if plan is not None:
        return partial(_walk, plan)
    # fhirpathpy types the function as also taking an optional context mapping.
    evaluate = cast(CompiledPath, fhirpathpy.compile(expression, model=_R4_MODEL))
    return lambda resource: _json_numbers(evaluate(resource))


def _json_numbers(value: Any) -> Any:
    # fhirpathpy hands back every float as a Decimal; give numbers back as the
    # resource holds them (int or float), the same as the walker does.
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_json_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_numbers(v) for k, v in value.items()}
    return value


# The walker exists for speed: fhirpathpy interprets its syntax tree for every call,
# about 7 µs even for "Observation.focus" and 35 µs for a union of two ofType()
# paths, which put the params of one Observation at ~360 µs. Walking the same paths
# over the dicts costs a few µs in all. It follows fhirpathpy step for step: the same
# model tables (pathsDefinedElsewhere, choiceTypePaths, path2Type) decide which key
# holds a choice value, and a union drops duplicates the way fhirpathpy's does.
# tests/test_searchparams.py checks both give the same answers on real resources.
#
# A plan is a list of union branches; a branch is a list of steps:
#   ("member", key) | ("choice", key, TypeSuffix) | ("where", field, literal).
_Step = tuple[str, str, str]
_NAME = r"[A-Za-z][A-Za-z0-9]*"
_STEP_RE = re.compile(
    rf"(?P<member>[a-z][A-Za-z0-9]*)|ofType\((?P<type>{_NAME})\)|where\((?P<field>{_NAME})='(?P<lit>[^'\\]*)'\)"
)
_ELSEWHERE: dict[str, str] = _R4_MODEL["pathsDefinedElsewhere"]
_CHOICES: dict[str, list[str]] = _R4_MODEL["choiceTypePaths"]
_PATH2TYPE: dict[str, str] = _R4_MODEL["path2Type"]
_PARENT: dict[str, str] = _R4_MODEL["type2Parent"]


def _plan(expression: str) -> list[tuple[str | None, list[_Step]]] | None:
    """Branches of ``expression`` as (root type or None, steps); None if not a plain path."""
    branches = []
    for branch in expression.split(" | "):
        steps = _plan_branch(branch)
        if steps is None:
            return None
        branches.append(steps)
    return branches


_FILTER_RE = re.compile(r"(ofType|where)\(([^()]*)\)")


def _plan_branch(branch: str) -> tuple[str | None, list[_Step]] | None:
    # Parentheses may only group ("(A.value.ofType(X)).text"). Hide the two filters
    # we know, then refuse any other call ("exists()") or unbalanced text (a "|" that
    # was inside parentheses), and drop the grouping ones.
    text = _FILTER_RE.sub(lambda m: f"{m[1]}<{m[2]}>", branch.strip())
    if text.count("(") != text.count(")") or re.search(r"\w\(", text):
        return None
    parts = text.replace("(", "").replace(")", "").replace("<", "(").replace(">", ")").split(".")
    root: str | None = None
    if parts[0][:1].isupper() and re.fullmatch(_NAME, parts[0]):
        root = parts.pop(0)
    # The element path as fhirpathpy builds it, to know which elements are choices;
    # None once it can't be known.
    path = root
    steps: list[_Step] = []
    for part in parts:
        m = _STEP_RE.fullmatch(part)
        if m is None:
            return None
        if m["member"]:
            steps.append(("member", m["member"], ""))
            if path is None or path in _CHOICES:
                path = None
            else:
                child = _child_path(path, m["member"])
                path = child if child in _CHOICES else _PATH2TYPE.get(child, child)
        elif m["type"]:
            step = _choice_step(steps, path, m["type"])
            if step is None or path is None:
                return None
            steps[-1] = step
            path = _PATH2TYPE.get(path + step[2], path + step[2])
        else:
            steps.append(("where", m["field"], m["lit"]))
    if not steps:
        return None
    return root, steps


def _child_path(path: str, key: str) -> str:
    child = f"{path}.{key}"
    return _ELSEWHERE.get(child, child)


def _choice_step(steps: list[_Step], path: str | None, type_name: str) -> _Step | None:
    """The step for "<choice element>.ofType(T)", or None when the walker can't do it."""
    if not steps or steps[-1][0] != "member" or path is None:
        return None
    suffix = type_name[:1].upper() + type_name[1:]
    options = _CHOICES.get(path)
    if options is None or suffix not in options:
        return None
    # ofType(T) also matches subtypes of T (Age for Quantity); keep those to fhirpathpy.
    for option in options:
        if option != suffix and _is_subtype(option, type_name):
            return None
    return ("choice", steps[-1][1], suffix)


def _is_subtype(type_name: str, ancestor: str) -> bool:
    parent = _PARENT.get(type_name)
    while parent is not None:
        if parent == ancestor:
            return True
        parent = _PARENT.get(parent)
    return False


def _walk(plan: list[tuple[str | None, list[_Step]]], resource: Mapping[str, Any]) -> list[Any]:
    results: list[Any] = []
    for root, steps in plan:
        if root is not None and resource.get("resourceType") != root:
            continue
        items: list[tuple[Any, str]] = [(resource, str(resource.get("resourceType")))]
        for kind, key, arg in steps:
            items = _STEPS[kind](items, key, arg)
        results.extend(value for value, _ in items)
    if len(plan) > 1 and len(results) > 1:
        return _distinct(results)
    return results


def _member(items: list[tuple[Any, str]], key: str, _: str) -> list[tuple[Any, str]]:
    out: list[tuple[Any, str]] = []
    for data, path in items:
        if not isinstance(data, Mapping):
            continue
        child = _child_path(path, key)
        options = _CHOICES.get(child)
        value = None
        if options is not None:
            for option in options:
                value = data.get(key + option)
                if value is not None:
                    child += option
                    break
        else:
            value = data.get(key)
        if value is None:
            continue
        child = _PATH2TYPE.get(child, child)
        if isinstance(value, list):
            out.extend((v, child) for v in value)
        else:
            out.append((value, child))
    return out


def _choice(items: list[tuple[Any, str]], key: str, suffix: str) -> list[tuple[Any, str]]:
    out: list[tuple[Any, str]] = []
    for data, path in items:
        if not isinstance(data, Mapping):
            continue
        child = _child_path(path, key)
        # The first choice present is the element's value; ofType keeps it if it is T.
        for option in _CHOICES[child]:
            value = data.get(key + option)
            if value is not None:
                if option == suffix:
                    child = _PATH2TYPE.get(child + option, child + option)
                    out.extend((v, child) for v in (value if isinstance(value, list) else [value]))
                break
    return out


def _where(items: list[tuple[Any, str]], field: str, literal: str) -> list[tuple[Any, str]]:
    return [(d, p) for d, p in items if isinstance(d, Mapping) and d.get(field) == literal]


_STEPS = {"member": _member, "choice": _choice, "where": _where}


def _distinct(values: list[Any]) -> list[Any]:
    # As fhirpathpy's union: equal when their JSON (keys sorted) is equal; first wins.
    seen: dict[str, Any] = {}
    for value in values:
        try:
            key = json.dumps(value, sort_keys=True)
        except TypeError:
            key = str(value)
        seen.setdefault(key, value)
    return list(seen.values())
