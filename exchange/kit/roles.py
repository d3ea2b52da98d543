"""Dependency aliases for the roles most endpoints admit (others say 403)."""

from __future__ import annotations

from typing import Annotated

from exchange.context import Context
from exchange.security import context_for
from exchange.vocabulary import Role

AdminContext = Annotated[Context, context_for(Role.ADMIN)]
"""A platform admin (平台管理员)."""
InstructorContext = Annotated[Context, context_for(Role.INSTRUCTOR)]
"""A course instructor (课程教师)."""
LenderContext = Annotated[Context, context_for(Role.LENDER)]
"""A lender (金融机构)."""
HolderContext = Annotated[Context, context_for(Role.DEPARTMENT, Role.ENTERPRISE)]
"""A data holder: a department or an enterprise (数据持有者)."""
OverseerContext = Annotated[Context, context_for(Role.REGULATOR, Role.ADMIN)]
"""Who oversees the whole market: regulators and admins."""
