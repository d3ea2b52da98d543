"""Measures (监管措施): what each power does to the market, and how a later decision undoes it.

A measure binds from the decision that imposes it (or, for a joint decision, from the last
concurrence) until a later decision lifts it:
- suspend or delist a listing, suspend a participant's trading, suspend a broker's licence,
  require an asset's compliance re-review: the market's services refuse what it stops
  (`enforcement.check`, through the `check_measures` hook), naming the measure and case;
- freeze an account: the account's own row carries the freeze, so the ledger refuses its
  payments (it still receives) and a purchase either commits before the freeze or is refused;
- order a refund of a trade: a reversing journal of the trade's settlement, never an edit;
  lifting it charges the trade again (a second reversing journal).
Cases and their decisions (`cases.decisions`) call these; the refusals are each their own type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from exchange.assets.registry import service as assets_service
from exchange.context import Context
from exchange.errors import NotFound
from exchange.participants import ledger
from exchange.participants import service as participants_service
from exchange.supervision.measures import repository
from exchange.supervision.measures.errors import (
    MeasureAlreadyInForce,
    MeasureAlreadyLifted,
    MeasureNotFound,
    MeasureNotInForce,
    MeasureSubjectNotFound,
)
from exchange.supervision.measures.models import Measure
from exchange.supervision.rules import (
    MEASURE_LABELS,
    MEASURE_SUBJECTS,
    RESTRICTS,
    MeasureKind,
    MeasureState,
)
from exchange.trading.brokerage import service as brokerage_service
from exchange.trading.listings import service as listings_service
from exchange.trading.orders import service as orders_service
from exchange.trading.orders import settlement


async def get_measure(ctx: Context, measure_id: str) -> Measure:
    """One measure (404 if none)."""
    measure = await repository.get_measure(ctx.session, measure_id)
    if measure is None:
        raise MeasureNotFound(f"No supervision measure {measure_id!r}.")
    return measure


async def subject_facts(ctx: Context, kind: MeasureKind, subject_id: str) -> dict[str, Any]:
    """Check a measure's subject exists; what the measure records of it."""
    try:
        if kind in (MeasureKind.SUSPEND_LISTING, MeasureKind.DELIST_LISTING):
            view = await listings_service.get_listing(ctx, subject_id)
            return {"holder_id": view.listing.holder_id, "asset_id": view.listing.asset_id}
        if kind in (MeasureKind.SUSPEND_TRADING, MeasureKind.FREEZE_ACCOUNT):
            participant = await participants_service.get(ctx, subject_id)
            account = await participants_service.account_of(ctx, participant.id)
            return {"account_id": account.id, "role": participant.role}
        if kind is MeasureKind.SUSPEND_BROKER_LICENCE:
            licence = await brokerage_service.get_broker_licence(ctx, subject_id)
            return {"broker_id": licence.broker_id, "exchange_id": licence.exchange_id}
        if kind is MeasureKind.ORDER_REFUND:
            trade = await orders_service.get_trade(ctx, subject_id)
            return {"buyer_id": trade.buyer_id, "seller_id": trade.seller_id}
        asset = await assets_service.get_asset(ctx, subject_id)
        return {"holder_id": asset.holder_id}
    except NotFound as exc:
        raise MeasureSubjectNotFound(
            f"No {MEASURE_SUBJECTS[kind]} {subject_id!r} for the measure {kind.value}: "
            f"{exc.detail}",
            subject_type=MEASURE_SUBJECTS[kind],
        ) from None


async def new_measure(
    ctx: Context,
    *,
    case_id: str,
    agency_id: str,
    kind: MeasureKind,
    subject_id: str,
    reason: str,
    decision_id: str,
) -> Measure:
    """A proposed measure on a subject that exists and no like measure binds already."""
    detail = await subject_facts(ctx, kind, subject_id)
    await _refuse_twice(ctx, kind, subject_id)
    restricts = RESTRICTS.get(kind)
    measure = Measure(
        id=ctx.ids.new(),
        case_id=case_id,
        agency_id=agency_id,
        kind=kind.value,
        subject_type=MEASURE_SUBJECTS[kind],
        subject_id=subject_id,
        restricts=restricts.value if restricts is not None else None,
        state=MeasureState.PROPOSED.value,
        reason=reason,
        detail=detail,
        imposed_by=decision_id,
        imposed_at=None,
    )
    ctx.session.add(measure)
    await ctx.session.flush()
    return measure


async def _refuse_twice(ctx: Context, kind: MeasureKind, subject_id: str) -> None:
    """A measure of one kind binds a subject once at a time (a second would be lifted apart)."""
    clash = await repository.in_force_on(ctx.session, kinds=[kind.value], subject_id=subject_id)
    if clash is not None:
        raise MeasureAlreadyInForce(
            f"Measure {clash.id} of case {clash.case_id} ({MEASURE_LABELS[kind]}) binds "
            f"{subject_id} already.",
            measure_id=clash.id,
            case_id=clash.case_id,
        )


def affected(measure: Measure) -> list[str]:
    """The participants a measure binds (they are notified of its case)."""
    detail = measure.detail
    kind = MeasureKind(measure.kind)
    if kind in (MeasureKind.FREEZE_ACCOUNT, MeasureKind.SUSPEND_TRADING):
        return [measure.subject_id]
    if kind is MeasureKind.SUSPEND_BROKER_LICENCE:
        return [str(detail["broker_id"])]
    if kind is MeasureKind.ORDER_REFUND:
        return [str(detail["buyer_id"]), str(detail["seller_id"])]
    return [str(detail["holder_id"])]


async def put_in_force(ctx: Context, measure: Measure) -> Measure:
    """Make a proposed measure bind: do what its power does, with its audit entry."""
    kind = MeasureKind(measure.kind)
    await _refuse_twice(ctx, kind, measure.subject_id)
    now = ctx.clock.now()
    if not await repository.activate(ctx.session, measure.id, now=now):
        raise MeasureNotInForce(f"Measure {measure.id} is {measure.state}, not proposed.")
    if kind is MeasureKind.FREEZE_ACCOUNT:
        await participants_service.freeze_account(
            ctx, owner_id=measure.subject_id, measure_id=measure.id, case_id=measure.case_id
        )
    elif kind is MeasureKind.ORDER_REFUND:
        journal_id = await _reverse_trade(ctx, measure, again=False)
        measure.detail = {**measure.detail, "refund_journal_id": journal_id}
    measure.state = MeasureState.IN_FORCE.value
    measure.imposed_at = now
    ctx.audit(
        "supervision.measure_imposed",
        subject_type="measure",
        subject_id=measure.id,
        payload=_payload(measure),
    )
    return measure


async def lift(ctx: Context, measure: Measure, *, decision_id: str) -> Measure:
    """Undo what a measure does; lifting one twice is refused (`measure-already-lifted`)."""
    kind = MeasureKind(measure.kind)
    now = ctx.clock.now()
    if not await repository.lift(ctx.session, measure.id, decision_id=decision_id, now=now):
        fresh = await repository.get_measure(ctx.session, measure.id)
        assert fresh is not None
        await ctx.session.refresh(fresh)
        if fresh.state == MeasureState.PROPOSED.value:
            raise MeasureNotInForce(
                f"Measure {measure.id} waits for its joint decision's concurrence; it does not "
                "bind yet, so there is nothing to lift."
            )
        raise MeasureAlreadyLifted(
            f"Measure {measure.id} ({MEASURE_LABELS[kind]}) of case {measure.case_id} was "
            f"lifted already by decision {fresh.lifted_by}.",
            measure_id=measure.id,
            case_id=measure.case_id,
            lifted_by=fresh.lifted_by,
        )
    if kind is MeasureKind.FREEZE_ACCOUNT:
        await participants_service.unfreeze_account(
            ctx, owner_id=measure.subject_id, measure_id=measure.id
        )
    elif kind is MeasureKind.ORDER_REFUND:
        journal_id = await _reverse_trade(ctx, measure, again=True)
        measure.detail = {**measure.detail, "recharge_journal_id": journal_id}
    measure.state = MeasureState.LIFTED.value
    measure.lifted_by = decision_id
    measure.lifted_at = now
    ctx.audit(
        "supervision.measure_lifted",
        subject_type="measure",
        subject_id=measure.id,
        payload=_payload(measure),
    )
    return measure


async def _reverse_trade(ctx: Context, measure: Measure, *, again: bool) -> str:
    """Post the trade's settlement reversed (a refund), or as it was (the refund undone)."""
    trade = await orders_service.get_trade(ctx, measure.subject_id)
    legs = await settlement.trade_legs(ctx, trade)
    sign = 1 if again else -1
    posted = await ledger.post(
        ctx,
        kind="supervision_recharge" if again else "supervision_refund",
        memo=(
            f"监管措施 {measure.id}: "
            + ("refund of trade undone" if again else "ordered refund of trade")
            + f" {trade.id} (case {measure.case_id})"
        ),
        legs=[ledger.Leg(account, sign * amount) for account, amount in legs],
        # Money a measure orders back moves even from a frozen account.
        despite_freeze=not again,
    )
    return posted.journal.id


def _payload(measure: Measure) -> dict[str, Any]:
    return {
        "case_id": measure.case_id,
        "agency_id": measure.agency_id,
        "kind": measure.kind,
        "subject_type": measure.subject_type,
        "subject_id": measure.subject_id,
        "state": measure.state,
        "reason": measure.reason,
        "imposed_by": measure.imposed_by,
        "lifted_by": measure.lifted_by,
        "detail": measure.detail,
    }


async def list_measures(
    ctx: Context,
    *,
    case_id: str | None,
    state: MeasureState | None,
    kind: MeasureKind | None,
    subject_id: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Measure], int]:
    """Measures matching the filters (every agency reads them)."""
    return await repository.list_measures(
        ctx.session,
        case_id=case_id,
        state=state.value if state else None,
        kind=kind.value if kind else None,
        subject_id=subject_id,
        limit=limit,
        offset=offset,
    )


async def measures_of_cases(ctx: Context, case_ids: Sequence[str]) -> Sequence[Measure]:
    """Every measure of these cases."""
    return await repository.measures_of_cases(ctx.session, case_ids)
