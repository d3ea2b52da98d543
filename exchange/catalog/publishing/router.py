"""HTTP endpoints of the open list and the DCAT export (public: no key needed)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from exchange.catalog.dependencies import PublicContext
from exchange.catalog.publishing import service
from exchange.catalog.publishing.schemas import OpenListPage
from exchange.kit.paging import Limit, Offset
from exchange.vocabulary import Opening

router = APIRouter()


@router.get(
    "/catalog/open-list",
    tags=["catalog"],
    operation_id="get_open_list",
    response_model=OpenListPage,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def get_open_list(
    ctx: PublicContext,
    city: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    department_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9._-]{1,64}$")] = None,
    opening: Opening | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Literal["json", "csv"] = "json",
) -> OpenListPage | Response:
    """The public-data open list (开放清单); no key needed; `format=csv` for spreadsheets."""
    result = await service.open_list(
        ctx,
        city=city,
        department_id=department_id,
        opening=opening,
        limit=limit,
        offset=offset,
    )
    if format == "csv":
        return Response(
            service.open_list_csv(result),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="open-list.csv"'},
        )
    return result


@router.get(
    "/catalog/dcat",
    tags=["catalog"],
    operation_id="get_dcat_catalog",
    response_class=JSONResponse,
    responses={200: {"content": {"application/ld+json": {"schema": {"type": "object"}}}}},
)
async def get_dcat_catalog(
    request: Request,
    ctx: PublicContext,
    limit: Limit = 100,
    offset: Offset = 0,
) -> JSONResponse:
    """The open items as DCAT-AP 3 JSON-LD, paged with Hydra by `limit`/`offset`; no key needed."""
    document = await service.dcat_catalog(
        ctx, base_url=str(request.base_url).rstrip("/"), limit=limit, offset=offset
    )
    return JSONResponse(document, media_type="application/ld+json")
