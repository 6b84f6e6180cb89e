"""One minimal valid resource of a type, placed in a patient's compartment, generated from
the R4 JSON schema and the validator's table of required elements (fhir_required.json).

Used by the outsider walk (porch/tests/test_outsider_walk.py), so every resource type the
record store supports gets a resource to be refused, without a hand-written example each.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from porch.record.compartment import compartment_params
from porch.record.validation import REQUIRED_TABLE, SCHEMA_CANDIDATES

# Values for the primitive and simple complex types a required element may have.
SIMPLE_VALUES: dict[str, Any] = {
    "string": "x",
    "markdown": "x",
    "code": "x",
    "id": "x",
    "uri": "urn:x",
    "url": "urn:x",
    "canonical": "urn:x",
    "oid": "urn:oid:1.2.3",
    "uuid": "urn:uuid:00000000-0000-0000-0000-000000000000",
    "base64Binary": "AA==",
    "boolean": True,
    "integer": 1,
    "positiveInt": 1,
    "unsignedInt": 0,
    "decimal": 1,
    "date": "2024-01-01",
    "dateTime": "2024-01-01",
    "instant": "2024-01-01T00:00:00Z",
    "time": "10:00:00",
    "CodeableConcept": {"text": "x"},
    "Coding": {"code": "x"},
    "Reference": {"display": "x"},
    "Identifier": {"value": "x"},
    "Period": {"start": "2024-01-01"},
    "Quantity": {"value": 1},
    "Money": {"value": 1},
    "Attachment": {"contentType": "text/plain"},
}
_CANDIDATES = ("2024-01-01", "x")
_REF = re.compile(r"#/definitions/(\w+)")


@cache
def _schema() -> dict[str, Any]:
    definitions: dict[str, Any] = json.loads(SCHEMA_CANDIDATES[0].read_text())["definitions"]
    return definitions


@cache
def _required_primitives() -> dict[str, dict[str, list[str]]]:
    table: dict[str, dict[str, list[str]]] = json.loads(REQUIRED_TABLE.read_text())["required"]
    return table


def _type_of(prop: dict[str, Any]) -> tuple[str | None, bool]:
    """(definition name or None for an enum code, is a list)."""
    if prop.get("type") == "array":
        inner, _ = _type_of(prop["items"])
        return inner, True
    if "$ref" in prop:
        match = _REF.search(prop["$ref"])
        return (match.group(1) if match else None), False
    return None, False


def _value(prop: dict[str, Any]) -> Any:
    name, many = _type_of(prop)
    items = prop["items"] if many else prop
    if "enum" in items:
        value: Any = items["enum"][0]
    elif name in SIMPLE_VALUES:
        value = SIMPLE_VALUES[name]
    elif name is not None:
        value = element(name)
    elif "pattern" in items:
        # An inline primitive (a choice such as occurrenceDateTime): a value its pattern takes.
        value = next((v for v in _CANDIDATES if re.match(items["pattern"], v)), None)
        if value is None:
            raise LookupError(f"no value for {prop}")
    else:
        raise LookupError(f"no value for {prop}")
    return [value] if many else value


def element(definition: str) -> dict[str, Any]:
    """The definition with its required elements filled (recursively)."""
    spec = _schema()[definition]
    props = spec.get("properties", {})
    out: dict[str, Any] = {}
    for name in spec.get("required", []):
        if name != "resourceType":
            out[name] = _value(props[name])
    for choices in _required_primitives().get(definition, {}).values():
        if any(c in out for c in choices):
            continue
        # A required choice (occurrence[x]): the first of its types that has a value.
        for choice in choices:
            try:
                out[choice] = _value(props[choice])
                break
            except LookupError:
                continue
        else:
            raise LookupError(f"no value for any of {definition}.{choices}")
    return out


def _place(resource: dict[str, Any], definition: str, steps: list[str], reference: Any) -> None:
    """Put `reference` at the dotted path, creating the backbone elements on the way."""
    props = _schema()[definition]["properties"]
    head, rest = steps[0], steps[1:]
    name, many = _type_of(props[head])
    if not rest:
        resource[head] = [reference] if many else reference
        return
    assert name is not None
    current = resource.get(head)
    if current is None:
        current = element(name)
        resource[head] = [current] if many else current
    elif many:
        current = current[0]
    _place(current, name, rest, reference)


def minimal(resource_type: str, patient_id: str) -> dict[str, Any]:
    """A resource of `resource_type` whose first compartment parameter names the patient.

    Raises LookupError when the schema has no way to fill a required element or the
    compartment expression is not a plain path.
    """
    resource: dict[str, Any] = {"resourceType": resource_type, **element(resource_type)}
    param = compartment_params(resource_type)[0]
    path = param.expression.split("|")[0].strip()
    if not re.fullmatch(rf"{resource_type}(\.\w+)+", path):
        raise LookupError(f"the compartment expression {path!r} is not a plain path")
    _place(resource, resource_type, path.split(".")[1:], {"reference": f"Patient/{patient_id}"})
    return resource
