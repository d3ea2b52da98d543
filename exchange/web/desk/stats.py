"""Market statistics (市场统计) on the desk: turnover and shares by exchange and product form,
and the price index over time, drawn as SVG on the server (exchange.web.charts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from exchange.trading.stats import service as stats_service
from exchange.trading.stats.schemas import (
    FORM_LABELS,
    IndexPointRead,
    MarketSliceRead,
    stats_read,
)
from exchange.trading.venues import service as venues_service
from exchange.web import charts, i18n
from exchange.web.desk.common import Overseer, decides, utc_moment
from exchange.web.pages import PageRoute, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

DateText = Annotated[str, Query(max_length=10)]


def _day(text: str, name: str, *, end: bool = False) -> datetime | None:
    """A filter's date as the start of that UTC day (`end`: the start of the next one)."""
    moment = utc_moment(text, name)
    if moment is None:
        return None
    day = moment.date() if not end else date.fromordinal(moment.date().toordinal() + 1)
    return datetime.combine(day, time(), tzinfo=moment.tzinfo)


def _yuan_axis(fen: float) -> str:
    """Turnover on a chart: whole yuan (fen are too fine to read off a bar)."""
    return f"¥{fen / 100:,.0f}"


def index_series(
    market: Sequence[IndexPointRead],
    by_form: Sequence[IndexPointRead],
    names: dict[str, str],
    market_name: str,
) -> dict[str, list[tuple[str, float]]]:
    """The price index lines: the whole market's, then each product form's."""
    series: dict[str, list[tuple[str, float]]] = {}
    if market:
        series[market_name] = [(p.day.isoformat(), p.index) for p in market]
    for point in by_form:
        label = names.get(point.product_form, point.product_form)
        series.setdefault(label, []).append((point.day.isoformat(), point.index))
    return series


@router.get("/desk/stats", response_class=HTMLResponse)
async def stats(
    request: Request,
    viewer: Overseer,
    exchange_id: Annotated[str, Query(max_length=16)] = "",
    since: DateText = "",
    until: DateText = "",
) -> Response:
    """Trades, turnover, shares and the price index, for a period and an exchange."""
    async with viewer.read() as ctx:
        exchanges = await venues_service.list_exchanges(ctx)
        read = stats_read(
            await stats_service.market_stats(
                ctx,
                exchange_id=exchange_id or None,
                since=_day(since, "since"),
                until=_day(until, "until", end=True),
            )
        )
    tr = i18n.translator(viewer.lang)
    names = {
        e.exchange.id: e.exchange.name if viewer.lang == "zh" else e.exchange.name_en
        for e in exchanges
    }
    form_names = {k: tr(v, k) for k, v in FORM_LABELS.items()}
    empty = tr("暂无成交", "No trades yet")
    slices: list[MarketSliceRead] = read.exchanges
    drawn: dict[str, Markup] = {
        "turnover": charts.bar_chart(
            [(names.get(s.exchange_id, s.exchange_id), s.turnover_fen) for s in slices],
            title=tr("各交易所成交额", "Turnover by exchange"),
            fmt=_yuan_axis,
            empty=empty,
        ),
        "exchange_share": charts.share_chart(
            [(names.get(s.exchange_id, s.exchange_id), s.turnover_fen) for s in slices],
            title=tr("交易所成交额份额", "Share of turnover by exchange"),
            empty=empty,
        ),
        "form_share": charts.share_chart(
            [(form_names.get(b.key, b.key), b.turnover_fen) for b in read.overall.by_product_form],
            title=tr("产品形态成交额份额", "Share of turnover by product form"),
            empty=empty,
        ),
        "index": charts.line_chart(
            index_series(
                read.price_index,
                read.product_form_indices,
                form_names,
                tr("全市场", "Whole market"),
            ),
            title=tr("价格指数（首日 = 100）", "Price index (first day = 100)"),
            empty=empty,
        ),
    }
    return render(
        request,
        "desk/stats.html",
        viewer=viewer,
        stats=read,
        names=names,
        form_names=form_names,
        charts=drawn,
        exchange_id=exchange_id,
        since=since,
        until=until,
        decides=decides(viewer),
    )
