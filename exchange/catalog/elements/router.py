"""HTTP endpoints of data elements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from exchange.catalog.dependencies import PublisherContext, Ref
from exchange.catalog.elements import service
from exchange.catalog.elements.schemas import (
    ConsumerPage,
    DataElementCreate,
    DataElementPage,
    DataElementRead,
    DataElementUpdate,
)
from exchange.catalog.errors import (
    DataElementNotFound,
    DuplicateCode,
    InvalidConstraints,
    InvalidPattern,
)
from exchange.errors import Forbidden, responses
from exchange.kit.paging import Limit, Offset
from exchange.security import ActorContext

router = APIRouter()


@router.post(
    "/data-elements",
    status_code=201,
    tags=["catalog"],
    operation_id="create_data_element",
    responses=responses(Forbidden, InvalidPattern, InvalidConstraints, DuplicateCode),
)
async def create_data_element(body: DataElementCreate, ctx: PublisherContext) -> DataElementRead:
    """Define a data element (数据元) with its constraints (admins and departments)."""
    return await service.create_element(ctx, body=body)


@router.get("/data-elements", tags=["catalog"], operation_id="list_data_elements")
async def list_data_elements(
    ctx: ActorContext,
    name: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> DataElementPage:
    """Data elements, by code; `name` matches Chinese or English names and codes."""
    return await service.list_elements(ctx, name=name, limit=limit, offset=offset)


@router.get(
    "/data-elements/{element_ref}",
    tags=["catalog"],
    operation_id="get_data_element",
    responses=responses(DataElementNotFound),
)
async def get_data_element(element_ref: Ref, ctx: ActorContext) -> DataElementRead:
    """A data element by id or code, with its authoritative source."""
    return await service.get_element(ctx, element_ref)


@router.patch(
    "/data-elements/{element_ref}",
    tags=["catalog"],
    operation_id="update_data_element",
    responses=responses(Forbidden, DataElementNotFound, InvalidPattern, InvalidConstraints),
)
async def update_data_element(
    element_ref: Ref, body: DataElementUpdate, ctx: PublisherContext
) -> DataElementRead:
    """Revise a data element (its creator or an admin); its version goes up."""
    return await service.update_element(ctx, element_ref=element_ref, body=body)


@router.get(
    "/data-elements/{element_ref}/consumers",
    tags=["catalog"],
    operation_id="list_data_element_consumers",
    responses=responses(DataElementNotFound),
)
async def list_data_element_consumers(
    element_ref: Ref, ctx: ActorContext, limit: Limit = 100, offset: Offset = 0
) -> ConsumerPage:
    """The items using a data element: its source first, then its consumers."""
    return await service.element_consumers(ctx, element_ref=element_ref, limit=limit, offset=offset)
