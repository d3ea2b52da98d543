"""The market method's comparables (可比交易): settled trades on the exchanges.

Trading imports the assets domain (a listing needs a registered asset), so assets cannot ask
trading directly: `exchange.wiring` installs this as the valuation service's comparables source.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from exchange.context import Context
from exchange.trading.stats import service as stats_service


class Valued(Protocol):
    """What the market method knows of the asset it values."""

    @property
    def id(self) -> str: ...

    @property
    def product_form(self) -> str: ...

    @property
    def grade(self) -> str: ...


async def traded_comparables(ctx: Context, asset: Valued) -> Sequence[int]:
    """Prices (fen) of settled trades of the asset's product form and grade, not its own."""
    return await stats_service.comparable_prices(
        ctx, product_form=asset.product_form, grade=asset.grade, exclude_asset_id=asset.id
    )
