"""The catalog search: filters, query clauses and facets; any input is answered."""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from exchange.catalog.departments.rules import DivisionInfo
from exchange.catalog.departments.service import divisions
from exchange.catalog.items.schemas import ItemSummary
from exchange.catalog.search import facets, index_repository, repository, text
from exchange.catalog.search.indexing import IndexEntry
from exchange.catalog.search.schemas import FacetValue, SearchResult
from exchange.catalog.vocabulary import (
    LEVEL_LABELS,
    USAGE_BITS,
    USAGE_LABELS,
    Level,
    UsageMethod,
    usage_methods,
)
from exchange.context import Context
from exchange.vocabulary import (
    GRADE_LABELS,
    OPENING_LABELS,
    SHARING_LABELS,
    Grade,
    Opening,
    Sharing,
)

FACET_DEPARTMENTS = 10


MAX_RESULT_WINDOW = 10_000


MAX_SQL_CLAUSES = 4


MAX_HEAD_TERMS = 300


MAX_FILTER_VALUES = 20


PROVINCE_CODE = "440000"


@dataclass(frozen=True, slots=True)
class SearchParams:
    """Raw search input: any strings, never an error."""

    q: str | None = None
    department: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    city: tuple[str, ...] = ()
    grade: tuple[str, ...] = ()
    sharing: tuple[str, ...] = ()
    opening: tuple[str, ...] = ()
    usage: tuple[str, ...] = ()


def _clean(value: str) -> str:
    return "".join(ch for ch in value if unicodedata.category(ch)[0] != "C").strip()


def parse_filters(
    params: SearchParams, divs: dict[str, DivisionInfo], notes: list[str]
) -> repository.Filters | None:
    """Turn raw filter strings into filters; None when a filter can match nothing.

    Unknown values are noted and dropped (never sent to the database); a filter that
    names only unknown values matches nothing.
    """
    impossible = False

    def known(name: str, values: Sequence[str], allowed: Iterable[str]) -> tuple[str, ...]:
        nonlocal impossible
        allowed_set = set(allowed)
        given = tuple(dict.fromkeys(c[:40] for v in values[:MAX_FILTER_VALUES] if (c := _clean(v))))
        good = tuple(v for v in given if v in allowed_set)
        unknown = [v for v in given if v not in allowed_set]
        if unknown:
            hint = ", ".join(sorted(allowed_set)) if len(allowed_set) < 30 else "see /v1/divisions"
            shown = ", ".join(repr(u) for u in unknown[:5])
            notes.append(f"unknown {name} value(s) {shown} match nothing (known: {hint})")
        if given and not good:
            impossible = True
        return good

    usage = known("usage", params.usage, [m.value for m in UsageMethod])
    mask = 0
    for value in usage:
        mask |= USAGE_BITS[UsageMethod(value)]
    filters = repository.Filters(
        department_ids=tuple(
            dict.fromkeys(c[:36] for v in params.department[:MAX_FILTER_VALUES] if (c := _clean(v)))
        ),
        levels=known("level", params.level, [lv.value for lv in Level]),
        cities=known(
            "city", params.city, [c for c, d in divs.items() if d.level is not Level.COUNTY]
        ),
        grades=known("grade", params.grade, [g.value for g in Grade]),
        sharings=known("sharing", params.sharing, [s.value for s in Sharing]),
        openings=known("opening", params.opening, [o.value for o in Opening]),
        usage_mask=mask,
    )
    return None if impossible else filters


async def _resolve_clauses(
    ctx: Context, plan: text.QueryPlan, notes: list[str]
) -> list[tuple[repository.Clause, int]] | None:
    """Each clause with its terms and document frequency; None if a clause matches nothing."""
    exact = [c.term for c in plan.clauses if c.kind is text.ClauseKind.EXACT]
    if len(plan.clauses) == 1 and exact:
        # One term: no order to choose, and an unknown term simply matches nothing.
        return [(repository.Clause((exact[0],)), 1)]
    dfs = await index_repository.document_frequencies(ctx.session, exact)
    resolved: list[tuple[repository.Clause, int]] = []
    for clause in plan.clauses:
        if clause.kind is text.ClauseKind.EXACT:
            terms = {clause.term: dfs[clause.term]} if dfs.get(clause.term, 0) > 0 else {}
        elif clause.kind is text.ClauseKind.HEAD:
            terms = await index_repository.terms_starting(
                ctx.session, clause.term, limit=MAX_HEAD_TERMS
            )
        else:
            terms = await index_repository.terms_with_prefix(
                ctx.session, clause.term, limit=MAX_HEAD_TERMS
            )
        if not terms:
            return None
        if len(terms) >= MAX_HEAD_TERMS:
            notes.append(
                f"{clause.term!r} begins more than {MAX_HEAD_TERMS} indexed words; "
                "the most frequent were searched"
            )
        resolved.append((repository.Clause(tuple(sorted(terms))), sum(terms.values())))
    resolved.sort(key=lambda pair: pair[1])
    return resolved


def _facets(
    dims: repository.Dimensions,
    departments: Sequence[tuple[str, str, int]],
    divs: dict[str, DivisionInfo],
) -> dict[str, list[FacetValue]]:
    def values(name: str, label: Any) -> list[FacetValue]:
        counts = dims.get(name, {})
        return [
            FacetValue(value=v, label=label(v), count=c)
            for v, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]

    def city_label(code: str) -> str:
        if code == PROVINCE_CODE:
            return "广东省（省直）"
        return divs[code].name if code in divs else code

    usage: dict[str, int] = {}
    for mask, n in dims.get("usage_mask", {}).items():
        for method in usage_methods(int(mask)):
            usage[method.value] = usage.get(method.value, 0) + n
    return {
        "department": [FacetValue(value=i, label=n, count=c) for i, n, c in departments],
        "level": values("level", lambda v: LEVEL_LABELS.get(Level(v), v) if v in set(Level) else v),
        "city": values("city_code", city_label),
        "grade": values("grade", lambda v: GRADE_LABELS[Grade(v)] if v in set(Grade) else v),
        "sharing": values(
            "sharing", lambda v: SHARING_LABELS[Sharing(v)] if v in set(Sharing) else v
        ),
        "opening": values(
            "opening", lambda v: OPENING_LABELS[Opening(v)] if v in set(Opening) else v
        ),
        "usage_method": [
            FacetValue(value=m, label=USAGE_LABELS[UsageMethod(m)], count=c)
            for m, c in sorted(usage.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }


def _summaries(rows: Sequence[repository.SummaryRow]) -> list[ItemSummary]:
    return [
        ItemSummary(
            id=r.item.id,
            code=r.item.code,
            name_zh=r.item.name_zh,
            name_en=r.item.name_en,
            department_id=r.item.department_id,
            department_name=r.department_name,
            level=r.item.level,
            city_code=r.item.city_code,
            grade=r.item.grade,
            personal_information=r.item.personal_information,
            sharing=r.item.sharing,
            opening=r.item.opening,
            usage_methods=usage_methods(r.item.usage_mask),
            update_frequency=r.item.update_frequency,
            version=r.item.version,
            updated_at=r.item.updated_at,
        )
        for r in rows
    ]


async def search(ctx: Context, *, params: SearchParams, limit: int, offset: int) -> SearchResult:
    """Search names, descriptions and field names, with facets; any input is answered."""
    notes: list[str] = []
    plan = text.plan_query(params.q)
    divs = await divisions(ctx)
    filters = parse_filters(params, divs, notes)
    result = SearchResult(
        query=" ".join(plan.phrases),
        total=0,
        limit=limit,
        offset=offset,
        items=[],
        facets=_facets({}, [], divs),
        notes=notes,
    )
    if filters is None:
        return result
    if plan.empty and params.q and params.q.strip():
        # Only punctuation, symbols or control characters: nothing to match, not everything.
        notes.append("the query has no searchable words or characters")
        return result
    await repository.prefer_serial_plans(ctx.session)
    clauses: list[repository.Clause] = []
    if not plan.empty:
        resolved = await _resolve_clauses(ctx, plan, notes)
        if resolved is None:
            return result
        clauses = [c for c, _ in resolved[:MAX_SQL_CLAUSES]]
    # Clauses beyond the rarest few are left to the phrase checks, which then cover all.
    checks = list(plan.phrases if len(plan.clauses) > MAX_SQL_CLAUSES else plan.checks)
    window = offset < MAX_RESULT_WINDOW
    if not window:
        notes.append(f"results are paged up to {MAX_RESULT_WINDOW}; narrow the query")
    limit = min(limit, MAX_RESULT_WINDOW - offset) if window else 0
    if filters.department_ids:
        seqs = await repository.department_seqs(ctx.session, filters.department_ids)
        filters = dataclasses.replace(filters, department_seqs=tuple(seqs.values()))
    if not clauses:
        dims, counted = await repository.cube_facets(
            ctx.session, filters, departments=FACET_DEPARTMENTS
        )
        total = sum(dims["level"].values())
        rows = (
            await repository.search_page(ctx.session, filters, limit=limit, offset=offset)
            if limit and offset < total
            else []
        )
    elif (
        len(clauses) == 1
        and len(clauses[0].terms) == 1
        and not checks
        and not filters.department_ids
    ):
        # One term: its facet counts are kept per term; only departments and the page
        # are read from its postings.
        live = await repository.term_facets(
            ctx.session,
            clauses[0].terms[0],
            filters,
            departments=FACET_DEPARTMENTS,
            limit=max(limit, 1),
            offset=offset,
        )
        dims = repository.dimensions(live.attributes, live.places)
        counted = live.departments
        total = sum(dims["level"].values())
        rows = await repository.items_by_seqs(ctx.session, live.page if limit else [])
    else:
        live = await repository.live_facets(
            ctx.session,
            clauses,
            checks,
            filters,
            departments=FACET_DEPARTMENTS,
            limit=max(limit, 1),
            offset=offset,
        )
        dims = repository.dimensions(live.attributes, live.places)
        counted = live.departments
        total = sum(dims["level"].values())
        rows = await repository.items_by_seqs(ctx.session, live.page if limit else [])
    result.total = total
    result.items = _summaries(rows)
    result.facets = _facets(dims, counted, divs)
    return result


async def reindex_item(
    ctx: Context, *, item_seq: int, department_seq: int, old: IndexEntry, new: IndexEntry
) -> None:
    """Move an item in the index from `old` to `new`: postings, document frequencies, the
    per-term counts and the facet cubes."""
    old_keys, new_keys = old.keys, new.keys
    removed = set(old_keys) - set(new_keys)
    added = {t: k for t, k in new_keys.items() if t not in old_keys}
    await index_repository.remove_postings(ctx.session, item_seq, removed)
    await index_repository.add_postings(ctx.session, item_seq, added)
    await index_repository.adjust_document_frequency(
        ctx.session, {**dict.fromkeys(removed, -1), **dict.fromkeys(added, 1)}
    )
    term_deltas: dict[tuple[str, int], int] = {}
    for keys, step in ((old_keys, -1), (new_keys, 1)):
        for term, key in keys.items():
            at = (term, key & facets.TERM_KEY_MASK)
            term_deltas[at] = term_deltas.get(at, 0) + step
    await index_repository.adjust_term_facets(
        ctx.session,
        term_deltas,
        {
            **{(t, department_seq): -1 for t in removed},
            **{(t, department_seq): 1 for t in added},
        },
    )
    await index_repository.rekey_postings(
        ctx.session,
        item_seq,
        {t: k for t, k in new_keys.items() if t in old_keys and old_keys[t] != k},
    )
    if old.base != new.base:
        assert new.base is not None
        deltas = {new.base: 1}
        if old.base is not None:
            deltas[old.base] = -1
        await index_repository.adjust_facets(
            ctx.session, deltas, {(department_seq, k): n for k, n in deltas.items()}
        )
