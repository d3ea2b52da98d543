"""HTTP endpoints of the revenue shares paid under an operating agreement."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.errors import responses
from exchange.kit.paging import Limit, Offset
from exchange.operation.dependencies import AgreementRef
from exchange.operation.errors import AgreementNotFound
from exchange.operation.revenue import service
from exchange.operation.revenue.schemas import RevenuePage
from exchange.security import ActorContext

router = APIRouter(tags=["operation"])


@router.get(
    "/operation/agreements/{agreement_id}/revenue",
    operation_id="list_operating_agreement_revenue",
    responses=responses(AgreementNotFound),
)
async def list_revenue(
    agreement_id: AgreementRef, ctx: ActorContext, limit: Limit = 100, offset: Offset = 0
) -> RevenuePage:
    """The revenue shares (收益分成) paid to the departments under an agreement, earliest
    first, with their sum."""
    return await service.list_paid(ctx, agreement_id=agreement_id, limit=limit, offset=offset)
