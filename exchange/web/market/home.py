"""The public market page (市场): the exchanges, the latest listed products, the price index
and the audit log's latest signed checkpoint, for anyone, signed in or not."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from exchange.audit.transparency import service as transparency_service
from exchange.errors import ExchangeError
from exchange.trading.listings import service as listings_service
from exchange.trading.stats import service as stats_service
from exchange.trading.venues import service as venues_service
from exchange.web import charts
from exchange.web.market.common import lang_of, page, reading
from exchange.web.pages import MaybeViewer, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LATEST = 6


@router.get("/", response_class=HTMLResponse)
async def market_home(request: Request, viewer: MaybeViewer) -> Response:
    """Exchanges, the latest products, the price index and the latest signed checkpoint."""
    async with reading(request, viewer) as ctx:
        exchanges = await venues_service.list_exchanges(ctx)
        latest, listed = await listings_service.list_listings(
            ctx,
            exchange_id=None,
            product_form=None,
            grade=None,
            holder_id=None,
            text=None,
            include_inactive=False,
            limit=LATEST,
            offset=0,
        )
        stats = await stats_service.market_stats(ctx, exchange_id=None, since=None, until=None)
        checkpoint, checkpoint_problem = None, None
        try:
            checkpoint = await transparency_service.latest_checkpoint(ctx)
        except ExchangeError as exc:  # a damaged log: say so, and still show the market
            checkpoint_problem = exc.to_problem(request.url.path)
    index = [(p.day.isoformat(), float(p.index)) for p in stats.market_index]
    zh = lang_of(request, viewer) == "zh"
    title = "价格指数（基期 = 100）" if zh else "Price index (base = 100)"
    series = "全市场" if zh else "Whole market"
    return page(
        request,
        viewer,
        "market/home.html",
        exchanges=exchanges,
        exchange_names={e.exchange.id: e.exchange for e in exchanges},
        slices={s.exchange_id: s for s in stats.exchanges},
        overall=stats.overall,
        latest=latest,
        listed=listed,
        index=index,
        chart=charts.line_chart({series: index}, title=title, empty="—"),
        checkpoint=checkpoint,
        checkpoint_problem=checkpoint_problem,
    )
