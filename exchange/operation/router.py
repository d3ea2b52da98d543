"""HTTP endpoints of authorized operation (授权运营): agreements, derivations, revenue."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.operation.agreements.router import router as agreements_router
from exchange.operation.grants.router import router as grants_router
from exchange.operation.revenue.router import router as revenue_router

router = APIRouter(prefix="/v1")
for concept in (agreements_router, grants_router, revenue_router):
    router.include_router(concept)
