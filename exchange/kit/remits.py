"""Ask supervision whether the calling regulator's agency may do this act (职责范围).

Regulators act for agencies, and an agency acts only within its remits (监管协同): a data-
customs decision is the export and personal-information remit's (网信), an objection's decision
or a registration's revocation the public-data remit's (数据局, which oversees the data-asset
registry), a licence's revocation the trading-conduct remit's (市场监管). The lower services
name the remit here; supervision, which sits above them, answers through the `check_remit`
hook and refuses with 403 `outside-remit`, naming the remit the act needs.
"""

from __future__ import annotations

from exchange.context import Context
from exchange.hooks import HOOKS, NotWired
from exchange.vocabulary import Remit


async def require_remit(ctx: Context, *needed: Remit, what: str) -> None:
    """Refuse a regulator whose agency holds none of `needed` (others pass: their role checks
    are the services' own)."""
    check = HOOKS.check_remit
    if check is None:
        raise NotWired("check_remit")
    await check(ctx, frozenset(needed), what)
