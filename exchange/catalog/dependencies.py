"""Dependency aliases of the catalog's endpoints: who may call them, and path values."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from exchange.context import Context
from exchange.dependencies import RuntimeDep, SessionDep
from exchange.security import context_for
from exchange.vocabulary import Role

PublisherContext = Annotated[Context, context_for(Role.ADMIN, Role.DEPARTMENT)]
DepartmentContext = Annotated[Context, context_for(Role.DEPARTMENT)]
OversightContext = Annotated[Context, context_for(Role.ADMIN, Role.REGULATOR, Role.DEPARTMENT)]


async def public_context(session: SessionDep, runtime: RuntimeDep) -> Context:
    """A context for anyone (the open list and the DCAT export are public)."""
    return runtime.context(session)


PublicContext = Annotated[Context, Depends(public_context)]
Ref = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
