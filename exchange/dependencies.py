"""Request-scoped dependencies: the runtime and the unit-of-work session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.context import Runtime

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_runtime(request: Request) -> Runtime:
    """The runtime a request acts on: the app's, or a live class's for a student's key.

    Live classes (exchange.classroom) each run their market on a sandbox database; a request
    with a student's key is routed there, so it never reaches the main market or another
    class. Imported here, not at the top, because the classroom builds on these dependencies.
    """
    runtime: Runtime = request.app.state.runtime
    from exchange.classroom.routing import resolve_runtime

    return await resolve_runtime(request, runtime)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(request: Request, runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """One session per request: a writer commits (with its audit entries) or rolls back."""
    async with runtime.unit_of_work(write=request.method not in READ_METHODS) as session:
        yield session


# scope="function": the commit happens before the response is sent, so a client never sees
# success for a change that then failed to commit.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
