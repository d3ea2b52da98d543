"""HTTP endpoints of derivations: what was derived under an operating agreement."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.errors import responses
from exchange.kit.paging import Limit, Offset
from exchange.operation.dependencies import AgreementRef
from exchange.operation.errors import AgreementNotFound
from exchange.operation.grants import service
from exchange.operation.grants.schemas import DerivationPage
from exchange.security import ActorContext

router = APIRouter(tags=["operation"])


@router.get(
    "/operation/agreements/{agreement_id}/derivations",
    operation_id="list_operating_agreement_derivations",
    responses=responses(AgreementNotFound),
)
async def list_derivations(
    agreement_id: AgreementRef, ctx: ActorContext, limit: Limit = 100, offset: Offset = 0
) -> DerivationPage:
    """The assets derived under an agreement (加工产品), earliest first."""
    return await service.list_derivations(
        ctx, agreement_id=agreement_id, limit=limit, offset=offset
    )
