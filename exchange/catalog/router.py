"""HTTP endpoints of the catalog: departments, data elements, items, sources, quality,
sharing requests, search, the open list and the DCAT export."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.catalog.conflicts.router import router as conflicts_router
from exchange.catalog.departments.router import router as departments_router
from exchange.catalog.elements.router import router as elements_router
from exchange.catalog.items.router import router as items_router
from exchange.catalog.publishing.router import router as publishing_router
from exchange.catalog.quality.router import router as quality_router
from exchange.catalog.search.router import router as search_router
from exchange.catalog.sharing.router import router as sharing_router

router = APIRouter(prefix="/v1")
# The original registration order (no two of these paths overlap, but keep it anyway).
for sub in (
    departments_router,
    elements_router,
    items_router,
    quality_router,
    search_router,
    publishing_router,
    conflicts_router,
    sharing_router,
):
    router.include_router(sub)
