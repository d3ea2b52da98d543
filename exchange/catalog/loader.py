"""Writing a synthetic province-scale catalog in bulk (目录批量写入).

The generator's departments and items are written in large batches, each batch one unit
of work: bulk inserts (COPY on PostgreSQL), the search index and facet cube updated, and
one audit entry per department whose payload lists every item id of that department and
the SHA-256 of their version documents, so every row written is covered by the log.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from exchange.catalog import facets, generator, repository, service, text
from exchange.catalog.errors import CatalogAlreadyGenerated
from exchange.catalog.models import (
    CatalogItem,
    DataElement,
    Department,
    ElementSource,
    FieldRole,
    ItemField,
    ItemVersion,
    SearchPosting,
    TermDepartmentCount,
    TermFacetCount,
    usage_mask,
)
from exchange.catalog.schemas import DataElementCreate
from exchange.context import SYSTEM_ACTOR, Context, Runtime
from exchange.database import unit_of_work

Progress = Callable[[int, int], None]


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
class _Batch:
    departments: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    fields: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    # item id -> (terms, terms of the name, base facet key, department code)
    terms: dict[str, tuple[set[str], set[str], int, str]] = field(default_factory=dict)
    facets: dict[tuple[str, int], int] = field(default_factory=dict)  # (department code, key)
    audits: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


async def ensure_elements(ctx: Context) -> dict[str, DataElement]:
    """The generator's standard data elements, created (and audited) where missing."""
    existing = await repository.elements_by_codes(ctx.session, (e.code for e in generator.ELEMENTS))
    for spec in generator.ELEMENTS:
        if spec.code in existing:
            continue
        await service.create_element(
            ctx,
            body=DataElementCreate(
                code=spec.code,
                name_zh=spec.name_zh,
                name_en=spec.name_en,
                data_type=spec.data_type,
                format=spec.format,
                max_length=spec.max_length,
                pattern=spec.pattern,
                enum_values=list(spec.enum_values) if spec.enum_values else None,
                minimum=Decimal(spec.minimum) if spec.minimum is not None else None,
                maximum=Decimal(spec.maximum) if spec.maximum is not None else None,
                masking=spec.masking,
            ),
        )
    return await repository.elements_by_codes(ctx.session, (e.code for e in generator.ELEMENTS))


def _department_row(
    runtime: Runtime, plan: generator.DepartmentPlan, ids: dict[str, str], now: Any
) -> dict[str, Any]:
    department_id = runtime.ids.new()
    ids[plan.code] = department_id
    return {
        "id": department_id,
        "code": plan.code,
        "name": plan.name,
        "name_en": plan.name_en,
        "division_code": plan.division_code,
        "level": plan.level,
        "city_code": plan.city_code,
        "parent_id": ids.get(plan.parent_code) if plan.parent_code else None,
        "participant_id": None,
        "item_count": len(plan.items),
        "item_serial": len(plan.items),
        "created_at": now,
        "updated_at": now,
    }


def _add_department(
    runtime: Runtime,
    batch: _Batch,
    plan: generator.DepartmentPlan,
    elements: dict[str, DataElement],
    ids: dict[str, str],
    seed: int,
) -> None:
    now = runtime.clock.now()
    department = _department_row(runtime, plan, ids, now)
    batch.departments.append(department)
    documents: list[str] = []
    item_ids: list[str] = []
    for serial, item in enumerate(plan.items, start=1):
        item_id = runtime.ids.new()
        row: dict[str, Any] = {
            "id": item_id,
            "code": f"{plan.code}-{serial:05d}",
            "department_id": department["id"],
            "level": plan.level,
            "city_code": plan.city_code,
            "name_zh": item.name_zh,
            "name_en": item.name_en,
            "description": item.description,
            "source_system": item.source_system,
            "update_frequency": item.update_frequency,
            "update_method": item.update_method,
            "usage_mask": usage_mask(item.usage_methods),
            "grade": item.grade,
            "personal_info": item.personal_info,
            "sharing": item.sharing,
            "sharing_conditions": item.sharing_conditions,
            "opening": item.opening,
            "opening_conditions": item.opening_conditions,
            "unique_key": list(item.unique_key),
            "completeness_min_pct": item.completeness_min_pct,
            "timeliness_field": item.timeliness_field,
            "version": 1,
            "published_by": SYSTEM_ACTOR,
            "created_at": now,
            "updated_at": now,
        }
        field_docs: list[dict[str, Any]] = []
        for position, f in enumerate(item.fields, start=1):
            element = elements[f.element_code] if f.element_code else None
            batch.fields.append(
                {
                    "item_id": item_id,
                    "position": position,
                    "code": f.code,
                    "name_zh": f.name_zh,
                    "name_en": f.name_en,
                    "element_id": element.id if element else None,
                    "element_version": element.version if element else None,
                    "role": f.role,
                    "required": f.required,
                    "masking": f.masking,
                }
            )
            field_docs.append(
                {
                    "code": f.code,
                    "name_zh": f.name_zh,
                    "name_en": f.name_en,
                    "element_code": f.element_code,
                    "element_version": element.version if element else None,
                    "role": f.role,
                    "required": f.required,
                    "masking": f.masking,
                }
            )
            if f.role is FieldRole.SOURCE and element is not None:
                batch.sources.append({"element_id": element.id, "item_id": item_id, "since": now})
        texts = service.index_texts(
            item.name_zh,
            item.name_en,
            item.description,
            ((f.name_zh, f.name_en, f.code) for f in item.fields),
        )
        row["search_text"] = text.search_text(texts)
        base = facets.base_key(
            level=row["level"],
            grade=row["grade"],
            sharing=row["sharing"],
            opening=row["opening"],
            usage_mask=row["usage_mask"],
            city_code=row["city_code"],
        )
        batch.terms[item_id] = (
            service.index_terms(texts),
            service.index_terms([item.name_zh, item.name_en]),
            base,
            plan.code,
        )
        batch.facets[(plan.code, base)] = batch.facets.get((plan.code, base), 0) + 1
        # Encoded once: stored as the version document and hashed for the audit entry.
        document = service.encode_json(service.item_document(row, field_docs))
        documents.append(document)
        item_ids.append(item_id)
        batch.items.append(row)
        batch.versions.append(
            {
                "item_id": item_id,
                "version": 1,
                "document": document,
                "note": f"合成目录 synthetic catalog, seed {seed}",
                "changed_by": SYSTEM_ACTOR,
                "created_at": now,
            }
        )
    batch.audits.append(
        (
            department["id"],
            {
                "generated": True,
                "seed": seed,
                "department": {
                    k: v for k, v in department.items() if k not in {"created_at", "updated_at"}
                },
                "item_count": len(documents),
                "item_ids": item_ids,
                # SHA-256 of the JSON array of the items' version documents, in order.
                "items_sha256": hashlib.sha256(
                    ("[" + ",".join(documents) + "]").encode()
                ).hexdigest(),
            },
        )
    )


async def _write(ctx: Context, batch: _Batch, report: GenerationReport) -> None:
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
    await repository.adjust_document_frequency(session, frequencies)
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
    await repository.adjust_facets(session, totals, per_department)
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


async def generate(
    runtime: Runtime,
    *,
    departments: int,
    items: int,
    seed: int,
    batch_items: int = 5000,
    progress: Progress | None = None,
) -> GenerationReport:
    """Generate and write a synthetic catalog; refuses to write over an earlier one."""
    started = time.perf_counter()
    report = GenerationReport()
    async with unit_of_work(runtime.sessionmaker) as session:
        ctx = runtime.context(session)
        before = len(
            await repository.elements_by_codes(session, (e.code for e in generator.ELEMENTS))
        )
        elements = await ensure_elements(ctx)
        report.elements_created = len(elements) - before
        divisions = list((await service.divisions(ctx)).values())
        sourced = await repository.sources_for_elements(session, (e.id for e in elements.values()))
    plans = generator.plan_catalog(
        divisions,
        departments=departments,
        items=items,
        seed=seed,
        sourced=[row.element_code for row in sourced.values()],
    )
    ids: dict[str, str] = {}
    batch = _Batch()
    first = True
    # Build the next batch while the previous one is written (the driver works in its own
    # thread or on the socket), one batch in flight at a time, in order.
    writing: asyncio.Task[None] | None = None
    for plan in plans:
        if first:
            await _refuse_rerun(runtime, plan.code)
            first = False
        _add_department(runtime, batch, plan, elements, ids, seed)
        await asyncio.sleep(0)
        if len(batch.items) >= batch_items:
            if writing is not None:
                await writing
            writing = asyncio.create_task(_flush(runtime, batch, report, progress))
            batch = _Batch()
    if writing is not None:
        await writing
    if batch.departments:
        await _flush(runtime, batch, report, progress)
    async with unit_of_work(runtime.sessionmaker) as session:
        await repository.analyze(session)
    report.seconds = time.perf_counter() - started
    return report


async def _refuse_rerun(runtime: Runtime, first_code: str) -> None:
    async with unit_of_work(runtime.sessionmaker, write=False) as session:
        taken = await repository.department_codes_taken(session, [first_code])
    if taken:
        raise CatalogAlreadyGenerated(
            f"Department {first_code} already exists: a synthetic catalog was generated into "
            "this database before. Generate into a fresh database."
        )


async def _flush(
    runtime: Runtime, batch: _Batch, report: GenerationReport, progress: Progress | None
) -> None:
    async with unit_of_work(runtime.sessionmaker) as session:
        await repository.prepare_bulk_load(session)
        await _write(runtime.context(session), batch, report)
    if progress is not None:
        progress(report.items, report.departments)
