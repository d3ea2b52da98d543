"""HTTP endpoints of the assets domain: each concept's router, under `/v1`."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.assets.certificates.router import router as certificates_router
from exchange.assets.packages.router import router as packages_router
from exchange.assets.pledges.router import router as pledges_router
from exchange.assets.registry.router import router as registry_router
from exchange.assets.review.router import router as review_router
from exchange.assets.valuation.router import router as valuation_router

router = APIRouter(prefix="/v1")
# Registration order as before the split (the paths of these routers do not overlap).
router.include_router(registry_router)
router.include_router(review_router)
router.include_router(valuation_router)
router.include_router(certificates_router)
router.include_router(pledges_router)
router.include_router(packages_router)
