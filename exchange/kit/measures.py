"""Ask supervision whether a measure in force (监管措施) stops an act, before doing it.

Trading and the listings call this with what they are about to touch (a listing, an asset, a
participant, a broker licence); supervision, which sits above them, answers through the
`check_measures` hook and refuses with the measure and its case named.
"""

from __future__ import annotations

from exchange.context import Context
from exchange.hooks import HOOKS, NotWired
from exchange.vocabulary import Restricted


async def refuse_restricted(ctx: Context, *restrictions: tuple[Restricted, str | None]) -> None:
    """Refuse (the measure's own problem) if a measure in force stops any of these subjects;
    subjects given as None are skipped."""
    subjects = [(what, subject) for what, subject in restrictions if subject]
    if not subjects:
        return
    check = HOOKS.check_measures
    if check is None:
        raise NotWired("check_measures")
    await check(ctx.session, subjects)
