"""HTTP endpoints of trading: every concept's router under `/v1`, in the order paths match."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.trading.auctions.router import router as auctions_router
from exchange.trading.brokerage.router import router as brokerage_router
from exchange.trading.customs.router import router as customs_router
from exchange.trading.licences.router import router as licences_router
from exchange.trading.listings.router import router as listings_router
from exchange.trading.negotiations.router import router as negotiations_router
from exchange.trading.orders.router import router as orders_router
from exchange.trading.policies.router import router as policies_router
from exchange.trading.stats.router import router as stats_router
from exchange.trading.transfers.router import router as transfers_router
from exchange.trading.venues.router import router as venues_router

router = APIRouter(prefix="/v1")
for concept in (
    venues_router,
    brokerage_router,
    listings_router,
    orders_router,
    licences_router,
    policies_router,
    transfers_router,
    customs_router,
    negotiations_router,
    auctions_router,
    stats_router,
):
    router.include_router(concept)
