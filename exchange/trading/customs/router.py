"""HTTP endpoints of data customs (数据海关): cross-border orders held for a regulator's
decision."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.dataspaces.consents.errors import (
    ConsentExpired,
    ConsentRevoked,
    ExportNotConsented,
)
from exchange.errors import Conflict, Forbidden, responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.roles import RegulatorContext
from exchange.security import ActorContext
from exchange.trading.customs import service
from exchange.trading.customs.errors import CustomsCaseDecided, CustomsCaseNotFound
from exchange.trading.customs.schemas import (
    CustomsCasePage,
    CustomsCaseRead,
    CustomsDecisionCreate,
    customs_read,
)
from exchange.trading.orders.schemas import OrderRead, order_read
from exchange.vocabulary import CustomsStatus

router = APIRouter(tags=["trading"])


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
    responses=responses(
        Forbidden,
        CustomsCaseNotFound,
        CustomsCaseDecided,
        Conflict,
        ExportNotConsented,
        ConsentRevoked,
        ConsentExpired,
    ),
)
async def decide_customs_case(
    case_id: str, body: CustomsDecisionCreate, ctx: RegulatorContext
) -> OrderRead:
    """A regulator clears (the order settles) or refuses (the buyer is refunded) an export."""
    placed = await service.decide_customs_case(
        ctx, case_id=case_id, approve=body.decision == "approve", reason=body.reason
    )
    return order_read(ctx, placed)
