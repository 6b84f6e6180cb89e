"""Extract the searchable values of a resource into index rows.

Each search parameter of the registry (porch.record.searchparams) is a FHIRPath
expression; its results are turned into rows of the index table for the parameter's type.
The patient compartments a resource belongs to come from the reference rows of the
parameters the R4 Patient CompartmentDefinition names.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from porch.record import dates
from porch.record.compartment import PATIENT_COMPARTMENT
from porch.record.searchparams import ParamType, SearchParam, params_for

logger = logging.getLogger(__name__)

# Answered from Resource columns, not from index rows.
COLUMN_PARAMS = frozenset({"_id", "_lastUpdated"})


@dataclass
class IndexRows:
    """Index values of one resource, as plain tuples ready for bulk insert."""

    tokens: list[tuple[str, str, str]] = field(default_factory=list)  # param, system, code
    strings: list[tuple[str, str, str]] = field(default_factory=list)  # param, normalized, exact
    dates: list[tuple[str, datetime, datetime]] = field(default_factory=list)  # param, low, high
    # param, target type, target id, url
    references: list[tuple[str, str, str, str]] = field(default_factory=list)
    quantities: list[tuple[str, float, str, str]] = field(
        default_factory=list
    )  # param, value, system, code
    uris: list[tuple[str, str]] = field(default_factory=list)
    numbers: list[tuple[str, float]] = field(default_factory=list)
    compartments: set[str] = field(default_factory=set)


def normalize_string(value: str) -> str:
    """Case- and accent-insensitive form used for string search (R4: 'ignoring case and accents')."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()[:255]


def parse_reference(reference: str, local_base: str = "") -> tuple[str, str, str]:
    """(type, id, url) of a reference string; url is kept only for references to other servers.

    "Patient/1", "Patient/1/_history/2" and "<our base>/Patient/1" are local.
    """
    url = ""
    ref = reference
    if local_base and ref.startswith(local_base + "/"):
        ref = ref[len(local_base) + 1 :]
    elif "://" in ref or ref.startswith("urn:"):
        url = ref[:512]
    parts = ref.split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) >= 2 and parts[-2][:1].isupper():
        return parts[-2][:64], parts[-1][:64], url
    return "", "", url


def extract(resource: dict[str, Any], local_base: str = "") -> IndexRows:
    """Index rows for every supported parameter of the resource's type."""
    rows = IndexRows()
    resource_type = resource["resourceType"]
    for param in params_for(resource_type).values():
        if param.code in COLUMN_PARAMS:
            continue
        try:
            values = param.compiled(resource)
        except Exception:  # a FHIRPath failure on odd data must not block a write
            # Name the parameter only: the resource's values are health information.
            logger.warning("Could not index %s.%s", resource_type, param.code)
            continue
        _add(rows, param, values, local_base)
    _add_compartments(rows, resource)
    return rows


def _add_compartments(rows: IndexRows, resource: dict[str, Any]) -> None:
    resource_type = resource["resourceType"]
    if resource_type == "Patient" and resource.get("id"):
        rows.compartments.add(resource["id"])
    linking = set(PATIENT_COMPARTMENT.get(resource_type, ()))
    for param, target_type, target_id, url in rows.references:
        if param in linking and target_type == "Patient" and target_id and not url:
            rows.compartments.add(target_id)


def _add(rows: IndexRows, param: SearchParam, values: Iterable[Any], local_base: str) -> None:
    kind = param.type
    for value in values:
        if kind is ParamType.TOKEN:
            rows.tokens.extend((param.code, s, c) for s, c in _tokens(value))
        elif kind is ParamType.STRING:
            rows.strings.extend((param.code, normalize_string(s), s[:255]) for s in _strings(value))
        elif kind is ParamType.DATE:
            rows.dates.extend((param.code, low, high) for low, high in _dates(value))
        elif kind is ParamType.REFERENCE:
            rows.references.extend(_references(param, value, local_base))
        elif kind is ParamType.QUANTITY:
            rows.quantities.extend((param.code, *q) for q in _quantities(value))
        elif kind is ParamType.URI:
            if isinstance(value, str):
                rows.uris.append((param.code, value[:512]))
        elif (
            kind is ParamType.NUMBER
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ):
            rows.numbers.append((param.code, float(value)))


def _tokens(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, bool):
        yield "", "true" if value else "false"
    elif isinstance(value, str | int | float):
        yield "", str(value)[:255]
    elif isinstance(value, dict):
        if "coding" in value or ("text" in value and "system" not in value):  # CodeableConcept
            for coding in value.get("coding", ()):
                yield from _tokens(coding)
        elif "code" in value:  # Coding, Quantity-as-token
            yield str(value.get("system", ""))[:255], str(value["code"])[:255]
        elif "value" in value:  # Identifier, ContactPoint
            yield str(value.get("system", ""))[:255], str(value["value"])[:255]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):  # HumanName, Address, and the like: every text part
        for key, part in value.items():
            if key in {"use", "period", "extension", "id", "type"}:
                continue
            if isinstance(part, str):
                yield part
            elif isinstance(part, list):
                yield from (p for p in part if isinstance(p, str))


def _dates(value: Any) -> Iterator[tuple[datetime, datetime]]:
    try:
        if isinstance(value, str):
            yield dates.parse_range(value)
        elif isinstance(value, dict):
            if "start" in value or "end" in value:  # Period: open ends reach to the end of time
                low = dates.parse_range(value["start"])[0] if "start" in value else dates.MIN
                high = dates.parse_range(value["end"])[1] if "end" in value else dates.MAX
                yield low, high
            elif "event" in value:  # Timing
                for event in value["event"]:
                    yield dates.parse_range(event)
    except (ValueError, TypeError, KeyError):
        return  # validation already refused malformed dates; odd shapes are not indexed


def _references(
    param: SearchParam, value: Any, local_base: str
) -> Iterator[tuple[str, str, str, str]]:
    if isinstance(value, str):  # canonical or uri used as a reference
        value = {"reference": value}
    if not isinstance(value, dict) or not isinstance(value.get("reference"), str):
        return
    target_type, target_id, url = parse_reference(value["reference"], local_base)
    if not target_type and not url:
        return  # contained ("#x") or unparseable: nothing to search by
    if param.target_types and target_type and target_type not in param.target_types:
        return
    yield param.code, target_type, target_id, url


def _quantities(value: Any) -> Iterator[tuple[float, str, str]]:
    if isinstance(value, dict) and isinstance(value.get("value"), int | float):
        code = value.get("code") or value.get("unit") or ""
        yield float(value["value"]), str(value.get("system", ""))[:255], str(code)[:64]
