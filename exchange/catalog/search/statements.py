"""The search's SQL, built once per shape: a request only binds values.

A search request used to build its SQL expressions anew (a fifth of its time). Every
statement here is built once for a *shape* — which filters are present, how many clauses
and phrase checks, whether a clause has one term or several — and cached; the values (terms,
filter codes, LIKE patterns, page bounds) are bind parameters, lists expanding ones. The
same statement object is executed again, so SQLAlchemy reuses its cache key and compiled
form. The SQL is the SQL built per request before: results and order are unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    desc,
    exists,
    func,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from exchange.catalog.departments.models import Department
from exchange.catalog.items.models import CatalogItem
from exchange.catalog.search import facets
from exchange.catalog.search.models import (
    DepartmentFacetCount,
    FacetCount,
    SearchPosting,
    TermDepartmentCount,
    TermFacetCount,
)
from exchange.catalog.search.text import like_pattern
from exchange.vocabulary import Opening

# Shapes seen in practice are few (filters x clause kinds); the bound keeps odd input cheap.
SHAPES = 512


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


@dataclass(frozen=True, slots=True)
class Clause:
    """Postings an item must have: any of `terms`."""

    terms: tuple[str, ...]


class Shape(NamedTuple):
    """Which filters are present (their values are bound)."""

    departments: bool
    levels: bool
    cities: bool
    grades: bool
    sharings: bool
    openings: bool
    usage: bool
    open_only: bool

    @property
    def any(self) -> bool:
        return any(self)

    @property
    def item_attributes(self) -> bool:
        """Filters on what an item has, not on its department (level and city are both)."""
        return self.grades or self.sharings or self.openings or self.usage


def shape(f: Filters) -> Shape:
    return Shape(
        bool(f.department_ids),
        bool(f.levels),
        bool(f.cities),
        bool(f.grades),
        bool(f.sharings),
        bool(f.openings),
        bool(f.usage_mask),
        f.open_only,
    )


def filter_params(f: Filters) -> dict[str, Any]:
    """The filters' bind values: codes for facet keys (k_*), column values for items (c_*)."""
    return {
        "k_levels": [facets.LEVELS.index(v) for v in f.levels],
        "k_grades": [facets.GRADES.index(v) for v in f.grades],
        "k_sharings": [facets.SHARINGS.index(v) for v in f.sharings],
        "k_openings": [facets.OPENINGS.index(v) for v in f.openings],
        "k_cities": [facets.city_index(c) for c in f.cities],
        "usage": f.usage_mask,
        "department_seqs": list(f.department_seqs or (-1,)),
        "c_departments": list(f.department_ids),
        "c_levels": list(f.levels),
        "c_cities": list(f.cities),
        "c_grades": list(f.grades),
        "c_sharings": list(f.sharings),
        "c_openings": list(f.openings),
    }


def _in(name: str) -> Any:
    return bindparam(name, expanding=True)


def _shift(key: Any, bits: int) -> Any:
    # Inline integer literal: PostgreSQL has no bigint >> bigint operator.
    return key.op(">>")(literal_column(str(int(bits))))


def bits(key: Any, part: facets.Field) -> Any:
    """`(key >> shift) & mask`: one facet of a facet key."""
    return _shift(key, part.shift).op("&")(literal_column(str(int(part.mask))))


def _item_conds(s: Shape) -> list[ColumnElement[bool]]:
    item = CatalogItem
    conds: list[ColumnElement[bool]] = []
    if s.departments:
        conds.append(item.department_id.in_(_in("c_departments")))
    for present, column, name in (
        (s.levels, item.level, "c_levels"),
        (s.cities, item.city_code, "c_cities"),
        (s.grades, item.grade, "c_grades"),
        (s.sharings, item.sharing, "c_sharings"),
        (s.openings, item.opening, "c_openings"),
    ):
        if present:
            conds.append(column.in_(_in(name)))
    if s.open_only:
        conds.append(item.opening != Opening.NOT_OPEN)
    if s.usage:
        conds.append(item.usage_mask.op("&")(bindparam("usage")) != 0)
    return conds


def key_conds(key: Any, s: Shape, *, departments: bool = True) -> list[ColumnElement[bool]]:
    """Conditions on a facet key for the filters of a shape."""
    conds: list[ColumnElement[bool]] = []
    for present, name, part in (
        (s.levels, "k_levels", facets.LEVEL),
        (s.grades, "k_grades", facets.GRADE),
        (s.sharings, "k_sharings", facets.SHARING),
        (s.openings, "k_openings", facets.OPENING),
    ):
        if present:
            conds.append(bits(key, part).in_(_in(name)))
    if s.open_only:
        conds.append(bits(key, facets.OPENING) != facets.OPENINGS.index(Opening.NOT_OPEN))
    if s.cities:
        conds.append(bits(key, facets.CITY).in_(_in("k_cities")))
    if s.usage:
        conds.append(bits(key, facets.USAGE).op("&")(bindparam("usage")) != 0)
    if s.departments and departments:
        conds.append(_shift(key, facets.DEPARTMENT_SHIFT).in_(_in("department_seqs")))
    return conds


_NO_TEXT = cast(null(), String)
_LIMIT = bindparam("limit", type_=Integer)
_OFFSET = bindparam("offset", type_=Integer)
_DEPARTMENTS = bindparam("departments", type_=Integer)


def _department_counts(s: Shape) -> Any:
    """(id, name, n) of the departments with the most items passing the filters."""
    if not s.item_attributes:
        # Level and city belong to the department: its item count is the answer.
        conds: list[ColumnElement[bool]] = [Department.item_count > 0]
        if s.levels:
            conds.append(Department.level.in_(_in("c_levels")))
        if s.cities:
            conds.append(Department.city_code.in_(_in("c_cities")))
        if s.departments:
            conds.append(Department.id.in_(_in("c_departments")))
        return (
            select(Department.id, Department.name, Department.item_count.label("n"))
            .where(*conds)
            .order_by(Department.item_count.desc(), Department.id)
            .limit(_DEPARTMENTS)
        )
    cube = DepartmentFacetCount
    counted = (
        select(cube.department_seq.label("seq"), func.sum(cube.n).label("n"))
        .where(
            cube.n > 0,
            *key_conds(cube.facet_key, s, departments=False),
            *([cube.department_seq.in_(_in("department_seqs"))] if s.departments else []),
        )
        .group_by(cube.department_seq)
        .order_by(desc("n"), cube.department_seq)
        .limit(_DEPARTMENTS)
        .subquery()
    )
    return select(Department.id, Department.name, counted.c.n).join(
        counted, counted.c.seq == Department.seq
    )


@lru_cache(maxsize=SHAPES)
def cube_facets(s: Shape) -> Any:
    """Facet groups from the province-wide cube (or the department cube when departments
    are filtered) and the top departments, in one statement."""
    if s.departments:
        cube: Any = DepartmentFacetCount
        conds = [
            DepartmentFacetCount.department_seq.in_(_in("department_seqs")),
            *key_conds(DepartmentFacetCount.facet_key, s, departments=False),
        ]
    else:
        cube = FacetCount
        conds = key_conds(FacetCount.facet_key, s)
    parts: list[Any] = []
    for kind, part in (("attributes", facets.ATTRIBUTES), ("places", facets.PLACE_AND_USAGE)):
        value = bits(cube.facet_key, part)
        parts.append(
            select(
                literal_column(f"'{kind}'").label("k"),
                value.label("v"),
                func.sum(cube.n).label("n"),
                _NO_TEXT.label("i"),
                _NO_TEXT.label("name"),
            )
            .where(cube.n > 0, *conds)
            .group_by(value)
        )
    top = _department_counts(s).subquery()
    parts.append(
        select(
            literal_column("'department'").label("k"),
            cast(null(), BigInteger).label("v"),
            top.c.n,
            top.c.id.label("i"),
            top.c.name,
        )
    )
    return union_all(*parts)


class MatchShape(NamedTuple):
    """A text query's shape: per clause, whether it has several terms; the phrase checks."""

    several: tuple[bool, ...]
    checks: int
    filters: Shape


def match_shape(clauses: tuple[Clause, ...], checks: int, filters: Filters) -> MatchShape:
    return MatchShape(tuple(len(c.terms) > 1 for c in clauses), checks, shape(filters))


def match_params(clauses: tuple[Clause, ...], checks: tuple[str, ...]) -> dict[str, Any]:
    """Bind values of the clauses (t0, t1, ...) and phrase checks (k0, k1, ...)."""
    params: dict[str, Any] = {
        f"t{i}": list(c.terms) if len(c.terms) > 1 else c.terms[0] for i, c in enumerate(clauses)
    }
    params.update({f"k{i}": like_pattern(p) for i, p in enumerate(checks)})
    return params


def _term(column: Any, i: int, several: bool) -> ColumnElement[bool]:
    if several:
        cond: ColumnElement[bool] = column.in_(_in(f"t{i}"))
    else:
        cond = column == bindparam(f"t{i}", type_=String)
    return cond


def _matched(m: MatchShape) -> Select[Any]:
    """(item_seq, facet_key) of the matching items, from the postings."""
    if not m.several[0]:
        driver: Any = aliased(SearchPosting, name="p0")
        stmt = select(driver.item_seq.label("item_seq"), driver.facet_key.label("facet_key"))
        stmt = stmt.where(_term(driver.term, 0, False))
    else:
        # Several terms for one clause: one row per item (the name flag if any term has it).
        driver = (
            select(
                SearchPosting.item_seq.label("item_seq"),
                func.max(SearchPosting.facet_key).label("facet_key"),
            )
            .where(_term(SearchPosting.term, 0, True))
            .group_by(SearchPosting.item_seq)
            .subquery("p0")
        ).c
        stmt = select(driver.item_seq, driver.facet_key)
    seq, key = driver.item_seq, driver.facet_key
    conds = key_conds(key, m.filters)
    for i, several in enumerate(m.several[1:], start=1):
        other = aliased(SearchPosting)
        conds.append(exists().where(other.item_seq == seq, _term(other.term, i, several)))
    if m.checks:
        conds.append(
            exists().where(
                CatalogItem.seq == seq,
                *(
                    CatalogItem.search_text.like(bindparam(f"k{i}", type_=String), escape="\\")
                    for i in range(m.checks)
                ),
            )
        )
    return stmt.where(*conds)


@lru_cache(maxsize=SHAPES)
def live_facets(m: MatchShape) -> Any:
    """One statement: facet groups, top departments and a page (name matches first)."""
    matched = _matched(m).cte("matched")
    if len(m.several) > 1 or m.checks or m.several[0]:
        matched = matched.prefix_with("MATERIALIZED")
    key = matched.c.facet_key

    def group(kind: str, part: facets.Field) -> Select[Any]:
        value = bits(key, part)
        return select(
            literal_column(f"'{kind}'").label("k"),
            value.label("v"),
            func.count().label("n"),
            _NO_TEXT.label("i"),
            _NO_TEXT.label("name"),
        ).group_by(value)

    department = _shift(key, facets.DEPARTMENT_SHIFT)
    top = (
        select(department.label("seq"), func.count().label("n"))
        .group_by(department)
        .order_by(desc("n"), department)
        .limit(_DEPARTMENTS)
        .subquery()
    )
    named = select(
        literal_column("'department'").label("k"),
        top.c.seq.label("v"),
        top.c.n.label("n"),
        Department.id.label("i"),
        Department.name.label("name"),
    ).join(Department, Department.seq == top.c.seq)
    in_name = bits(key, facets.IN_NAME)
    page = (
        select(
            literal_column("'page'").label("k"),
            matched.c.item_seq.label("v"),
            in_name.label("n"),
            _NO_TEXT.label("i"),
            _NO_TEXT.label("name"),
        )
        .order_by(in_name.desc(), matched.c.item_seq)
        .limit(_LIMIT)
        .offset(_OFFSET)
        .subquery()
    )
    return union_all(
        group("attributes", facets.ATTRIBUTES),
        group("places", facets.PLACE_AND_USAGE),
        named,
        select(*page.c),
    )


_TERM = bindparam("term", type_=String)


@lru_cache(maxsize=SHAPES)
def term_counts(s: Shape) -> Any:
    """A one-term query's facet groups (and name-match count) from its kept counts."""
    cube = TermFacetCount
    conds = [cube.term == _TERM, cube.n > 0, *key_conds(cube.facet_key, s)]
    parts: list[Any] = []
    for kind, part in (
        ("attributes", facets.ATTRIBUTES),
        ("places", facets.PLACE_AND_USAGE),
        ("names", facets.IN_NAME),
    ):
        value = bits(cube.facet_key, part)
        parts.append(
            select(
                literal_column(f"'{kind}'").label("k"),
                value.label("v"),
                func.sum(cube.n).label("n"),
            )
            .where(*conds)
            .group_by(value)
        )
    return union_all(*parts)


@lru_cache(maxsize=SHAPES)
def term_page(s: Shape, halves: tuple[int, ...]) -> Any:
    """A one-term query's top departments and page: each half (name flag 1, then 0) read in
    key order with its own bounds (skip0/take0, skip1/take1)."""
    posting = SearchPosting
    conds = [posting.term == _TERM, *key_conds(posting.facet_key, s)]
    if s.any:
        department = _shift(posting.facet_key, facets.DEPARTMENT_SHIFT)
        top = (
            select(department.label("seq"), func.count().label("n"))
            .where(*conds)
            .group_by(department)
            .order_by(desc("n"), department)
            .limit(_DEPARTMENTS)
            .subquery()
        )
    else:
        counts = TermDepartmentCount
        top = (
            select(counts.department_seq.label("seq"), counts.n.label("n"))
            .where(counts.term == _TERM, counts.n > 0)
            .order_by(counts.n.desc(), counts.department_seq)
            .limit(_DEPARTMENTS)
            .subquery()
        )
    parts: list[Any] = [
        select(
            literal_column("'department'").label("k"),
            top.c.seq.label("v"),
            top.c.n.label("n"),
            Department.id.label("i"),
            Department.name.label("name"),
        ).join(Department, Department.seq == top.c.seq)
    ]
    in_name = bits(posting.facet_key, facets.IN_NAME)
    for i, flag in enumerate(halves):
        page = (
            select(
                literal_column(f"'page{flag}'").label("k"),
                posting.item_seq.label("v"),
                literal_column(str(flag)).label("n"),
                _NO_TEXT.label("i"),
                _NO_TEXT.label("name"),
            )
            .where(*conds, in_name == flag)
            .order_by(posting.item_seq)
            .limit(bindparam(f"take{i}", type_=Integer))
            .offset(bindparam(f"skip{i}", type_=Integer))
            .subquery()
        )
        parts.append(select(*page.c))
    return union_all(*parts)


DEPARTMENT_SEQS = select(Department.id, Department.seq).where(Department.id.in_(_in("ids")))


# What lists, the open list and the DCAT export show of an item: no full entity is loaded.
SUMMARY_COLUMNS = (
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

_SUMMARIES = select(*SUMMARY_COLUMNS, Department.name.label("department_name")).join(
    Department, Department.id == CatalogItem.department_id
)

ITEMS_BY_SEQS = _SUMMARIES.where(CatalogItem.seq.in_(_in("seqs")))


@lru_cache(maxsize=SHAPES)
def search_page(s: Shape) -> Any:
    """A page of the items passing the filters, in publication order."""
    return _SUMMARIES.where(*_item_conds(s)).order_by(CatalogItem.seq).limit(_LIMIT).offset(_OFFSET)


@lru_cache(maxsize=SHAPES)
def latest_modification(s: Shape) -> Any:
    """The newest change among items passing the filters."""
    return select(func.max(CatalogItem.updated_at)).where(*_item_conds(s))
