"""The FastAPI application: lifespan, routers and RFC 9457 error handling."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exchange import __version__, wiring
from exchange.assets.router import router as assets_router
from exchange.audit.transparency import service as transparency
from exchange.audit.transparency.router import router as audit_router
from exchange.catalog.router import router as catalog_router
from exchange.classroom.router import router as classroom_router
from exchange.config import Settings, get_settings
from exchange.context import Runtime
from exchange.dependencies import RuntimeDep
from exchange.errors import PROBLEM_BASE, PROBLEM_CONTENT_TYPE, ExchangeError, problem
from exchange.participants.router import router as participants_router
from exchange.trading.router import router as trading_router

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


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    """A problem+json response."""
    return JSONResponse(
        body, status_code=body["status"], media_type=PROBLEM_CONTENT_TYPE, headers=headers
    )


async def _exchange_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ExchangeError)
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


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    body = problem(
        500,
        PROBLEM_BASE + "internal-error",
        "Internal error",
        "The exchange hit an unexpected error; nothing was saved.",
        request.url.path,
    )
    return problem_response(body)


class BodySizeLimit:
    """Refuse request bodies over a cap with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._reject(scope, send)
                return
        # Read the (capped) body up front so an overrun is answered with 413 before any
        # handler sees a partial body.
        chunks: list[bytes] = []
        received = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message), send)
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await self._reject(scope, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        await self.app(scope, _replay(chunks, None), send)

    async def _reject(self, scope: Scope, send: Send) -> None:
        body = problem(
            413,
            PROBLEM_BASE + "payload-too-large",
            "Request body too large",
            f"Request bodies are limited to {self.max_bytes} bytes.",
            scope["path"],
        )
        await problem_response(body)(scope, _no_receive, send)


def _replay(chunks: list[bytes], final: Message | None) -> Receive:
    body = b"".join(chunks)
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if final is not None:
            return final
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the exchange app; a given runtime (tests, simulations) is used as is."""
    wiring.install()
    settings = settings or (runtime.settings if runtime else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = runtime is None
        app.state.runtime = runtime or Runtime.from_settings(settings)
        if owned:
            # The checkpoint signing key exists from the first start, not the first request.
            await asyncio.to_thread(transparency.runtime_keyring(app.state.runtime).all_keys)
        try:
            yield
        finally:
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
    )
    if runtime is not None:
        app.state.runtime = runtime
    app.add_exception_handler(ExchangeError, _exchange_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _operational_error)
    app.add_exception_handler(Exception, _unexpected_error)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)

    @app.get("/health", tags=["service"], operation_id="health")
    async def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "version": __version__}

    @app.get("/health/ready", tags=["service"], operation_id="ready")
    async def ready(runtime: RuntimeDep) -> dict[str, str]:
        """Readiness: the database answers."""
        async with runtime.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return {"status": "ok", "database": runtime.engine.dialect.name}

    app.include_router(participants_router)
    app.include_router(audit_router)
    app.include_router(catalog_router)
    app.include_router(assets_router)
    app.include_router(trading_router)
    app.include_router(classroom_router)
    return app
