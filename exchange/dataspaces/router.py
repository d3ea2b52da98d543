"""HTTP endpoints of data spaces and consents: each concept's router, under `/v1`."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.dataspaces.consents.router import router as consents_router
from exchange.dataspaces.records.router import router as records_router
from exchange.dataspaces.requests.router import router as requests_router
from exchange.dataspaces.usage.router import router as usage_router

router = APIRouter(prefix="/v1")
for concept in (records_router, usage_router, consents_router, requests_router):
    router.include_router(concept)
