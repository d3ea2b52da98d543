"""Live classes (课堂实验): open a class from a scenario, run its rounds, show it.

An instructor opens a class and gets a join code; the class's market is a sandbox database
of its own, set up by the scenario's agents (participants, registered assets, listings).
Rounds advance on a timer or when the instructor says. Seats and students are in `seats`,
the results in `reports`.
"""

from __future__ import annotations

import functools
import json
import logging
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from exchange.audit.log import service as audit_service
from exchange.classroom import codes, repository
from exchange.classroom.errors import (
    ClassFinished,
    ClassNotFound,
    ClassStateConflict,
    ScenarioInvalid,
)
from exchange.classroom.live import LiveMarket, RoundWindow, closes_at_for
from exchange.classroom.models import (
    Classroom,
    ClassRound,
    ClassStatus,
    Occupant,
    Seat,
)
from exchange.classroom.sandbox import registry
from exchange.clock import rfc3339
from exchange.context import Context, Principal
from exchange.errors import Forbidden
from exchange.markettime import duework
from exchange.markettime import service as markettime_service
from exchange.markettime.errors import ClockBackwards
from exchange.migrate import ROOT
from exchange.simulation import loader
from exchange.simulation.scenario import Scenario
from exchange.simulation.services_base import SetupRefused, remove_database
from exchange.vocabulary import Role

log = logging.getLogger("exchange.classroom")

SCENARIO_DIR = ROOT / "scenarios"
MAX_CLASS_AGENTS = 400
MAX_CLASS_ROUNDS = 200
STUDENT_ROLES = ("buyer", "provider", "cross_border_buyer", "broker")


def instructor_of(ctx: Context) -> Principal:
    actor = ctx.actor
    if actor is None or actor.role is not Role.INSTRUCTOR:
        raise Forbidden("Only instructors (课程教师) run classes.")
    return actor


async def owned_class(ctx: Context, class_id: str, *, lock: bool = False) -> Classroom:
    """A class of the calling instructor (404 for anyone else's)."""
    actor = instructor_of(ctx)
    found = await repository.get_class(ctx.session, class_id, lock=lock)
    if found is None or found.instructor_id != actor.id:
        raise ClassNotFound(f"No class {class_id!r}.")
    return found


def scenario_of(cls: Classroom) -> Scenario:
    """The class's scenario as validated when it was opened."""
    return Scenario.model_validate_json(json.dumps(cls.scenario))


@dataclass(frozen=True, slots=True)
class ShippedScenario:
    """A scenario shipped in `scenarios/` that a class may be opened from."""

    name: str
    title: str
    rounds: int
    agents: int
    treatments: tuple[str, ...]


def shipped_scenarios() -> list[ShippedScenario]:
    """The shipped scenarios, by name, each validated as an offline run validates it."""
    files = sorted(SCENARIO_DIR.glob("*.toml"))
    return list(_shipped(tuple((p, p.stat().st_mtime_ns) for p in files)))


@functools.lru_cache(maxsize=4)
def _shipped(files: tuple[tuple[Path, int], ...]) -> tuple[ShippedScenario, ...]:
    """The scenarios of these files as they were at these modification times."""
    found = []
    for path, _ in files:
        try:
            scenario = loader.validate(loader.read_toml(path), f"scenarios/{path.name}")
        except loader.ScenarioError:
            log.warning("shipped scenario %s does not validate; not offered", path.name)
            continue
        found.append(
            ShippedScenario(
                path.stem,
                scenario.title,
                scenario.rounds,
                scenario.agents.total(),
                (loader.BASE_TREATMENT, *sorted(scenario.treatments)),
            )
        )
    return tuple(found)


def load_variant(
    *,
    scenario: str | None,
    scenario_toml: str | None,
    treatment: str | None,
    overrides: Mapping[str, Any],
    seed: int | None,
) -> loader.Variant:
    """The scenario a class runs, validated as an offline run validates it."""
    if (scenario is None) == (scenario_toml is None):
        raise ScenarioInvalid("Give either scenario (a shipped one's name) or scenario_toml.")
    try:
        if scenario is not None:
            path = SCENARIO_DIR / f"{scenario}.toml"
            if not path.is_file():
                shipped = ", ".join(sorted(p.stem for p in SCENARIO_DIR.glob("*.toml")))
                raise ScenarioInvalid(
                    f"No shipped scenario {scenario!r} (there are: {shipped}).",
                    path="scenario",
                    reason="unknown scenario",
                )
            raw, source = loader.read_toml(path), f"scenarios/{scenario}.toml"
        else:
            assert scenario_toml is not None
            source = "scenario_toml"
            try:
                raw = tomllib.loads(scenario_toml)
            except tomllib.TOMLDecodeError as exc:
                raise loader.ScenarioError(source, "", f"not valid TOML: {exc}") from None
        loader.check_treatments(raw, source)
        extra: list[tuple[str, Any]] = list(overrides.items())
        if seed is not None:
            extra.append((loader.SEED_KEY, seed))
        variant = loader.variant(
            raw, source, treatment=treatment or loader.BASE_TREATMENT, overrides=extra
        )
    except loader.ScenarioError as exc:
        raise ScenarioInvalid(str(exc), path=exc.path, reason=exc.reason) from None
    chosen = variant.scenario
    if chosen.agents.total() > MAX_CLASS_AGENTS:
        raise ScenarioInvalid(
            f"A live class takes at most {MAX_CLASS_AGENTS} agents; this one has "
            f"{chosen.agents.total()}.",
            path="agents",
            reason="too many agents for a live class",
        )
    if chosen.rounds > MAX_CLASS_ROUNDS:
        raise ScenarioInvalid(
            f"A live class runs at most {MAX_CLASS_ROUNDS} rounds.",
            path="rounds",
            reason="too many rounds for a live class",
        )
    return variant


# --- views ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeatView:
    """A seat with its presence and what its player has done."""

    seat: Seat
    last_seen_at: datetime | None
    requests: int
    activity: dict[str, int]
    last_action_at: datetime | None


@dataclass(frozen=True, slots=True)
class ClassView:
    """A class with its seats."""

    cls: Classroom
    seats: list[SeatView]

    @property
    def students(self) -> int:
        return sum(1 for s in self.seats if s.seat.occupant == Occupant.STUDENT)


async def _view(ctx: Context, cls: Classroom, *, detail: bool) -> ClassView:
    seats = list(await repository.list_seats(ctx.session, cls.id))
    if not detail:
        return ClassView(cls, [SeatView(s, None, 0, {}, None) for s in seats])
    present = await repository.presence(ctx.session, [s.id for s in seats])
    session = registry(ctx.runtime).session(cls.id, cls.clock_offset_us)
    async with session.runtime.sessionmaker() as class_session:
        done = await audit_service.activity(class_session, [s.participant_id for s in seats])
    views = []
    for seat in seats:
        counts, last = done.get(seat.participant_id, ({}, None))
        p = present.get(seat.id)
        views.append(
            SeatView(
                seat,
                p.last_seen_at if p is not None else None,
                p.requests if p is not None else 0,
                counts,
                last,
            )
        )
    return ClassView(cls, views)


async def list_classes(ctx: Context) -> list[ClassView]:
    """The calling instructor's classes, newest first."""
    actor = instructor_of(ctx)
    rows = await repository.list_classes(ctx.session, actor.id)
    return [await _view(ctx, c, detail=False) for c in rows]


async def class_view(ctx: Context, class_id: str) -> ClassView:
    """A class with who is connected and what each player has done."""
    cls = await owned_class(ctx, class_id, lock=True)
    await catch_up(ctx, cls)
    return await _view(ctx, cls, detail=True)


# --- opening a class -----------------------------------------------------------------------


async def open_class(
    ctx: Context,
    *,
    title: str,
    scenario: str | None,
    scenario_toml: str | None,
    treatment: str | None,
    overrides: Mapping[str, Any],
    seed: int | None,
    round_seconds: int | None,
    join_minutes: int,
    student_roles: Sequence[str],
) -> ClassView:
    """Open a class: its own market set up by the scenario's agents, and a join code."""
    actor = instructor_of(ctx)
    variant = load_variant(
        scenario=scenario,
        scenario_toml=scenario_toml,
        treatment=treatment,
        overrides=overrides,
        seed=seed,
    )
    chosen = variant.scenario
    class_id = ctx.ids.new()
    code = codes.new_join_code()
    while await repository.code_taken(ctx.session, code):
        code = codes.new_join_code()
    reg = registry(ctx.runtime)
    session = await reg.create(class_id)
    try:
        market = LiveMarket(chosen, session.runtime)
        specs = await market.open()
    except BaseException as exc:
        await session.runtime.engine.dispose()
        reg.sessions.pop(class_id, None)
        remove_database(reg.db_path(class_id))
        if isinstance(exc, SetupRefused):
            # Valid on paper, refused by the market's rules when set up: the scenario's fault.
            raise ScenarioInvalid(
                f"{variant.source}: {exc}", path=exc.path, reason=exc.reason
            ) from None
        raise
    now = ctx.clock.now()
    cls = Classroom(
        id=class_id,
        instructor_id=actor.id,
        title=title,
        scenario_name=chosen.name,
        scenario=chosen.model_dump(mode="json"),
        seed=chosen.seed,
        join_code=code,
        join_expires_at=now + timedelta(minutes=join_minutes),
        student_roles=list(dict.fromkeys(student_roles)),
        status=ClassStatus.OPEN,
        round=0,
        rounds=chosen.rounds,
        round_seconds=round_seconds,
        round_ends_at=None,
        paused_at=None,
        clock_offset_us=session.clock.offset_us(),
        created_at=now,
    )
    ctx.session.add(cls)
    await ctx.session.flush()
    seats = [
        Seat(
            id=ctx.ids.new(),
            class_id=class_id,
            seat_no=n,
            agent_key=spec.agent_key,
            role=spec.role,
            participant_id=spec.participant_id,
            occupant=Occupant.BOT,
        )
        for n, spec in enumerate(specs, start=1)
    ]
    ctx.session.add_all(seats)
    ctx.audit(
        "classroom.class_opened",
        subject_type="class",
        subject_id=class_id,
        payload={
            "title": title,
            "scenario": chosen.name,
            "variant": variant.label,
            "seed": chosen.seed,
            "rounds": chosen.rounds,
            "round_seconds": round_seconds,
            "seats": len(seats),
            "student_roles": cls.student_roles,
            "join_expires_at": cls.join_expires_at,
        },
    )
    await ctx.session.flush()
    return ClassView(cls, [SeatView(s, None, 0, {}, None) for s in seats])


# --- rounds --------------------------------------------------------------------------------


def _players(seats: Sequence[Seat]) -> tuple[dict[str, str], set[str]]:
    """Every agent's participant, and the agents bots play."""
    everyone = {s.agent_key: s.participant_id for s in seats}
    bots = {s.agent_key for s in seats if s.occupant == Occupant.BOT}
    return everyone, bots


async def _begin_round(ctx: Context, cls: Classroom, round_no: int) -> None:
    # Any process may start a round: the bots are rebuilt from the class's database.
    session = registry(ctx.runtime).session(cls.id, cls.clock_offset_us)
    scenario = scenario_of(cls)
    start = session.clock.now()
    everyone, bots = _players(await repository.list_seats(ctx.session, cls.id))
    last = await repository.get_round(ctx.session, cls.id, round_no - 1)
    await LiveMarket(scenario, session.runtime).begin(
        round_no,
        seats=everyone,
        bots=bots,
        closes_at=closes_at_for(start, scenario),
        last_round=RoundWindow(last.round, last.started_at, last.ended_at) if last else None,
    )
    ctx.session.add(ClassRound(class_id=cls.id, round=round_no, started_at=start))
    cls.round = round_no
    cls.clock_offset_us = session.clock.offset_us()
    ctx.audit(
        "classroom.round_started",
        subject_type="class",
        subject_id=cls.id,
        payload={"round": round_no, "market_time": start},
    )


async def _end_round(ctx: Context, cls: Classroom) -> None:
    session = registry(ctx.runtime).session(cls.id, cls.clock_offset_us)
    scenario = scenario_of(cls)
    current = await repository.get_round(ctx.session, cls.id, cls.round)
    if current is None or current.ended_at is not None:
        return
    closes_at = closes_at_for(current.started_at, scenario)
    everyone, _ = _players(await repository.list_seats(ctx.session, cls.id))
    await LiveMarket(scenario, session.runtime).end(cls.round, seats=everyone, closes_at=closes_at)
    current.ended_at = session.clock.now()
    cls.clock_offset_us = session.clock.offset_us()
    ctx.audit(
        "classroom.round_ended",
        subject_type="class",
        subject_id=cls.id,
        payload={"round": cls.round, "market_time": current.ended_at},
    )


async def _advance(ctx: Context, cls: Classroom, *, due: datetime | None) -> None:
    """End the current round; start the next one, or finish after the last."""
    await _end_round(ctx, cls)
    if cls.round >= cls.rounds:
        _finish(ctx, cls)
        return
    await _begin_round(ctx, cls, cls.round + 1)
    if cls.round_seconds is not None:
        base = due if due is not None else ctx.clock.now()
        cls.round_ends_at = base + timedelta(seconds=cls.round_seconds)


def _finish(ctx: Context, cls: Classroom) -> None:
    cls.status = ClassStatus.FINISHED
    cls.finished_at = ctx.clock.now()
    cls.round_ends_at = None
    cls.paused_at = None
    ctx.audit(
        "classroom.class_finished",
        subject_type="class",
        subject_id=cls.id,
        payload={"rounds_played": cls.round},
    )


async def catch_up(ctx: Context, cls: Classroom) -> None:
    """Play out every round whose timer has run out (rounds advance on the next request)."""
    now = ctx.clock.now()
    while (
        cls.status == ClassStatus.RUNNING
        and cls.round_ends_at is not None
        and now >= cls.round_ends_at
    ):
        await _advance(ctx, cls, due=cls.round_ends_at)
    await ctx.session.flush()


async def start(ctx: Context, *, class_id: str) -> ClassView:
    """Start round 1: the bots make their first moves, students may trade."""
    cls = await owned_class(ctx, class_id, lock=True)
    if cls.status != ClassStatus.OPEN:
        raise ClassStateConflict(f"The class is {cls.status}; only an open class starts.")
    cls.status = ClassStatus.RUNNING
    cls.started_at = ctx.clock.now()
    await _begin_round(ctx, cls, 1)
    if cls.round_seconds is not None:
        cls.round_ends_at = ctx.clock.now() + timedelta(seconds=cls.round_seconds)
    await ctx.session.flush()
    return await _view(ctx, cls, detail=False)


async def pause(ctx: Context, *, class_id: str) -> ClassView:
    """Pause: students read but nobody trades, and the round's timer stops."""
    cls = await owned_class(ctx, class_id, lock=True)
    await catch_up(ctx, cls)
    if cls.status != ClassStatus.RUNNING:
        raise ClassStateConflict(f"The class is {cls.status}; only a running class pauses.")
    cls.status = ClassStatus.PAUSED
    cls.paused_at = ctx.clock.now()
    ctx.audit(
        "classroom.class_paused",
        subject_type="class",
        subject_id=cls.id,
        payload={"round": cls.round},
    )
    await ctx.session.flush()
    return await _view(ctx, cls, detail=False)


async def resume(ctx: Context, *, class_id: str) -> ClassView:
    """Resume a paused class; the round's timer continues where it stopped."""
    cls = await owned_class(ctx, class_id, lock=True)
    if cls.status != ClassStatus.PAUSED:
        raise ClassStateConflict(f"The class is {cls.status}; only a paused class resumes.")
    now = ctx.clock.now()
    if cls.round_ends_at is not None and cls.paused_at is not None:
        cls.round_ends_at += now - cls.paused_at
    cls.status = ClassStatus.RUNNING
    cls.paused_at = None
    ctx.audit(
        "classroom.class_resumed",
        subject_type="class",
        subject_id=cls.id,
        payload={"round": cls.round},
    )
    await ctx.session.flush()
    return await _view(ctx, cls, detail=False)


async def advance(ctx: Context, *, class_id: str) -> ClassView:
    """End the current round now and start the next (the last one ends the class)."""
    cls = await owned_class(ctx, class_id, lock=True)
    await catch_up(ctx, cls)
    if cls.status not in (ClassStatus.RUNNING, ClassStatus.PAUSED):
        raise ClassStateConflict(f"The class is {cls.status}; there is no round to end.")
    if cls.status == ClassStatus.PAUSED:
        cls.status = ClassStatus.RUNNING
        cls.paused_at = None
    await _advance(ctx, cls, due=None)
    await ctx.session.flush()
    return await _view(ctx, cls, detail=False)


async def end(ctx: Context, *, class_id: str) -> ClassView:
    """End the class now: the current round closes and the results become final."""
    cls = await owned_class(ctx, class_id, lock=True)
    await catch_up(ctx, cls)
    if cls.status == ClassStatus.FINISHED:
        raise ClassFinished("The class has already finished.")
    if cls.round >= 1:
        await _end_round(ctx, cls)
    _finish(ctx, cls)
    await ctx.session.flush()
    return await _view(ctx, cls, detail=False)


@dataclass(frozen=True, slots=True)
class ClassClockMove:
    """A move of a class market's clock, and the due work it set off in that market."""

    previous: datetime
    now: datetime
    offset_us: int
    report: duework.DueWorkReport


async def advance_clock(
    ctx: Context,
    *,
    class_id: str,
    by: timedelta | None = None,
    to: datetime | None = None,
    working_days: int | None = None,
) -> ClassClockMove:
    """Move a class market's own clock forward (its instructor), then do what fell due there."""
    cls = await owned_class(ctx, class_id, lock=True)
    if cls.status == ClassStatus.FINISHED:
        raise ClassFinished("The class has finished; its market's time stands still.")
    session = registry(ctx.runtime).session(cls.id, cls.clock_offset_us)
    now = session.clock.now()
    target = markettime_service.target_of(now, by=by, to=to, working_days=working_days)
    if target <= now:
        raise ClockBackwards(
            f"The class market's time is {rfc3339(now)}; it only moves forward.",
            now=rfc3339(now),
        )
    session.clock.set(target)
    cls.clock_offset_us = session.clock.offset_us()
    ctx.audit(
        "classroom.clock_advanced",
        subject_type="class",
        subject_id=cls.id,
        payload={"from": now, "to": target, "offset_us": cls.clock_offset_us},
    )
    await ctx.session.flush()
    # The class market is its own database: its due work commits there, in its own units.
    report = await duework.run(session.runtime)
    return ClassClockMove(now, target, cls.clock_offset_us, report)
