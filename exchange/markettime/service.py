"""Rules of the market clock: anyone reads it; admins move it forward, never back, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from exchange.clock import MarketClock, after_working_days, as_utc, rfc3339
from exchange.context import Context, Principal, Runtime
from exchange.markettime import duework, repository
from exchange.markettime.errors import CLOCK_SETTING, ClockBackwards, ClockMoved, ClockPinned

ONE_US = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class ClockState:
    """What the clock reads now."""

    now: datetime
    real_now: datetime
    offset_us: int
    mode: str
    moved_at: datetime | None
    moved_by: str | None


@dataclass(frozen=True, slots=True)
class Moved:
    """A move of the clock: market time before it, and the clock after it."""

    previous: datetime
    clock: ClockState


async def show(ctx: Context) -> ClockState:
    """The market clock as this runtime reads it."""
    clock = ctx.clock
    state = await repository.get_state(ctx.session)
    moved_at, moved_by = (state.moved_at, state.moved_by) if state else (None, None)
    now = clock.now()
    # The market clock, or a live class's clock: each runs ahead of a base clock by an offset.
    base, offset = getattr(clock, "base", None), getattr(clock, "offset", None)
    if isinstance(offset, timedelta) and base is not None:
        return ClockState(now, base.now(), offset // ONE_US, ctx.settings.clock, moved_at, moved_by)
    return ClockState(now, now, 0, ctx.settings.clock, moved_at, moved_by)


def _movable(ctx: Context) -> MarketClock:
    clock = ctx.clock
    if ctx.settings.clock == "real":
        raise ClockPinned(
            f"This deployment pins the clock to real time ({CLOCK_SETTING}=real); "
            f"unset {CLOCK_SETTING} (or set it to market) to move market time.",
            setting=CLOCK_SETTING,
        )
    if not isinstance(clock, MarketClock):
        raise ClockPinned(
            "This market's time is set by the program that runs it, not over the API.",
            setting=CLOCK_SETTING,
        )
    return clock


def target_of(
    now: datetime, *, by: timedelta | None, to: datetime | None, working_days: int | None
) -> datetime:
    """Where a move asked as a duration, an instant or working days lands."""
    if to is not None:
        return as_utc(to)
    if working_days is not None:
        return after_working_days(now, working_days)
    assert by is not None
    return now + by


async def advance(
    ctx: Context,
    *,
    by: timedelta | None = None,
    to: datetime | None = None,
    working_days: int | None = None,
) -> Moved:
    """Move market time forward (audited); the move takes effect when this unit commits."""
    clock = _movable(ctx)
    state = await repository.get_state(ctx.session, lock=True)
    if state is None:
        state = repository.add_state(ctx.session)
        await ctx.session.flush()
    clock.adopt(state.offset_us)
    now = clock.now()
    target = target_of(now, by=by, to=to, working_days=working_days)
    if target <= now:
        raise ClockBackwards(
            f"Market time is {rfc3339(now)}; it only moves forward, not to {rfc3339(target)}.",
            now=rfc3339(now),
        )
    real_now = clock.base.now()
    offset_us = (target - real_now) // ONE_US
    if not await repository.move(
        ctx.session,
        old_offset_us=state.offset_us,
        offset_us=offset_us,
        moved_at=now,
        moved_by=ctx.actor_ref,
    ):
        raise ClockMoved("Another move of the clock came first; read it and try again.")
    ctx.audit(
        "clock.advanced",
        subject_type="clock",
        subject_id="market",
        payload={
            "from": now,
            "to": target,
            "by_us": (target - now) // ONE_US,
            "offset_us": offset_us,
        },
    )
    return Moved(
        now, ClockState(target, real_now, offset_us, ctx.settings.clock, now, ctx.actor_ref)
    )


async def advance_and_run(
    runtime: Runtime,
    actor: Principal | None,
    *,
    by: timedelta | None = None,
    to: datetime | None = None,
    working_days: int | None = None,
) -> tuple[Moved, duework.DueWorkReport]:
    """Move the clock (its own unit of work), then do what fell due, before answering."""
    async with runtime.unit_of_work() as session:
        moved = await advance(
            runtime.context(session, actor), by=by, to=to, working_days=working_days
        )
    return moved, await duework.run(runtime)
