"""The market method's comparables (可比交易): settled trades on the exchanges.

Trading imports the assets domain (a listing needs a registered asset, `registry.market`), so
the valuation service takes its comparables from its caller (the router), which passes this in.
"""

from __future__ import annotations

from collections.abc import Sequence

from exchange.assets.registry.models import Asset
from exchange.context import Context
from exchange.trading.stats import service as stats_service


async def traded_comparables(ctx: Context, asset: Asset) -> Sequence[int]:
    """Prices (fen) of settled trades of the asset's product form and grade, not its own."""
    return await stats_service.comparable_prices(
        ctx, product_form=asset.product_form, grade=asset.grade, exclude_asset_id=asset.id
    )
