"""HTTP endpoints of supervision, under `/v1/supervision`."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.supervision.agencies.router import router as agencies_router
from exchange.supervision.cases.router import router as cases_router
from exchange.supervision.measures.router import router as measures_router
from exchange.supervision.reports.router import router as reports_router
from exchange.supervision.surveillance.router import router as surveillance_router

router = APIRouter(prefix="/v1/supervision")
for concept in (
    agencies_router,
    cases_router,
    measures_router,
    surveillance_router,
    reports_router,
):
    router.include_router(concept)
