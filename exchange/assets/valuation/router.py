"""HTTP endpoints of valuations (价值评估)."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.assets.registry.errors import AssetNotFound, AssetStateConflict
from exchange.assets.valuation import service
from exchange.assets.valuation.methods import ValuationMethod
from exchange.assets.valuation.models import AssetValuation
from exchange.assets.valuation.schemas import ValuationCreate, ValuationPage, ValuationRead
from exchange.errors import Forbidden, InvalidInput, responses
from exchange.kit.paging import Limit, Offset
from exchange.security import ActorContext

router = APIRouter(tags=["assets"])


@router.get(
    "/assets/{asset_id}/valuations",
    operation_id="list_asset_valuations",
    responses=responses(AssetNotFound),
)
async def list_valuations(
    asset_id: str, ctx: ActorContext, limit: Limit = 100, offset: Offset = 0
) -> ValuationPage:
    """An asset's valuation reports, newest first."""
    rows = await service.list_valuations(ctx, asset_id=asset_id)
    return ValuationPage.window(
        [ValuationRead.model_validate(v) for v in rows], limit=limit, offset=offset
    )


@router.post(
    "/assets/{asset_id}/valuations",
    status_code=201,
    operation_id="value_asset",
    responses=responses(AssetNotFound, Forbidden, AssetStateConflict, InvalidInput),
)
async def value_asset(asset_id: str, body: ValuationCreate, ctx: ActorContext) -> ValuationRead:
    """Value an asset by the cost, income or market method; the report is stored."""
    report: AssetValuation = await service.value_asset(
        ctx,
        asset_id=asset_id,
        method=ValuationMethod(body.method),
        inputs=body.model_dump(exclude={"method"}),
    )
    return ValuationRead.model_validate(report)
