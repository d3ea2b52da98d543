"""HTTP endpoints of licences (许可) and the delivery (交付) they grant."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse

from exchange.assets.packages import service as packages_service
from exchange.clock import rfc3339
from exchange.context import Runtime
from exchange.dataspaces.consents.errors import (
    ConsentExpired,
    ConsentRevoked,
    PersonalInformationBasisRequired,
)
from exchange.errors import Forbidden, responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.roles import RegulatorContext
from exchange.operation.errors import AgreementNotLive
from exchange.security import ActorContext
from exchange.trading.brokerage.schemas import ReasonBody
from exchange.trading.licences import service
from exchange.trading.licences.errors import (
    LicenceNotFound,
    LicenceNotLive,
    LicenceRevoked,
    TransferRequired,
)
from exchange.trading.licences.schemas import LicencePage, LicenceRead, licence_read

router = APIRouter(tags=["trading"])


@router.get("/licences", operation_id="list_licences")
async def list_licences(
    ctx: ActorContext,
    licensee_id: str | None = None,
    licensor_id: str | None = None,
    listing_id: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> LicencePage:
    """Licences: the caller's own (as licensee, or as licensor); regulators filter all."""
    rows, total = await service.list_licences(
        ctx,
        licensee_id=licensee_id,
        licensor_id=licensor_id,
        listing_id=listing_id,
        limit=limit,
        offset=offset,
    )
    return LicencePage(items=[licence_read(ctx, r) for r in rows], total=total)


@router.get(
    "/licences/{licence_id}", operation_id="get_licence", responses=responses(LicenceNotFound)
)
async def get_licence(licence_id: str, ctx: ActorContext) -> LicenceRead:
    """A licence and its state by the clock."""
    return licence_read(ctx, await service.get_licence(ctx, licence_id))


@router.get(
    "/licences/{licence_id}/delivery",
    operation_id="download_delivery",
    response_class=Response,
    responses={
        200: {
            "description": "The delivery package: its bytes as registered, served with the "
            "media type "
            "its holder gave (text/csv, application/json, ...)",
            "content": {"*/*": {}},  # any media type: the bytes as registered
        },
        **responses(
            LicenceNotFound,
            LicenceNotLive,
            TransferRequired,
            Forbidden,
            AgreementNotLive,
            ConsentRevoked,
            ConsentExpired,
            PersonalInformationBasisRequired,
        ),
    },
)
async def download_delivery(licence_id: str, ctx: ActorContext) -> Response:
    """Download the delivery package (交付): the licensee only, while the licence is live.

    `X-Content-SHA256` equals the fingerprint on the asset's certificate (`X-Certificate`).
    """
    return delivery_response(await service.deliver(ctx, licence_id=licence_id), ctx.runtime)


def delivery_response(delivery: service.Delivery, runtime: Runtime) -> Response:
    """The delivery package as served: its bytes (streamed from the registry in the runtime's
    market), media type, file name and fingerprint (the API's download and the console's
    download link answer with this)."""
    listing = delivery.listing
    return StreamingResponse(
        packages_service.stream_package(
            runtime, asset_id=listing.asset_id, sha256=listing.fingerprint
        ),
        media_type=listing.delivery_media_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename*=UTF-8''{quote(listing.delivery_filename)}"
            ),
            "Content-Length": str(delivery.size),
            "X-Content-SHA256": listing.fingerprint,
            "X-Certificate": listing.certificate_number,
            "X-Licence-Expires": rfc3339(delivery.licence.expires_at),
        },
    )


@router.post(
    "/licences/{licence_id}/revoke",
    operation_id="revoke_licence",
    responses=responses(Forbidden, LicenceNotFound, LicenceRevoked),
)
async def revoke_licence(licence_id: str, body: ReasonBody, ctx: RegulatorContext) -> LicenceRead:
    """A regulator revokes a licence with its reason; delivery stops at once."""
    return licence_read(
        ctx, await service.revoke_licence(ctx, licence_id=licence_id, reason=body.reason)
    )
