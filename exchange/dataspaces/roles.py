"""Dependency aliases for the roles the data-space endpoints admit (others say 403)."""

from __future__ import annotations

from typing import Annotated, Any

from exchange.context import Context
from exchange.dataspaces.vocabulary import DATA_SUBJECT_ROLES, GRANTEE_ROLES
from exchange.security import context_for, principal_apart

DataSubjectContext = Annotated[Context, context_for(*sorted(DATA_SUBJECT_ROLES))]
"""A data subject: a person (个人) or a company (法人) with a data space."""
GranteeContext = Annotated[Context, context_for(*sorted(GRANTEE_ROLES))]
"""A participant that processes data and may ask for, or be granted, a consent."""


def grantee_apart() -> Any:
    """A grantee authenticated in a unit of work of its own (reads run their own)."""
    return principal_apart(*sorted(GRANTEE_ROLES))
