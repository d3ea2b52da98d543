"""Writing a generated catalog in bulk (目录批量写入): one batch of departments and items at a
time, with the search index, the facet cubes and one audit entry per department."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exchange.catalog.departments.models import Department
from exchange.catalog.elements.models import ElementSource
from exchange.catalog.items.models import CatalogItem, ItemField, ItemVersion
from exchange.catalog.loading import repository
from exchange.catalog.search import facets, index_repository
from exchange.catalog.search.models import SearchPosting, TermDepartmentCount, TermFacetCount
from exchange.context import Context


@dataclass(slots=True)
class GenerationReport:
    """What a generation wrote and how long it took."""

    departments: int = 0
    items: int = 0
    fields: int = 0
    postings: int = 0
    batches: int = 0
    elements_created: int = 0
    seconds: float = 0.0


@dataclass(slots=True)
class Batch:
    """Rows of generated departments and items, ready to be written together."""

    departments: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    fields: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    # item id -> (terms, terms of the name, base facet key, department code)
    terms: dict[str, tuple[set[str], set[str], int, str]] = field(default_factory=dict)
    facets: dict[tuple[str, int], int] = field(default_factory=dict)  # (department code, key)
    audits: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


async def write_batch(ctx: Context, batch: Batch, report: GenerationReport) -> None:
    """Write one batch of generated departments and items, indexed and audited."""
    session = ctx.session
    department_seqs: dict[str, int] = {}
    reserved = await repository.reserve_seqs(session, Department, len(batch.departments))
    for row, seq in zip(batch.departments, reserved, strict=True):
        row["seq"] = seq
        department_seqs[row["code"]] = seq
    await repository.bulk_insert(session, Department.__table__, batch.departments)
    reserved = await repository.reserve_seqs(session, CatalogItem, len(batch.items))
    seqs: dict[str, int] = {}
    for row, seq in zip(batch.items, reserved, strict=True):
        row["seq"] = seq
        seqs[row["id"]] = seq
    await repository.bulk_insert(session, CatalogItem.__table__, batch.items)
    await repository.bulk_insert(session, ItemField.__table__, batch.fields)
    await repository.bulk_insert(
        session, ItemVersion.__table__, batch.versions, encoded=frozenset({"document"})
    )
    await repository.bulk_insert(session, ElementSource.__table__, batch.sources)
    # Postings grouped by term, items in seq order within a term: written in key order,
    # which keeps B-tree inserts local (sorting 50k terms, not 700k tuples).
    by_term: dict[str, list[tuple[str, int, int]]] = {}
    for item_id, (terms, name_terms, base, code) in batch.terms.items():
        seq = seqs[item_id]
        key = facets.posting_key(base, department_seq=department_seqs[code], in_name=False)
        for term in terms:
            posting = (term, seq, key | 1 if term in name_terms else key)
            found = by_term.get(term)
            if found is None:
                by_term[term] = [posting]
            else:
                found.append(posting)
    postings = [p for term in sorted(by_term) for p in by_term[term]]
    await repository.bulk_insert_records(
        session, SearchPosting.__table__, ("term", "item_seq", "facet_key"), postings
    )
    frequencies = {term: len(found) for term, found in by_term.items()}
    term_facets: dict[tuple[str, int], int] = {}
    term_departments: dict[tuple[str, int], int] = {}
    for term, _seq, key in postings:
        at = (term, key & facets.TERM_KEY_MASK)
        term_facets[at] = term_facets.get(at, 0) + 1
        by = (term, key >> facets.DEPARTMENT_SHIFT)
        term_departments[by] = term_departments.get(by, 0) + 1
    await index_repository.adjust_document_frequency(session, frequencies)
    await repository.bulk_add_counts(
        session,
        TermFacetCount.__table__,
        ("term", "facet_key"),
        "n",
        [(t, k, n) for (t, k), n in sorted(term_facets.items())],
    )
    await repository.bulk_add_counts(
        session,
        TermDepartmentCount.__table__,
        ("term", "department_seq"),
        "n",
        [(t, d, n) for (t, d), n in sorted(term_departments.items())],
    )
    totals: dict[int, int] = {}
    per_department: dict[tuple[int, int], int] = {}
    for (code, key), n in batch.facets.items():
        totals[key] = totals.get(key, 0) + n
        per_department[(department_seqs[code], key)] = n
    await index_repository.adjust_facets(session, totals, per_department)
    for department_id, payload in batch.audits:
        ctx.audit(
            "catalog.department_generated",
            subject_type="department",
            subject_id=department_id,
            payload=payload,
        )
    report.departments += len(batch.departments)
    report.items += len(batch.items)
    report.fields += len(batch.fields)
    report.postings += len(postings)
    report.batches += 1


async def prepare_bulk_load(ctx: Context) -> None:
    """Set the session up for bulk writes."""
    await repository.prepare_bulk_load(ctx.session)


async def analyze(ctx: Context) -> None:
    """Refresh the planner's statistics after a bulk load."""
    await repository.analyze(ctx.session)
