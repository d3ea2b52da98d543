"""Request-scoped dependencies: the runtime and the unit-of-work session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.context import Runtime
from exchange.hooks import HOOKS

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_runtime(request: Request) -> Runtime:
    """The runtime a request acts on: the app's, or another a domain routes it to.

    Live classes run their market on sandbox databases; the classroom's resolver sends a
    student's request there, so it never reaches the main market or another class.
    """
    runtime: Runtime = request.app.state.runtime
    resolve = HOOKS.resolve_runtime
    return runtime if resolve is None else await resolve(request, runtime)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(request: Request, runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """One session per request: a writer commits (with its audit entries) or rolls back."""
    async with runtime.unit_of_work(write=request.method not in READ_METHODS) as session:
        yield session


# scope="function": the commit happens before the response is sent, so a client never sees
# success for a change that then failed to commit.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
