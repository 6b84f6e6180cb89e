"""FHIR R4 search over the index tables (http://hl7.org/fhir/R4/search.html).

Every query starts from scoping.readable(ctx, type), so the access filter is part of the
same SQL as the search, and included resources pass the same filter. Each criterion is one
`pk IN (SELECT resource_id FROM <index> WHERE ...)` on the index the models declare for
it. A page takes two queries (the ordered ids with the total, then the page's rows), each
_include list two more and each _revinclude one, whatever the page size.

Choices where R4 leaves room:
- `ap` (approximately) on dates widens the search range by 10% of its distance from now
  (the spec's suggestion) and matches resources whose range overlaps it; on numbers and
  quantities it matches values within 10% of the given one, or its implied precision if
  that is wider.
- Sorting by a date sorts ascending by the earliest `low` of the resource's values and
  descending by the latest `high`; other types by the smallest or largest value.
  Resources without a value sort last either way; ties are broken by row id, so paging
  with _offset neither repeats nor skips a resource.
- `:not` with several values returns resources that match none of them.
- `_total=estimate` is answered exactly, like `accurate`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    Model,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.utils import timezone

from porch.access.context import AccessContext
from porch.record import auditing, dates
from porch.record.indexing import normalize_string, parse_reference
from porch.record.models import (
    DateIndex,
    NumberIndex,
    QuantityIndex,
    ReferenceIndex,
    Resource,
    StringIndex,
    TokenIndex,
    UriIndex,
)
from porch.record.scoping import readable
from porch.record.search_params_parse import (
    Criterion,
    Include,
    ParsedQuery,
    SortKey,
    implied_range,
    invalid,
    parse_date,
    parse_number,
    parse_query,
    split_pipe,
    unescape,
)
from porch.record.searchparams import ParamType
from porch.record.stored import StoredResource

__all__ = ["SearchResult", "match_ids", "search"]

_INDEX: dict[ParamType, type[Model]] = {
    ParamType.TOKEN: TokenIndex,
    ParamType.STRING: StringIndex,
    ParamType.DATE: DateIndex,
    ParamType.REFERENCE: ReferenceIndex,
    ParamType.QUANTITY: QuantityIndex,
    ParamType.URI: UriIndex,
    ParamType.NUMBER: NumberIndex,
}
# Above every character, so [v, v + _TOP) holds exactly the strings starting with v when
# the column compares by code point (SQLite's BINARY, PostgreSQL's C collations).
_TOP = "\U0010ffff"
_ROW_FIELDS = ("resource_type", "fhir_id", "version_id", "last_updated", "deleted", "content")


@dataclass(frozen=True)
class SearchResult:
    resource_type: str
    matches: list[StoredResource]  # this page, in order
    included: list[StoredResource]  # from _include / _revinclude, never also in matches
    total: int | None  # None when _total=none
    offset: int
    count: int  # page size used
    has_next: bool
    used: list[tuple[str, str]]  # parameters applied, in the order given (for the self link)
    ignored: list[str]  # unknown or unsupported parameters ignored in lenient mode


def search(
    ctx: AccessContext,
    resource_type: str,
    params: list[tuple[str, str]],
    *,
    strict: bool = False,
    default_count: int = 50,
    max_count: int = 1000,
) -> SearchResult:
    """One page of the resources of `resource_type` the context may read that match `params`.

    Raises InvalidRequest for a malformed value (always) and for an unknown parameter or
    modifier when `strict` (Prefer: handling=strict).
    """
    query = parse_query(
        resource_type, params, strict=strict, default_count=default_count, max_count=max_count
    )
    qs = _filtered(ctx, resource_type, query)
    size = 0 if query.summary_count else query.count
    rows, has_next, total = _page(ctx, resource_type, qs, query, size)
    matches = [StoredResource.from_row(row) for row in rows]
    included = _included(ctx, resource_type, rows, query)
    auditing.searched(ctx, resource_type, [*matches, *included])
    return SearchResult(
        resource_type=resource_type,
        matches=matches,
        included=included,
        total=total,
        offset=query.offset,
        count=size,
        has_next=has_next,
        used=query.used,
        ignored=query.ignored,
    )


def match_ids(
    ctx: AccessContext, resource_type: str, params: list[tuple[str, str]]
) -> QuerySet[Resource]:
    """Resources the context may read that match `params`, ordered by row id, unpaged.

    For conditional create, update and delete, where ignoring a criterion would widen the
    match, so unknown parameters are always refused; result parameters have no effect.
    Raises InvalidRequest for an unknown parameter or modifier and for a malformed value.
    """
    query = parse_query(resource_type, params, strict=True, default_count=0, max_count=0)
    return _filtered(ctx, resource_type, query).order_by("pk")


def _filtered(ctx: AccessContext, resource_type: str, query: ParsedQuery) -> QuerySet[Resource]:
    qs = readable(ctx, resource_type)
    for criterion in query.criteria:  # repeated and different parameters are ANDed
        qs = qs.filter(_criterion_q(resource_type, criterion))
    return qs


def _page(
    ctx: AccessContext, resource_type: str, qs: QuerySet[Resource], query: ParsedQuery, size: int
) -> tuple[list[Resource], bool, int | None]:
    """The page's rows, whether more follow, and the total (None when _total=none).

    One query orders the matches and returns the page's ids, counting every match in the
    same pass (COUNT(*) OVER ()), since ordering them already visits them all; a second
    reads the content of the page's rows only.
    """
    counted = query.total != "none"
    if not size:
        return [], False, qs.count() if counted or query.summary_count else None
    ordered = qs.order_by(*_ordering(query.sort), "pk")
    if counted:
        ordered = ordered.annotate(matched=Window(Count("pk")))
    fields = ("pk", "matched") if counted else ("pk",)
    found = list(ordered.values_list(*fields)[query.offset : query.offset + size + 1])
    pks = [row[0] for row in found[:size]]
    page = readable(ctx, resource_type).filter(pk__in=pks).only(*_ROW_FIELDS)
    by_pk = page.in_bulk() if pks else {}
    rows = [by_pk[pk] for pk in pks if pk in by_pk]  # a row deleted in between is left out
    if not counted:
        return rows, len(found) > size, None
    # Past the last match the window counts nothing: count apart.
    total = found[0][1] if found else (0 if query.offset == 0 else qs.count())
    return rows, len(found) > size, total


# --- criteria ---------------------------------------------------------------------------


def _criterion_q(resource_type: str, criterion: Criterion) -> Q:
    """The condition on Resource rows one parameter sets; its values are ORed.

    Raises InvalidRequest naming the parameter when a value is malformed.
    """
    param = criterion.param
    if criterion.modifier == "missing":
        return _missing_q(resource_type, criterion)
    if param.code == "_id":
        return Q(fhir_id__in=[unescape(v) for v in criterion.values])
    try:
        if param.code == "_lastUpdated":
            # The column is one instant: the point range [t, t].
            return _any(_date_q(v, "last_updated", "last_updated") for v in criterion.values)
        rows = _any(_row_q(criterion, v) for v in criterion.values)
    except ValueError as exc:
        raise invalid(resource_type, criterion.name, criterion.raw, str(exc)) from exc
    index = _INDEX[param.type]
    sub = index._default_manager.filter(resource_type=resource_type, param=param.code).filter(rows)
    matching = Q(pk__in=sub.values("resource_id"))
    return ~matching if criterion.modifier == "not" else matching


def _missing_q(resource_type: str, criterion: Criterion) -> Q:
    index = _INDEX[criterion.param.type]
    has_value = Exists(
        index._default_manager.filter(resource=OuterRef("pk"), param=criterion.param.code)
    )
    return ~Q(has_value) if criterion.raw == "true" else Q(has_value)


def _any(conditions: Iterable[Q]) -> Q:
    return reduce(or_, conditions)


def _row_q(criterion: Criterion, value: str) -> Q:
    """The condition on index rows one value sets. Raises ValueError when malformed."""
    kind = criterion.param.type
    if kind is ParamType.TOKEN:
        return _token_q(value)
    if kind is ParamType.STRING:
        return _string_q(criterion.modifier, unescape(value))
    if kind is ParamType.DATE:
        return _date_q(value, "low", "high")
    if kind is ParamType.REFERENCE:
        return _reference_q(criterion.modifier, unescape(value))
    if kind is ParamType.QUANTITY:
        return _quantity_q(value)
    if kind is ParamType.NUMBER:
        return _number_q(*parse_number(unescape(value)))
    return _uri_q(criterion.modifier, unescape(value))


def _token_q(value: str) -> Q:
    parts = split_pipe(value)
    if len(parts) == 1:
        return Q(code=parts[0])
    if len(parts) > 2 or parts == ["", ""]:
        raise ValueError("expected code, system|code, |code or system|")
    system, code = parts
    if not code:
        return Q(system=system)
    return Q(system=system, code=code)  # "|code" asks for a code without a system


def _string_q(modifier: str, value: str) -> Q:
    if modifier == "exact":
        return Q(exact=value[:255])
    folded = normalize_string(value)
    if modifier == "contains":
        return Q(normalized__contains=folded)  # Django escapes % and _ in the pattern
    # A range rather than LIKE 'v%': it uses the (type, param, normalized) index on both
    # engines whatever their LIKE rules.
    return Q(normalized__gte=folded, normalized__lt=folded + _TOP)


def _date_q(value: str, low: str, high: str) -> Q:
    """Compare the stored range [low, high] with the value's range, per R4 §3.1.1.4.1."""
    prefix, p_low, p_high = parse_date(unescape(value))
    within = Q(**{f"{low}__gte": p_low, f"{high}__lte": p_high})
    above = Q(**{f"{high}__gt": p_high})
    below = Q(**{f"{low}__lt": p_low})
    if prefix == "eq":
        return within
    if prefix == "ne":
        return below | above
    if prefix == "gt":
        return above
    if prefix == "lt":
        return below
    if prefix == "ge":
        return above | within
    if prefix == "le":
        return below | within
    if prefix == "sa":
        return Q(**{f"{low}__gt": p_high})
    if prefix == "eb":
        return Q(**{f"{high}__lt": p_low})
    wide_low, wide_high = _widened(p_low, p_high)  # ap
    return Q(**{f"{low}__lte": wide_high, f"{high}__gte": wide_low})


def _widened(low: datetime, high: datetime) -> tuple[datetime, datetime]:
    """The range widened on each side by 10% of its distance from now."""
    now = timezone.now()
    gap = max(low - now, now - high, timedelta(0)) / 10
    return _shift(low, -gap), _shift(high, gap)


def _shift(moment: datetime, delta: timedelta) -> datetime:
    try:
        return moment + delta
    except OverflowError:  # past year 1 or 9999: the end of time
        return dates.MIN if delta < timedelta(0) else dates.MAX


def _number_q(prefix: str, number: Decimal, field: str = "value") -> Q:
    value = float(number)
    if prefix in {"eq", "ne", "ap"}:
        low, high = implied_range(number)
        if prefix == "ap":  # within 10%, or the implied precision if that is wider
            margin = max(abs(value) / 10, value - low)
            low, high = value - margin, value + margin
            return Q(**{f"{field}__gte": low, f"{field}__lte": high})
        within = Q(**{f"{field}__gte": low, f"{field}__lt": high})
        return within if prefix == "eq" else ~within
    lookup = {"gt": "gt", "sa": "gt", "lt": "lt", "eb": "lt", "ge": "gte", "le": "lte"}[prefix]
    return Q(**{f"{field}__{lookup}": value})


def _quantity_q(value: str) -> Q:
    parts = split_pipe(value)
    if len(parts) not in {1, 3}:
        raise ValueError("expected number, number|system|code or number||code")
    q = _number_q(*parse_number(parts[0]))
    if len(parts) == 3:
        system, code = parts[1], parts[2]
        if system:
            q &= Q(system=system)
        if code:
            q &= Q(code=code)
    return q


def _reference_q(modifier: str, value: str) -> Q:
    """Local references by type and id; references to other servers by their URL."""
    target_type, target_id, url = parse_reference(value, settings.SITE_URL)
    if url:
        q = Q(url=url)
    elif target_type:
        q = Q(target_type=target_type, target_id=target_id, url="")
    elif value and "/" not in value:
        # A bare id: any type the parameter may point to (the indexer kept only those).
        q = Q(target_id=value, url="")
    else:
        raise ValueError("expected Type/id, an id, or an absolute URL")
    if modifier:  # the type modifier, e.g. subject:Patient=123
        q &= Q(target_type=modifier)
    return q


def _uri_q(modifier: str, value: str) -> Q:
    if modifier == "below":
        return Q(value__gte=value, value__lt=value + _TOP)
    if modifier == "above":  # the value itself or any parent path of it
        parts = value.split("/")
        return Q(value__in=["/".join(parts[:n]) for n in range(1, len(parts) + 1)])
    return Q(value=value)


# --- sorting ----------------------------------------------------------------------------

_SORT_FIELD: dict[ParamType, tuple[str, str]] = {  # (ascending by, descending by)
    ParamType.DATE: ("low", "high"),
    ParamType.STRING: ("normalized", "normalized"),
    ParamType.TOKEN: ("code", "code"),
    ParamType.NUMBER: ("value", "value"),
    ParamType.QUANTITY: ("value", "value"),
    ParamType.URI: ("value", "value"),
}


def _ordering(keys: list[SortKey]) -> list[OrderBy]:
    return [_order_by(key) for key in keys]


def _order_by(key: SortKey) -> OrderBy:
    if key.type is None:
        column = F("fhir_id" if key.code == "_id" else "last_updated")
        return column.desc() if key.descending else column.asc()
    ascending_by, descending_by = _SORT_FIELD[key.type]
    field = descending_by if key.descending else ascending_by
    # The smallest (or largest) of the resource's values: one index probe per row.
    values = _INDEX[key.type]._default_manager.filter(resource=OuterRef("pk"), param=key.code)
    first = Subquery(values.order_by(f"-{field}" if key.descending else field).values(field)[:1])
    return first.desc(nulls_last=True) if key.descending else first.asc(nulls_last=True)


# --- _include and _revinclude -----------------------------------------------------------


def _included(
    ctx: AccessContext, resource_type: str, rows: list[Resource], query: ParsedQuery
) -> list[StoredResource]:
    """Resources the page's references point at, and resources pointing at the page.

    Both pass readable(ctx): an include never reveals what a search could not.
    """
    if not rows or not (query.includes or query.revincludes):
        return []
    found: list[Resource] = []
    if query.includes:
        found.extend(_include_rows(ctx, rows, query.includes))
    ids = sorted(row.fhir_id for row in rows)
    for include in query.revincludes:
        found.extend(_revinclude_rows(ctx, resource_type, ids, include))
    seen = {(row.resource_type, row.fhir_id) for row in rows}
    included: list[StoredResource] = []
    for row in found:
        if (row.resource_type, row.fhir_id) not in seen:
            seen.add((row.resource_type, row.fhir_id))
            included.append(StoredResource.from_row(row))
    return included


def _include_rows(
    ctx: AccessContext, rows: list[Resource], includes: list[Include]
) -> list[Resource]:
    wanted = {(i.param.code, i.target_type) for i in includes}
    refs = ReferenceIndex.objects.filter(
        resource_id__in=[row.pk for row in rows], param__in={code for code, _ in wanted}, url=""
    ).values_list("param", "target_type", "target_id")
    targets: dict[str, set[str]] = {}
    for code, target_type, target_id in refs:
        if target_type and ((code, "") in wanted or (code, target_type) in wanted):
            targets.setdefault(target_type, set()).add(target_id)
    if not targets:
        return []
    by_type = _any(
        Q(resource_type=t, fhir_id__in=sorted(ids)) for t, ids in sorted(targets.items())
    )
    return list(readable(ctx).filter(by_type).order_by("pk").only(*_ROW_FIELDS))


def _revinclude_rows(
    ctx: AccessContext, resource_type: str, ids: list[str], include: Include
) -> list[Resource]:
    pointing = ReferenceIndex.objects.filter(
        target_id__in=ids,
        resource_type=include.source_type,
        param=include.param.code,
        target_type=resource_type,
        url="",
    ).values("resource_id")
    qs = readable(ctx, include.source_type).filter(pk__in=pointing)
    return list(qs.order_by("pk").only(*_ROW_FIELDS))
