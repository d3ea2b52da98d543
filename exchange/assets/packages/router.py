"""HTTP endpoints of registered packages: the holder deposits and downloads its own."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from exchange.assets.packages import service
from exchange.assets.packages.errors import PackageFingerprintMismatch, PackageNotStored
from exchange.assets.packages.schemas import PackageRead
from exchange.assets.registry.errors import AssetNotFound
from exchange.errors import Forbidden, responses
from exchange.kit.roles import HolderContext
from exchange.security import ActorContext

router = APIRouter(tags=["assets"])

PACKAGE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The package's bytes; their SHA-256 must be the asset's fingerprint.",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
Filename = Annotated[
    str, Query(min_length=1, max_length=200, description="The file name to deliver it under")
]


@router.put(
    "/assets/{asset_id}/package",
    operation_id="deposit_asset_package",
    openapi_extra=PACKAGE_BODY,
    responses=responses(AssetNotFound, Forbidden, PackageFingerprintMismatch),
)
async def deposit_asset_package(
    asset_id: str, filename: Filename, request: Request, ctx: HolderContext
) -> PackageRead:
    """The holder deposits the package it registered (its SHA-256 is the fingerprint)."""
    package = await service.upload_package(
        ctx,
        asset_id=asset_id,
        filename=filename,
        media_type=request.headers.get("content-type") or "application/octet-stream",
        body=await request.body(),
    )
    return PackageRead.model_validate(package)


@router.get(
    "/assets/{asset_id}/package",
    operation_id="download_asset_package",
    response_class=Response,
    responses={
        200: {
            "description": "The package: its bytes as registered, served with the media type "
            "its holder gave (text/csv, application/json, ...)",
            "content": {"*/*": {}},  # any media type: the bytes as registered
        },
        **responses(AssetNotFound, PackageNotStored),
    },
)
async def download_asset_package(asset_id: str, ctx: ActorContext) -> Response:
    """Download an asset's registered package: its holder and overseers (404 for others).

    `X-Content-SHA256` equals the asset's fingerprint (the one on its certificate).
    """
    package = await service.download_package(ctx, asset_id=asset_id)
    return StreamingResponse(
        service.stream_package(ctx.runtime, asset_id=package.asset_id, sha256=package.sha256),
        media_type=package.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(package.filename)}",
            "Content-Length": str(package.size),
            "X-Content-SHA256": package.sha256,
        },
    )
