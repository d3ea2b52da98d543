"""HTTP endpoints of trading: exchanges, brokers, mandates, listings, orders, negotiations,
auctions, trades, licences and delivery, data customs, market data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Query, Response

from exchange.assets.labels import GRADE_LABELS, PRODUCT_FORM_LABELS
from exchange.context import Context
from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound, responses
from exchange.participants.errors import InsufficientFunds
from exchange.security import ActorContext
from exchange.trading import auctions, idempotency, market, negotiations, service
from exchange.trading.errors import (
    AlreadyBid,
    AlreadyBound,
    AlreadyLicensed,
    AuctionClosed,
    AuctionNeedsExclusiveTier,
    AuctionNotFound,
    AuctionNotOver,
    BidBelowReserve,
    BrokerConductsNegotiation,
    BrokerLicenceNotFound,
    BrokerNotLicensed,
    BrokerRequired,
    CommissionAboveCap,
    CoreDataNotListable,
    CustomsCaseDecided,
    CustomsCaseNotFound,
    DeliveryFingerprintMismatch,
    ExchangeNotFound,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    LegalBasisRequired,
    LicenceNotFound,
    LicenceNotLive,
    LicenceRevoked,
    LicenceUnavailable,
    ListingNotActive,
    ListingNotFound,
    MandateExpired,
    MandateLimitExceeded,
    MandateNotFound,
    MandateRequired,
    MandateRevoked,
    MandateScope,
    NegotiationNotFound,
    NegotiationStateConflict,
    NotExchangeOperator,
    OrderNotFound,
    OwnListing,
    PriceOutOfLimits,
    RoleMayNotTrade,
    TierNotFound,
    TradeModeClosed,
    TradeNotFound,
    VenueStateConflict,
    WrongNegotiationParty,
)
from exchange.trading.models import (
    TRADE_MODE_LABELS,
    AuctionStatus,
    Bid,
    BrokerLicence,
    CustomsCase,
    CustomsStatus,
    ExchangeOperator,
    Licence,
    Mandate,
    MandateStatus,
    Negotiation,
    NegotiationMessage,
    NegotiationState,
    OrderStatus,
    Rulebook,
    Trade,
)
from exchange.trading.repository import TradeFilter
from exchange.trading.schemas import (
    AuctionCreate,
    AuctionPage,
    AuctionRead,
    BidCreate,
    BidRead,
    BreakdownRead,
    BrokerLicenceCreate,
    BrokerLicenceRead,
    CustomsCasePage,
    CustomsCaseRead,
    CustomsDecisionCreate,
    DeliveryRead,
    ExchangeRead,
    IndexPointRead,
    LicencePage,
    LicenceRead,
    ListingCreate,
    ListingMove,
    ListingPage,
    ListingRead,
    ListingReviewCreate,
    MandateCreate,
    MandatePage,
    MandateRead,
    MarketSliceRead,
    MarketStatsRead,
    NegotiationCreate,
    NegotiationMessageRead,
    NegotiationPage,
    NegotiationRead,
    NegotiationSettle,
    NegotiationStep,
    NegotiationTerminate,
    OperatorBind,
    OperatorRead,
    OrderCreate,
    OrderPage,
    OrderRead,
    ReasonBody,
    RulebookChange,
    RulebookRead,
    ServiceBaseRead,
    TierRead,
    TradePage,
    TradeRead,
    VenueRead,
)
from exchange.trading.service import ListingView, MarketSlice, MarketStats
from exchange.trading.settlement import Placed
from exchange.vocabulary import DataGrade, ProductForm, TradeMode

router = APIRouter(prefix="/v1", tags=["trading"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Retries with the same key return the first response and never charge twice.",
    ),
]


def trade_filters(
    exchange_id: str | None = None,
    mode: TradeMode | None = None,
    buyer_id: str | None = None,
    seller_id: str | None = None,
    broker_id: str | None = None,
    listing_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> TradeFilter:
    """The filters trades and orders share (query parameters)."""
    return TradeFilter(
        exchange_id=exchange_id,
        mode=mode,
        buyer_id=buyer_id,
        seller_id=seller_id,
        broker_id=broker_id,
        listing_id=listing_id,
        since=since,
        until=until,
    )


TradeFilters = Annotated[TradeFilter, Depends(trade_filters)]
ORDER_ERRORS = (
    ListingNotFound,
    TierNotFound,
    ListingNotActive,
    TradeModeClosed,
    PriceOutOfLimits,
    OwnListing,
    BrokerRequired,
    BrokerNotLicensed,
    MandateRequired,
    MandateNotFound,
    MandateExpired,
    MandateRevoked,
    MandateScope,
    MandateLimitExceeded,
    CommissionAboveCap,
    LicenceUnavailable,
    LegalBasisRequired,
    InsufficientFunds,
    RoleMayNotTrade,
    IdempotencyKeyReused,
    IdempotencyKeyInUse,
    DeliveryFingerprintMismatch,
)


# --- response builders ---------------------------------------------------------------------


def rulebook_read(book: Rulebook) -> RulebookRead:
    return RulebookRead.model_validate(book)


def exchange_read(view: service.ExchangeView) -> ExchangeRead:
    e = view.exchange
    return ExchangeRead(
        id=e.id,
        name=e.name,
        name_en=e.name_en,
        city=e.city,
        fee_account_id=e.fee_account_id,
        escrow_account_id=e.escrow_account_id,
        rulebook=rulebook_read(view.rulebook),
        bases=[ServiceBaseRead.model_validate(b) for b in view.bases],
    )


def mandate_read(ctx: Context, m: Mandate) -> MandateRead:
    state: Literal["active", "expired", "revoked"] = (
        "revoked"
        if m.status == MandateStatus.REVOKED
        else "expired"
        if ctx.clock.now() >= m.expires_at
        else "active"
    )
    return MandateRead(
        id=m.id,
        client_id=m.client_id,
        broker_id=m.broker_id,
        exchange_ids=m.exchange_ids,
        actions=m.actions,
        spending_limit_fen=m.spending_limit_fen,
        spent_fen=m.spent_fen,
        remaining_fen=m.spending_limit_fen - m.spent_fen,
        commission_bp=m.commission_bp,
        expires_at=m.expires_at,
        state=state,
        created_at=m.created_at,
        revoked_at=m.revoked_at,
    )


def _label(table: dict[ProductForm, str] | dict[DataGrade, str], key: str) -> str:
    return next((label for k, label in table.items() if k.value == key), key)


def listing_read(view: ListingView) -> ListingRead:
    listing = view.listing
    return ListingRead(
        id=listing.id,
        asset_id=listing.asset_id,
        holder_id=listing.holder_id,
        certificate_number=listing.certificate_number,
        title=listing.title,
        description=listing.description,
        product_form=listing.product_form,
        product_form_label=_label(PRODUCT_FORM_LABELS, listing.product_form),
        grade=listing.grade,
        grade_label=_label(GRADE_LABELS, listing.grade),
        personal_information=listing.personal_information,
        delivery=DeliveryRead(
            kind=listing.delivery_kind,
            filename=listing.delivery_filename,
            media_type=listing.delivery_media_type,
            size=listing.delivery_size,
            sha256=listing.fingerprint,
        ),
        venues=[VenueRead.model_validate(v) for v in view.venues],
        tiers=[
            TierRead(
                id=t.id,
                name=t.name,
                scope=t.scope,
                term_days=t.term_days,
                price_fen=t.price_fen,
                exclusive=t.exclusive,
                available=service.tier_available(t),
            )
            for t in view.tiers
        ],
        created_at=listing.created_at,
    )


def licence_read(ctx: Context, licence: Licence) -> LicenceRead:
    return LicenceRead(
        id=licence.id,
        trade_id=licence.trade_id,
        listing_id=licence.listing_id,
        tier_id=licence.tier_id,
        licensee_id=licence.licensee_id,
        licensor_id=licence.licensor_id,
        scope=licence.scope,
        exclusive=licence.exclusive,
        starts_at=licence.starts_at,
        expires_at=licence.expires_at,
        state=service.licence_state(ctx, licence),
        revoked_at=licence.revoked_at,
        revocation_reason=licence.revocation_reason,
    )


def trade_read(trade: Trade) -> TradeRead:
    return TradeRead.model_validate(trade)


def customs_read(case: CustomsCase) -> CustomsCaseRead:
    return CustomsCaseRead.model_validate(case)


def order_read(ctx: Context, placed: Placed) -> OrderRead:
    o = placed.order
    return OrderRead(
        id=o.id,
        mode=o.mode,
        status=o.status,
        reason=o.reason,
        listing_id=o.listing_id,
        tier_id=o.tier_id,
        exchange_id=o.exchange_id,
        rulebook_version=o.rulebook_version,
        buyer_id=o.buyer_id,
        seller_id=o.seller_id,
        broker_id=o.broker_id,
        mandate_id=o.mandate_id,
        placed_by=o.placed_by,
        price_fen=o.price_fen,
        buyer_fee_fen=o.buyer_fee_fen,
        seller_fee_fen=o.seller_fee_fen,
        commission_fen=o.commission_fen,
        total_fen=o.price_fen + o.buyer_fee_fen,
        escrow_fen=o.escrow_fen,
        legal_basis=o.legal_basis,
        negotiation_id=o.negotiation_id,
        auction_id=o.auction_id,
        created_at=o.created_at,
        trade=trade_read(placed.trade) if placed.trade else None,
        licence=licence_read(ctx, placed.licence) if placed.licence else None,
        customs_case=customs_read(placed.customs_case) if placed.customs_case else None,
    )


def negotiation_read(n: Negotiation, messages: Sequence[NegotiationMessage]) -> NegotiationRead:
    return NegotiationRead(
        id=n.id,
        listing_id=n.listing_id,
        tier_id=n.tier_id,
        exchange_id=n.exchange_id,
        consumer_id=n.consumer_id,
        provider_id=n.provider_id,
        broker_id=n.broker_id,
        mandate_id=n.mandate_id,
        state=n.state,
        price_fen=n.price_fen,
        order_id=n.order_id,
        terminated_by=n.terminated_by,
        termination_reason=n.termination_reason,
        created_at=n.created_at,
        updated_at=n.updated_at,
        messages=[NegotiationMessageRead.model_validate(m) for m in messages],
    )


def bid_read(bid: Bid) -> BidRead:
    return BidRead.model_validate(bid)


def auction_read(ctx: Context, view: auctions.AuctionView) -> AuctionRead:
    a = view.auction
    return AuctionRead(
        id=a.id,
        listing_id=a.listing_id,
        tier_id=a.tier_id,
        exchange_id=a.exchange_id,
        seller_id=a.seller_id,
        rule=a.rule,
        reserve_fen=a.reserve_fen,
        rulebook_version=a.rulebook_version,
        closes_at=a.closes_at,
        status=a.status,
        bid_count=view.bid_count,
        winning_bid_id=a.winning_bid_id,
        clearing_price_fen=a.clearing_price_fen,
        order_id=a.order_id,
        created_at=a.created_at,
        closed_at=a.closed_at,
        bids=[bid_read(b) for b in view.bids],
        order=order_read(ctx, view.placed) if view.placed else None,
    )


def _breakdown(
    table: dict[str, service.Breakdown] | None, labels: dict[str, str], whole: int
) -> list[BreakdownRead]:
    return [
        BreakdownRead(
            key=key,
            label=labels.get(key, key),
            trades=b.trades,
            turnover_fen=b.turnover_fen,
            share=float(market.share(b.turnover_fen, whole)),
        )
        for key, b in sorted((table or {}).items())
    ]


FORM_LABELS = {k.value: v for k, v in PRODUCT_FORM_LABELS.items()}
GRADE_NAMES = {k.value: v for k, v in GRADE_LABELS.items()}
MODE_LABELS = {k.value: v for k, v in TRADE_MODE_LABELS.items()}


def slice_read(s: MarketSlice, market_turnover: int) -> MarketSliceRead:
    return MarketSliceRead(
        exchange_id=s.exchange_id,
        trades=s.trades,
        turnover_fen=s.turnover_fen,
        turnover_share=float(market.share(s.turnover_fen, market_turnover)),
        buyers=len(s.buyers or ()),
        sellers=len(s.sellers or ()),
        fees_fen=s.fees_fen,
        broker_commission_fen=s.broker_commission_fen,
        brokered_trades=s.brokered_trades,
        cross_border_trades=s.cross_border_trades,
        by_product_form=_breakdown(s.by_product_form, FORM_LABELS, s.turnover_fen),
        by_grade=_breakdown(s.by_grade, GRADE_NAMES, s.turnover_fen),
        by_mode=_breakdown(s.by_mode, MODE_LABELS, s.turnover_fen),
    )


def index_read(point: market.IndexPoint) -> IndexPointRead:
    return IndexPointRead(
        day=point.day,
        product_form=point.product_form,
        trades=point.trades,
        turnover_fen=point.turnover_fen,
        average_price_fen=round(float(point.average_price_fen), 2),
        index=round(float(point.index), 4),
    )


def stats_read(stats: MarketStats) -> MarketStatsRead:
    whole = stats.overall.turnover_fen
    return MarketStatsRead(
        overall=slice_read(stats.overall, whole),
        exchanges=[slice_read(s, whole) for s in stats.exchanges],
        price_index=[index_read(p) for p in stats.market_index],
        product_form_indices=[index_read(p) for p in stats.form_indices],
        index_method=(market.__doc__ or "").strip(),
    )


def json_response(outcome: idempotency.Outcome) -> Response:
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    return Response(
        content=outcome.body,
        status_code=outcome.status,
        media_type="application/json",
        headers=headers,
    )


# --- exchanges -----------------------------------------------------------------------------


@router.get("/exchanges", operation_id="list_exchanges")
async def list_exchanges(ctx: ActorContext) -> list[ExchangeRead]:
    """The data exchanges (数据交易所), their current rulebooks and service bases."""
    return [exchange_read(v) for v in await service.list_exchanges(ctx)]


@router.get(
    "/exchanges/{exchange_id}", operation_id="get_exchange", responses=responses(ExchangeNotFound)
)
async def get_exchange(exchange_id: str, ctx: ActorContext) -> ExchangeRead:
    """One exchange with its current rulebook (交易规则) and bases."""
    return exchange_read(await service.get_exchange(ctx, exchange_id))


@router.get(
    "/exchanges/{exchange_id}/rulebooks",
    operation_id="list_rulebooks",
    responses=responses(ExchangeNotFound),
)
async def list_rulebooks(exchange_id: str, ctx: ActorContext) -> list[RulebookRead]:
    """Every version of an exchange's rulebook, newest first."""
    return [rulebook_read(b) for b in await service.list_rulebooks(ctx, exchange_id=exchange_id)]


@router.post(
    "/exchanges/{exchange_id}/rulebook",
    status_code=201,
    operation_id="change_rulebook",
    responses=responses(ExchangeNotFound, NotExchangeOperator, InvalidInput),
)
async def change_rulebook(
    exchange_id: str, body: RulebookChange, ctx: ActorContext
) -> RulebookRead:
    """Issue a new rulebook version (the exchange's own operators); trades keep theirs."""
    changes = body.model_dump(exclude_unset=True, exclude={"note"}, mode="json")
    return rulebook_read(
        await service.change_rulebook(ctx, exchange_id=exchange_id, changes=changes, note=body.note)
    )


@router.post(
    "/exchanges/{exchange_id}/operators",
    status_code=201,
    operation_id="bind_operator",
    responses=responses(Forbidden, ExchangeNotFound, AlreadyBound, InvalidInput),
)
async def bind_operator(exchange_id: str, body: OperatorBind, ctx: ActorContext) -> OperatorRead:
    """Bind an exchange operator to this exchange (admins)."""
    binding: ExchangeOperator = await service.bind_operator(
        ctx, exchange_id=exchange_id, participant_id=body.participant_id
    )
    return OperatorRead.model_validate(binding)


# --- brokers and mandates ------------------------------------------------------------------


@router.post(
    "/brokers",
    status_code=201,
    operation_id="license_broker",
    responses=responses(NotExchangeOperator, AlreadyLicensed, InvalidInput, NotFound),
)
async def license_broker(body: BrokerLicenceCreate, ctx: ActorContext) -> BrokerLicenceRead:
    """License a data broker (数据经纪人) on the operator's own exchange."""
    licence: BrokerLicence = await service.license_broker(
        ctx, exchange_id=body.exchange_id, broker_id=body.broker_id
    )
    return BrokerLicenceRead.model_validate(licence)


@router.get("/brokers", operation_id="list_broker_licences")
async def list_broker_licences(
    ctx: ActorContext, exchange_id: str | None = None, broker_id: str | None = None
) -> list[BrokerLicenceRead]:
    """Licensed brokers, by exchange or broker (public)."""
    rows = await service.list_broker_licences(ctx, exchange_id=exchange_id, broker_id=broker_id)
    return [BrokerLicenceRead.model_validate(r) for r in rows]


@router.post(
    "/brokers/{licence_id}/revoke",
    operation_id="revoke_broker_licence",
    responses=responses(BrokerLicenceNotFound, NotExchangeOperator),
)
async def revoke_broker_licence(
    licence_id: str, body: ReasonBody, ctx: ActorContext
) -> BrokerLicenceRead:
    """Revoke a broker's licence (the issuing exchange's operators)."""
    licence = await service.revoke_broker_licence(ctx, licence_id=licence_id, reason=body.reason)
    return BrokerLicenceRead.model_validate(licence)


@router.post(
    "/mandates",
    status_code=201,
    operation_id="grant_mandate",
    responses=responses(Forbidden, BrokerNotLicensed, CommissionAboveCap, ExchangeNotFound),
)
async def grant_mandate(body: MandateCreate, ctx: ActorContext) -> MandateRead:
    """Grant a licensed broker a mandate (授权委托) to trade for the caller."""
    mandate = await service.grant_mandate(
        ctx,
        broker_id=body.broker_id,
        exchange_ids=body.exchange_ids,
        actions=body.actions,
        spending_limit_fen=body.spending_limit_fen,
        commission_bp=body.commission_bp,
        expires_at=body.expires_at,
    )
    return mandate_read(ctx, mandate)


@router.get("/mandates", operation_id="list_mandates")
async def list_mandates(
    ctx: ActorContext,
    client_id: str | None = None,
    broker_id: str | None = None,
    status: MandateStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> MandatePage:
    """Mandates: one's own as client or broker; regulators and admins filter all."""
    rows, total = await service.list_mandates(
        ctx, client_id=client_id, broker_id=broker_id, status=status, limit=limit, offset=offset
    )
    return MandatePage(items=[mandate_read(ctx, m) for m in rows], total=total)


@router.get(
    "/mandates/{mandate_id}", operation_id="get_mandate", responses=responses(MandateNotFound)
)
async def get_mandate(mandate_id: str, ctx: ActorContext) -> MandateRead:
    """A mandate (its client, its broker, overseers)."""
    return mandate_read(ctx, await service.get_mandate(ctx, mandate_id))


@router.post(
    "/mandates/{mandate_id}/revoke",
    operation_id="revoke_mandate",
    responses=responses(MandateNotFound, Forbidden),
)
async def revoke_mandate(mandate_id: str, ctx: ActorContext) -> MandateRead:
    """The client withdraws its mandate at once."""
    return mandate_read(ctx, await service.revoke_mandate(ctx, mandate_id=mandate_id))


# --- listings ------------------------------------------------------------------------------


@router.post(
    "/listings",
    status_code=201,
    operation_id="create_listing",
    responses=responses(
        CoreDataNotListable,
        DeliveryFingerprintMismatch,
        PriceOutOfLimits,
        ExchangeNotFound,
        Conflict,
    ),
)
async def create_listing(body: ListingCreate, ctx: ActorContext) -> ListingRead:
    """List a registered asset with a valid certificate (无登记不交易, 无合规不上架)."""
    view = await service.create_listing(
        ctx,
        asset_id=body.asset_id,
        title=body.title,
        description=body.description,
        venues=body.venues,
        tiers=[
            service.TierSpec(t.name, t.scope, t.term_days, t.price_fen, t.exclusive)
            for t in body.tiers
        ],
        delivery=service.DeliverySpec(
            body.delivery.kind,
            body.delivery.filename,
            body.delivery.media_type,
            body.delivery.body_bytes(),
        ),
    )
    return listing_read(view)


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
    responses=responses(ListingNotFound, NotExchangeOperator, VenueStateConflict),
)
async def review_listing(
    listing_id: str, exchange_id: str, body: ListingReviewCreate, ctx: ActorContext
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
    responses=responses(ListingNotFound, Forbidden, VenueStateConflict),
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


# --- orders, trades ------------------------------------------------------------------------


@router.post(
    "/orders",
    status_code=201,
    response_model=OrderRead,
    operation_id="place_order",
    responses=responses(*ORDER_ERRORS),
)
async def place_order(
    body: OrderCreate, ctx: ActorContext, idempotency_key: IdempotencyKey = None
) -> Response:
    """Buy a tier at its posted price (挂牌交易): settles at once, or waits for data customs."""

    async def run() -> OrderRead:
        placed = await service.place_order(
            ctx,
            listing_id=body.listing_id,
            tier_id=body.tier_id,
            exchange_id=body.exchange_id,
            mandate_id=body.mandate_id,
            legal_basis=body.legal_basis,
        )
        return order_read(ctx, placed)

    return json_response(
        await idempotency.once(
            ctx,
            key=idempotency_key,
            scope="POST /v1/orders",
            request=body.model_dump(mode="json"),
            status=201,
            run=run,
        )
    )


@router.get("/orders", operation_id="list_orders")
async def list_orders(
    ctx: ActorContext,
    filters: TradeFilters,
    status: OrderStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> OrderPage:
    """Orders: one's own; an exchange's operators see its orders; regulators filter all."""
    views, total = await service.list_orders(
        ctx, filters, status=status, limit=limit, offset=offset
    )
    return OrderPage(items=[order_read(ctx, v) for v in views], total=total)


@router.get("/orders/{order_id}", operation_id="get_order", responses=responses(OrderNotFound))
async def get_order(order_id: str, ctx: ActorContext) -> OrderRead:
    """An order with its trade, licence and customs case."""
    return order_read(ctx, await service.get_order(ctx, order_id))


@router.get("/trades", operation_id="list_trades")
async def list_trades(
    ctx: ActorContext, filters: TradeFilters, limit: Limit = 100, offset: Offset = 0
) -> TradePage:
    """Trades: one's own; an exchange's operators see its trades; regulators filter all."""
    rows, total = await service.list_trades(ctx, filters, limit=limit, offset=offset)
    return TradePage(items=[trade_read(t) for t in rows], total=total)


@router.get("/trades/{trade_id}", operation_id="get_trade", responses=responses(TradeNotFound))
async def get_trade(trade_id: str, ctx: ActorContext) -> TradeRead:
    """A settled trade."""
    return trade_read(await service.get_trade(ctx, trade_id))


# --- licences and delivery -----------------------------------------------------------------


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
        200: {"description": "The delivery package", "content": {"application/octet-stream": {}}},
        **responses(LicenceNotFound, LicenceNotLive, Forbidden),
    },
)
async def download_delivery(licence_id: str, ctx: ActorContext) -> Response:
    """Download the delivery package (交付): the licensee only, while the licence is live.

    `X-Content-SHA256` equals the fingerprint on the asset's certificate (`X-Certificate`).
    """
    delivery = await service.deliver(ctx, licence_id=licence_id)
    listing = delivery.listing
    return Response(
        content=delivery.body,
        media_type=listing.delivery_media_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename*=UTF-8''{quote(listing.delivery_filename)}"
            ),
            "X-Content-SHA256": listing.fingerprint,
            "X-Certificate": listing.certificate_number,
            "X-Licence-Expires": delivery.licence.expires_at.isoformat(),
        },
    )


@router.post(
    "/licences/{licence_id}/revoke",
    operation_id="revoke_licence",
    responses=responses(Forbidden, LicenceNotFound, LicenceRevoked),
)
async def revoke_licence(licence_id: str, body: ReasonBody, ctx: ActorContext) -> LicenceRead:
    """A regulator revokes a licence with its reason; delivery stops at once."""
    return licence_read(
        ctx, await service.revoke_licence(ctx, licence_id=licence_id, reason=body.reason)
    )


# --- data customs --------------------------------------------------------------------------


@router.get("/customs/cases", operation_id="list_customs_cases")
async def list_customs_cases(
    ctx: ActorContext,
    status: CustomsStatus | None = None,
    jurisdiction: str | None = None,
    exchange_id: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> CustomsCasePage:
    """Data-customs cases (数据海关): regulators see all; a buyer its own."""
    rows, total = await service.list_customs_cases(
        ctx,
        status=status,
        jurisdiction=jurisdiction,
        exchange_id=exchange_id,
        limit=limit,
        offset=offset,
    )
    return CustomsCasePage(items=[customs_read(c) for c in rows], total=total)


@router.get(
    "/customs/cases/{case_id}",
    operation_id="get_customs_case",
    responses=responses(CustomsCaseNotFound),
)
async def get_customs_case(case_id: str, ctx: ActorContext) -> CustomsCaseRead:
    """A customs case and its decision."""
    return customs_read(await service.get_customs_case(ctx, case_id))


@router.post(
    "/customs/cases/{case_id}/decision",
    operation_id="decide_customs_case",
    responses=responses(Forbidden, CustomsCaseNotFound, CustomsCaseDecided, Conflict),
)
async def decide_customs_case(
    case_id: str, body: CustomsDecisionCreate, ctx: ActorContext
) -> OrderRead:
    """A regulator clears (the order settles) or refuses (the buyer is refunded) an export."""
    placed = await service.decide_customs_case(
        ctx, case_id=case_id, approve=body.decision == "approve", reason=body.reason
    )
    return order_read(ctx, placed)


# --- negotiations --------------------------------------------------------------------------


@router.post(
    "/negotiations",
    status_code=201,
    operation_id="request_negotiation",
    responses=responses(*ORDER_ERRORS),
)
async def request_negotiation(body: NegotiationCreate, ctx: ActorContext) -> NegotiationRead:
    """Ask a provider for a licence at a proposed price (协议交易)."""
    view = await negotiations.request(
        ctx,
        listing_id=body.listing_id,
        tier_id=body.tier_id,
        exchange_id=body.exchange_id,
        price_fen=body.price_fen,
        message=body.message,
        mandate_id=body.mandate_id,
    )
    return negotiation_read(view.negotiation, view.messages)


@router.get("/negotiations", operation_id="list_negotiations")
async def list_negotiations(
    ctx: ActorContext,
    state: NegotiationState | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> NegotiationPage:
    """Negotiations the caller takes part in (regulators: all)."""
    rows, total = await negotiations.list_page(ctx, state=state, limit=limit, offset=offset)
    return NegotiationPage(items=[negotiation_read(n, []) for n in rows], total=total)


@router.get(
    "/negotiations/{negotiation_id}",
    operation_id="get_negotiation",
    responses=responses(NegotiationNotFound),
)
async def get_negotiation(negotiation_id: str, ctx: ActorContext) -> NegotiationRead:
    """A negotiation and its steps."""
    view = await negotiations.view(ctx, negotiation_id)
    return negotiation_read(view.negotiation, view.messages)


NEGOTIATION_STEP_ERRORS = responses(
    NegotiationNotFound,
    NegotiationStateConflict,
    WrongNegotiationParty,
    BrokerConductsNegotiation,
    PriceOutOfLimits,
    MandateExpired,
    MandateRevoked,
)


@router.post(
    "/negotiations/{negotiation_id}/terminate",
    operation_id="terminate_negotiation",
    responses=NEGOTIATION_STEP_ERRORS,
)
async def terminate_negotiation(
    negotiation_id: str, body: NegotiationTerminate, ctx: ActorContext
) -> NegotiationRead:
    """Either side ends the negotiation, with its reason."""
    view = await negotiations.step(
        ctx, negotiation_id=negotiation_id, step="terminate", price_fen=None, message=body.reason
    )
    return negotiation_read(view.negotiation, view.messages)


@router.post(
    "/negotiations/{negotiation_id}/settle",
    status_code=201,
    response_model=OrderRead,
    operation_id="settle_negotiation",
    responses=responses(
        NegotiationNotFound,
        NegotiationStateConflict,
        WrongNegotiationParty,
        BrokerConductsNegotiation,
        *ORDER_ERRORS,
    ),
)
async def settle_negotiation(
    negotiation_id: str,
    body: NegotiationSettle,
    ctx: ActorContext,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Settle an agreed negotiation at the agreed price (the consumer, or its broker)."""

    async def run() -> OrderRead:
        placed = await negotiations.settle(
            ctx, negotiation_id=negotiation_id, legal_basis=body.legal_basis
        )
        return order_read(ctx, placed)

    return json_response(
        await idempotency.once(
            ctx,
            key=idempotency_key,
            scope=f"POST /v1/negotiations/{negotiation_id}/settle",
            request=body.model_dump(mode="json"),
            status=201,
            run=run,
        )
    )


@router.post(
    "/negotiations/{negotiation_id}/{step}",
    operation_id="step_negotiation",
    responses=NEGOTIATION_STEP_ERRORS,
)
async def step_negotiation(
    negotiation_id: str,
    step: Literal["request", "offer", "accept", "agree"],
    body: NegotiationStep,
    ctx: ActorContext,
) -> NegotiationRead:
    """A step: the consumer counter-requests or accepts; the provider offers or agrees."""
    view = await negotiations.step(
        ctx,
        negotiation_id=negotiation_id,
        step=step,
        price_fen=body.price_fen,
        message=body.message,
    )
    return negotiation_read(view.negotiation, view.messages)


# --- auctions ------------------------------------------------------------------------------


@router.post(
    "/auctions",
    status_code=201,
    operation_id="open_auction",
    responses=responses(
        Forbidden, AuctionNeedsExclusiveTier, LicenceUnavailable, ListingNotActive, TradeModeClosed
    ),
)
async def open_auction(body: AuctionCreate, ctx: ActorContext) -> AuctionRead:
    """Auction an exclusive tier by sealed bids until `closes_at` (竞价交易)."""
    view = await auctions.open_auction(
        ctx,
        listing_id=body.listing_id,
        tier_id=body.tier_id,
        exchange_id=body.exchange_id,
        rule=body.rule,
        reserve_fen=body.reserve_fen,
        closes_at=body.closes_at,
    )
    return auction_read(ctx, view)


@router.get("/auctions", operation_id="list_auctions")
async def list_auctions(
    ctx: ActorContext,
    exchange_id: str | None = None,
    listing_id: str | None = None,
    status: AuctionStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> AuctionPage:
    """Auctions (public): what is auctioned, until when, how many sealed bids."""
    rows, counts, total = await auctions.list_page(
        ctx,
        exchange_id=exchange_id,
        listing_id=listing_id,
        status=status,
        limit=limit,
        offset=offset,
    )
    return AuctionPage(
        items=[auction_read(ctx, auctions.AuctionView(a, counts[a.id], [])) for a in rows],
        total=total,
    )


@router.get(
    "/auctions/{auction_id}", operation_id="get_auction", responses=responses(AuctionNotFound)
)
async def get_auction(auction_id: str, ctx: ActorContext) -> AuctionRead:
    """An auction; bids stay sealed until the close (a bidder sees its own)."""
    return auction_read(ctx, await auctions.view(ctx, auction_id))


@router.post(
    "/auctions/{auction_id}/bids",
    status_code=201,
    response_model=BidRead,
    operation_id="place_bid",
    responses=responses(AuctionNotFound, AuctionClosed, BidBelowReserve, AlreadyBid, *ORDER_ERRORS),
)
async def place_bid(
    auction_id: str,
    body: BidCreate,
    ctx: ActorContext,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """A sealed bid until the deadline; amount plus buyer fee is held in escrow (保证金)."""

    async def run() -> BidRead:
        bid = await auctions.place_bid(
            ctx,
            auction_id=auction_id,
            amount_fen=body.amount_fen,
            mandate_id=body.mandate_id,
            legal_basis=body.legal_basis,
        )
        return bid_read(bid)

    return json_response(
        await idempotency.once(
            ctx,
            key=idempotency_key,
            scope=f"POST /v1/auctions/{auction_id}/bids",
            request=body.model_dump(mode="json"),
            status=201,
            run=run,
        )
    )


@router.post(
    "/auctions/{auction_id}/close",
    operation_id="close_auction",
    responses=responses(AuctionNotFound, AuctionClosed, AuctionNotOver, Forbidden),
)
async def close_auction(auction_id: str, ctx: ActorContext) -> AuctionRead:
    """Close after the deadline: the best bid wins (ties: earliest, then bidder id)."""
    return auction_read(ctx, await auctions.close(ctx, auction_id=auction_id))


# --- market data ---------------------------------------------------------------------------


@router.get("/market/stats", operation_id="market_stats", responses=responses(ExchangeNotFound))
async def market_stats(
    ctx: ActorContext,
    exchange_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> MarketStatsRead:
    """Market data (市场数据): trades, turnover, shares, commissions and price indices."""
    return stats_read(
        await service.market_stats(ctx, exchange_id=exchange_id, since=since, until=until)
    )
