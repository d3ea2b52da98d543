"""Seats of live classes: the instructor's assignments, students joining and leaving.

Students join with the code and a name, take a seat (by arrival order or the instructor's
assignment) and an API key, and trade on the ordinary endpoints; bots play every other seat.
A student's requests enter the class here (its clock, state and presence).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from exchange.assets.registry import service as assets_service
from exchange.classroom import codes, repository
from exchange.classroom.classes import STUDENT_ROLES, catch_up, owned_class, scenario_of
from exchange.classroom.errors import (
    ClassFinished,
    ClassFull,
    ClassPaused,
    ClassStateConflict,
    JoinCodeExpired,
    JoinCodeInvalid,
    NameTaken,
    NotAStudent,
    SeatNotFound,
)
from exchange.classroom.live import (
    need_of,
    product_key_of,
    values_of,
)
from exchange.classroom.models import (
    Classroom,
    ClassStatus,
    Occupant,
    Presence,
    Seat,
)
from exchange.classroom.sandbox import CLASS_ID, MAIN, ClassSession, registry
from exchange.clock import rfc3339
from exchange.context import Context, Principal, Runtime
from exchange.participants import service as participants_service
from exchange.participants.service import IssuedKey
from exchange.simulation.scenario import Scenario
from exchange.simulation.services_base import package_of
from exchange.simulation.world import build_world
from exchange.trading.listings import service as listings_service
from exchange.vocabulary import Role

log = logging.getLogger("exchange.classroom")

PRESENCE_EVERY = timedelta(seconds=10)


# --- seats and students --------------------------------------------------------------------


async def assign_seat(ctx: Context, *, class_id: str, seat_id: str, name: str) -> Seat:
    """Reserve a seat for the student who joins with this name (the instructor's assignment)."""
    cls = await owned_class(ctx, class_id, lock=True)
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
            f"The join code expired at {rfc3339(cls.join_expires_at)}; ask for a new one."
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
    cls = await owned_class(ctx, class_id, lock=True)
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


async def student_seat(ctx: Context) -> tuple[Classroom, Seat]:
    """The class and seat of the student acting on its class market (403 for anyone else)."""
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
    return cls, seat


async def student_view(ctx: Context) -> StudentState:
    """A student's own view: the round, its seat and money, its need or its products."""
    cls, seat = await student_seat(ctx)
    actor = ctx.actor
    assert actor is not None
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
                    "exchanges": [ex for ex in product.exchanges if ex in scenario.exchanges],
                    "listing_id": latest.listing.id if latest else None,
                    "tier_id": latest.tiers[0].id if latest else None,
                    "price_fen": latest.tiers[0].price_fen if latest else None,
                    "delivery_package": package_of(product, scenario.seed).decode(),
                }
            )
    return StudentState(cls, seat, balance, scenario, need, products)
