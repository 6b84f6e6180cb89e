"""Parsing of a FHIR R4 search query (http://hl7.org/fhir/R4/search.html) into typed parts.

No SQL here: porch.record.search turns a ParsedQuery into queries. This module decides
which parameters are known, which modifiers each type supports, and what the result
parameters (_count, _offset, _sort, _include, ...) say. Malformed values raise
InvalidRequest naming the parameter, in strict and lenient mode alike; only unknown names
and unsupported modifiers are subject to the handling preference.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from porch.record import dates
from porch.record.errors import InvalidRequest
from porch.record.searchparams import ParamType, SearchParam, get_param, params_for

PREFIXES = frozenset({"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"})

# Answered from Resource columns, not from index rows.
COLUMN_SORTS = frozenset({"_id", "_lastUpdated"})
SORTABLE = frozenset(
    {
        ParamType.DATE,
        ParamType.STRING,
        ParamType.TOKEN,
        ParamType.NUMBER,
        ParamType.QUANTITY,
        ParamType.URI,
    }
)
TOTALS = frozenset({"none", "estimate", "accurate"})
SUMMARIES = frozenset({"true", "text", "data", "count", "false"})
# Accepted and listed in `used`; the API layer applies them to the answer.
PASS_THROUGH = frozenset({"_elements", "_format", "_pretty"})
_CONTROLS = frozenset(
    {"_count", "_offset", "_sort", "_include", "_revinclude", "_summary", "_total"}
)

_MODIFIERS: dict[ParamType, frozenset[str]] = {
    ParamType.TOKEN: frozenset({"not", "missing"}),
    ParamType.STRING: frozenset({"exact", "contains", "missing"}),
    ParamType.DATE: frozenset({"missing"}),
    ParamType.REFERENCE: frozenset({"missing"}),
    ParamType.QUANTITY: frozenset({"missing"}),
    ParamType.NUMBER: frozenset({"missing"}),
    ParamType.URI: frozenset({"below", "above", "missing"}),
}

# A comma or pipe not preceded by a backslash separates values (R4 §3.1.1.4.9 escaping).
_UNESCAPED_COMMA = re.compile(r"(?<!\\),")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_ESCAPE = re.compile(r"\\([\\,$|])")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Criterion:
    """One filtering parameter: its values are alternatives (OR), still escaped."""

    name: str  # as given, modifier included
    raw: str
    param: SearchParam
    # "" when none; for a reference type modifier, the resource type (":Patient").
    modifier: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Include:
    source_type: str
    param: SearchParam
    target_type: str  # "" for any type the parameter may point to


@dataclass(frozen=True)
class SortKey:
    code: str
    type: ParamType | None  # None for the column sorts _id and _lastUpdated
    descending: bool


@dataclass
class ParsedQuery:
    criteria: list[Criterion] = field(default_factory=list)
    sort: list[SortKey] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)
    revincludes: list[Include] = field(default_factory=list)
    count: int = 50
    offset: int = 0
    summary_count: bool = False
    total: str = "accurate"
    used: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def invalid(resource_type: str, name: str, value: str, reason: str) -> InvalidRequest:
    """The error for a malformed value: says which parameter, which value, and why."""
    return InvalidRequest(
        f"Invalid value {value!r} for search parameter '{name}' of {resource_type}: {reason}",
        expression=name,
    )


def parse_query(
    resource_type: str,
    params: list[tuple[str, str]],
    *,
    strict: bool,
    default_count: int,
    max_count: int,
) -> ParsedQuery:
    """Split the query into criteria and result controls, in the order given.

    Raises InvalidRequest for a malformed value, and, when strict, for an unknown
    parameter or an unsupported modifier.
    """
    query = ParsedQuery(count=min(default_count, max_count))
    for name, value in params:
        base = name.partition(":")[0]
        if base in _CONTROLS or base in PASS_THROUGH:
            if _parse_control(
                resource_type, query, name, value, strict=strict, max_count=max_count
            ):
                query.used.append((name, value))
            continue
        criterion = _criterion(resource_type, name, value, strict=strict)
        if criterion is None:
            query.ignored.append(name)
        elif value != "":  # an empty value says nothing: skipped, as HAPI and Medplum do
            query.criteria.append(criterion)
            query.used.append((name, value))
    return query


def _refuse(resource_type: str, name: str, what: str, *, strict: bool) -> None:
    """Raise in strict mode; otherwise the caller ignores the parameter."""
    if strict:
        raise InvalidRequest(
            f"{what} '{name}' for {resource_type} (Prefer: handling=strict)", expression=name
        )


def _criterion(resource_type: str, name: str, value: str, *, strict: bool) -> Criterion | None:
    code, _, modifier = name.partition(":")
    param = get_param(resource_type, code)
    if param is None:
        _refuse(resource_type, name, "Unknown search parameter", strict=strict)
        return None
    if modifier and not _modifier_ok(param, modifier):
        _refuse(resource_type, name, "Unsupported modifier on search parameter", strict=strict)
        return None
    if modifier == "missing" and value not in {"true", "false"}:
        raise invalid(resource_type, name, value, "expected true or false")
    return Criterion(name, value, param, modifier, tuple(split_or(value)))


def _modifier_ok(param: SearchParam, modifier: str) -> bool:
    if param.code in COLUMN_SORTS:
        return False  # _id and _lastUpdated take no modifiers here
    if param.type is ParamType.REFERENCE and modifier[:1].isupper():
        return param.can_target(modifier)
    return modifier in _MODIFIERS[param.type]


def _parse_control(
    resource_type: str, query: ParsedQuery, name: str, value: str, *, strict: bool, max_count: int
) -> bool:
    """Apply one result parameter to the query; False when it was ignored."""
    if ":" in name:  # e.g. _include:iterate, _sort:asc (an R3 form)
        _refuse(resource_type, name, "Unsupported modifier on search parameter", strict=strict)
        query.ignored.append(name)
        return False
    if name == "_count":
        query.count = min(_non_negative(resource_type, name, value), max_count)
    elif name == "_offset":
        query.offset = _non_negative(resource_type, name, value)
    elif name == "_sort":
        query.sort = [_sort_key(resource_type, value, key) for key in value.split(",")]
    elif name == "_include":
        query.includes.extend(_includes(resource_type, value))
    elif name == "_revinclude":
        query.revincludes.append(_revinclude(resource_type, value))
    elif name == "_total":
        if value not in TOTALS:
            raise invalid(resource_type, name, value, "expected none, estimate or accurate")
        query.total = value
    elif name == "_summary":
        if value not in SUMMARIES:
            raise invalid(resource_type, name, value, "expected true, text, data, count or false")
        query.summary_count = value == "count"
    return True


def _non_negative(resource_type: str, name: str, value: str) -> int:
    if not value.isascii() or not value.isdigit():
        raise invalid(resource_type, name, value, "expected a whole number, 0 or more")
    return int(value)


def _sort_key(resource_type: str, value: str, key: str) -> SortKey:
    key = key.strip()
    descending = key.startswith("-")
    code = key.removeprefix("-")
    if code in COLUMN_SORTS:
        return SortKey(code, None, descending)
    param = get_param(resource_type, code)
    if param is None or param.type not in SORTABLE:
        raise invalid(resource_type, "_sort", value, f"cannot sort {resource_type} by {code!r}")
    return SortKey(code, param.type, descending)


def _includes(resource_type: str, value: str) -> Iterator[Include]:
    if value == "*":
        value = f"{resource_type}:*"
    source, _, rest = value.partition(":")
    code, _, target = rest.partition(":")
    if source != resource_type:
        raise invalid(resource_type, "_include", value, f"the source type must be {resource_type}")
    if code == "*" and not target:
        refs = [p for p in params_for(resource_type).values() if p.type is ParamType.REFERENCE]
        yield from (Include(source, p, "") for p in refs)
        return
    param = _reference_param(resource_type, "_include", value, source, code)
    if target and not param.can_target(target):
        raise invalid(resource_type, "_include", value, f"{source}:{code} cannot point to {target}")
    yield Include(source, param, target)


def _revinclude(resource_type: str, value: str) -> Include:
    source, _, rest = value.partition(":")
    code, _, target = rest.partition(":")
    param = _reference_param(resource_type, "_revinclude", value, source, code)
    if (target and target != resource_type) or not param.can_target(resource_type):
        raise invalid(
            resource_type, "_revinclude", value, f"{source}:{code} cannot point to {resource_type}"
        )
    return Include(source, param, resource_type)


def _reference_param(
    resource_type: str, name: str, value: str, source: str, code: str
) -> SearchParam:
    param = get_param(source, code) if source and code else None
    if param is None or param.type is not ParamType.REFERENCE:
        raise invalid(
            resource_type, name, value, f"{source}:{code} is not a reference search parameter"
        )
    return param


# --- values -----------------------------------------------------------------------------


def split_or(value: str) -> list[str]:
    """The comma-separated alternatives of a value, each still escaped."""
    return _UNESCAPED_COMMA.split(value)


def split_pipe(value: str) -> list[str]:
    """The |-separated parts of a token or quantity value, each unescaped."""
    return [unescape(part) for part in _UNESCAPED_PIPE.split(value)]


def unescape(value: str) -> str:
    return _ESCAPE.sub(r"\1", value)


def split_prefix(value: str) -> tuple[str, str]:
    """(prefix, rest) of an ordered value; "eq" when no prefix is given.

    Raises ValueError when the value starts with letters that are not a prefix.
    """
    if value[:2] in PREFIXES:
        return value[:2], value[2:]
    if value[:1].isalpha():
        raise ValueError(
            f"unknown prefix {value[:2]!r} (expected one of {', '.join(sorted(PREFIXES))})"
        )
    return "eq", value


def parse_date(value: str) -> tuple[str, datetime, datetime]:
    """(prefix, low, high) of a date search value.

    Raises ValueError for an unknown prefix or a value that is not a FHIR date.
    """
    prefix, rest = split_prefix(value)
    low, high = dates.parse_range(rest)
    return prefix, low, high


def parse_number(value: str) -> tuple[str, Decimal]:
    """(prefix, number) of a number or quantity search value.

    Raises ValueError for an unknown prefix or something that is not a decimal number.
    """
    prefix, rest = split_prefix(value)
    if not _NUMBER.match(rest):
        raise ValueError(f"{rest!r} is not a number")
    try:
        return prefix, Decimal(rest)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already refused it
        raise ValueError(f"{rest!r} is not a number") from exc


def implied_range(number: Decimal) -> tuple[float, float]:
    """[low, high) the number stands for at its precision: 5.4 means [5.35, 5.45)."""
    exponent = number.as_tuple().exponent
    half = Decimal(5).scaleb(int(exponent) - 1) if isinstance(exponent, int) else Decimal(0)
    return float(number - half), float(number + half)
