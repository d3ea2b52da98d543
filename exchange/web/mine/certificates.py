"""My asset's certificate (数据资产凭证) and package: the signed document with its fingerprint,
the registry's check of it, its earlier versions, and downloads of both."""

from __future__ import annotations

import json
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from exchange.assets.certificates import service as certificates_service
from exchange.assets.certificates.errors import CertificateNotFound
from exchange.assets.certificates.signing import encode_signature
from exchange.assets.packages import service as packages_service
from exchange.web.mine.assets import own_asset
from exchange.web.mine.common import Holder, page
from exchange.web.pages import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/me/assets/{asset_id}/certificate", response_class=HTMLResponse)
async def certificate(request: Request, asset_id: str, viewer: Holder) -> HTMLResponse:
    """The asset's current certificate: document, fingerprint, signature and the check."""
    async with viewer.read() as ctx:
        view = await own_asset(ctx, asset_id, viewer.id)
        if view.certificate is None:
            raise CertificateNotFound(f"Asset {asset_id} has no certificate yet.")
        shown = await certificates_service.certificate_view(ctx, view.certificate.number)
        document = certificates_service.parse_document(shown.certificate)
        signature = encode_signature(shown.certificate.signature)
        checked = await certificates_service.verify_presented(
            ctx, document=document, signature=signature
        )
        history, _ = await certificates_service.list_certificates(
            ctx, holder_id=None, asset_id=asset_id, limit=20, offset=0
        )
        key = certificates_service.registry_key(ctx.runtime)
    return page(
        request,
        "mine/certificate.html",
        viewer,
        asset=view.asset,
        shown=shown,
        cert=shown.certificate,
        document=document,
        document_json=json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True),
        signature=signature,
        checked=checked.result,
        issuer_public_key=encode_signature(key.public_raw),
        history=history,
    )


@router.get("/me/assets/{asset_id}/certificate.json")
async def certificate_file(asset_id: str, viewer: Holder) -> Response:
    """The certificate as a file to hand over: its document, signature and key id."""
    async with viewer.read() as ctx:
        view = await own_asset(ctx, asset_id, viewer.id)
        if view.certificate is None:
            raise CertificateNotFound(f"Asset {asset_id} has no certificate yet.")
        number = view.certificate.number
        body = {
            "document": certificates_service.parse_document(view.certificate),
            "signature": encode_signature(view.certificate.signature),
            "key_id": view.certificate.key_id,
        }
    return Response(
        json.dumps(body, ensure_ascii=False, indent=2).encode(),
        media_type="application/json",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(number)}.json"},
    )


@router.get("/me/assets/{asset_id}/package")
async def package_file(asset_id: str, viewer: Holder) -> Response:
    """Download the package registered with the asset (its SHA-256 is the fingerprint)."""
    async with viewer.read() as ctx:
        await own_asset(ctx, asset_id, viewer.id)
        package = await packages_service.download_package(ctx, asset_id=asset_id)
        runtime = ctx.runtime
    return StreamingResponse(
        packages_service.stream_package(runtime, asset_id=package.asset_id, sha256=package.sha256),
        media_type=package.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(package.filename)}",
            "Content-Length": str(package.size),
            "X-Content-SHA256": package.sha256,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
