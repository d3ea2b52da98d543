"""The open list (开放清单) and the DCAT-AP export of the open items."""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import Any

from exchange.catalog.departments import repository as departments_repository
from exchange.catalog.departments.service import divisions
from exchange.catalog.publishing import dcat
from exchange.catalog.publishing.schemas import OpenListEntry, OpenListPage
from exchange.catalog.search import repository as search_repository
from exchange.catalog.vocabulary import UPDATE_FREQUENCY_LABELS, USAGE_LABELS, usage_methods
from exchange.clock import rfc3339
from exchange.context import Context
from exchange.vocabulary import (
    OPENING_LABELS,
    Opening,
)


async def open_list(
    ctx: Context,
    *,
    city: str | None,
    department_id: str | None,
    opening: Opening | None,
    limit: int,
    offset: int,
) -> OpenListPage:
    """The public-data open list (开放清单): every item that is open, conditionally or not."""
    filters = search_repository.Filters(
        department_ids=(department_id,) if department_id else (),
        cities=(city,) if city else (),
        openings=(opening.value,) if opening else (),
        open_only=True,
    )
    if department_id:
        seqs = await search_repository.department_seqs(ctx.session, [department_id])
        filters = dataclasses.replace(filters, department_seqs=tuple(seqs.values()))
    total = await search_repository.cube_total(ctx.session, filters)
    rows = (
        await search_repository.search_page(ctx.session, filters, limit=limit, offset=offset)
        if offset < total
        else []
    )
    return OpenListPage(
        total=total,
        items=[
            OpenListEntry(
                id=r.item.id,
                code=r.item.code,
                name_zh=r.item.name_zh,
                name_en=r.item.name_en,
                department_id=r.item.department_id,
                department_name=r.department_name,
                city_code=r.item.city_code,
                level=r.item.level,
                opening=r.item.opening,
                opening_label=OPENING_LABELS[r.item.opening],
                opening_conditions=r.item.opening_conditions,
                usage_methods=usage_methods(r.item.usage_mask),
                update_frequency=r.item.update_frequency,
                version=r.item.version,
                updated_at=r.item.updated_at,
            )
            for r in rows
        ],
    )


OPEN_LIST_COLUMNS = (
    ("code", "目录编码"),
    ("name_zh", "数据名称"),
    ("name_en", "English name"),
    ("department_name", "数据责任部门"),
    ("city_code", "地市代码"),
    ("opening_label", "开放属性"),
    ("opening_conditions", "开放条件"),
    ("usage_methods", "使用方法"),
    ("update_frequency", "更新频率"),
    ("updated_at", "更新时间"),
)


def open_list_csv(page: OpenListPage) -> str:
    """The open list as CSV with a UTF-8 BOM (opens correctly in Chinese Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([zh for _, zh in OPEN_LIST_COLUMNS])
    for entry in page.items:
        row = entry.model_dump()
        row["usage_methods"] = "、".join(USAGE_LABELS[m] for m in entry.usage_methods)
        row["update_frequency"] = UPDATE_FREQUENCY_LABELS[entry.update_frequency]
        row["updated_at"] = rfc3339(entry.updated_at)
        writer.writerow([_csv_safe(str(row[key])) for key, _ in OPEN_LIST_COLUMNS])
    return "\ufeff" + buffer.getvalue()


def _csv_safe(value: str) -> str:
    # Spreadsheets execute cells starting with these; the open list is for the public.
    return "'" + value if value[:1] in {"=", "+", "-", "@"} else value


async def dcat_catalog(ctx: Context, *, base_url: str, limit: int, offset: int) -> dict[str, Any]:
    """A page of the open items as DCAT-AP 3 JSON-LD."""
    filters = search_repository.Filters(open_only=True)
    total = await search_repository.cube_total(ctx.session, filters)
    rows = (
        await search_repository.search_page(ctx.session, filters, limit=limit, offset=offset)
        if offset < total
        else []
    )
    departments = await departments_repository.get_departments(
        ctx.session, (r.item.department_id for r in rows)
    )
    divs = await divisions(ctx)
    keywords = await search_repository.first_field_names(ctx.session, [r.item.id for r in rows])
    entries = [
        dcat.DatasetEntry(
            id=r.item.id,
            code=r.item.code,
            name_zh=r.item.name_zh,
            name_en=r.item.name_en,
            description=r.item.description,
            department_id=r.item.department_id,
            department_name=r.department_name,
            division_name=divs[departments[r.item.department_id].division_code].name,
            frequency=r.item.update_frequency,
            opening=r.item.opening,
            opening_conditions=r.item.opening_conditions,
            usage=tuple(usage_methods(r.item.usage_mask)),
            keywords=tuple(keywords.get(r.item.id, [])[:8]),
            version=r.item.version,
            issued=r.item.created_at,
            modified=r.item.updated_at,
        )
        for r in rows
    ]
    modified = await search_repository.latest_modification(ctx.session, filters)
    return dcat.catalog_document(
        base_url=base_url,
        entries=entries,
        limit=limit,
        offset=offset,
        total=total,
        modified=modified,
    )
