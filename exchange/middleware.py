"""ASGI middleware of the core: request ids and structured logs, one error boundary, request guards.

Order, outermost first: `RequestLog` (request id, one JSON log line, metrics), `ErrorBoundary`
(an unhandled exception becomes a problem+json 500 and the connection stays open), `RequestGuard`
(body cap, hostile JSON and URLs refused before any handler runs).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exchange.errors import PROBLEM_BASE, PROBLEM_CONTENT_TYPE, problem

log = logging.getLogger("exchange")
access_log = logging.getLogger("exchange.access")

MAX_SAFE_INTEGER = 2**53 - 1
"""The largest integer every JSON client reads exactly (JavaScript's Number.MAX_SAFE_INTEGER)."""

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
participant_id: ContextVar[str | None] = ContextVar("participant_id", default=None)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# C0 controls except tab, line feed and carriage return; DEL; lone UTF-16 surrogates. Databases
# disagree about storing them (PostgreSQL refuses NUL), and no market field needs them.
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    """A problem+json response."""
    return JSONResponse(
        body, status_code=body["status"], media_type=PROBLEM_CONTENT_TYPE, headers=headers
    )


class RequestLog:
    """Give every request an id (`X-Request-ID`) and a `Server-Timing`, and log one JSON line
    when it ends."""

    def __init__(self, app: ASGIApp, observe: Callable[[str, str, int, float], None]) -> None:
        self.app = app
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        rid_token = request_id.set(rid)
        who_token = participant_id.set(None)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                # Server-Timing: the time to the response's first byte, for benchmarks and
                # the browser's developer tools (a streamed body may run on after it).
                took = f"app;dur={(time.perf_counter() - started) * 1000:.2f}".encode()
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", rid.encode()),
                    (b"server-timing", took),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.observe(scope["method"], route, status, elapsed)
            access_log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route,
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 3),
                },
            )
            participant_id.reset(who_token)
            request_id.reset(rid_token)


class ErrorBoundary:
    """Answer an unhandled exception with a problem+json 500 and keep the connection open."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if started:
                raise
            body = problem(
                500,
                PROBLEM_BASE + "internal-error",
                "Internal error",
                "The exchange hit an unexpected error; nothing was saved.",
                scope["path"],
                {"request_id": request_id.get()},
            )
            await problem_response(body)(scope, _no_receive, send)


class RequestGuard:
    """Refuse what no handler should see: oversized bodies (413); control characters in the URL
    or a JSON body, duplicate JSON keys and integers beyond 2^53-1 (422)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        url_problem = _url_problem(scope)
        if url_problem is not None:
            await self._invalid(scope, send, *url_problem)
            return
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_bytes:
            await self._too_large(scope, send)
            return
        # Read the (capped) body up front so an overrun is answered with 413 before any
        # handler sees a partial body.
        chunks: list[bytes] = []
        received = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await self._too_large(scope, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body and b"json" in headers.get(b"content-type", b""):
            found = json_problem(body)
            if found is not None:
                await self._invalid(scope, send, *found)
                return
        await self.app(scope, _replay([body], None, receive), send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        body = problem(
            413,
            PROBLEM_BASE + "payload-too-large",
            "Request body too large",
            f"Request bodies are limited to {self.max_bytes} bytes.",
            scope["path"],
        )
        await problem_response(body)(scope, _no_receive, send)

    async def _invalid(self, scope: Scope, send: Send, where: list[str], message: str) -> None:
        body = problem(
            422,
            PROBLEM_BASE + "invalid-request",
            "Invalid request",
            f"{'.'.join(where)}: {message}",
            scope["path"],
            {"errors": [{"loc": where, "msg": message, "type": "value_error"}]},
        )
        await problem_response(body)(scope, _no_receive, send)


class _Refused(ValueError):
    def __init__(self, where: list[str], message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


def _url_problem(scope: Scope) -> tuple[list[str], str] | None:
    if _FORBIDDEN_CHARS.search(scope["path"]):
        return ["path"], "control characters are not allowed"
    query = unquote_to_bytes(scope.get("query_string", b"").replace(b"+", b" "))
    if _FORBIDDEN_CHARS.search(query.decode("utf-8", "surrogateescape")):
        return ["query"], "control characters are not allowed"
    return None


def json_problem(body: bytes) -> tuple[list[str], str] | None:
    """Where a JSON body breaks a rule every request body keeps, or None (also for non-JSON:
    the handler's own parsing reports that)."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                raise _Refused(["body", key], "duplicate key in a JSON object")
            seen[key] = value
        return seen

    try:
        parsed = json.loads(body, object_pairs_hook=pairs)
    except _Refused as refused:
        return refused.where, refused.message
    except ValueError:
        return None
    return _value_problem(parsed, ["body"])


def _value_problem(value: Any, where: list[str]) -> tuple[list[str], str] | None:
    if isinstance(value, str):
        if _FORBIDDEN_CHARS.search(value):
            return where, "control characters (such as NUL) are not allowed"
    elif isinstance(value, bool):
        return None
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            return where, f"integers are limited to ±{MAX_SAFE_INTEGER} (2^53-1)"
    elif isinstance(value, dict):
        for key, item in value.items():
            if _FORBIDDEN_CHARS.search(key):
                return [*where, "?"], "control characters (such as NUL) are not allowed in keys"
            found = _value_problem(item, [*where, key])
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _value_problem(item, [*where, str(index)])
            if found is not None:
                return found
    return None


def _replay(chunks: list[bytes], final: Message | None, receive: Receive) -> Receive:
    """Hand the buffered body to the app once, then the real channel (so a streaming response
    still learns of a real client disconnect, and only of a real one)."""
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if final is not None:
            return final
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, carrying the request id, participant and worker process."""

    _FIELDS = ("method", "route", "path", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": request_id.get(),
            "participant": participant_id.get(),
            # With `--workers N`, which worker answered (each has its own metrics and caches).
            "pid": record.process,
        }
        for name in self._FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_json_logging(level: str = "info") -> None:
    """Send the exchange's logs to stderr as JSON lines (the server does this at start)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter())
    root = logging.getLogger("exchange")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
