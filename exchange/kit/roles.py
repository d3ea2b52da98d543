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
RegulatorContext = Annotated[Context, context_for(Role.REGULATOR)]
"""A regulator (监管机构): decides data customs, objections and licence revocations."""
ReviewerContext = Annotated[Context, context_for(Role.COMPLIANCE_REVIEWER)]
"""A compliance reviewer (登记合规委员会)."""
OperatorContext = Annotated[Context, context_for(Role.EXCHANGE_OPERATOR)]
"""An exchange operator (交易所运营方)."""
BuyerContext = Annotated[Context, context_for(Role.ENTERPRISE, Role.INDIVIDUAL, Role.DEPARTMENT)]
"""Who may buy data and grant a broker a mandate to buy for it (买方)."""
