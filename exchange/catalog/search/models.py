"""Tables of the catalog's own inverted index (CJK bigrams and Latin words) and its facet
cube, both identical on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base


class SearchPosting(Base):
    """One posting of the search index: a term occurs in an item (by its integer seq).

    `facet_key` packs the item's facet values (see facets.py), so facet counts for a text
    query are read from the postings alone.
    """

    __tablename__ = "catalog_search_postings"
    __table_args__ = ({"sqlite_with_rowid": False},)

    term: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    facet_key: Mapped[int] = mapped_column(BigInteger)


class SearchTerm(Base):
    """A term of the search index with its document frequency (how many items have it)."""

    __tablename__ = "catalog_search_terms"
    __table_args__ = ({"sqlite_with_rowid": False},)

    term: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The first character, so a one-character query can find the bigrams it starts.
    head: Mapped[str] = mapped_column(String(1), index=True)
    df: Mapped[int] = mapped_column(Integer)


class TermFacetCount(Base):
    """Per search term, how many items have each facet combination (and name flag): the
    facets of a one-term query are read here instead of counting its postings."""

    __tablename__ = "catalog_term_facet_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    term: Mapped[str] = mapped_column(String(32), primary_key=True)
    # A posting key without the department bits (facets.TERM_KEY_MASK).
    facet_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)


class TermDepartmentCount(Base):
    """Per search term, how many items of each department have it (the department facet
    of a one-term query without filters)."""

    __tablename__ = "catalog_term_department_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    term: Mapped[str] = mapped_column(String(32), primary_key=True)
    department_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)


class FacetCount(Base):
    """Item counts per facet combination (the facet cube, keyed like postings without the
    department and name bits), kept with every write."""

    __tablename__ = "catalog_facet_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    facet_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)


class DepartmentFacetCount(Base):
    """Item counts per department and facet combination (the department facet's cube)."""

    __tablename__ = "catalog_department_facet_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    department_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    facet_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)
