"""The FastAPI application: lifespan, routers and RFC 9457 error handling."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from exchange import __version__, docs_ui, metrics, openapi, operations, wiring
from exchange.assets.router import router as assets_router
from exchange.audit.transparency import halts
from exchange.audit.transparency import service as transparency
from exchange.audit.transparency.router import router as audit_router
from exchange.catalog.router import router as catalog_router
from exchange.classroom.funding import fund_class_participant
from exchange.classroom.router import router as classroom_router
from exchange.classroom.routing import resolve_runtime
from exchange.config import Settings, get_settings
from exchange.context import Runtime
from exchange.dataspaces.router import router as dataspaces_router
from exchange.errors import PROBLEM_BASE, ExchangeError, problem
from exchange.hooks import HOOKS
from exchange.markettime import duework
from exchange.markettime.router import router as clock_router
from exchange.middleware import (
    ErrorBoundary,
    RequestGuard,
    RequestLog,
    configure_json_logging,
    problem_response,
)
from exchange.operation.router import router as operation_router
from exchange.participants.router import router as participants_router
from exchange.supervision.router import router as supervision_router
from exchange.trading.router import router as trading_router
from exchange.web import router as web

log = logging.getLogger("exchange")

_HTTP_TITLES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed for this participant"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


async def _exchange_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ExchangeError)
    metrics.observe_refusal(exc.slug)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return problem_response(exc.to_problem(request.url.path), headers)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug, title = _HTTP_TITLES.get(exc.status_code, ("http-error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No resource at {request.url.path}."
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    body = problem(exc.status_code, PROBLEM_BASE + slug, title, detail, request.url.path)
    return problem_response(body, dict(exc.headers) if exc.headers else None)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": [str(p) for p in err.get("loc", ())],
            "msg": err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(first["loc"]) or "request"
    body = problem(
        422,
        PROBLEM_BASE + "invalid-request",
        "Invalid request",
        f"{where}: {first['msg']}" + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""),
        request.url.path,
        {"errors": errors},
    )
    return problem_response(body)


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    log.warning("integrity error on %s: %s", request.url.path, exc)
    body = problem(
        409,
        PROBLEM_BASE + "conflict",
        "Conflicts with existing data",
        "The change conflicts with data already recorded; nothing was saved.",
        request.url.path,
    )
    return problem_response(body)


async def _operational_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("database unavailable on %s: %s", request.url.path, exc)
    body = problem(
        503,
        PROBLEM_BASE + "database-busy",
        "Database busy",
        "The database could not complete the request; nothing was saved. Retry.",
        request.url.path,
    )
    return problem_response(body, {"Retry-After": "1"})


async def _due_work_loop(runtime: Runtime) -> None:
    """Run the due work every `due_work_interval_seconds`, for as long as the app serves."""
    while True:
        try:
            await duework.run(runtime)
        except Exception:
            log.exception("due work failed; trying again at the next interval")
        await asyncio.sleep(runtime.settings.due_work_interval_seconds)


async def _start_audit_checks(runtime: Runtime, settings: Settings) -> asyncio.Task[None] | None:
    """Fail closed: verify the log before serving, then every audit_check_seconds."""
    if settings.audit_check_on_start:
        try:
            await halts.check_log(runtime, trigger="start-up")
        except Exception:  # e.g. a database not migrated yet: serving says what is wrong
            log.exception("start-up audit log verification could not run")
    if settings.audit_check_seconds > 0:
        return asyncio.create_task(halts.watch(runtime, settings.audit_check_seconds))
    return None


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the exchange app; a given runtime (tests, simulations) is used as is."""
    wiring.install()
    # Live classes are an application: the served app routes to them and funds their seats.
    HOOKS.resolve_runtime = resolve_runtime
    HOOKS.fund_class_participant = fund_class_participant
    settings = settings or (runtime.settings if runtime else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = runtime is None
        app.state.runtime = runtime or Runtime.from_settings(settings)
        if owned:
            configure_json_logging(settings.log_level)
            # The checkpoint signing key exists from the first start, not the first request.
            await asyncio.to_thread(transparency.runtime_keyring(app.state.runtime).all_keys)
        # Fail closed: a damaged log halts writes before the first request is served.
        watcher = await _start_audit_checks(app.state.runtime, settings) if owned else None
        # The served market does what falls due by itself, as time passes.
        runner = (
            asyncio.create_task(_due_work_loop(app.state.runtime), name="due-work")
            if owned and settings.due_work_interval_seconds > 0
            else None
        )
        try:
            yield
        finally:
            for task in (runner, watcher):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            if owned:
                await app.state.runtime.engine.dispose()

    app = FastAPI(
        title="Guangdong data-element market sandbox (广东数据要素市场沙盒)",
        version=__version__,
        description=(
            "Catalog (一数一源一标准), data-asset registration and certificates (数据资产凭证), "
            "trading on the Guangzhou and Shenzhen data exchanges, and a verifiable audit log."
        ),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    if runtime is not None:
        app.state.runtime = runtime
    openapi.install(app)
    docs_ui.install(app)
    app.add_exception_handler(ExchangeError, _exchange_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _operational_error)
    # Added innermost first: the request log wraps the error boundary, which wraps the guard.
    app.add_middleware(RequestGuard, max_bytes=settings.max_body_bytes)
    app.add_middleware(ErrorBoundary)
    app.add_middleware(RequestLog, observe=metrics.observe_request)

    app.include_router(operations.router)
    app.include_router(clock_router)
    app.include_router(participants_router)
    app.include_router(audit_router)
    app.include_router(catalog_router)
    app.include_router(operation_router)
    app.include_router(assets_router)
    app.include_router(dataspaces_router)
    app.include_router(trading_router)
    app.include_router(supervision_router)
    app.include_router(classroom_router)
    web.install(app)
    return app
