"""HTTP endpoints of live classes (/v1/classroom)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from exchange.classroom import classes, reports, seats
from exchange.classroom.errors import (
    ClassFinished,
    ClassFull,
    ClassNotFound,
    ClassStateConflict,
    JoinCodeExpired,
    JoinCodeInvalid,
    NameTaken,
    NotAStudent,
    ScenarioInvalid,
    SeatNotFound,
)
from exchange.classroom.schemas import (
    AssignmentCreate,
    ClassCreate,
    ClassPage,
    ClassRead,
    ClassResults,
    JoinRequest,
    NeedRead,
    ProductRead,
    RemoveRequest,
    SeatRead,
    StudentJoined,
    StudentView,
)
from exchange.dependencies import RuntimeDep
from exchange.errors import Forbidden, responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.roles import InstructorContext
from exchange.markettime.errors import ClockBackwards
from exchange.markettime.router import due_work_read
from exchange.markettime.schemas import ClockAdvance, ClockAdvanced, ClockRead
from exchange.security import ActorContext

router = APIRouter(prefix="/v1/classroom", tags=["classroom"])


def seat_read(view: classes.SeatView) -> SeatRead:
    """A seat as the instructor sees it."""
    seat = view.seat
    return SeatRead(
        id=seat.id,
        seat_no=seat.seat_no,
        agent_key=seat.agent_key,
        role=seat.role,
        participant_id=seat.participant_id,
        occupant=seat.occupant,
        student_name=seat.student_name,
        assigned_name=seat.assigned_name,
        joined_at=seat.joined_at,
        removed_at=seat.removed_at,
        last_seen_at=view.last_seen_at,
        requests=view.requests,
        activity=view.activity,
        last_action_at=view.last_action_at,
    )


def class_read(view: classes.ClassView, *, seats: bool = True) -> ClassRead:
    """A class as its instructor sees it."""
    cls = view.cls
    return ClassRead(
        id=cls.id,
        title=cls.title,
        scenario_name=cls.scenario_name,
        seed=cls.seed,
        status=cls.status,
        round=cls.round,
        rounds=cls.rounds,
        round_seconds=cls.round_seconds,
        round_ends_at=cls.round_ends_at,
        join_code=cls.join_code,
        join_expires_at=cls.join_expires_at,
        student_roles=list(cls.student_roles),
        created_at=cls.created_at,
        started_at=cls.started_at,
        finished_at=cls.finished_at,
        students=view.students,
        seats=[seat_read(s) for s in view.seats] if seats else [],
    )


@router.post(
    "/classes",
    status_code=201,
    operation_id="open_class",
    responses=responses(Forbidden, ScenarioInvalid),
)
async def open_class(body: ClassCreate, ctx: InstructorContext) -> ClassRead:
    """Open a class from a scenario: its own market, bots in every seat, and a join code."""
    return class_read(
        await classes.open_class(
            ctx,
            title=body.title,
            scenario=body.scenario,
            scenario_toml=body.scenario_toml,
            treatment=body.treatment,
            overrides=body.overrides,
            seed=body.seed,
            round_seconds=body.round_seconds,
            join_minutes=body.join_minutes,
            student_roles=body.student_roles,
        )
    )


@router.get("/classes", operation_id="list_classes", responses=responses(Forbidden))
async def list_classes(ctx: InstructorContext, limit: Limit = 100, offset: Offset = 0) -> ClassPage:
    """The calling instructor's classes, newest first."""
    views = await classes.list_classes(ctx)
    return ClassPage.window([class_read(v, seats=False) for v in views], limit=limit, offset=offset)


@router.get(
    "/classes/{class_id}",
    operation_id="get_class",
    responses=responses(Forbidden, ClassNotFound),
)
async def get_class(class_id: str, ctx: InstructorContext) -> ClassRead:
    """A class: round, seats, who is connected (last seen) and what each player has done."""
    return class_read(await classes.class_view(ctx, class_id))


@router.post(
    "/classes/{class_id}/assignments",
    operation_id="assign_seat",
    responses=responses(Forbidden, ClassNotFound, SeatNotFound, ClassStateConflict),
)
async def assign_seat(class_id: str, body: AssignmentCreate, ctx: InstructorContext) -> SeatRead:
    """Reserve a seat (a role) for the student who will join with this name."""
    seat = await seats.assign_seat(ctx, class_id=class_id, seat_id=body.seat_id, name=body.name)
    return seat_read(classes.SeatView(seat, None, 0, {}, None))


CONTROL_ERRORS = responses(Forbidden, ClassNotFound, ClassStateConflict, ClassFinished)


@router.post("/classes/{class_id}/start", operation_id="start_class", responses=CONTROL_ERRORS)
async def start_class(class_id: str, ctx: InstructorContext) -> ClassRead:
    """Start round 1."""
    return class_read(await classes.start(ctx, class_id=class_id))


@router.post("/classes/{class_id}/pause", operation_id="pause_class", responses=CONTROL_ERRORS)
async def pause_class(class_id: str, ctx: InstructorContext) -> ClassRead:
    """Pause trading (and the round's timer)."""
    return class_read(await classes.pause(ctx, class_id=class_id))


@router.post("/classes/{class_id}/resume", operation_id="resume_class", responses=CONTROL_ERRORS)
async def resume_class(class_id: str, ctx: InstructorContext) -> ClassRead:
    """Resume a paused class."""
    return class_read(await classes.resume(ctx, class_id=class_id))


@router.post("/classes/{class_id}/advance", operation_id="advance_class", responses=CONTROL_ERRORS)
async def advance_class(class_id: str, ctx: InstructorContext) -> ClassRead:
    """End the current round and start the next (after the last, the class ends)."""
    return class_read(await classes.advance(ctx, class_id=class_id))


@router.post(
    "/classes/{class_id}/clock/advance",
    operation_id="advance_class_clock",
    responses=responses(Forbidden, ClassNotFound, ClassFinished, ClockBackwards),
)
async def advance_class_clock(
    class_id: str, body: ClockAdvance, ctx: InstructorContext
) -> ClockAdvanced:
    """Move the class market's own clock forward (its instructor), then do what fell due there.

    One of `by`, `to` or `working_days`, as for `POST /v1/clock/advance`; the main market's
    clock does not move.
    """
    moved = await classes.advance_clock(
        ctx, class_id=class_id, by=body.by, to=body.to, working_days=body.working_days
    )
    clock = ClockRead(
        now=moved.now,
        real_now=ctx.clock.now(),
        offset_us=moved.offset_us,
        mode="market",
        moved_at=moved.previous,
        moved_by=ctx.actor_ref,
    )
    return ClockAdvanced(previous=moved.previous, clock=clock, due_work=due_work_read(moved.report))


@router.post("/classes/{class_id}/end", operation_id="end_class", responses=CONTROL_ERRORS)
async def end_class(class_id: str, ctx: InstructorContext) -> ClassRead:
    """End the class now; its results become final."""
    return class_read(await classes.end(ctx, class_id=class_id))


@router.post(
    "/classes/{class_id}/seats/{seat_id}/remove",
    operation_id="remove_student",
    responses=responses(Forbidden, ClassNotFound, SeatNotFound),
)
async def remove_student(
    class_id: str, seat_id: str, body: RemoveRequest, ctx: InstructorContext
) -> SeatRead:
    """Remove a student: its key stops working and a bot takes the seat back."""
    seat = await seats.remove_student(ctx, class_id=class_id, seat_id=seat_id, reason=body.reason)
    return seat_read(classes.SeatView(seat, None, 0, {}, None))


@router.get(
    "/classes/{class_id}/results",
    operation_id="class_results",
    responses=responses(Forbidden, ClassNotFound),
)
async def class_results(class_id: str, ctx: InstructorContext) -> ClassResults:
    """The class's results: the same summary and tables an offline run writes."""
    outcome = await reports.results(ctx, class_id=class_id)
    base = f"/v1/classroom/classes/{class_id}/results"
    return ClassResults(
        class_id=class_id,
        final=outcome.cls.status == "finished",
        summary=outcome.results.summary,
        participants=outcome.results.participants,
        report_url=f"{base}/report",
        csv_url=f"{base}/activity.csv",
    )


@router.get(
    "/classes/{class_id}/results/report",
    operation_id="class_report",
    response_class=HTMLResponse,
    responses=responses(Forbidden, ClassNotFound),
)
async def class_report(class_id: str, ctx: InstructorContext) -> HTMLResponse:
    """The class's HTML report (charts embedded), to open or project."""
    outcome = await reports.results(ctx, class_id=class_id)
    return HTMLResponse(outcome.report.read_text(encoding="utf-8"))


@router.get(
    "/classes/{class_id}/results/activity.csv",
    operation_id="class_activity_csv",
    response_class=Response,
    responses=responses(Forbidden, ClassNotFound),
)
async def class_activity_csv(class_id: str, ctx: InstructorContext) -> Response:
    """Every order and trade of the class, with each participant's payoff (CSV)."""
    outcome = await reports.results(ctx, class_id=class_id)
    return Response(
        outcome.activity_csv.read_bytes(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="class-{class_id}-activity.csv"'},
    )


@router.post(
    "/join",
    status_code=201,
    operation_id="join_class",
    responses=responses(JoinCodeInvalid, JoinCodeExpired, ClassFinished, ClassFull, NameTaken),
)
async def join_class(body: JoinRequest, runtime: RuntimeDep) -> StudentJoined:
    """A student joins with the join code and a name, and gets an API key (shown once)."""
    # The service commits itself: it writes the class's database and the main one in order.
    joined = await seats.join(runtime, code=body.code, name=body.name)
    return StudentJoined(
        class_id=joined.cls.id,
        title=joined.cls.title,
        api_key=joined.api_key,
        participant_id=joined.seat.participant_id,
        seat_id=joined.seat.id,
        agent_key=joined.seat.agent_key,
        role=joined.seat.role,
        balance_fen=joined.balance_fen,
        status=joined.cls.status,
        round=joined.cls.round,
        rounds=joined.cls.rounds,
    )


@router.get("/me", operation_id="classroom_me", responses=responses(NotAStudent))
async def me(ctx: ActorContext) -> StudentView:
    """A student's view of its class: round, seat, balance, this round's need or its products."""
    state = await seats.student_view(ctx)
    cls, seat = state.cls, state.seat
    return StudentView(
        class_id=cls.id,
        title=cls.title,
        status=cls.status,
        round=cls.round,
        rounds=cls.rounds,
        round_ends_at=cls.round_ends_at,
        seat_id=seat.id,
        agent_key=seat.agent_key,
        role=seat.role,
        participant_id=seat.participant_id,
        name=seat.student_name,
        balance_fen=state.balance_fen,
        exchanges=sorted(state.scenario.exchanges),
        need=NeedRead(**state.need) if state.need is not None else None,
        products=[ProductRead(**p) for p in state.products],
    )
