"""Pure: who may see and do what in the register (roles, visibility, the acting participant)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from exchange.errors import Forbidden, InvalidInput
from exchange.vocabulary import Role

if TYPE_CHECKING:  # types only: this module does no I/O
    from exchange.context import Context, Principal

HOLDER_ROLES = frozenset({Role.DEPARTMENT, Role.ENTERPRISE})
OVERSEER_ROLES = frozenset({Role.ADMIN, Role.REGULATOR, Role.COMPLIANCE_REVIEWER})
REVOKER_ROLES = frozenset({Role.ADMIN, Role.REGULATOR})
VALUER_ROLES = frozenset({Role.ADMIN, Role.COMPLIANCE_REVIEWER})


class Visible(Protocol):
    """An asset as an ORM object or a plain row: what deciding its visibility reads."""

    @property
    def holder_id(self) -> str: ...

    @property
    def published_at(self) -> datetime | None: ...


class PledgeParties(Protocol):
    """A pledge: what deciding who sees its parties reads."""

    @property
    def lender_id(self) -> str: ...

    @property
    def holder_id(self) -> str: ...


def actor(ctx: Context) -> Principal:
    """The authenticated participant acting (403 for the system or anonymous callers)."""
    if ctx.actor is None:
        raise Forbidden("This action needs an authenticated participant.")
    return ctx.actor


def oversees(ctx: Context) -> bool:
    """The registry itself (system), admins, regulators and compliance reviewers see all."""
    return ctx.actor is None or ctx.actor.role in OVERSEER_ROLES


def may_see(ctx: Context, asset: Visible) -> bool:
    """Published assets are public (公示); before that only the holder and overseers see one."""
    return (
        oversees(ctx)
        or asset.published_at is not None
        or (ctx.actor is not None and ctx.actor.id == asset.holder_id)
    )


def sees_pledgee(ctx: Context, pledge: PledgeParties) -> bool:
    """A pledge's parties are seen by the system, regulators, its lender and its holder."""
    who = ctx.actor
    return (
        who is None or who.role is Role.REGULATOR or who.id in (pledge.lender_id, pledge.holder_id)
    )


def unique(ids: Sequence[str]) -> list[str]:
    """The ids in order, refusing a batch that names one twice."""
    ordered = list(dict.fromkeys(ids))
    if len(ordered) != len(ids):
        raise InvalidInput("An asset appears more than once in the batch.")
    return ordered
