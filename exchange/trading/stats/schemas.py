"""Request and response models of market data (市场数据): turnover, shares and price
indices, and the builders of the responses."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from exchange.assets.labels import GRADE_LABELS, PRODUCT_FORM_LABELS
from exchange.schemas import ResponseModel
from exchange.trading.stats import indices, service
from exchange.trading.stats.service import MarketSlice, MarketStats
from exchange.vocabulary import TradeMode

TRADE_MODE_LABELS: dict[TradeMode, str] = {
    TradeMode.POSTED: "挂牌交易",
    TradeMode.NEGOTIATED: "协议交易",
    TradeMode.AUCTION: "竞价交易",
}


class BreakdownRead(ResponseModel):
    """Trades and turnover of one slice (a product form, grade or trade mode)."""

    key: str
    label: str
    trades: int
    turnover_fen: int
    share: float = Field(description="Share of this exchange's turnover, 0..1")


class MarketSliceRead(ResponseModel):
    """Statistics of one exchange, or of the whole market (`exchange_id` "all")."""

    exchange_id: str
    trades: int
    turnover_fen: int
    turnover_share: float = Field(description="Share of the whole market's turnover, 0..1")
    buyers: int
    sellers: int
    fees_fen: int
    broker_commission_fen: int
    brokered_trades: int
    cross_border_trades: int
    by_product_form: list[BreakdownRead]
    by_grade: list[BreakdownRead]
    by_mode: list[BreakdownRead]


class IndexPointRead(ResponseModel):
    """One day of a price index (base 100)."""

    day: date
    product_form: str
    trades: int
    turnover_fen: int
    average_price_fen: float
    index: float


class MarketStatsRead(ResponseModel):
    """Market data: overall and per exchange, and price indices by day (UTC)."""

    overall: MarketSliceRead
    exchanges: list[MarketSliceRead]
    price_index: list[IndexPointRead] = Field(
        description="Whole market: chained, mix-adjusted daily index, base 100 on the first day"
    )
    product_form_indices: list[IndexPointRead] = Field(
        description="Per product form: average price relative to the form's first trading day"
    )
    index_method: str


def _breakdown(
    table: dict[str, service.Breakdown] | None, labels: dict[str, str], whole: int
) -> list[BreakdownRead]:
    return [
        BreakdownRead(
            key=key,
            label=labels.get(key, key),
            trades=b.trades,
            turnover_fen=b.turnover_fen,
            share=float(indices.share(b.turnover_fen, whole)),
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
        turnover_share=float(indices.share(s.turnover_fen, market_turnover)),
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


def index_read(point: indices.IndexPoint) -> IndexPointRead:
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
        index_method=(indices.__doc__ or "").strip(),
    )
