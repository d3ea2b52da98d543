"""HTTP endpoints of exchanges (数据交易所), rulebooks (交易规则), bases, operators."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.errors import Forbidden, InvalidInput, responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.roles import AdminContext, OperatorContext
from exchange.security import ActorContext
from exchange.trading.venues import service
from exchange.trading.venues.errors import AlreadyBound, ExchangeNotFound, NotExchangeOperator
from exchange.trading.venues.models import ExchangeOperator
from exchange.trading.venues.schemas import (
    ExchangePage,
    ExchangeRead,
    OperatorBind,
    OperatorRead,
    RulebookChange,
    RulebookPage,
    RulebookRead,
    exchange_read,
    rulebook_read,
)

router = APIRouter(tags=["trading"])


@router.get("/exchanges", operation_id="list_exchanges")
async def list_exchanges(ctx: ActorContext, limit: Limit = 100, offset: Offset = 0) -> ExchangePage:
    """The data exchanges (数据交易所), their current rulebooks and service bases."""
    views = await service.list_exchanges(ctx)
    return ExchangePage.window([exchange_read(v) for v in views], limit=limit, offset=offset)


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
async def list_rulebooks(
    exchange_id: str, ctx: ActorContext, limit: Limit = 100, offset: Offset = 0
) -> RulebookPage:
    """Every version of an exchange's rulebook, newest first."""
    books = await service.list_rulebooks(ctx, exchange_id=exchange_id)
    return RulebookPage.window([rulebook_read(b) for b in books], limit=limit, offset=offset)


@router.post(
    "/exchanges/{exchange_id}/rulebook",
    status_code=201,
    operation_id="change_rulebook",
    responses=responses(ExchangeNotFound, NotExchangeOperator, InvalidInput),
)
async def change_rulebook(
    exchange_id: str, body: RulebookChange, ctx: OperatorContext
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
async def bind_operator(exchange_id: str, body: OperatorBind, ctx: AdminContext) -> OperatorRead:
    """Bind an exchange operator to this exchange (admins)."""
    binding: ExchangeOperator = await service.bind_operator(
        ctx, exchange_id=exchange_id, participant_id=body.participant_id
    )
    return OperatorRead.model_validate(binding)
