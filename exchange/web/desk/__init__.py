"""The regulator's desk (监管): the log's state, its entries with inclusion proofs checked in
the browser, the data-customs and objection queues with their decision forms, and market
statistics. Regulators decide; admins read the same things (as the API lets them)."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.web.desk import entries, overview, queues, stats

router = APIRouter(include_in_schema=False)
for part in (overview, entries, queues, stats):
    router.include_router(part.router)
