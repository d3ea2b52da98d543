"""Rules of sharing requests: asked, answered within 3 working days, and counted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from exchange.catalog.access import bound_department, own_department, principal
from exchange.catalog.departments import repository as departments_repository
from exchange.catalog.departments.service import brief
from exchange.catalog.errors import (
    InvalidItem,
    NotShareable,
    NotYourDepartment,
    ShareAlreadyAnswered,
    ShareRequestNotFound,
)
from exchange.catalog.items import repository as items_repository
from exchange.catalog.items.service import find_item
from exchange.catalog.quality import checks
from exchange.catalog.sharing import repository
from exchange.catalog.sharing.models import ShareRequest, ShareStatus
from exchange.catalog.sharing.schemas import (
    ItemBrief,
    ShareDecision,
    ShareRequestCreate,
    ShareRequestPage,
    ShareRequestRead,
    ShareStats,
)
from exchange.clock import add_working_days, working_days_between
from exchange.context import Context
from exchange.vocabulary import (
    Role,
    Sharing,
)

SHARE_TARGET_WORKING_DAYS = 3


def china_date(when: datetime) -> date:
    """The calendar date in China (UTC+8, no daylight saving) of a UTC instant."""
    return when.astimezone(checks.CHINA_TZ).date()


def _overdue_cutoff(today: date) -> date:
    """The latest submission date that is overdue today (more than 3 working days old)."""
    day = today
    while working_days_between(day, today) <= SHARE_TARGET_WORKING_DAYS:
        day -= timedelta(days=1)
    return day


async def _share_reads(ctx: Context, rows: Sequence[ShareRequest]) -> list[ShareRequestRead]:
    departments = await departments_repository.get_departments(
        ctx.session,
        [r.owner_department_id for r in rows] + [r.requester_department_id for r in rows],
    )
    items = await items_repository.items_brief(ctx.session, (r.item_id for r in rows))
    today = china_date(ctx.clock.now())
    out: list[ShareRequestRead] = []
    for r in rows:
        submitted_on = china_date(r.submitted_at)
        if r.response_working_days is not None:
            age = r.response_working_days
        else:
            age = working_days_between(submitted_on, today)
        code, name, _ = items[r.item_id]
        out.append(
            ShareRequestRead(
                id=r.id,
                item=ItemBrief(id=r.item_id, code=code, name_zh=name),
                item_version=r.item_version,
                requester_department=await brief(ctx, departments[r.requester_department_id]),
                owner_department=await brief(ctx, departments[r.owner_department_id]),
                requested_by=r.requested_by,
                purpose=r.purpose,
                fields=list(r.fields),
                status=r.status,
                reason=r.reason,
                submitted_at=r.submitted_at,
                submitted_on=submitted_on,
                due_on=add_working_days(submitted_on, SHARE_TARGET_WORKING_DAYS),
                answered_at=r.answered_at,
                answered_by=r.answered_by,
                age_working_days=age,
                overdue=r.status == ShareStatus.PENDING and age > SHARE_TARGET_WORKING_DAYS,
                overdue_flagged_at=r.overdue_flagged_at,
            )
        )
    return out


async def request_share(ctx: Context, *, body: ShareRequestCreate) -> ShareRequestRead:
    """A department asks for another department's conditionally shared item."""
    requester = await bound_department(ctx)
    item = await find_item(ctx, body.item_id)
    if item.department_id == requester.id:
        raise NotShareable("An item of one's own department needs no sharing request.")
    if item.sharing != Sharing.CONDITIONAL:
        reason = (
            "it is shared unconditionally (无条件共享): use it directly"
            if item.sharing == Sharing.UNCONDITIONAL
            else "it is not shared (不予共享)"
        )
        raise NotShareable(f"Item {item.code} takes no sharing request: {reason}.")
    if body.fields:
        known = {f.code for f in await items_repository.item_fields(ctx.session, item.id)}
        unknown = sorted(set(body.fields) - known)
        if unknown:
            raise InvalidItem(
                f"Item {item.code} has no field(s) {', '.join(unknown)}.", unknown_fields=unknown
            )
    now = ctx.clock.now()
    request = ShareRequest(
        id=ctx.ids.new(),
        item_id=item.id,
        item_version=item.version,
        requester_department_id=requester.id,
        owner_department_id=item.department_id,
        requested_by=ctx.actor_ref,
        purpose=body.purpose,
        fields=list(dict.fromkeys(body.fields)),
        status=ShareStatus.PENDING,
        reason="",
        submitted_at=now,
        answered_at=None,
        answered_by=None,
        response_working_days=None,
    )
    ctx.session.add(request)
    ctx.audit(
        "catalog.share_requested",
        subject_type="share_request",
        subject_id=request.id,
        payload={
            "item_id": item.id,
            "item_version": item.version,
            "requester_department_id": requester.id,
            "owner_department_id": item.department_id,
            "purpose": body.purpose,
            "fields": request.fields,
        },
    )
    await ctx.session.flush()
    return (await _share_reads(ctx, [request]))[0]


async def _visible_share(
    ctx: Context, request_id: str, *, for_update: bool = False
) -> ShareRequest:
    actor = principal(ctx)
    request = await repository.get_share(ctx.session, request_id, for_update=for_update)
    if request is None:
        raise ShareRequestNotFound(f"No sharing request {request_id!r}.")
    if actor.role in {Role.ADMIN, Role.REGULATOR}:
        return request
    own = await own_department(ctx)
    if own is None or own.id not in {request.owner_department_id, request.requester_department_id}:
        raise ShareRequestNotFound(f"No sharing request {request_id!r}.")
    return request


async def get_share(ctx: Context, request_id: str) -> ShareRequestRead:
    """One sharing request (its two departments, admins and regulators)."""
    return (await _share_reads(ctx, [await _visible_share(ctx, request_id)]))[0]


async def decide_share(ctx: Context, *, request_id: str, body: ShareDecision) -> ShareRequestRead:
    """The owning department approves, or refuses with a reason."""
    request = await _visible_share(ctx, request_id, for_update=True)
    own = await own_department(ctx)
    if own is None or own.id != request.owner_department_id:
        raise NotYourDepartment(
            "Only the department that owns the item answers its sharing requests."
        )
    if request.status != ShareStatus.PENDING:
        raise ShareAlreadyAnswered(
            f"The request was already {request.status} on {request.answered_at}."
        )
    if body.decision == "refuse" and not body.reason:
        raise InvalidItem("A refusal needs a reason (拒绝须说明理由).")
    now = ctx.clock.now()
    request.status = ShareStatus.APPROVED if body.decision == "approve" else ShareStatus.REFUSED
    request.reason = body.reason
    request.answered_at = now
    request.answered_by = ctx.actor_ref
    request.response_working_days = working_days_between(
        china_date(request.submitted_at), china_date(now)
    )
    ctx.audit(
        "catalog.share_decided",
        subject_type="share_request",
        subject_id=request.id,
        payload={
            "decision": request.status,
            "reason": body.reason,
            "response_working_days": request.response_working_days,
        },
    )
    await ctx.session.flush()
    return (await _share_reads(ctx, [request]))[0]


async def _share_scope(ctx: Context, department_id: str | None) -> str | None:
    actor = principal(ctx)
    if actor.role is Role.DEPARTMENT:
        own = await bound_department(ctx)
        if department_id is not None and department_id != own.id:
            raise NotYourDepartment("A department sees its own sharing requests only.")
        return own.id
    return department_id


async def list_shares(
    ctx: Context,
    *,
    department_id: str | None,
    direction: str,
    status: ShareStatus | None,
    overdue: bool,
    limit: int,
    offset: int,
) -> ShareRequestPage:
    """Sharing requests in scope (a department: its own; others: all or one department's)."""
    scope = await _share_scope(ctx, department_id)
    before = None
    if overdue:
        status = ShareStatus.PENDING
        before = _start_of_day_after(_overdue_cutoff(china_date(ctx.clock.now())))
    rows, total = await repository.list_shares(
        ctx.session,
        department_id=scope,
        direction=direction,
        status=status,
        submitted_before=before,
        limit=limit,
        offset=offset,
    )
    return ShareRequestPage(items=await _share_reads(ctx, rows), total=total)


def _start_of_day_after(day: date) -> datetime:
    start = datetime.combine(day + timedelta(days=1), datetime.min.time(), checks.CHINA_TZ)
    return start


async def share_stats(ctx: Context, *, department_id: str | None) -> ShareStats:
    """Average answer time in working days against the 3-day target, and what is overdue."""
    scope = await _share_scope(ctx, department_id)
    answered, days, open_count = await repository.share_response_totals(
        ctx.session, department_id=scope
    )
    before = _overdue_before(ctx)
    rows, overdue_total = await repository.list_shares(
        ctx.session,
        department_id=scope,
        direction="incoming",
        status=ShareStatus.PENDING,
        submitted_before=before,
        limit=100,
        offset=0,
    )
    average = round(days / answered, 2) if answered else None
    return ShareStats(
        department_id=scope,
        target_working_days=SHARE_TARGET_WORKING_DAYS,
        answered=answered,
        average_response_working_days=average,
        meets_target=None if average is None else average <= SHARE_TARGET_WORKING_DAYS,
        open=open_count,
        overdue_count=overdue_total,
        overdue=await _share_reads(ctx, rows),
    )


def _overdue_before(ctx: Context) -> datetime:
    """Requests submitted before this instant are overdue now (China calendar days)."""
    return _start_of_day_after(_overdue_cutoff(china_date(ctx.clock.now())))


async def due_overdue(ctx: Context, *, limit: int) -> list[str]:
    """Unanswered requests past the 3-working-day target, not yet flagged (due-work runner)."""
    return await repository.due_overdue_ids(
        ctx.session, submitted_before=_overdue_before(ctx), limit=limit
    )


async def flag_overdue(ctx: Context, *, request_ids: Sequence[str]) -> list[str]:
    """Flag requests overdue, each with its audit entry; ones answered meanwhile are skipped."""
    before = _overdue_before(ctx)
    now = ctx.clock.now()
    done = []
    for request_id in dict.fromkeys(request_ids):
        if not await repository.flag_overdue(
            ctx.session, request_id, submitted_before=before, now=now
        ):
            continue
        ctx.audit(
            "catalog.share_overdue",
            subject_type="share_request",
            subject_id=request_id,
            payload={"target_working_days": SHARE_TARGET_WORKING_DAYS},
        )
        done.append(request_id)
    return done


async def approved_share_id(ctx: Context, *, department_id: str, item_id: str) -> str | None:
    """The approved sharing request that lets a department use an item for its own work (the
    grant it holds for that item), if any."""
    return await repository.approved_share_id(
        ctx.session, department_id=department_id, item_id=item_id
    )
