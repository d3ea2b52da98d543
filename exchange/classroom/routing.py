"""Which runtime serves a request: a student's key is served by its class's market alone.

`exchange.dependencies.get_runtime` asks `resolve_runtime`: a request whose Bearer key is a
student's (the main database maps student key ids to classes) runs on that class's sandbox
runtime; every other request runs on the app's. A student key therefore never authenticates
against the main market or another class: those databases do not hold it.
"""

from __future__ import annotations

from fastapi import Request

from exchange.classroom import repository, seats
from exchange.classroom.sandbox import registry
from exchange.context import Runtime
from exchange.dependencies import READ_METHODS
from exchange.security import parse_key_id


def _key_id(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return parse_key_id(token.strip())


async def resolve_runtime(request: Request, main: Runtime) -> Runtime:
    """The main runtime, or the class runtime for a student's key (cached per key id)."""
    key_id = _key_id(request)
    if key_id is None:
        return main
    reg = registry(main)
    known, class_id = reg.cached_route(key_id)
    if not known:
        async with main.unit_of_work(write=False) as session:
            class_id = await repository.class_of_key(session, key_id)
        reg.remember_route(key_id, class_id)
    if class_id is None:
        return main
    return await seats.enter_class(main, class_id, key_id, write=request.method not in READ_METHODS)
