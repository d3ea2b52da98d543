"""HTTP endpoints of quality checks, quality reports and samples."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from exchange.catalog.dependencies import PublisherContext, Ref
from exchange.catalog.errors import (
    BadSample,
    ItemNotFound,
    NotYourDepartment,
    RecordBreaksRule,
    SampleColumns,
    SampleEncoding,
    SampleNotFound,
    SampleNotVisible,
    UnsupportedSampleType,
)
from exchange.catalog.quality import service
from exchange.catalog.quality.schemas import QualityReportPage, QualityReportRead, SampleRead
from exchange.errors import Forbidden, responses
from exchange.kit.paging import Limit, Offset
from exchange.security import ActorContext

router = APIRouter()


SAMPLE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": {"type": "object"}},
                "example": [{"person_name": "张三", "id_number": "440106199001011234"}],
            },
            "text/csv": {
                "schema": {"type": "string"},
                "example": "person_name,id_number\n张三,440106199001011234\n",
            },
        },
    }
}


@router.post(
    "/catalog/items/{item_id}/quality-checks",
    status_code=201,
    tags=["catalog"],
    operation_id="check_catalog_item_quality",
    openapi_extra=SAMPLE_BODY,
    responses=responses(
        Forbidden,
        ItemNotFound,
        NotYourDepartment,
        SampleEncoding,
        SampleColumns,
        BadSample,
        UnsupportedSampleType,
    ),
)
async def check_catalog_item_quality(
    item_id: Ref, request: Request, ctx: PublisherContext
) -> QualityReportRead:
    """Upload sample records (JSON or CSV, UTF-8); the quality report is stored."""
    return await service.check_quality(
        ctx,
        item_id=item_id,
        content_type=request.headers.get("content-type"),
        body=await request.body(),
    )


@router.get(
    "/catalog/items/{item_id}/quality-reports",
    tags=["catalog"],
    operation_id="list_catalog_item_quality_reports",
    responses=responses(ItemNotFound),
)
async def list_catalog_item_quality_reports(
    item_id: Ref, ctx: ActorContext, limit: Limit = 20, offset: Offset = 0
) -> QualityReportPage:
    """An item's quality reports, newest first."""
    return await service.quality_reports(ctx, item_id=item_id, limit=limit, offset=offset)


@router.get(
    "/catalog/items/{item_id}/quality-reports/{report_id}",
    tags=["catalog"],
    operation_id="get_catalog_item_quality_report",
    responses=responses(ItemNotFound),
)
async def get_catalog_item_quality_report(
    item_id: Ref, report_id: Ref, ctx: ActorContext
) -> QualityReportRead:
    """One quality report in full."""
    return await service.quality_report(ctx, item_id=item_id, report_id=report_id)


@router.put(
    "/catalog/items/{item_id}/sample",
    tags=["catalog"],
    operation_id="store_catalog_item_sample",
    openapi_extra=SAMPLE_BODY,
    responses=responses(
        Forbidden,
        ItemNotFound,
        NotYourDepartment,
        SampleEncoding,
        SampleColumns,
        BadSample,
        RecordBreaksRule,
        UnsupportedSampleType,
    ),
)
async def store_catalog_item_sample(
    item_id: Ref, request: Request, ctx: PublisherContext
) -> SampleRead:
    """Store sample records (at most 50); a record that breaks the standard is refused."""
    return await service.store_sample(
        ctx,
        item_id=item_id,
        content_type=request.headers.get("content-type"),
        body=await request.body(),
    )


@router.get(
    "/catalog/items/{item_id}/sample",
    tags=["catalog"],
    operation_id="preview_catalog_item_sample",
    responses=responses(ItemNotFound, SampleNotFound, SampleNotVisible),
)
async def preview_catalog_item_sample(
    item_id: Ref, ctx: ActorContext, raw: bool = False
) -> SampleRead:
    """The desensitized sample preview (脱敏预览); `raw=true` for the item's own department."""
    return await service.read_sample(ctx, item_id=item_id, raw=raw)
