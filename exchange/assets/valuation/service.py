"""Valuation (价值评估) of assets by the cost, income or market method; reports are stored."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from exchange.assets import access
from exchange.assets.registry import service as registry_service
from exchange.assets.registry.errors import AssetStateConflict
from exchange.assets.registry.models import Asset, AssetStatus
from exchange.assets.valuation import methods, repository
from exchange.assets.valuation.methods import ValuationMethod
from exchange.assets.valuation.models import AssetValuation
from exchange.context import Context
from exchange.errors import Forbidden, InvalidInput
from exchange.hooks import NotWired

# Prices (fen) of settled trades comparable to an asset. Trading imports this domain, so the
# source is installed when the market is assembled (exchange.wiring), not imported here.
ComparablesSource = Callable[[Context, Asset], Awaitable[Sequence[int]]]
_source: list[ComparablesSource] = []


def install_comparables(source: ComparablesSource) -> None:
    """Use `source` for the market method's comparable trades (done once, by the wiring)."""
    _source[:] = [source]


async def value_asset(
    ctx: Context,
    *,
    asset_id: str,
    method: ValuationMethod,
    inputs: Mapping[str, Any],
    comparables: ComparablesSource | None = None,
) -> AssetValuation:
    """Value an asset by one method and store the report (holder, compliance reviewers, admins)."""
    actor = access.actor(ctx)
    asset = await registry_service.get_asset(ctx, asset_id)
    if actor.id != asset.holder_id and actor.role not in access.VALUER_ROLES:
        raise Forbidden("Only the holder, compliance reviewers and admins value an asset.")
    if asset.status not in (AssetStatus.APPLIED, AssetStatus.REGISTERED):
        raise AssetStateConflict(f"A {asset.status} asset is no longer valued.")
    try:
        if method is ValuationMethod.COST:
            result = methods.cost_value(
                acquisition_fen=inputs["acquisition_fen"],
                processing_fen=inputs["processing_fen"],
                maintenance_fen=inputs["maintenance_fen"],
            )
        elif method is ValuationMethod.INCOME:
            result = methods.income_value(
                expected_income_fen=inputs["expected_income_fen"],
                discount_rate_bp=inputs["discount_rate_bp"],
            )
        else:
            if comparables is None:
                if not _source:
                    raise NotWired("comparables")
                comparables = _source[0]
            result = methods.market_value(comparable_prices_fen=await comparables(ctx, asset))
    except (KeyError, ValueError) as exc:
        raise InvalidInput(f"Valuation inputs refused: {exc}") from None
    report = AssetValuation(
        id=ctx.ids.new(),
        asset_id=asset.id,
        method=method,
        value_fen=result.value_fen,
        conclusion=result.conclusion,
        inputs=result.inputs,
        details=result.details,
        valued_by=actor.id,
        created_at=ctx.clock.now(),
    )
    ctx.session.add(report)
    ctx.audit(
        "asset.valued",
        subject_type="asset",
        subject_id=asset.id,
        payload={
            "valuation_id": report.id,
            "method": method,
            "inputs": result.inputs,
            "value_fen": result.value_fen,
            "conclusion": result.conclusion,
        },
    )
    await ctx.session.flush()
    return report


async def list_valuations(ctx: Context, *, asset_id: str) -> Sequence[AssetValuation]:
    """An asset's valuation reports, newest first."""
    asset = await registry_service.get_asset(ctx, asset_id)
    return await repository.list_valuations(ctx.session, asset.id)
