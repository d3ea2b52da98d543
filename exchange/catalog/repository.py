"""Every query of the catalog, including the search index and bulk loading."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    case,
    cast,
    delete,
    desc,
    exists,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from exchange.catalog import facets
from exchange.catalog.models import (
    CatalogItem,
    ConflictStatus,
    DataElement,
    Department,
    DepartmentFacetCount,
    Division,
    ElementSource,
    FacetCount,
    FieldRole,
    ItemField,
    ItemSample,
    ItemVersion,
    QualityReport,
    SearchPosting,
    SearchTerm,
    ShareRequest,
    ShareStatus,
    SourceConflict,
    TermDepartmentCount,
    TermFacetCount,
)
from exchange.catalog.text import like_pattern, prefix_upper_bound
from exchange.vocabulary import Opening

# --- divisions and departments ---------------------------------------------------------


async def all_divisions(session: AsyncSession) -> Sequence[Division]:
    """Every division, by code."""
    return (await session.scalars(select(Division).order_by(Division.code))).all()


async def get_department(
    session: AsyncSession, department_id: str, *, for_update: bool = False
) -> Department | None:
    """One department by id."""
    stmt = select(Department).where(Department.id == department_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def get_departments(session: AsyncSession, ids: Iterable[str]) -> dict[str, Department]:
    """Several departments by id."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await session.scalars(select(Department).where(Department.id.in_(wanted)))
    return {d.id: d for d in rows}


async def department_by_code(session: AsyncSession, code: str) -> Department | None:
    """A department by its code."""
    return (await session.scalars(select(Department).where(Department.code == code))).first()


async def department_codes_taken(session: AsyncSession, codes: Sequence[str]) -> list[str]:
    """Which of the codes already name departments."""
    if not codes:
        return []
    rows = await session.scalars(select(Department.code).where(Department.code.in_(codes)))
    return list(rows)


async def department_of_participant(
    session: AsyncSession, participant_id: str
) -> Department | None:
    """The department a participant is bound to."""
    stmt = select(Department).where(Department.participant_id == participant_id)
    return (await session.scalars(stmt)).first()


async def department_named(
    session: AsyncSession, division_code: str, name: str
) -> Department | None:
    """The department of that name in a division."""
    stmt = select(Department).where(
        Department.division_code == division_code, Department.name == name
    )
    return (await session.scalars(stmt)).first()


async def list_departments(
    session: AsyncSession,
    *,
    division_code: str | None,
    city_code: str | None,
    level: str | None,
    parent_id: str | None,
    name: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Department], int]:
    """A page of departments (by code) and the total."""
    conds: list[ColumnElement[bool]] = []
    if division_code:
        conds.append(Department.division_code == division_code)
    if city_code:
        conds.append(Department.city_code == city_code)
    if level:
        conds.append(Department.level == level)
    if parent_id:
        conds.append(Department.parent_id == parent_id)
    if name:
        conds.append(Department.name.like(like_pattern(name), escape="\\"))
    rows = await session.scalars(
        select(Department).where(*conds).order_by(Department.code).limit(limit).offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(Department).where(*conds))
    return rows.all(), int(total or 0)


async def next_item_serial(session: AsyncSession, department_id: str) -> int:
    """Take the department's next item serial and count the new item (atomic)."""
    stmt = (
        update(Department)
        .where(Department.id == department_id)
        .values(
            item_serial=Department.item_serial + 1,
            item_count=Department.item_count + 1,
        )
        .returning(Department.item_serial)
        .execution_options(synchronize_session=False)
    )
    return int((await session.execute(stmt)).scalar_one())


# --- data elements ---------------------------------------------------------------------


async def get_element(session: AsyncSession, element_id: str) -> DataElement | None:
    """One data element by id."""
    return await session.get(DataElement, element_id)


async def element_by_code(session: AsyncSession, code: str) -> DataElement | None:
    """One data element by code."""
    return (await session.scalars(select(DataElement).where(DataElement.code == code))).first()


async def elements_by_codes(session: AsyncSession, codes: Iterable[str]) -> dict[str, DataElement]:
    """Data elements by code."""
    wanted = list(set(codes))
    if not wanted:
        return {}
    rows = await session.scalars(select(DataElement).where(DataElement.code.in_(wanted)))
    return {e.code: e for e in rows}


async def elements_by_ids(session: AsyncSession, ids: Iterable[str]) -> dict[str, DataElement]:
    """Data elements by id."""
    wanted = list({i for i in ids if i})
    if not wanted:
        return {}
    rows = await session.scalars(select(DataElement).where(DataElement.id.in_(wanted)))
    return {e.id: e for e in rows}


async def list_elements(
    session: AsyncSession, *, name: str | None, limit: int, offset: int
) -> tuple[Sequence[DataElement], int]:
    """A page of data elements (by code) and the total."""
    conds: list[ColumnElement[bool]] = []
    if name:
        pattern = like_pattern(name)
        conds.append(
            or_(
                DataElement.name_zh.like(pattern, escape="\\"),
                func.lower(DataElement.name_en).like(pattern.lower(), escape="\\"),
                func.lower(DataElement.code).like(pattern.lower(), escape="\\"),
            )
        )
    rows = await session.scalars(
        select(DataElement).where(*conds).order_by(DataElement.code).limit(limit).offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(DataElement).where(*conds))
    return rows.all(), int(total or 0)


@dataclass(frozen=True, slots=True)
class SourceRow:
    """An element's authoritative source with what a pointer needs."""

    element_id: str
    element_code: str
    item_id: str
    item_code: str
    item_name: str
    department_id: str


async def sources_for_elements(
    session: AsyncSession, element_ids: Iterable[str]
) -> dict[str, SourceRow]:
    """The authoritative source of each element that has one."""
    wanted = list(set(element_ids))
    if not wanted:
        return {}
    stmt = (
        select(
            ElementSource.element_id,
            DataElement.code,
            CatalogItem.id,
            CatalogItem.code,
            CatalogItem.name_zh,
            CatalogItem.department_id,
        )
        .join(DataElement, DataElement.id == ElementSource.element_id)
        .join(CatalogItem, CatalogItem.id == ElementSource.item_id)
        .where(ElementSource.element_id.in_(wanted))
    )
    return {row[0]: SourceRow(*row) for row in (await session.execute(stmt)).all()}


async def lock_elements(session: AsyncSession, element_ids: Iterable[str]) -> None:
    """Row-lock data elements, in id order, so that claims to be their source queue up."""
    ids = sorted(set(element_ids))
    if ids:
        stmt = (
            select(DataElement.id)
            .where(DataElement.id.in_(ids))
            .order_by(DataElement.id)
            .with_for_update()
        )
        await session.execute(stmt)


async def source_elements_of_item(session: AsyncSession, item_id: str) -> set[str]:
    """The elements an item is the authoritative source of."""
    rows = await session.scalars(
        select(ElementSource.element_id).where(ElementSource.item_id == item_id)
    )
    return set(rows)


async def set_source(
    session: AsyncSession, *, element_id: str, item_id: str, since: datetime
) -> None:
    """Make an item the element's source (insert or move)."""
    moved = await session.execute(
        update(ElementSource)
        .where(ElementSource.element_id == element_id)
        .values(item_id=item_id, since=since)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount == 0:  # type: ignore[attr-defined]
        await session.execute(
            insert(ElementSource).values(element_id=element_id, item_id=item_id, since=since)
        )


async def release_sources(
    session: AsyncSession, *, item_id: str, element_ids: Iterable[str]
) -> None:
    """Drop an item's claim to be the source of these elements."""
    ids = list(element_ids)
    if ids:
        await session.execute(
            delete(ElementSource)
            .where(ElementSource.item_id == item_id, ElementSource.element_id.in_(ids))
            .execution_options(synchronize_session=False)
        )


async def consumers_of_element(
    session: AsyncSession, element_id: str, *, limit: int, offset: int
) -> tuple[list[tuple[str, str, str, str, str, str]], int]:
    """Items using an element: (item id, code, name, department, field code, role)."""
    conds = [ItemField.element_id == element_id]
    stmt = (
        select(
            CatalogItem.id,
            CatalogItem.code,
            CatalogItem.name_zh,
            CatalogItem.department_id,
            ItemField.code,
            ItemField.role,
        )
        .join(CatalogItem, CatalogItem.id == ItemField.item_id)
        .where(*conds)
        .order_by(case((ItemField.role == FieldRole.SOURCE, 0), else_=1), CatalogItem.seq)
        .limit(limit)
        .offset(offset)
    )
    rows = [tuple(r) for r in (await session.execute(stmt)).all()]
    total = await session.scalar(select(func.count()).select_from(ItemField).where(*conds))
    return rows, int(total or 0)  # type: ignore[return-value]


# --- items -----------------------------------------------------------------------------


async def get_item(
    session: AsyncSession, item_id: str, *, for_update: bool = False
) -> CatalogItem | None:
    """One item by id."""
    stmt = select(CatalogItem).where(CatalogItem.id == item_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def item_with_department(
    session: AsyncSession, item_id: str
) -> tuple[CatalogItem, Department, bool] | None:
    """An item, its department and whether it has a stored sample, in one query."""
    has_sample = exists().where(ItemSample.item_id == CatalogItem.id)
    stmt = (
        select(CatalogItem, Department, has_sample.label("has_sample"))
        .join(Department, Department.id == CatalogItem.department_id)
        .where(CatalogItem.id == item_id)
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1], bool(row[2]))


async def fields_with_elements(
    session: AsyncSession, item_id: str
) -> list[tuple[ItemField, DataElement | None]]:
    """An item's fields in order, each with its data element (if mapped)."""
    stmt = (
        select(ItemField, DataElement)
        .outerjoin(DataElement, DataElement.id == ItemField.element_id)
        .where(ItemField.item_id == item_id)
        .order_by(ItemField.position)
    )
    return [(f, e) for f, e in (await session.execute(stmt)).all()]


async def latest_quality_reports(
    session: AsyncSession, item_id: str, *, limit: int
) -> Sequence[QualityReport]:
    """An item's newest quality reports."""
    stmt = (
        select(QualityReport)
        .where(QualityReport.item_id == item_id)
        .order_by(QualityReport.created_at.desc(), QualityReport.id)
        .limit(limit)
    )
    return (await session.scalars(stmt)).all()


async def item_fields(session: AsyncSession, item_id: str) -> Sequence[ItemField]:
    """The fields of an item's current version, in order."""
    stmt = select(ItemField).where(ItemField.item_id == item_id).order_by(ItemField.position)
    return (await session.scalars(stmt)).all()


async def replace_fields(session: AsyncSession, item_id: str, rows: list[dict[str, Any]]) -> None:
    """Replace an item's fields."""
    await session.execute(
        delete(ItemField)
        .where(ItemField.item_id == item_id)
        .execution_options(synchronize_session=False)
    )
    if rows:
        await session.execute(insert(ItemField), rows)


async def add_version(session: AsyncSession, row: dict[str, Any]) -> None:
    """Store one version document."""
    await session.execute(insert(ItemVersion), [row])


async def versions(session: AsyncSession, item_id: str) -> Sequence[ItemVersion]:
    """An item's versions, oldest first."""
    stmt = select(ItemVersion).where(ItemVersion.item_id == item_id).order_by(ItemVersion.version)
    return (await session.scalars(stmt)).all()


async def get_version(session: AsyncSession, item_id: str, version: int) -> ItemVersion | None:
    """One version of an item."""
    return await session.get(ItemVersion, (item_id, version))


async def quality_reports(
    session: AsyncSession, item_id: str, *, limit: int, offset: int = 0
) -> tuple[Sequence[QualityReport], int]:
    """An item's quality reports, newest first, and their number."""
    stmt = (
        select(QualityReport)
        .where(QualityReport.item_id == item_id)
        .order_by(QualityReport.created_at.desc(), QualityReport.id)
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.scalars(stmt)).all()
    total = await session.scalar(
        select(func.count()).select_from(QualityReport).where(QualityReport.item_id == item_id)
    )
    return rows, int(total or 0)


async def get_quality_report(session: AsyncSession, report_id: str) -> QualityReport | None:
    """One quality report."""
    return await session.get(QualityReport, report_id)


async def get_sample(session: AsyncSession, item_id: str) -> ItemSample | None:
    """The stored sample of an item."""
    return await session.get(ItemSample, item_id)


# --- conflicts -------------------------------------------------------------------------


async def get_conflict(
    session: AsyncSession, conflict_id: str, *, for_update: bool = False
) -> SourceConflict | None:
    """One source conflict."""
    stmt = select(SourceConflict).where(SourceConflict.id == conflict_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def list_conflicts(
    session: AsyncSession,
    *,
    statuses: Sequence[ConflictStatus],
    claimant_department_id: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[SourceConflict], int]:
    """A page of conflicts (newest first) and the total."""
    conds: list[ColumnElement[bool]] = []
    if statuses:
        conds.append(SourceConflict.status.in_(list(statuses)))
    if claimant_department_id is not None:
        conds.append(SourceConflict.claimant_department_id == claimant_department_id)
    rows = await session.scalars(
        select(SourceConflict)
        .where(*conds)
        .order_by(SourceConflict.created_at.desc(), SourceConflict.id)
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(SourceConflict).where(*conds))
    return rows.all(), int(total or 0)


# --- sharing requests ------------------------------------------------------------------


async def get_share(
    session: AsyncSession, request_id: str, *, for_update: bool = False
) -> ShareRequest | None:
    """One sharing request."""
    stmt = select(ShareRequest).where(ShareRequest.id == request_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


def _share_scope(*, department_id: str | None, direction: str) -> list[ColumnElement[bool]]:
    if department_id is None:
        return []
    if direction == "incoming":
        return [ShareRequest.owner_department_id == department_id]
    if direction == "outgoing":
        return [ShareRequest.requester_department_id == department_id]
    return [
        or_(
            ShareRequest.owner_department_id == department_id,
            ShareRequest.requester_department_id == department_id,
        )
    ]


async def list_shares(
    session: AsyncSession,
    *,
    department_id: str | None,
    direction: str,
    status: ShareStatus | None,
    submitted_before: datetime | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[ShareRequest], int]:
    """A page of sharing requests (oldest first) and the total."""
    conds = _share_scope(department_id=department_id, direction=direction)
    if status is not None:
        conds.append(ShareRequest.status == status)
    if submitted_before is not None:
        conds.append(ShareRequest.submitted_at < submitted_before)
    rows = await session.scalars(
        select(ShareRequest)
        .where(*conds)
        .order_by(ShareRequest.submitted_at, ShareRequest.id)
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(ShareRequest).where(*conds))
    return rows.all(), int(total or 0)


async def share_response_totals(
    session: AsyncSession, *, department_id: str | None
) -> tuple[int, int, int]:
    """(answered, sum of response working days, open) for incoming requests in scope."""
    conds = _share_scope(department_id=department_id, direction="incoming")
    answered = select(
        func.count(), func.coalesce(func.sum(ShareRequest.response_working_days), 0)
    ).where(*conds, ShareRequest.status != ShareStatus.PENDING)
    count, days = (await session.execute(answered)).one()
    open_count = await session.scalar(
        select(func.count())
        .select_from(ShareRequest)
        .where(*conds, ShareRequest.status == ShareStatus.PENDING)
    )
    return int(count or 0), int(days or 0), int(open_count or 0)


async def items_brief(session: AsyncSession, ids: Iterable[str]) -> dict[str, tuple[str, str, str]]:
    """Items' (code, name, department id) by id."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    stmt = select(
        CatalogItem.id, CatalogItem.code, CatalogItem.name_zh, CatalogItem.department_id
    ).where(CatalogItem.id.in_(wanted))
    return {i: (c, n, d) for i, c, n, d in (await session.execute(stmt)).all()}


# --- the search index ------------------------------------------------------------------


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _upsert_add(session: AsyncSession, table: Any, keys: list[str], column: str) -> Any:
    ins = postgresql.insert(table) if _dialect(session) == "postgresql" else sqlite.insert(table)
    return ins.on_conflict_do_update(
        index_elements=keys, set_={column: getattr(table.c, column) + getattr(ins.excluded, column)}
    )


async def add_postings(session: AsyncSession, item_seq: int, keys: dict[str, int]) -> None:
    """Index an item under terms, each with its facet key."""
    ordered = sorted(keys)
    if ordered:
        await session.execute(
            insert(SearchPosting),
            [{"term": t, "item_seq": item_seq, "facet_key": keys[t]} for t in ordered],
        )


async def remove_postings(session: AsyncSession, item_seq: int, terms: Iterable[str]) -> None:
    """Un-index an item from terms."""
    ordered = sorted(set(terms))
    if ordered:
        await session.execute(
            delete(SearchPosting)
            .where(SearchPosting.item_seq == item_seq, SearchPosting.term.in_(ordered))
            .execution_options(synchronize_session=False)
        )


async def rekey_postings(session: AsyncSession, item_seq: int, keys: dict[str, int]) -> None:
    """Give an item's existing postings new facet keys (its attributes or name changed)."""
    by_key: dict[int, list[str]] = {}
    for term, key in keys.items():
        by_key.setdefault(key, []).append(term)
    for key, terms in sorted(by_key.items()):
        await session.execute(
            update(SearchPosting)
            .where(SearchPosting.item_seq == item_seq, SearchPosting.term.in_(sorted(terms)))
            .values(facet_key=key)
            .execution_options(synchronize_session=False)
        )


async def adjust_document_frequency(session: AsyncSession, deltas: dict[str, int]) -> None:
    """Add to the document frequency of terms, in one pass in term order (so concurrent
    writers lock rows in the same order and cannot deadlock)."""
    rows = [{"term": t, "head": t[0], "df": d} for t, d in sorted(deltas.items()) if d != 0]
    for start in range(0, len(rows), 5000):
        await session.execute(
            _upsert_add(session, SearchTerm.__table__, ["term"], "df"), rows[start : start + 5000]
        )


async def adjust_facets(
    session: AsyncSession, deltas: dict[int, int], department_deltas: dict[tuple[int, int], int]
) -> None:
    """Add to the facet cubes' counts (rows locked in key order)."""
    rows = [{"facet_key": k, "n": n} for k, n in sorted(deltas.items()) if n != 0]
    for start in range(0, len(rows), 5000):
        await session.execute(
            _upsert_add(session, FacetCount.__table__, ["facet_key"], "n"),
            rows[start : start + 5000],
        )
    department_rows = [
        {"department_seq": d, "facet_key": k, "n": n}
        for (d, k), n in sorted(department_deltas.items())
        if n != 0
    ]
    for start in range(0, len(department_rows), 5000):
        await session.execute(
            _upsert_add(
                session, DepartmentFacetCount.__table__, ["department_seq", "facet_key"], "n"
            ),
            department_rows[start : start + 5000],
        )


async def prefer_serial_plans(session: AsyncSession) -> None:
    """PostgreSQL: no parallel workers for this transaction's small, latency-bound queries
    (starting workers costs more than these queries take)."""
    if _dialect(session) == "postgresql":
        connection = await session.connection()
        await connection.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")


async def adjust_term_facets(
    session: AsyncSession,
    deltas: dict[tuple[str, int], int],
    department_deltas: dict[tuple[str, int], int],
) -> None:
    """Add to the per-term facet and department counts (rows locked in key order)."""
    rows = [{"term": t, "facet_key": k, "n": n} for (t, k), n in sorted(deltas.items()) if n != 0]
    for start in range(0, len(rows), 5000):
        await session.execute(
            _upsert_add(session, TermFacetCount.__table__, ["term", "facet_key"], "n"),
            rows[start : start + 5000],
        )
    department_rows = [
        {"term": t, "department_seq": d, "n": n}
        for (t, d), n in sorted(department_deltas.items())
        if n != 0
    ]
    for start in range(0, len(department_rows), 5000):
        await session.execute(
            _upsert_add(session, TermDepartmentCount.__table__, ["term", "department_seq"], "n"),
            department_rows[start : start + 5000],
        )


async def document_frequencies(session: AsyncSession, terms: Iterable[str]) -> dict[str, int]:
    """Document frequency of each known term."""
    wanted = list(set(terms))
    if not wanted:
        return {}
    stmt = select(SearchTerm.term, SearchTerm.df).where(SearchTerm.term.in_(wanted))
    return {t: int(d) for t, d in (await session.execute(stmt)).all()}


async def terms_starting(session: AsyncSession, head: str, *, limit: int) -> dict[str, int]:
    """Terms that start with a character (a one-character query), most frequent first."""
    stmt = (
        select(SearchTerm.term, SearchTerm.df)
        .where(SearchTerm.head == head, SearchTerm.df > 0)
        .order_by(SearchTerm.df.desc(), SearchTerm.term)
        .limit(limit)
    )
    return {t: int(d) for t, d in (await session.execute(stmt)).all()}


async def terms_with_prefix(session: AsyncSession, prefix: str, *, limit: int) -> dict[str, int]:
    """Indexed words that begin with a prefix, most frequent first."""
    stmt = (
        select(SearchTerm.term, SearchTerm.df)
        .where(
            SearchTerm.term >= prefix,
            SearchTerm.term < prefix_upper_bound(prefix),
            SearchTerm.df > 0,
        )
        .order_by(SearchTerm.df.desc(), SearchTerm.term)
        .limit(limit)
    )
    rows = (await session.execute(stmt)).all()
    # The range is exact under binary collations; the check keeps it exact under others.
    return {t: int(d) for t, d in rows if t.startswith(prefix)}


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
    CatalogItem.personal_info,
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


# --- bulk loading (the synthetic catalog) ----------------------------------------------


async def bulk_insert(
    session: AsyncSession,
    table: Any,
    rows: Sequence[dict[str, Any]],
    *,
    encoded: frozenset[str] = frozenset(),
) -> None:
    """Insert many rows at driver speed (`encoded` columns already hold their stored form)."""
    if not rows:
        return
    columns = list(rows[0])
    connection = await session.connection()
    processors = [
        None if c in encoded else table.c[c].type.bind_processor(connection.dialect)
        for c in columns
    ]
    pick = itemgetter(*columns)
    records: list[tuple[Any, ...]] = [pick(row) for row in rows]
    if len(columns) == 1:
        records = [(value,) for value in records]
    converting = [(i, p) for i, p in enumerate(processors) if p is not None]
    if converting:
        converted: list[tuple[Any, ...]] = []
        for record in records:
            values = list(record)
            for i, p in converting:
                values[i] = p(values[i])
            converted.append(tuple(values))
        records = converted
    await bulk_insert_records(session, table, columns, records)


async def bulk_insert_records(
    session: AsyncSession, table: Any, columns: Sequence[str], records: Sequence[tuple[Any, ...]]
) -> None:
    """Insert ready-made tuples: COPY on PostgreSQL, one executemany on SQLite."""
    if not records:
        return
    connection = await session.connection()
    dialect = connection.dialect
    if dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver.copy_records_to_table(table.name, records=records, columns=list(columns))
        return
    quote = dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    await connection.exec_driver_sql(sql, list(records))


async def bulk_add_counts(
    session: AsyncSession,
    table: Any,
    keys: Sequence[str],
    column: str,
    records: Sequence[tuple[Any, ...]],
) -> None:
    """Add to count rows in bulk ((*keys, n) records with unique keys, in key order):
    on PostgreSQL through COPY into a staging table, on SQLite one executemany."""
    if not records:
        return
    connection = await session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    target = quote(table.name)
    names = ", ".join(quote(c) for c in (*keys, column))
    conflict = ", ".join(quote(k) for k in keys)
    count = quote(column)
    update = f"DO UPDATE SET {count} = {target}.{count} + excluded.{count}"
    if dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        staging = quote(f"staging_{table.name}")
        await driver.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {target}) ON COMMIT DELETE ROWS"
        )
        await driver.copy_records_to_table(
            f"staging_{table.name}", records=records, columns=[*keys, column]
        )
        await driver.execute(
            f"INSERT INTO {target} ({names}) SELECT {names} FROM {staging} "
            f"ON CONFLICT ({conflict}) {update}"
        )
        await driver.execute(f"DELETE FROM {staging}")
        return
    placeholders = ", ".join("?" for _ in (*keys, column))
    await connection.exec_driver_sql(
        f"INSERT INTO {target} ({names}) VALUES ({placeholders}) ON CONFLICT ({conflict}) {update}",
        list(records),
    )


async def prepare_bulk_load(session: AsyncSession) -> None:
    """Give SQLite's page cache room for index-heavy bulk inserts (this connection only)."""
    if _dialect(session) == "sqlite":
        connection = await session.connection()
        await connection.exec_driver_sql("PRAGMA cache_size=-262144")
        # Fewer, larger WAL checkpoints while loading (the write-ahead log still guards it).
        await connection.exec_driver_sql("PRAGMA wal_autocheckpoint=65536")


async def reserve_seqs(session: AsyncSession, model: Any, count: int) -> list[int]:
    """Integer keys for `count` new rows of `model` (the sequence on PostgreSQL; SQLite's
    writer holds the database lock, so the next values after the maximum are free)."""
    if count <= 0:
        return []
    table = model.__table__
    if _dialect(session) == "postgresql":
        result = await session.execute(
            select(func.nextval(func.pg_get_serial_sequence(table.name, "seq"))).select_from(
                func.generate_series(1, count)
            )
        )
        return [int(v) for v in result.scalars()]
    top = await session.scalar(select(func.max(table.c.seq)))
    start = int(top or 0) + 1
    return list(range(start, start + count))


async def analyze(session: AsyncSession) -> None:
    """Refresh the planner's statistics after a bulk load."""
    connection = await session.connection()
    await connection.exec_driver_sql("ANALYZE")
