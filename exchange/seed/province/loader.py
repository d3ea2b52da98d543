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
from decimal import Decimal
from typing import Any

from exchange.catalog.departments import service as departments_service
from exchange.catalog.elements import service as elements_service
from exchange.catalog.elements.schemas import DataElementCreate
from exchange.catalog.elements.service import DataElement
from exchange.catalog.errors import CatalogAlreadyGenerated
from exchange.catalog.items import rules
from exchange.catalog.loading import service as loading
from exchange.catalog.loading.service import GenerationReport
from exchange.catalog.search import facets, indexing, text
from exchange.catalog.vocabulary import FieldRole, usage_mask
from exchange.context import SYSTEM_ACTOR, Context, Runtime
from exchange.database import unit_of_work
from exchange.seed.province import generator

Progress = Callable[[int, int], None]


async def ensure_elements(ctx: Context) -> dict[str, DataElement]:
    """The generator's standard data elements, created (and audited) where missing."""
    existing = await elements_service.elements_by_codes(ctx, (e.code for e in generator.ELEMENTS))
    for spec in generator.ELEMENTS:
        if spec.code in existing:
            continue
        await elements_service.create_element(
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
    return await elements_service.elements_by_codes(ctx, (e.code for e in generator.ELEMENTS))


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
    batch: loading.Batch,
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
        texts = indexing.index_texts(
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
            text.index_terms(texts),
            text.index_terms([item.name_zh, item.name_en]),
            base,
            plan.code,
        )
        batch.facets[(plan.code, base)] = batch.facets.get((plan.code, base), 0) + 1
        # Encoded once: stored as the version document and hashed for the audit entry.
        document = rules.encode_json(rules.item_document(row, field_docs))
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
            await elements_service.elements_by_codes(ctx, (e.code for e in generator.ELEMENTS))
        )
        elements = await ensure_elements(ctx)
        report.elements_created = len(elements) - before
        divisions = list((await departments_service.divisions(ctx)).values())
        sourced = await elements_service.sources_of(ctx, (e.id for e in elements.values()))
    plans = generator.plan_catalog(
        divisions,
        departments=departments,
        items=items,
        seed=seed,
        sourced=[row.element_code for row in sourced.values()],
    )
    ids: dict[str, str] = {}
    batch = loading.Batch()
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
            batch = loading.Batch()
    if writing is not None:
        await writing
    if batch.departments:
        await _flush(runtime, batch, report, progress)
    async with unit_of_work(runtime.sessionmaker) as session:
        await loading.analyze(runtime.context(session))
    report.seconds = time.perf_counter() - started
    return report


async def _refuse_rerun(runtime: Runtime, first_code: str) -> None:
    async with unit_of_work(runtime.sessionmaker, write=False) as session:
        taken = await departments_service.codes_taken(runtime.context(session), [first_code])
    if taken:
        raise CatalogAlreadyGenerated(
            f"Department {first_code} already exists: a synthetic catalog was generated into "
            "this database before. Generate into a fresh database."
        )


async def _flush(
    runtime: Runtime, batch: loading.Batch, report: GenerationReport, progress: Progress | None
) -> None:
    async with unit_of_work(runtime.sessionmaker) as session:
        ctx = runtime.context(session)
        await loading.prepare_bulk_load(ctx)
        await loading.write_batch(ctx, batch, report)
    if progress is not None:
        progress(report.items, report.departments)
