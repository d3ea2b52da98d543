"""HTTP endpoints of listings (挂牌): venues on each exchange, licence tiers, delivery packages."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from exchange.assets.packages.errors import PackageNotStored
from exchange.context import Context
from exchange.dataspaces.consents.errors import (
    ConsentExpired,
    ConsentRevoked,
    PersonalInformationBasisRequired,
    PurposeNotConsented,
)
from exchange.errors import Conflict, Forbidden, responses
from exchange.kit.fields import MAX_AMOUNT_FEN
from exchange.kit.paging import Limit, Offset
from exchange.kit.roles import HolderContext, OperatorContext
from exchange.operation.errors import AgreementNotLive
from exchange.security import ActorContext
from exchange.trading.listings import service
from exchange.trading.listings.errors import (
    AssetAlreadyListed,
    CoreDataNotListable,
    DeliveryFingerprintMismatch,
    ListingNotFound,
    PriceOutOfLimits,
)
from exchange.trading.listings.schemas import (
    ListingCreate,
    ListingMove,
    ListingPage,
    ListingRead,
    ListingReviewCreate,
    listing_read,
)
from exchange.trading.policies.errors import (
    PolicyAllowanceInconsistent,
    PolicyNotEnforceable,
    ResaleProhibited,
)
from exchange.trading.venues.errors import ExchangeNotFound, NotExchangeOperator, VenueStateConflict

router = APIRouter(tags=["trading"])


@router.post(
    "/listings",
    status_code=201,
    operation_id="create_listing",
    responses=responses(
        CoreDataNotListable,
        DeliveryFingerprintMismatch,
        PriceOutOfLimits,
        ExchangeNotFound,
        AssetAlreadyListed,
        PolicyNotEnforceable,
        PolicyAllowanceInconsistent,
        ResaleProhibited,
        PackageNotStored,
        AgreementNotLive,
        Conflict,
        PersonalInformationBasisRequired,
        ConsentRevoked,
        ConsentExpired,
        PurposeNotConsented,
    ),
)
async def create_listing(body: ListingCreate, ctx: HolderContext) -> ListingRead:
    """List a registered asset with a valid certificate (无登记不交易, 无合规不上架)."""
    return listing_read(await create_from(ctx, body))


async def create_from(ctx: Context, body: ListingCreate) -> service.ListingView:
    """Create the listing a request describes (the API's and the console's forms alike)."""
    return await service.create_listing(
        ctx,
        asset_id=body.asset_id,
        title=body.title,
        description=body.description,
        venues=body.venues,
        tiers=[
            service.TierSpec(t.name, t.scope, t.term_days, t.price_fen, t.exclusive, t.policy)
            for t in body.tiers
        ],
        delivery=service.DeliverySpec(
            body.delivery.kind,
            body.delivery.filename,
            body.delivery.media_type,
            body.delivery.body_bytes(),
        ),
    )


@router.get("/listings", operation_id="list_listings")
async def list_listings(
    ctx: ActorContext,
    exchange_id: str | None = None,
    product_form: str | None = None,
    grade: str | None = None,
    holder_id: str | None = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Words in title or description")
    ] = None,
    include_inactive: bool = False,
    min_price_fen: Annotated[
        int | None,
        Query(ge=0, le=MAX_AMOUNT_FEN, description="Some tier costs at least this (fen)"),
    ] = None,
    max_price_fen: Annotated[
        int | None,
        Query(ge=0, le=MAX_AMOUNT_FEN, description="Some tier costs at most this (fen)"),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ListingPage:
    """Browse listed data products (active ones; holders and overseers may see the rest)."""
    views, total = await service.list_listings(
        ctx,
        exchange_id=exchange_id,
        product_form=product_form,
        grade=grade,
        holder_id=holder_id,
        text=q.strip() if q else None,
        include_inactive=include_inactive,
        limit=limit,
        offset=offset,
        min_price_fen=min_price_fen,
        max_price_fen=max_price_fen,
    )
    return ListingPage(items=[listing_read(v) for v in views], total=total)


@router.get(
    "/listings/{listing_id}", operation_id="get_listing", responses=responses(ListingNotFound)
)
async def get_listing(listing_id: str, ctx: ActorContext) -> ListingRead:
    """A listing with its venues and licence tiers."""
    return listing_read(await service.get_listing(ctx, listing_id))


@router.post(
    "/listings/{listing_id}/venues/{exchange_id}/review",
    operation_id="review_listing",
    responses=responses(ListingNotFound, NotExchangeOperator, VenueStateConflict, AgreementNotLive),
)
async def review_listing(
    listing_id: str, exchange_id: str, body: ListingReviewCreate, ctx: OperatorContext
) -> ListingRead:
    """An operator's listing review (上架审核) on its own exchange."""
    view = await service.review_listing(
        ctx,
        listing_id=listing_id,
        exchange_id=exchange_id,
        approve=body.approve,
        reason=body.reason,
    )
    return listing_read(view)


@router.post(
    "/listings/{listing_id}/{move}",
    operation_id="move_listing",
    responses=responses(ListingNotFound, Forbidden, VenueStateConflict, AgreementNotLive),
)
async def move_listing(
    listing_id: str,
    move: Literal["suspend", "resume", "delist"],
    body: ListingMove,
    ctx: ActorContext,
) -> ListingRead:
    """Suspend, resume or delist (暂停/恢复/下架): the holder, or the exchange on its own venue."""
    view = await service.move_listing(
        ctx, listing_id=listing_id, move=move, exchange_id=body.exchange_id, reason=body.reason
    )
    return listing_read(view)
