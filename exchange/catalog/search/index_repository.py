"""The search index's own tables: writes that keep postings, terms and the facet cubes up
to date, and the term lookups a query starts from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.catalog.search.models import (
    DepartmentFacetCount,
    FacetCount,
    SearchPosting,
    SearchTerm,
    TermDepartmentCount,
    TermFacetCount,
)
from exchange.catalog.search.text import prefix_upper_bound


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


# The lookups a query starts from, built once (a request only binds its values).
_DOCUMENT_FREQUENCIES = select(SearchTerm.term, SearchTerm.df).where(
    SearchTerm.term.in_(bindparam("terms", expanding=True))
)
_TERMS_STARTING = (
    select(SearchTerm.term, SearchTerm.df)
    .where(SearchTerm.head == bindparam("head", type_=String), SearchTerm.df > 0)
    .order_by(SearchTerm.df.desc(), SearchTerm.term)
    .limit(bindparam("limit", type_=Integer))
)
_TERMS_WITH_PREFIX = (
    select(SearchTerm.term, SearchTerm.df)
    .where(
        SearchTerm.term >= bindparam("low", type_=String),
        SearchTerm.term < bindparam("high", type_=String),
        SearchTerm.df > 0,
    )
    .order_by(SearchTerm.df.desc(), SearchTerm.term)
    .limit(bindparam("limit", type_=Integer))
)


async def document_frequencies(session: AsyncSession, terms: Iterable[str]) -> dict[str, int]:
    """Document frequency of each known term."""
    wanted = list(set(terms))
    if not wanted:
        return {}
    rows = (await session.execute(_DOCUMENT_FREQUENCIES, {"terms": wanted})).all()
    return {t: int(d) for t, d in rows}


async def terms_starting(session: AsyncSession, head: str, *, limit: int) -> dict[str, int]:
    """Terms that start with a character (a one-character query), most frequent first."""
    rows = (await session.execute(_TERMS_STARTING, {"head": head, "limit": limit})).all()
    return {t: int(d) for t, d in rows}


async def terms_with_prefix(session: AsyncSession, prefix: str, *, limit: int) -> dict[str, int]:
    """Indexed words that begin with a prefix, most frequent first."""
    params = {"low": prefix, "high": prefix_upper_bound(prefix), "limit": limit}
    rows = (await session.execute(_TERMS_WITH_PREFIX, params)).all()
    # The range is exact under binary collations; the check keeps it exact under others.
    return {t: int(d) for t, d in rows if t.startswith(prefix)}
