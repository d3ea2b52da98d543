"""Dependency aliases of authorized operation's endpoints: who may call them, path values."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from exchange.context import Context
from exchange.security import context_for
from exchange.vocabulary import Role

OperatorContext = Annotated[Context, context_for(Role.ENTERPRISE)]
"""An operator (运营机构): an enterprise proposes agreements and operates under them."""
AuthorityContext = Annotated[Context, context_for(Role.DEPARTMENT)]
"""A department: only one designated data authority (数据主管部门) decides agreements."""
PartyContext = Annotated[Context, context_for(Role.ENTERPRISE, Role.DEPARTMENT)]
"""A party to agreements: the operator, or a department (the data authority)."""
ViewerContext = Annotated[
    Context, context_for(Role.ENTERPRISE, Role.DEPARTMENT, Role.REGULATOR, Role.ADMIN)
]
"""Who may list agreements: operators, departments, regulators and admins."""
AgreementRef = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
