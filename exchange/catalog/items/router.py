"""HTTP endpoints of catalog items and their versions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from exchange.catalog.dependencies import PublisherContext, Ref
from exchange.catalog.errors import (
    ClassificationRule,
    DepartmentNotBound,
    DepartmentNotFound,
    InvalidItem,
    ItemNotFound,
    NotYourDepartment,
    SecondAuthoritativeSource,
    StaleVersion,
    UnknownDataElement,
    VersionNotFound,
)
from exchange.catalog.items import service
from exchange.catalog.items.schemas import (
    ItemCreate,
    ItemRead,
    ItemUpdate,
    ItemVersionPage,
    ItemVersionRead,
)
from exchange.errors import Forbidden, responses
from exchange.kit.params import Version
from exchange.security import ActorContext

router = APIRouter()


@router.post(
    "/catalog/items",
    status_code=201,
    tags=["catalog"],
    operation_id="publish_catalog_item",
    responses=responses(
        Forbidden,
        NotYourDepartment,
        DepartmentNotBound,
        DepartmentNotFound,
        UnknownDataElement,
        InvalidItem,
        SecondAuthoritativeSource,
        ClassificationRule,
    ),
)
async def publish_catalog_item(body: ItemCreate, ctx: PublisherContext) -> ItemRead:
    """Publish an item for one's own department (admins: any); a second source gets 409."""
    return await service.publish_item(ctx, body=body)


@router.get(
    "/catalog/items/{item_id}",
    tags=["catalog"],
    operation_id="get_catalog_item",
    responses=responses(ItemNotFound),
)
async def get_catalog_item(item_id: Ref, ctx: ActorContext) -> ItemRead:
    """An item's current version with its standard and latest quality reports."""
    return await service.get_item(ctx, item_id)


@router.patch(
    "/catalog/items/{item_id}",
    tags=["catalog"],
    operation_id="revise_catalog_item",
    responses=responses(
        Forbidden,
        ItemNotFound,
        NotYourDepartment,
        UnknownDataElement,
        InvalidItem,
        StaleVersion,
        SecondAuthoritativeSource,
        ClassificationRule,
    ),
)
async def revise_catalog_item(item_id: Ref, body: ItemUpdate, ctx: PublisherContext) -> ItemRead:
    """Revise an item: a new version is written and the history stays readable."""
    return await service.revise_item(ctx, item_id=item_id, body=body)


@router.get(
    "/catalog/items/{item_id}/versions",
    tags=["catalog"],
    operation_id="list_catalog_item_versions",
    responses=responses(ItemNotFound),
)
async def list_catalog_item_versions(item_id: Ref, ctx: ActorContext) -> ItemVersionPage:
    """Every version of an item, oldest first."""
    return await service.item_versions(ctx, item_id)


@router.get(
    "/catalog/items/{item_id}/versions/{version}",
    tags=["catalog"],
    operation_id="get_catalog_item_version",
    responses=responses(ItemNotFound, VersionNotFound),
)
async def get_catalog_item_version(
    item_id: Ref, version: Annotated[Version, Path()], ctx: ActorContext
) -> ItemVersionRead:
    """One version of an item."""
    return await service.item_version(ctx, item_id, version)
