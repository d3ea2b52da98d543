"""The service's own endpoints for operators: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from exchange import __version__, metrics
from exchange.dependencies import RuntimeDep
from exchange.errors import ServiceUnavailable, responses
from exchange.hooks import HOOKS
from exchange.kit.roles import OverseerContext

router = APIRouter(tags=["service"])


@router.get("/health", operation_id="health")
async def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok", "version": __version__}


@router.get("/health/ready", operation_id="ready", responses=responses(ServiceUnavailable))
async def ready(runtime: RuntimeDep) -> dict[str, str]:
    """Readiness: the database answers and the market is not halted for a damaged log."""
    async with runtime.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
    if HOOKS.check_ready is not None:
        await HOOKS.check_ready(runtime)
    return {"status": "ok", "database": runtime.engine.dialect.name}


@router.get(
    "/metrics",
    operation_id="metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text"}},
)
async def prometheus_metrics(ctx: OverseerContext) -> Response:
    """Prometheus metrics (admins and regulators): requests, latency, refusals, the audit log."""
    return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)
