"""An instructor funds the participants of its own classes (沙盒注资), in each class's market.

`exchange.participants.service.deposit` asks `fund_class_participant` (through the core's
hooks) when the depositor is an instructor: the participant must sit in one of that
instructor's classes, and the money is minted in that class's market, where the participant
lives, under the class's admin. Staff of the class market (its admin, operators, reviewers,
regulators) are refused there; anyone else, the instructor included, sits in no class.
"""

from __future__ import annotations

from exchange.classroom import repository
from exchange.classroom.sandbox import registry
from exchange.context import Context, Principal
from exchange.participants import service as participants_service
from exchange.participants.ledger import PostedJournal
from exchange.vocabulary import Role


async def fund_class_participant(
    ctx: Context, *, participant_id: str, amount_fen: int, memo: str
) -> PostedJournal | None:
    """Deposit in the class market where the participant sits; None if in no class of ours."""
    actor = ctx.actor
    if actor is None or actor.role is not Role.INSTRUCTOR:
        return None
    found = await repository.seat_in_classes_of(ctx.session, actor.id, participant_id)
    if found is None:
        return None
    cls, _seat = found
    seats = await repository.list_seats(ctx.session, cls.id)
    admin = next(s for s in seats if s.agent_key == "admin")
    session = registry(ctx.runtime).session(cls.id, cls.clock_offset_us)
    async with session.runtime.unit_of_work() as class_db:
        class_ctx = session.runtime.context(
            class_db, Principal(admin.participant_id, "admin", Role.ADMIN, "CN")
        )
        return await participants_service.fund_class_participant(
            class_ctx, participant_id=participant_id, amount_fen=amount_fen, memo=memo
        )
