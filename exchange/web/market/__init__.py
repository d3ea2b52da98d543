"""The market pages (市场): the public market page, the catalog, the exchanges' listings and
product pages with their trading forms, and a participant's licences, orders and
negotiations."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.web.market import catalog, home, listings, mine, trade

router = APIRouter()
for part in (home, catalog, listings, trade, mine):
    router.include_router(part.router)
