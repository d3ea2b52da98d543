"""Live classes (课堂实验): open a class from a scenario, seat students, run rounds, results.

An instructor opens a class and gets a join code; the class's market is a sandbox database
of its own, set up by the scenario's agents (participants, registered assets, listings).
Students join with the code and a name, take a seat (by arrival order or the instructor's
assignment) and an API key, and trade on the ordinary endpoints; bots play every other seat.
Rounds advance on a timer or when the instructor says; at the end the class has the same
results an offline run writes, plus a CSV of every order and trade with each payoff.
"""

from __future__ import annotations

import json
import logging
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from exchange.assets import service as assets_service
from exchange.classroom import codes, repository
from exchange.classroom.errors import (
    ClassFinished,
    ClassFull,
    ClassNotFound,
    ClassPaused,
    ClassStateConflict,
    JoinCodeExpired,
    JoinCodeInvalid,
    NameTaken,
    NotAStudent,
    ScenarioInvalid,
    SeatNotFound,
)
from exchange.classroom.live import (
    LiveMarket,
    RoundWindow,
    SeatInfo,
    class_record,
    closes_at_for,
    need_of,
    product_key_of,
    seat_name,
    values_of,
)
from exchange.classroom.models import (
    Classroom,
    ClassRound,
    ClassStatus,
    Occupant,
    Presence,
    Seat,
)
from exchange.classroom.sandbox import CLASS_ID, MAIN, ClassSession, registry
from exchange.context import Context, Principal, Runtime
from exchange.errors import Forbidden
from exchange.migrate import ROOT
from exchange.participants import service as participants_service
from exchange.participants.service import IssuedKey
from exchange.simulation import loader, runner, welfare
from exchange.simulation.results import Results, RunRecord, write_csv
from exchange.simulation.scenario import Scenario
from exchange.simulation.services_market import SetupRefused, package_of, remove_database
from exchange.simulation.world import build_world
from exchange.trading.listings import service as listings_service
from exchange.vocabulary import Role

log = logging.getLogger("exchange.classroom")

SCENARIO_DIR = ROOT / "scenarios"
MAX_CLASS_AGENTS = 400
MAX_CLASS_ROUNDS = 200
PRESENCE_EVERY = timedelta(seconds=10)
STUDENT_ROLES = ("buyer", "provider", "cross_border_buyer", "broker")


def _instructor(ctx: Context) -> Principal:
    actor = ctx.actor
    if actor is None or actor.role is not Role.INSTRUCTOR:
        raise Forbidden("Only instructors (课程教师) run classes.")
    return actor


async def _owned(ctx: Context, class_id: str, *, lock: bool = False) -> Classroom:
    """A class of the calling instructor (404 for anyone else's)."""
    actor = _instructor(ctx)
    found = await repository.get_class(ctx.session, class_id, lock=lock)
    if found is None or found.instructor_id != actor.id:
        raise ClassNotFound(f"No class {class_id!r}.")
    return found


def scenario_of(cls: Classroom) -> Scenario:
    """The class's scenario as validated when it was opened."""
    return Scenario.model_validate_json(json.dumps(cls.scenario))


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
        done = await repository.activity(class_session, [s.participant_id for s in seats])
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
    actor = _instructor(ctx)
    rows = await repository.list_classes(ctx.session, actor.id)
    return [await _view(ctx, c, detail=False) for c in rows]


async def class_view(ctx: Context, class_id: str) -> ClassView:
    """A class with who is connected and what each player has done."""
    cls = await _owned(ctx, class_id, lock=True)
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
    actor = _instructor(ctx)
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
    session.market = market
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


# --- seats and students --------------------------------------------------------------------


async def assign_seat(ctx: Context, *, class_id: str, seat_id: str, name: str) -> Seat:
    """Reserve a seat for the student who joins with this name (the instructor's assignment)."""
    cls = await _owned(ctx, class_id, lock=True)
    if cls.status == ClassStatus.FINISHED:
        raise ClassFinished("The class has finished.")
    seat = await repository.get_seat(ctx.session, cls.id, seat_id)
    if seat is None or seat.role not in STUDENT_ROLES:
        raise SeatNotFound(f"No seat {seat_id!r} a student may take in this class.")
    if seat.occupant == Occupant.STUDENT:
        raise ClassStateConflict(f"Seat {seat.agent_key} is taken by {seat.student_name}.")
    for other in await repository.list_seats(ctx.session, cls.id):
        if other.id != seat.id and other.assigned_name == name:
            other.assigned_name = None
    seat.assigned_name = name
    ctx.audit(
        "classroom.seat_assigned",
        subject_type="class",
        subject_id=cls.id,
        payload={"seat_id": seat.id, "agent_key": seat.agent_key, "name": name},
    )
    await ctx.session.flush()
    return seat


@dataclass(frozen=True, slots=True)
class Joined:
    """A student's seat and freshly issued key."""

    cls: Classroom
    seat: Seat
    api_key: str
    balance_fen: int


async def join(main: Runtime, *, code: str, name: str) -> Joined:
    """A student joins a class with its join code and a name (no account needed).

    Two databases change: the class's (a new key for the seat's participant) and the main one
    (the seat, its presence and the audit entry). This runs its own main unit of work so that
    it knows whether the main commit succeeded.
    """
    reg = registry(main)
    issued: IssuedKey | None = None
    class_session: ClassSession | None = None
    admin_id, committed = "", False
    try:
        async with main.unit_of_work() as session:
            ctx = main.context(session)
            cls, seat, seats = await _seat_for(ctx, code=code, name=name)
            admin_id = next(s.participant_id for s in seats if s.agent_key == "admin")
            class_session = reg.session(cls.id, cls.clock_offset_us)
            # Class key commits first; a failed main commit revokes it; route cached after both.
            async with class_session.runtime.unit_of_work() as class_db:
                class_ctx = class_session.runtime.context(class_db)
                label = f"学生 student {name}"[:100]
                issued = await participants_service.issue_key(
                    class_ctx, participant_id=seat.participant_id, label=label
                )
                balance = (
                    await participants_service.account_of(class_ctx, seat.participant_id)
                ).balance_fen
            committed = True
            await _take_seat(ctx, cls, seat, name=name, key_id=issued.record.id)
    except BaseException:
        if committed and issued is not None and class_session is not None:
            await _withdraw_key(class_session, admin_id, issued.record.id)
        raise
    reg.remember_route(issued.record.id, cls.id)
    return Joined(cls, seat, issued.secret, balance)


async def _seat_for(ctx: Context, *, code: str, name: str) -> tuple[Classroom, Seat, list[Seat]]:
    """The class of a join code (locked) and the seat a student of this name takes."""
    cls = await repository.get_class_by_code(ctx.session, codes.normalize_code(code))
    if cls is None:
        raise JoinCodeInvalid("No class has this join code; check it with your instructor.")
    cls = await repository.get_class(ctx.session, cls.id, lock=True)
    assert cls is not None
    if cls.status == ClassStatus.FINISHED:
        raise ClassFinished("This class has finished; it takes no more students.")
    if ctx.clock.now() >= cls.join_expires_at:
        raise JoinCodeExpired(
            f"The join code expired at {cls.join_expires_at.isoformat()}; ask for a new one."
        )
    seats = list(await repository.list_seats(ctx.session, cls.id))
    if any(s.occupant == Occupant.STUDENT and s.student_name == name for s in seats):
        raise NameTaken(f"A student named {name!r} is already in this class.")
    free = [s for s in seats if s.occupant == Occupant.BOT and s.role in STUDENT_ROLES]
    seat = next((s for s in free if s.assigned_name == name), None)
    if seat is None:
        open_seats = {
            s.agent_key: s for s in free if s.assigned_name is None and s.role in cls.student_roles
        }
        order = codes.arrival_order([(s.agent_key, s.role) for s in seats], cls.student_roles)
        seat = next((open_seats[k] for k in order if k in open_seats), None)
    if seat is None:
        raise ClassFull("Every seat students may take is taken.")
    return cls, seat, seats


async def _take_seat(ctx: Context, cls: Classroom, seat: Seat, *, name: str, key_id: str) -> None:
    """The student sits: the seat, its presence and the audit entry (main database)."""
    now = ctx.clock.now()
    seat.occupant = Occupant.STUDENT
    seat.student_name = name
    seat.key_id = key_id
    seat.joined_at = now
    seat.removed_at = None
    seat.removal_reason = None
    found = await repository.get_presence(ctx.session, seat.id)
    if found is None:
        ctx.session.add(Presence(seat_id=seat.id, last_seen_at=now, requests=0))
    else:
        found.last_seen_at = now
    ctx.audit(
        "classroom.student_joined",
        subject_type="class",
        subject_id=cls.id,
        payload={
            "seat_id": seat.id,
            "agent_key": seat.agent_key,
            "role": seat.role,
            "name": name,
            "key_id": key_id,
        },
    )
    await ctx.session.flush()


async def _withdraw_key(class_session: ClassSession, admin_id: str, key_id: str) -> None:
    """Revoke a key whose seat was never recorded (the main commit failed); never raises.

    Should this fail too, the key still reaches nothing: a student key is routed to its class
    only through its seat in the main database, and its route was never cached.
    """
    try:
        async with class_session.runtime.unit_of_work() as class_db:
            admin = Principal(admin_id, "admin", Role.ADMIN, "CN")
            await participants_service.revoke_key(
                class_session.runtime.context(class_db, admin), key_id=key_id
            )
    except Exception:
        log.exception(
            "class %s: could not revoke the unrecorded key %s", class_session.class_id, key_id
        )


async def remove_student(ctx: Context, *, class_id: str, seat_id: str, reason: str) -> Seat:
    """Remove a student: its key stops working at once and a bot takes the seat back."""
    cls = await _owned(ctx, class_id, lock=True)
    seat = await repository.get_seat(ctx.session, cls.id, seat_id)
    if seat is None or seat.occupant != Occupant.STUDENT:
        raise SeatNotFound(f"No student sits in seat {seat_id!r} of this class.")
    seats = await repository.list_seats(ctx.session, cls.id)
    admin = next(s for s in seats if s.agent_key == "admin")
    session = registry(ctx.runtime).session(cls.id, cls.clock_offset_us)
    # Revoke first: if the main commit then fails, the seat lists a dead key, never a live one.
    async with session.runtime.unit_of_work() as class_session:
        class_ctx = session.runtime.context(
            class_session, Principal(admin.participant_id, "admin", Role.ADMIN, "CN")
        )
        if seat.key_id is not None:
            await participants_service.revoke_key(class_ctx, key_id=seat.key_id)
    seat.occupant = Occupant.BOT
    seat.removed_at = ctx.clock.now()
    seat.removal_reason = reason
    ctx.audit(
        "classroom.student_removed",
        subject_type="class",
        subject_id=cls.id,
        payload={
            "seat_id": seat.id,
            "agent_key": seat.agent_key,
            "name": seat.student_name,
            "reason": reason,
        },
    )
    await ctx.session.flush()
    return seat


# --- rounds --------------------------------------------------------------------------------


def _players(seats: Sequence[Seat]) -> tuple[set[str], set[str]]:
    bots = {s.agent_key for s in seats if s.occupant == Occupant.BOT}
    students = {s.agent_key for s in seats if s.occupant == Occupant.STUDENT}
    return bots, students


def _class_session(ctx: Context, cls: Classroom) -> ClassSession:
    session = registry(ctx.runtime).session(cls.id, cls.clock_offset_us)
    if session.market is None:
        log.warning("class %s: its bots live in another process; they sit this round out", cls.id)
    return session


async def _begin_round(ctx: Context, cls: Classroom, round_no: int) -> None:
    session = _class_session(ctx, cls)
    scenario = scenario_of(cls)
    start = session.clock.now()
    if session.market is not None:
        bots, students = _players(await repository.list_seats(ctx.session, cls.id))
        await session.market.begin(
            round_no, bots=bots, students=students, closes_at=closes_at_for(start, scenario)
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
    session = _class_session(ctx, cls)
    scenario = scenario_of(cls)
    current = await repository.get_round(ctx.session, cls.id, cls.round)
    if current is None or current.ended_at is not None:
        return
    closes_at = closes_at_for(current.started_at, scenario)
    if session.market is not None:
        await session.market.end(cls.round, closes_at=closes_at)
    else:
        session.clock.set(closes_at)
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
    cls = await _owned(ctx, class_id, lock=True)
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
    cls = await _owned(ctx, class_id, lock=True)
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
    cls = await _owned(ctx, class_id, lock=True)
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
    cls = await _owned(ctx, class_id, lock=True)
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
    cls = await _owned(ctx, class_id, lock=True)
    await catch_up(ctx, cls)
    if cls.status == ClassStatus.FINISHED:
        raise ClassFinished("The class has already finished.")
    if cls.round >= 1:
        await _end_round(ctx, cls)
    _finish(ctx, cls)
    await ctx.session.flush()
    return await _view(ctx, cls, detail=False)


# --- requests with a student's key ---------------------------------------------------------


async def enter_class(main: Runtime, class_id: str, key_id: str, *, write: bool) -> Runtime:
    """The runtime a student's request runs on, after the class's clock, state and presence."""
    async with main.unit_of_work(write=False) as session:
        cls = await repository.get_class(session, class_id)
        assert cls is not None, "a routed key belongs to a class"
        due = (
            cls.status == ClassStatus.RUNNING
            and cls.round_ends_at is not None
            and main.clock.now() >= cls.round_ends_at
        )
    if due:
        async with main.unit_of_work() as session:
            ctx = main.context(session)
            locked = await repository.get_class(session, class_id, lock=True)
            assert locked is not None
            await catch_up(ctx, locked)
            cls = locked
    if write:
        if cls.status == ClassStatus.PAUSED:
            raise ClassPaused("The class is paused; trading resumes when the instructor says.")
        if cls.status == ClassStatus.FINISHED:
            raise ClassFinished("The class has finished; its market is closed.")
        if cls.status == ClassStatus.OPEN:
            raise ClassStateConflict("The class has not started; trading opens at round 1.")
    await _seen(main, key_id)
    return registry(main).session(cls.id, cls.clock_offset_us).runtime


async def _seen(main: Runtime, key_id: str) -> None:
    """Note a student's request; written at most every few seconds per seat and process."""
    reg = registry(main)
    now = main.clock.now()
    last, pending = reg.presence.get(key_id, (None, 0))
    pending += 1
    if last is not None and now - last < PRESENCE_EVERY:
        reg.presence[key_id] = (last, pending)
        return
    async with main.unit_of_work() as session:
        seat = await repository.seat_by_key(session, key_id)
        if seat is not None:
            found = await repository.get_presence(session, seat.id)
            if found is None:
                session.add(Presence(seat_id=seat.id, last_seen_at=now, requests=pending))
            else:
                found.last_seen_at = now
                found.requests += pending
    reg.presence[key_id] = (now, 0)


@dataclass(frozen=True, slots=True)
class StudentState:
    """What a student sees of its class."""

    cls: Classroom
    seat: Seat
    balance_fen: int
    scenario: Scenario
    need: dict[str, Any] | None
    products: list[dict[str, Any]]


async def student_view(ctx: Context) -> StudentState:
    """A student's own view: the round, its seat and money, its need or its products."""
    actor = ctx.actor
    class_id = ctx.runtime.cache.get(CLASS_ID)
    main = ctx.runtime.cache.get(MAIN)
    if actor is None or class_id is None or main is None:
        raise NotAStudent("This is for students of a live class, with their class key.")
    async with main.unit_of_work(write=False) as session:
        cls = await repository.get_class(session, class_id)
        seat = await repository.seat_by_participant(session, class_id, actor.id)
    if cls is None or seat is None or seat.occupant != Occupant.STUDENT:
        raise NotAStudent("This participant does not sit in the class as a student.")
    scenario = scenario_of(cls)
    world = build_world(scenario)
    balance = (await participants_service.account_of(ctx, actor.id)).balance_fen
    need = None
    buyer = next((b for b in world.buyers if b.key == seat.agent_key), None)
    if buyer is not None and cls.round >= 1:
        drawn = need_of(scenario, buyer, cls.round)
        if drawn is not None:
            need = {"form": drawn.form, "value_fen_by_grade": values_of(scenario, drawn)}
    products: list[dict[str, Any]] = []
    provider = next((p for p in world.providers if p.key == seat.agent_key), None)
    if provider is not None:
        listings, _ = await listings_service.list_listings(
            ctx,
            exchange_id=None,
            product_form=None,
            grade=None,
            holder_id=actor.id,
            text=None,
            include_inactive=False,
            limit=500,
            offset=0,
        )
        assets, _ = await assets_service.list_assets(
            ctx, status=None, holder_id=actor.id, text=None, limit=500, offset=0
        )
        asset_of = {product_key_of(a.name): a.id for a in assets}
        for product in provider.products:
            asset_id = asset_of.get(product.key, "")
            current = [v for v in listings if v.listing.asset_id == asset_id and v.tiers]
            latest = max(current, key=lambda v: (v.listing.created_at, v.listing.id), default=None)
            products.append(
                {
                    "key": product.key,
                    "asset_id": asset_id,
                    "form": product.form,
                    "grade": product.grade,
                    "personal_information": product.personal_information,
                    "unit_cost_fen": product.unit_cost_fen,
                    "listing_id": latest.listing.id if latest else None,
                    "tier_id": latest.tiers[0].id if latest else None,
                    "price_fen": latest.tiers[0].price_fen if latest else None,
                    "delivery_package": package_of(product, scenario.seed).decode(),
                }
            )
    return StudentState(cls, seat, balance, scenario, need, products)


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClassOutcome:
    """A class's results, written under its results directory."""

    cls: Classroom
    record: RunRecord
    results: Results
    out: Path

    @property
    def report(self) -> Path:
        return self.out / "report.html"

    @property
    def activity_csv(self) -> Path:
        return self.out / "activity.csv"


ACTIVITY_COLUMNS = [
    "kind",
    "round",
    "agent",
    "name",
    "student",
    "role",
    "exchange",
    "mode",
    "price_fen",
    "buyer_fee_fen",
    "seller_fee_fen",
    "commission_fen",
    "outcome",
    "reason",
    "counterparty",
    "value_fen",
    "surplus_fen",
    "payoff_fen",
]


def _activity_rows(record: RunRecord, results: Results) -> list[dict[str, Any]]:
    """Every order and trade, one row per participant involved, with its total payoff."""
    agents = {a.key: a for a in record.agents}
    payoff = {p["key"]: p["payoff_fen"] for p in results.participants}

    def who(key: str) -> dict[str, Any]:
        agent = agents.get(key)
        return {
            "agent": key,
            "name": agent.name if agent else key,
            "student": bool(agent and agent.human),
            "role": agent.role if agent else "",
            "payoff_fen": payoff.get(key, 0),
        }

    rows: list[dict[str, Any]] = []
    for o in record.orders:
        rows.append(
            {
                "kind": "order",
                "round": o.round,
                **who(o.buyer),
                "exchange": o.exchange_id,
                "mode": o.mode,
                "price_fen": o.price_fen,
                "outcome": o.outcome,
                "reason": o.reason,
                "counterparty": o.broker or "",
            }
        )
    for t in record.trades:
        settled = t.settled()
        for side, key, other, surplus in (
            ("trade:buyer", t.buyer, t.seller, welfare.buyer_surplus(settled)),
            ("trade:seller", t.seller, t.buyer, welfare.seller_surplus(settled)),
        ):
            rows.append(
                {
                    "kind": side,
                    "round": t.round,
                    **who(key),
                    "exchange": t.exchange_id,
                    "mode": t.mode,
                    "price_fen": t.price_fen,
                    "buyer_fee_fen": t.buyer_fee_fen,
                    "seller_fee_fen": t.seller_fee_fen,
                    "commission_fen": t.commission_fen,
                    "outcome": "settled",
                    "counterparty": other,
                    "value_fen": t.value_fen if side == "trade:buyer" else t.unit_cost_fen,
                    "surplus_fen": surplus,
                }
            )
    rows.sort(key=lambda r: (r["round"], r["kind"], r["agent"]))
    return rows


async def results(ctx: Context, *, class_id: str) -> ClassOutcome:
    """The class's results (final once it has finished), written as files too."""
    cls = await _owned(ctx, class_id, lock=True)
    await catch_up(ctx, cls)
    scenario = scenario_of(cls)
    seats = await repository.list_seats(ctx.session, cls.id)
    windows = [
        RoundWindow(r.round, r.started_at, r.ended_at)
        for r in await repository.list_rounds(ctx.session, cls.id)
    ]
    infos = [
        SeatInfo(
            s.agent_key,
            s.participant_id,
            s.student_name
            if s.occupant == Occupant.STUDENT and s.student_name
            else seat_name(s.agent_key),
            s.occupant == Occupant.STUDENT,
        )
        for s in seats
    ]
    session = registry(ctx.runtime).session(cls.id, cls.clock_offset_us)
    record = await class_record(
        scenario,
        session.runtime,
        label=f"class {cls.title}",
        seats=infos,
        windows=windows,
        rounds_played=cls.round,
    )
    record.title = f"{cls.title} · {scenario.title or scenario.name}"
    out = registry(ctx.runtime).db_path(cls.id).with_suffix("") / "results"
    computed, _ = runner.write_outputs(out, record)
    write_csv(out / "activity.csv", _activity_rows(record, computed), ACTIVITY_COLUMNS)
    return ClassOutcome(cls, record, computed, out)
