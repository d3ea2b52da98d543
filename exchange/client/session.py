"""`Client` (sync) and `AsyncClient`: one method per API operation, grouped by domain."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from exchange.client.errors import raise_for_problem
from exchange.client.operations import Operation, groups

DEFAULT_URL = "http://127.0.0.1:8000"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def build_request(operation: Operation, arguments: dict[str, Any]) -> dict[str, Any]:
    """The httpx request (method, url, params, headers, json) for a call with these arguments."""
    args = dict(arguments)
    path = operation.path
    for name in operation.path_params:
        if name not in args:
            raise TypeError(f"{operation.name}() needs {name}=")
        path = path.replace("{" + name + "}", quote(str(args.pop(name)), safe=""))
    params = {
        name: value.value if hasattr(value, "value") else value
        for name in operation.query_params
        if (value := args.pop(name, None)) is not None
    }
    headers: dict[str, str] = {}
    for name, header in operation.headers.items():
        value = args.pop(name, None)
        if value is None and header.lower() == IDEMPOTENCY_HEADER.lower():
            value = str(uuid.uuid4())  # every order is safe to retry
        if value is not None:
            headers[header] = str(value)
    body: Any = args.pop("body", None)
    if operation.body_model is not None:
        fields = {k: args.pop(k) for k in list(args) if k in operation.body_fields()}
        if body is None:
            body = operation.body_model(**fields)
        elif fields:
            raise TypeError(f"{operation.name}(): give body= or the body's fields, not both")
        if isinstance(body, BaseModel):
            body = body.model_dump(mode="json", exclude_unset=True)
    if args:
        known = (
            *operation.path_params,
            *operation.query_params,
            *operation.headers,
            *sorted(operation.body_fields()),
        )
        unexpected = ", ".join(sorted(args))
        raise TypeError(
            f"{operation.name}() got unexpected {unexpected}; it takes {', '.join(known)}"
        )
    request: dict[str, Any] = {"method": operation.method, "url": path, "headers": headers}
    if params:
        request["params"] = params
    if body is not None:
        request["json"] = body
    return request


def parse_response(operation: Operation, response: httpx.Response) -> Any:
    """The answer as the operation's schema (or bytes/text for files), or the problem raised."""
    raise_for_problem(response)
    if operation.response is not None:
        return operation.response.validate_python(response.json())
    kind = response.headers.get("content-type", "")
    if "json" in kind:
        return response.json()
    if kind.startswith("text/plain") and "attachment" not in response.headers.get(
        "content-disposition", ""
    ):
        return response.text  # e.g. the signed checkpoint note
    return response.content  # a delivery, an export: the exact bytes


class _Call:
    """A bound operation: `client.trading.place_order(...)`."""

    def __init__(self, operation: Operation, send: Callable[[Operation, dict[str, Any]], Any]):
        self.operation = operation
        self._send = send
        self.__doc__ = f"{operation.method} {operation.path}: {operation.summary}"
        self.__name__ = operation.name

    def __call__(self, **arguments: Any) -> Any:
        return self._send(self.operation, arguments)

    def __repr__(self) -> str:
        return f"<{self.operation.group}.{self.operation.name}: {self.__doc__}>"


class _Group:
    """The operations of one domain (`client.catalog`, `client.trading`, ...)."""

    def __init__(self, name: str, send: Callable[[Operation, dict[str, Any]], Any]) -> None:
        self._name = name
        self._ops = groups().get(name, {})
        self._send = send

    def __getattr__(self, name: str) -> _Call:
        operation = self._ops.get(name)
        if operation is None:
            raise AttributeError(f"{self._name} has no operation {name!r}; see dir()")
        return _Call(operation, self._send)

    def __dir__(self) -> list[str]:
        return sorted(self._ops)


def _headers(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


def _items(page: Any) -> list[Any]:
    found = getattr(page, "items", None) if isinstance(page, BaseModel) else page.get("items")
    return list(found or [])


def _next_page(call: _Call, arguments: dict[str, Any], page: Any, seen: int) -> dict[str, Any]:
    """The arguments of the next page, or {} when this was the last."""
    items = _items(page)
    total = getattr(page, "total", 0) if isinstance(page, BaseModel) else page.get("total", 0)
    if not items or seen >= total:
        return {}
    if "offset" in call.operation.query_params:
        return {**arguments, "offset": arguments.get("offset", 0) + len(items)}
    return {}


class Client:
    """A synchronous client. `http` may be any httpx.Client (e.g. Starlette's TestClient)."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        api_key: str | None = None,
        *,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.http = http or httpx.Client(base_url=base_url, timeout=timeout)
        self._auth = _headers(api_key)  # per client: several clients may share one `http`

    def _send(self, operation: Operation, arguments: dict[str, Any]) -> Any:
        request = build_request(operation, arguments)
        request["headers"].update(self._auth)
        return parse_response(operation, self.http.request(**request))

    def __getattr__(self, group: str) -> _Group:
        if group.startswith("_") or group not in groups():
            raise AttributeError(group)
        return _Group(group, self._send)

    def __dir__(self) -> list[str]:
        return sorted({*groups(), "paginate", "close"})

    def paginate(self, call: _Call, **arguments: Any) -> Iterator[Any]:
        """Every item of a list operation, page after page."""
        seen = 0
        while True:
            page = call(**arguments)
            items = _items(page)
            yield from items
            seen += len(items)
            arguments = _next_page(call, arguments, page, seen)
            if not arguments:
                return

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient:
    """The same client for asyncio: `await client.trading.buy(...)`."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        api_key: str | None = None,
        *,
        http: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.http = http or httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self._auth = _headers(api_key)  # per client: several clients may share one `http`

    async def _send(self, operation: Operation, arguments: dict[str, Any]) -> Any:
        request = build_request(operation, arguments)
        request["headers"].update(self._auth)
        return parse_response(operation, await self.http.request(**request))

    def __getattr__(self, group: str) -> _Group:
        if group.startswith("_") or group not in groups():
            raise AttributeError(group)
        return _Group(group, self._send)

    def __dir__(self) -> list[str]:
        return sorted({*groups(), "paginate", "aclose"})

    async def paginate(self, call: _Call, **arguments: Any) -> AsyncIterator[Any]:
        """Every item of a list operation, page after page."""
        seen = 0
        while True:
            result: Awaitable[Any] = call(**arguments)
            page = await result
            items = _items(page)
            for item in items:
                yield item
            seen += len(items)
            arguments = _next_page(call, arguments, page, seen)
            if not arguments:
                return

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
