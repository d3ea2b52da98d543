"""My pages (我的): a participant's dashboard, data assets, listings, account and clients, and
the compliance reviewers' and exchange operators' review queues."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.web.mine import (
    account,
    assets,
    brokerage,
    certificates,
    dashboard,
    listings,
    reviews,
)

router = APIRouter(include_in_schema=False)
for part in (dashboard, assets, certificates, reviews, listings, account, brokerage):
    router.include_router(part.router)
