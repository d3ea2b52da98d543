"""Every query of the search index and the facet cubes: search pages, facets, the open list.

The statements are built once per shape in `statements`; here they are executed with the
request's values and their rows turned into facet counts and pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.catalog.items.models import ItemField
from exchange.catalog.search import facets, statements
from exchange.catalog.search.index_repository import _dialect
from exchange.catalog.search.statements import Clause, Filters

__all__ = ["Clause", "Filters"]


async def prefer_serial_plans(session: AsyncSession) -> None:
    """PostgreSQL: no parallel workers for this transaction's small, latency-bound queries
    (starting workers costs more than these queries take)."""
    if _dialect(session) == "postgresql":
        connection = await session.connection()
        await connection.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")


DIMENSIONS = ("level", "city_code", "grade", "sharing", "opening", "usage_mask")


Dimensions = dict[str, dict[str, int]]


_attributes = cache(facets.decode_attributes)


@cache
def _place(value: int) -> tuple[str | None, str]:
    city, usage = facets.decode_place_and_usage(value)
    return city, str(usage)


def dimensions(attributes: dict[int, int], places: dict[int, int]) -> Dimensions:
    """Facet counts by value from the two groupings of facet keys."""
    dims: Dimensions = {name: {} for name in DIMENSIONS}
    level, grade, sharing, opening = (
        dims["level"],
        dims["grade"],
        dims["sharing"],
        dims["opening"],
    )
    for value, n in attributes.items():
        lv, gr, sh, op = _attributes(value)
        level[lv] = level.get(lv, 0) + n
        grade[gr] = grade.get(gr, 0) + n
        sharing[sh] = sharing.get(sh, 0) + n
        opening[op] = opening.get(op, 0) + n
    city_code, usage_mask = dims["city_code"], dims["usage_mask"]
    for value, n in places.items():
        city, usage = _place(value)
        if city is not None:
            city_code[city] = city_code.get(city, 0) + n
        usage_mask[usage] = usage_mask.get(usage, 0) + n
    return dims


async def cube_facets(
    session: AsyncSession, filters: Filters, *, departments: int
) -> tuple[Dimensions, list[tuple[str, str, int]]]:
    """Facet counts and the top departments for a query without text, in one statement:
    from the province-wide cube, or the department cube when departments are filtered."""
    params = statements.filter_params(filters)
    params["departments"] = departments
    rows = (await session.execute(statements.cube_facets(statements.shape(filters)), params)).all()
    dims = dimensions(
        {int(r[1]): int(r[2]) for r in rows if r[0] == "attributes"},
        {int(r[1]): int(r[2]) for r in rows if r[0] == "places"},
    )
    top_departments = sorted(
        ((str(r[3]), str(r[4]), int(r[2])) for r in rows if r[0] == "department"),
        key=lambda d: (-d[2], d[0]),
    )
    return dims, top_departments


async def cube_total(session: AsyncSession, filters: Filters) -> int:
    """How many items pass filters without text (from the cubes)."""
    dims, _ = await cube_facets(session, filters, departments=0)
    return sum(dims["level"].values())


@dataclass(frozen=True, slots=True)
class LiveFacets:
    """Facet groups, top departments and a page of item keys, read from postings."""

    attributes: dict[int, int]
    places: dict[int, int]
    departments: list[tuple[str, str, int]]  # (id, name, count), most items first
    page: list[int]


async def live_facets(
    session: AsyncSession,
    clauses: Sequence[Clause],
    checks: Sequence[str],
    filters: Filters,
    *,
    departments: int,
    limit: int,
    offset: int,
) -> LiveFacets:
    """One statement: facet groups, top departments and a page (name matches first)."""
    clauses, checks = tuple(clauses), tuple(checks)
    stmt = statements.live_facets(statements.match_shape(clauses, len(checks), filters))
    params = statements.filter_params(filters)
    params.update(statements.match_params(clauses, checks))
    params.update(departments=departments, limit=limit, offset=offset)
    rows = (await session.execute(stmt, params)).all()
    return LiveFacets(
        attributes={int(r[1]): int(r[2]) for r in rows if r[0] == "attributes"},
        places={int(r[1]): int(r[2]) for r in rows if r[0] == "places"},
        departments=sorted(
            ((str(r[3]), str(r[4]), int(r[2])) for r in rows if r[0] == "department"),
            key=lambda d: -d[2],
        ),
        page=[int(r[1]) for r in rows if r[0] == "page"],
    )


async def term_facets(
    session: AsyncSession,
    term: str,
    filters: Filters,
    *,
    departments: int,
    limit: int,
    offset: int,
) -> LiveFacets:
    """A one-term query (no department filter): facet counts from the term's counts, then
    the top departments and a page from its postings, name matches first."""
    s = statements.shape(filters)
    params = statements.filter_params(filters)
    params.update(term=term, departments=departments)
    rows = (await session.execute(statements.term_counts(s), params)).all()
    attributes = {int(r[1]): int(r[2]) for r in rows if r[0] == "attributes"}
    places = {int(r[1]): int(r[2]) for r in rows if r[0] == "places"}
    named = sum(int(r[2]) for r in rows if r[0] == "names" and int(r[1]) == 1)
    if not attributes:
        return LiveFacets(attributes, places, [], [])
    # Name matches first: each half is read in key order and stops at the page's end.
    halves = []
    if offset < named:
        halves.append((1, offset, limit))
        if offset + limit > named:
            halves.append((0, 0, offset + limit - named))
    else:
        halves.append((0, offset - named, limit))
    for i, (_, skip, take) in enumerate(halves):
        params[f"skip{i}"], params[f"take{i}"] = skip, take
    stmt = statements.term_page(s, tuple(flag for flag, _, _ in halves))
    found = (await session.execute(stmt, params)).all()
    return LiveFacets(
        attributes=attributes,
        places=places,
        departments=sorted(
            ((str(r[3]), str(r[4]), int(r[2])) for r in found if r[0] == "department"),
            key=lambda d: (-d[2], d[0]),
        ),
        page=[int(r[1]) for r in found if r[0] == "page1"]
        + [int(r[1]) for r in found if r[0] == "page0"],
    )


async def department_seqs(session: AsyncSession, ids: Iterable[str]) -> dict[str, int]:
    """Departments' integer keys by id."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = (await session.execute(statements.DEPARTMENT_SEQS, {"ids": wanted})).all()
    return {i: int(q) for i, q in rows}


@dataclass(slots=True)
class SummaryRow:
    """An item as lists show it (the listed columns only), with its department's name."""

    item: Any
    department_name: str


async def search_page(
    session: AsyncSession, filters: Filters, *, limit: int, offset: int
) -> list[SummaryRow]:
    """A page of the items passing the filters, in publication order."""
    params = statements.filter_params(filters)
    params.update(limit=limit, offset=offset)
    rows = (await session.execute(statements.search_page(statements.shape(filters)), params)).all()
    return [SummaryRow(row, row.department_name) for row in rows]


async def items_by_seqs(session: AsyncSession, seqs: Sequence[int]) -> list[SummaryRow]:
    """Items by integer key, in the order given, with their departments' names."""
    if not seqs:
        return []
    rows = (await session.execute(statements.ITEMS_BY_SEQS, {"seqs": list(seqs)})).all()
    found = {row.seq: SummaryRow(row, row.department_name) for row in rows}
    return [found[seq] for seq in seqs if seq in found]


async def latest_modification(session: AsyncSession, filters: Filters) -> datetime | None:
    """The newest change among items passing the filters."""
    stmt = statements.latest_modification(statements.shape(filters))
    value = await session.scalar(stmt, statements.filter_params(filters))
    return value if isinstance(value, datetime) else None


async def first_field_names(session: AsyncSession, item_ids: Sequence[str]) -> dict[str, list[str]]:
    """Each item's field names, in order (keywords for the DCAT export)."""
    if not item_ids:
        return {}
    stmt = (
        select(ItemField.item_id, ItemField.name_zh)
        .where(ItemField.item_id.in_(list(item_ids)))
        .order_by(ItemField.item_id, ItemField.position)
    )
    out: dict[str, list[str]] = {}
    for item_id, name in (await session.execute(stmt)).all():
        out.setdefault(item_id, []).append(name)
    return out
