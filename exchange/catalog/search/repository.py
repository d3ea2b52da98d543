"""Every query of the search index and the facet cubes: search pages, facets, the open list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    cast,
    desc,
    exists,
    func,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from exchange.catalog.departments.models import Department
from exchange.catalog.items.models import CatalogItem, ItemField
from exchange.catalog.search import facets
from exchange.catalog.search.index_repository import _dialect
from exchange.catalog.search.models import (
    DepartmentFacetCount,
    FacetCount,
    SearchPosting,
    TermDepartmentCount,
    TermFacetCount,
)
from exchange.catalog.search.text import like_pattern
from exchange.vocabulary import Opening


async def prefer_serial_plans(session: AsyncSession) -> None:
    """PostgreSQL: no parallel workers for this transaction's small, latency-bound queries
    (starting workers costs more than these queries take)."""
    if _dialect(session) == "postgresql":
        connection = await session.connection()
        await connection.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")


@dataclass(frozen=True, slots=True)
class Filters:
    """Search filters: values within a dimension are alternatives (OR)."""

    department_ids: tuple[str, ...] = ()
    department_seqs: tuple[int, ...] = ()
    levels: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    sharings: tuple[str, ...] = ()
    openings: tuple[str, ...] = ()
    usage_mask: int = 0
    open_only: bool = False

    @property
    def any(self) -> bool:
        return bool(
            self.department_ids
            or self.levels
            or self.cities
            or self.grades
            or self.sharings
            or self.openings
            or self.usage_mask
            or self.open_only
        )


def _filter_conds(model: Any, f: Filters) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if f.department_ids and hasattr(model, "department_id"):
        conds.append(model.department_id.in_(f.department_ids))
    if f.levels:
        conds.append(model.level.in_(f.levels))
    if f.cities:
        conds.append(model.city_code.in_(f.cities))
    if f.grades:
        conds.append(model.grade.in_(f.grades))
    if f.sharings:
        conds.append(model.sharing.in_(f.sharings))
    if f.openings:
        conds.append(model.opening.in_(f.openings))
    if f.open_only:
        conds.append(model.opening != Opening.NOT_OPEN)
    if f.usage_mask:
        conds.append(model.usage_mask.op("&")(f.usage_mask) != 0)
    return conds


@dataclass(frozen=True, slots=True)
class Clause:
    """Postings an item must have: any of `terms`."""

    terms: tuple[str, ...]


def _match_conds(filters: Filters) -> list[ColumnElement[bool]]:
    return _filter_conds(CatalogItem, filters)


DIMENSIONS = ("level", "city_code", "grade", "sharing", "opening", "usage_mask")


Dimensions = dict[str, dict[str, int]]


def dimensions(attributes: dict[int, int], places: dict[int, int]) -> Dimensions:
    """Facet counts by value from the two groupings of facet keys."""
    dims: Dimensions = {name: {} for name in DIMENSIONS}

    def add(name: str, value: str, n: int) -> None:
        dims[name][value] = dims[name].get(value, 0) + n

    for value, n in attributes.items():
        level, grade, sharing, opening = facets.decode_attributes(value)
        add("level", level, n)
        add("grade", grade, n)
        add("sharing", sharing, n)
        add("opening", opening, n)
    for value, n in places.items():
        city, usage = facets.decode_place_and_usage(value)
        if city is not None:
            add("city_code", city, n)
        add("usage_mask", str(usage), n)
    return dims


async def cube_facets(
    session: AsyncSession, filters: Filters, *, departments: int
) -> tuple[Dimensions, list[tuple[str, str, int]]]:
    """Facet counts and the top departments for a query without text, in one statement:
    from the province-wide cube, or the department cube when departments are filtered."""
    if filters.department_ids:
        cube: Any = DepartmentFacetCount
        conds = [
            DepartmentFacetCount.department_seq.in_(filters.department_seqs or [-1]),
            *_key_conds(DepartmentFacetCount.facet_key, replace(filters, department_ids=())),
        ]
    else:
        cube = FacetCount
        conds = _key_conds(FacetCount.facet_key, filters)
    key = cube.facet_key
    no_text = cast(null(), String)
    parts: list[Any] = []
    for kind, part in (("attributes", facets.ATTRIBUTES), ("places", facets.PLACE_AND_USAGE)):
        value = _bits(key, part)
        parts.append(
            select(
                literal_column(f"'{kind}'").label("k"),
                value.label("v"),
                func.sum(cube.n).label("n"),
                no_text.label("i"),
                no_text.label("name"),
            )
            .where(cube.n > 0, *conds)
            .group_by(value)
        )
    top = _department_counts(filters, departments).subquery()
    parts.append(
        select(
            literal_column("'department'").label("k"),
            cast(null(), BigInteger).label("v"),
            top.c.n,
            top.c.id.label("i"),
            top.c.name,
        )
    )
    rows = (await session.execute(union_all(*parts))).all()
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


def _shift(key: Any, bits: int) -> Any:
    # Inline integer literal: PostgreSQL has no bigint >> bigint operator.
    return key.op(">>")(literal_column(str(int(bits))))


def _bits(key: Any, part: facets.Field) -> Any:
    return _shift(key, part.shift).op("&")(literal_column(str(int(part.mask))))


def _key_conds(key: Any, f: Filters) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    for values, codes, part in (
        (f.levels, facets.LEVELS, facets.LEVEL),
        (f.grades, facets.GRADES, facets.GRADE),
        (f.sharings, facets.SHARINGS, facets.SHARING),
        (f.openings, facets.OPENINGS, facets.OPENING),
    ):
        if values:
            conds.append(_bits(key, part).in_([codes.index(v) for v in values]))
    if f.open_only:
        conds.append(_bits(key, facets.OPENING) != facets.OPENINGS.index(Opening.NOT_OPEN))
    if f.cities:
        conds.append(_bits(key, facets.CITY).in_([facets.city_index(c) for c in f.cities]))
    if f.usage_mask:
        conds.append(_bits(key, facets.USAGE).op("&")(f.usage_mask) != 0)
    if f.department_ids:
        conds.append(_shift(key, facets.DEPARTMENT_SHIFT).in_(f.department_seqs or [-1]))
    return conds


def _matched(clauses: Sequence[Clause], checks: Sequence[str], filters: Filters) -> Select[Any]:
    """(item_seq, facet_key) of the matching items, from the postings."""
    head = clauses[0].terms
    if len(head) == 1:
        driver: Any = aliased(SearchPosting, name="p0")
        stmt = select(driver.item_seq.label("item_seq"), driver.facet_key.label("facet_key"))
        stmt = stmt.where(driver.term == head[0])
    else:
        # Several terms for one clause: one row per item (the name flag if any term has it).
        driver = (
            select(
                SearchPosting.item_seq.label("item_seq"),
                func.max(SearchPosting.facet_key).label("facet_key"),
            )
            .where(SearchPosting.term.in_(head))
            .group_by(SearchPosting.item_seq)
            .subquery("p0")
        ).c
        stmt = select(driver.item_seq, driver.facet_key)
    seq, key = driver.item_seq, driver.facet_key
    conds = _key_conds(key, filters)
    for clause in clauses[1:]:
        other = aliased(SearchPosting)
        conds.append(
            exists().where(
                other.item_seq == seq,
                other.term == clause.terms[0]
                if len(clause.terms) == 1
                else other.term.in_(clause.terms),
            )
        )
    if checks:
        conds.append(
            exists().where(
                CatalogItem.seq == seq,
                *(CatalogItem.search_text.like(like_pattern(p), escape="\\") for p in checks),
            )
        )
    return stmt.where(*conds)


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
    matched = _matched(clauses, checks, filters).cte("matched")
    if len(clauses) > 1 or checks or len(clauses[0].terms) > 1:
        matched = matched.prefix_with("MATERIALIZED")
    key = matched.c.facet_key

    no_text = cast(null(), String)

    def group(kind: str, part: facets.Field) -> Select[Any]:
        value = _bits(key, part)
        return select(
            literal_column(f"'{kind}'").label("k"),
            value.label("v"),
            func.count().label("n"),
            no_text.label("i"),
            no_text.label("name"),
        ).group_by(value)

    department = _shift(key, facets.DEPARTMENT_SHIFT)
    top = (
        select(department.label("seq"), func.count().label("n"))
        .group_by(department)
        .order_by(desc("n"), department)
        .limit(departments)
        .subquery()
    )
    named = select(
        literal_column("'department'").label("k"),
        top.c.seq.label("v"),
        top.c.n.label("n"),
        Department.id.label("i"),
        Department.name.label("name"),
    ).join(Department, Department.seq == top.c.seq)
    in_name = _bits(key, facets.IN_NAME)
    page = (
        select(
            literal_column("'page'").label("k"),
            matched.c.item_seq.label("v"),
            in_name.label("n"),
            no_text.label("i"),
            no_text.label("name"),
        )
        .order_by(in_name.desc(), matched.c.item_seq)
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    stmt = union_all(
        group("attributes", facets.ATTRIBUTES),
        group("places", facets.PLACE_AND_USAGE),
        named,
        select(*page.c),
    )
    rows = (await session.execute(stmt)).all()
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
    cube = TermFacetCount
    conds = [cube.term == term, cube.n > 0, *_key_conds(cube.facet_key, filters)]
    no_text = cast(null(), String)
    parts: list[Any] = []
    for kind, part in (
        ("attributes", facets.ATTRIBUTES),
        ("places", facets.PLACE_AND_USAGE),
        ("names", facets.IN_NAME),
    ):
        value = _bits(cube.facet_key, part)
        parts.append(
            select(
                literal_column(f"'{kind}'").label("k"),
                value.label("v"),
                func.sum(cube.n).label("n"),
            )
            .where(*conds)
            .group_by(value)
        )
    rows = (await session.execute(union_all(*parts))).all()
    attributes = {int(r[1]): int(r[2]) for r in rows if r[0] == "attributes"}
    places = {int(r[1]): int(r[2]) for r in rows if r[0] == "places"}
    named = sum(int(r[2]) for r in rows if r[0] == "names" and int(r[1]) == 1)
    if not attributes:
        return LiveFacets(attributes, places, [], [])
    posting = SearchPosting
    key_conds = [posting.term == term, *_key_conds(posting.facet_key, filters)]
    if filters.any:
        department = _shift(posting.facet_key, facets.DEPARTMENT_SHIFT)
        top = (
            select(department.label("seq"), func.count().label("n"))
            .where(*key_conds)
            .group_by(department)
            .order_by(desc("n"), department)
            .limit(departments)
            .subquery()
        )
    else:
        counts = TermDepartmentCount
        top = (
            select(counts.department_seq.label("seq"), counts.n.label("n"))
            .where(counts.term == term, counts.n > 0)
            .order_by(counts.n.desc(), counts.department_seq)
            .limit(departments)
            .subquery()
        )
    second: list[Any] = [
        select(
            literal_column("'department'").label("k"),
            top.c.seq.label("v"),
            top.c.n.label("n"),
            Department.id.label("i"),
            Department.name.label("name"),
        ).join(Department, Department.seq == top.c.seq)
    ]
    in_name = _bits(posting.facet_key, facets.IN_NAME)
    # Name matches first: each half is read in key order and stops at the page's end.
    halves = []
    if offset < named:
        halves.append((1, offset, limit))
        if offset + limit > named:
            halves.append((0, 0, offset + limit - named))
    else:
        halves.append((0, offset - named, limit))
    for flag, skip, take in halves:
        page = (
            select(
                literal_column(f"'page{flag}'").label("k"),
                posting.item_seq.label("v"),
                literal_column(str(flag)).label("n"),
                no_text.label("i"),
                no_text.label("name"),
            )
            .where(*key_conds, in_name == flag)
            .order_by(posting.item_seq)
            .limit(take)
            .offset(skip)
            .subquery()
        )
        second.append(select(*page.c))
    found = (await session.execute(union_all(*second))).all()
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
    stmt = select(Department.id, Department.seq).where(Department.id.in_(wanted))
    return {i: int(q) for i, q in (await session.execute(stmt)).all()}


def _department_counts(filters: Filters, limit: int) -> Select[str, str, int]:
    """(id, name, n) of the departments with the most items passing the filters."""
    if not (filters.grades or filters.sharings or filters.openings or filters.usage_mask):
        # Level and city belong to the department: its item count is the answer.
        conds: list[ColumnElement[bool]] = [Department.item_count > 0]
        if filters.levels:
            conds.append(Department.level.in_(filters.levels))
        if filters.cities:
            conds.append(Department.city_code.in_(filters.cities))
        if filters.department_ids:
            conds.append(Department.id.in_(filters.department_ids))
        return (
            select(Department.id, Department.name, Department.item_count.label("n"))
            .where(*conds)
            .order_by(Department.item_count.desc(), Department.id)
            .limit(limit)
        )
    counted = (
        select(
            DepartmentFacetCount.department_seq.label("seq"),
            func.sum(DepartmentFacetCount.n).label("n"),
        )
        .where(
            DepartmentFacetCount.n > 0,
            *_key_conds(DepartmentFacetCount.facet_key, replace(filters, department_ids=())),
            *(
                [DepartmentFacetCount.department_seq.in_(filters.department_seqs or [-1])]
                if filters.department_ids
                else []
            ),
        )
        .group_by(DepartmentFacetCount.department_seq)
        .order_by(desc("n"), DepartmentFacetCount.department_seq)
        .limit(limit)
        .subquery()
    )
    return select(Department.id, Department.name, counted.c.n).join(
        counted, counted.c.seq == Department.seq
    )


@dataclass(slots=True)
class SummaryRow:
    """An item as lists show it (the listed columns only), with its department's name."""

    item: Any
    department_name: str


# What lists, the open list and the DCAT export show of an item: no full entity is loaded.
_SUMMARY_COLUMNS = (
    CatalogItem.seq,
    CatalogItem.id,
    CatalogItem.code,
    CatalogItem.name_zh,
    CatalogItem.name_en,
    CatalogItem.description,
    CatalogItem.department_id,
    CatalogItem.level,
    CatalogItem.city_code,
    CatalogItem.grade,
    CatalogItem.personal_information,
    CatalogItem.sharing,
    CatalogItem.opening,
    CatalogItem.opening_conditions,
    CatalogItem.usage_mask,
    CatalogItem.update_frequency,
    CatalogItem.version,
    CatalogItem.created_at,
    CatalogItem.updated_at,
)


async def search_page(
    session: AsyncSession, filters: Filters, *, limit: int, offset: int
) -> list[SummaryRow]:
    """A page of the items passing the filters, in publication order."""
    stmt = (
        select(*_SUMMARY_COLUMNS, Department.name.label("department_name"))
        .join(Department, Department.id == CatalogItem.department_id)
        .where(*_match_conds(filters))
        .order_by(CatalogItem.seq)
        .limit(limit)
        .offset(offset)
    )
    return [SummaryRow(row, row.department_name) for row in (await session.execute(stmt)).all()]


async def items_by_seqs(session: AsyncSession, seqs: Sequence[int]) -> list[SummaryRow]:
    """Items by integer key, in the order given, with their departments' names."""
    if not seqs:
        return []
    stmt = (
        select(*_SUMMARY_COLUMNS, Department.name.label("department_name"))
        .join(Department, Department.id == CatalogItem.department_id)
        .where(CatalogItem.seq.in_(list(seqs)))
    )
    found = {
        row.seq: SummaryRow(row, row.department_name) for row in (await session.execute(stmt)).all()
    }
    return [found[seq] for seq in seqs if seq in found]


async def latest_modification(session: AsyncSession, filters: Filters) -> datetime | None:
    """The newest change among items passing the filters."""
    stmt = select(func.max(CatalogItem.updated_at)).where(*_filter_conds(CatalogItem, filters))
    value = await session.scalar(stmt)
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
