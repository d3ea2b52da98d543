"""Operating agreements (授权运营协议): an operator proposes, the data authority (数据主管部门) of
the items' division approves or refuses; the agreement is active within its term, and may be
suspended, resumed or terminated; the due-work runner starts and expires it. When it stops
being active, the listings of the products derived under it are suspended (by trading, through
the hook it installs: trading sits above this domain). Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from exchange.catalog.departments import service as departments_service
from exchange.catalog.departments.schemas import DepartmentRead
from exchange.catalog.errors import ItemNotFound
from exchange.catalog.items import service as items_service
from exchange.clock import rfc3339
from exchange.context import Context, Principal
from exchange.errors import Forbidden, InvalidInput
from exchange.hooks import NotWired
from exchange.operation import rules
from exchange.operation.agreements import repository
from exchange.operation.agreements.models import Agreement, AgreementItem
from exchange.operation.agreements.schemas import (
    AgreementCreate,
    AgreementDecision,
    AgreementPage,
    AgreementRead,
)
from exchange.operation.agreements.views import agreement_reads
from exchange.operation.errors import (
    EXCLUSIVE_RULE,
    AgreementItemsInvalid,
    AgreementNotFound,
    AgreementStateConflict,
    AgreementTermInvalid,
    DepartmentWithoutAccount,
    ExclusiveOperationConflict,
    ItemOpenToAll,
    NotDataAuthority,
)
from exchange.operation.grants import repository as grants_repository
from exchange.operation.vocabulary import (
    AGREEMENT_STATUS_LABELS,
    HELD_STATUSES,
    AgreementStatus,
)
from exchange.vocabulary import Opening, Role

# Suspend the listings of these assets, giving this reason: the listing ids it suspended.
ListingSuspender = Callable[[Context, Sequence[str], str], Awaitable[Sequence[str]]]
_suspender: list[ListingSuspender] = []

OVERSEERS = frozenset({Role.ADMIN, Role.REGULATOR})


def install_listing_suspender(suspender: ListingSuspender) -> None:
    """Use `suspender` to suspend derived products' listings (done once, by the wiring)."""
    _suspender[:] = [suspender]


def _actor(ctx: Context) -> Principal:
    if ctx.actor is None:
        raise Forbidden("An authenticated participant is required.")
    return ctx.actor


async def own_department(ctx: Context) -> DepartmentRead | None:
    """The catalog department the calling participant acts for, if any."""
    actor = ctx.actor
    if actor is None or actor.role is not Role.DEPARTMENT:
        return None
    return await departments_service.department_of_participant(ctx, actor.id)


async def _may_see(ctx: Context, agreement: Agreement, items: Sequence[AgreementItem]) -> bool:
    """Overseers, the operator, the items' departments and the data authority over them."""
    actor = _actor(ctx)
    if actor.role in OVERSEERS or actor.id == agreement.operator_id:
        return True
    own = await own_department(ctx)
    if own is None:
        return False
    if any(item.department_id == own.id for item in items):
        return True
    if not own.data_authority:
        return False
    for item in items:
        if await departments_service.contains_division(ctx, own.division_code, item.division_code):
            return True
    return False


async def _load(
    ctx: Context, agreement_id: str, *, for_update: bool = False
) -> tuple[Agreement, list[AgreementItem]]:
    agreement = await repository.get_agreement(ctx.session, agreement_id, for_update=for_update)
    if agreement is None:
        raise AgreementNotFound(f"No operating agreement {agreement_id!r}.")
    items = (await repository.items_of(ctx.session, [agreement.id]))[agreement.id]
    if not await _may_see(ctx, agreement, items):
        raise AgreementNotFound(f"No operating agreement {agreement_id!r}.")
    return agreement, items


async def visible_agreement(ctx: Context, agreement_id: str) -> Agreement:
    """An agreement the caller may see (404 otherwise)."""
    agreement, _ = await _load(ctx, agreement_id)
    return agreement


async def _require_authority(ctx: Context, items: Sequence[AgreementItem]) -> DepartmentRead:
    """The calling department, if it is the data authority of a division holding every item's
    department; 403 otherwise."""
    own = await own_department(ctx)
    if own is None or not own.data_authority:
        raise NotDataAuthority(
            "Only a department an admin designated data authority (数据主管部门) decides "
            "operating agreements."
        )
    outside = [
        item.item_id
        for item in items
        if not await departments_service.contains_division(
            ctx, own.division_code, item.division_code
        )
    ]
    if outside:
        raise NotDataAuthority(
            f"{own.name} is the data authority of {own.division_name} ({own.division_code}); "
            f"items {', '.join(outside)} belong to departments outside it.",
            catalog_item_ids=outside,
        )
    return own


async def _check_exclusive(
    ctx: Context,
    *,
    agreement_id: str | None,
    item_ids: Sequence[str],
    term: tuple[datetime, datetime],
    exclusive: bool,
) -> None:
    """Refuse a term over items that an overlapping agreement holds, where either of the two
    is exclusive (独家授权排他)."""
    for other, item_id in await repository.held_over_items(
        ctx.session, item_ids, other_than=agreement_id
    ):
        overlap = rules.terms_overlap(term, (other.starts_at, other.ends_at))
        if rules.clashes(exclusive=exclusive, other_exclusive=other.exclusive, overlap=overlap):
            kind = "exclusive" if other.exclusive else "non-exclusive"
            raise ExclusiveOperationConflict(
                f"Item {item_id} is held by {kind} agreement {other.id} ({other.status}, "
                f"{rfc3339(other.starts_at)} to {rfc3339(other.ends_at)}), whose term overlaps; "
                f"refused under the rule {EXCLUSIVE_RULE}.",
                rule=EXCLUSIVE_RULE,
                agreement_id=other.id,
                catalog_item_id=item_id,
            )


async def propose(ctx: Context, *, body: AgreementCreate) -> AgreementRead:
    """An operator proposes an agreement over catalog items that are not unconditionally open."""
    operator = _actor(ctx)
    rules.check_share(body.revenue_share_bp)
    now = ctx.clock.now()
    rules.check_term(body.starts_at, body.ends_at, now)
    wanted = [spec.item_id for spec in body.items]
    twice = sorted({i for i in wanted if wanted.count(i) > 1})
    if twice:
        raise AgreementItemsInvalid(f"Items named twice: {', '.join(twice)}.")
    rows: list[AgreementItem] = []
    openings: dict[str, Opening] = {}
    department_ids: set[str] = set()
    for spec in body.items:
        try:
            item = await items_service.find_item(ctx, spec.item_id)
        except ItemNotFound:
            raise AgreementItemsInvalid(
                f"The catalog has no item {spec.item_id!r}.", catalog_item_id=spec.item_id
            ) from None
        if item.opening == Opening.UNCONDITIONAL:
            raise ItemOpenToAll(
                f"Item {item.code} ({item.name_zh}) is unconditionally open (无条件开放): anyone "
                "may use it without an operating agreement.",
                catalog_item_id=item.id,
            )
        known = await items_service.field_codes(ctx, item.id)
        fields = list(dict.fromkeys(spec.fields))
        unknown = [f for f in fields if f not in known]
        if unknown:
            raise AgreementItemsInvalid(
                f"Item {item.code} has no field(s) {', '.join(unknown)}.",
                catalog_item_id=item.id,
                unknown_fields=unknown,
            )
        openings[item.id] = Opening(item.opening)
        department_ids.add(item.department_id)
        rows.append(
            AgreementItem(
                item_id=item.id,
                department_id=item.department_id,
                division_code="",
                fields=fields,
                opening=item.opening,
            )
        )
    forms = list(dict.fromkeys(body.forms))
    rules.check_forms(forms, openings)
    departments = await departments_service.departments_by_id(ctx, sorted(department_ids))
    unpaid = sorted(d.name for d in departments.values() if d.participant_id is None)
    if unpaid:
        raise DepartmentWithoutAccount(
            f"{', '.join(unpaid)} has no participant bound, so no account to be paid its "
            "share; an admin binds one first (PATCH /v1/departments/{id}).",
        )
    await _check_exclusive(
        ctx,
        agreement_id=None,
        item_ids=[row.item_id for row in rows],
        term=(body.starts_at, body.ends_at),
        exclusive=body.exclusive,
    )
    agreement = Agreement(
        id=ctx.ids.new(),
        title=body.title,
        operator_id=operator.id,
        status=AgreementStatus.PROPOSED,
        purposes=[p.value for p in dict.fromkeys(body.purposes)],
        forms=[f.value for f in forms],
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        revenue_share_bp=body.revenue_share_bp,
        security_duties=body.security_duties,
        exclusive=body.exclusive,
        proposed_by=ctx.actor_ref,
        proposed_at=now,
        reason="",
        updated_at=now,
    )
    for row in rows:
        row.agreement_id = agreement.id
        row.division_code = departments[row.department_id].division_code
    ctx.session.add(agreement)
    await ctx.session.flush()
    ctx.session.add_all(rows)
    ctx.audit(
        "operation.agreement_proposed",
        subject_type="operating_agreement",
        subject_id=agreement.id,
        payload={
            "title": agreement.title,
            "operator_id": operator.id,
            "items": [
                {
                    "catalog_item_id": row.item_id,
                    "department_id": row.department_id,
                    "fields": row.fields,
                }
                for row in rows
            ],
            "purposes": agreement.purposes,
            "forms": agreement.forms,
            "starts_at": agreement.starts_at,
            "ends_at": agreement.ends_at,
            "revenue_share_bp": agreement.revenue_share_bp,
            "security_duties": agreement.security_duties,
            "exclusive": agreement.exclusive,
        },
    )
    await ctx.session.flush()
    return (await agreement_reads(ctx, [agreement]))[0]


def _move(
    ctx: Context, agreement: Agreement, status: AgreementStatus, action: str, **facts: object
) -> None:
    """Set an agreement's status and record the transition."""
    agreement.status = status
    agreement.updated_at = ctx.clock.now()
    ctx.audit(
        action,
        subject_type="operating_agreement",
        subject_id=agreement.id,
        payload={"status": status, **facts},
    )


async def decide(ctx: Context, *, agreement_id: str, body: AgreementDecision) -> AgreementRead:
    """The data authority approves (under a lock on the items, so that of two overlapping
    exclusive agreements only one is approved) or refuses a proposal."""
    agreement, items = await _load(ctx, agreement_id, for_update=True)
    authority = await _require_authority(ctx, items)
    if agreement.status != AgreementStatus.PROPOSED:
        raise AgreementStateConflict(
            f"Agreement {agreement.id} is {agreement.status}, not proposed: it was decided."
        )
    if body.decision == "refuse" and not body.reason:
        raise InvalidInput("A refusal gives its reason (不予批准须说明理由).")
    now = ctx.clock.now()
    agreement.authority_department_id = authority.id
    agreement.decided_by = ctx.actor_ref
    agreement.decided_at = now
    agreement.reason = body.reason
    if body.decision == "refuse":
        _move(
            ctx,
            agreement,
            AgreementStatus.REFUSED,
            "operation.agreement_refused",
            authority_department_id=authority.id,
            reason=body.reason,
        )
    else:
        if agreement.ends_at <= now:
            raise AgreementTermInvalid("The agreement's term is over already; it cannot start.")
        item_ids = sorted(item.item_id for item in items)
        for item_id in item_ids:  # one order, so that approvals never deadlock
            await items_service.locked_item(ctx, item_id)
        await _check_exclusive(
            ctx,
            agreement_id=agreement.id,
            item_ids=item_ids,
            term=(agreement.starts_at, agreement.ends_at),
            exclusive=agreement.exclusive,
        )
        _move(
            ctx,
            agreement,
            AgreementStatus.APPROVED,
            "operation.agreement_approved",
            authority_department_id=authority.id,
            reason=body.reason,
        )
        if agreement.starts_at <= now:
            _move(ctx, agreement, AgreementStatus.ACTIVE, "operation.agreement_activated")
    await ctx.session.flush()
    return (await agreement_reads(ctx, [agreement]))[0]


def _listing_reason(agreement: Agreement, reason: str) -> str:
    status = AgreementStatus(agreement.status)
    return (
        f"授权运营协议「{agreement.title}」({agreement.id}) {AGREEMENT_STATUS_LABELS[status]} "
        f"({status.value}): {reason} — 依据该协议加工的产品暂停交易 (products derived under "
        "the operating agreement are suspended)"
    )


async def _suspend_derived(ctx: Context, agreement: Agreement, reason: str) -> list[str]:
    """Suspend the listings of every product derived under the agreement."""
    asset_ids = await grants_repository.assets_under(ctx.session, agreement.id)
    if not asset_ids:
        return []
    if not _suspender:
        raise NotWired("listing suspender")
    return list(await _suspender[0](ctx, asset_ids, _listing_reason(agreement, reason)))


async def suspend(ctx: Context, *, agreement_id: str, reason: str) -> AgreementRead:
    """The data authority suspends an active agreement; derived products' listings follow."""
    agreement, items = await _load(ctx, agreement_id, for_update=True)
    await _require_authority(ctx, items)
    if agreement.status != AgreementStatus.ACTIVE:
        raise AgreementStateConflict(f"Agreement {agreement.id} is {agreement.status}, not active.")
    agreement.reason = reason
    _move(ctx, agreement, AgreementStatus.SUSPENDED, "operation.agreement_suspended", reason=reason)
    await _suspend_derived(ctx, agreement, reason)
    await ctx.session.flush()
    return (await agreement_reads(ctx, [agreement]))[0]


async def resume(ctx: Context, *, agreement_id: str, reason: str) -> AgreementRead:
    """The data authority resumes a suspended agreement within its term. Its products' listings
    stay suspended until their exchanges resume them."""
    agreement, items = await _load(ctx, agreement_id, for_update=True)
    await _require_authority(ctx, items)
    if agreement.status != AgreementStatus.SUSPENDED:
        raise AgreementStateConflict(
            f"Agreement {agreement.id} is {agreement.status}, not suspended."
        )
    if agreement.ends_at <= ctx.clock.now():
        raise AgreementStateConflict(f"Agreement {agreement.id}'s term has ended; it expires.")
    agreement.reason = reason
    _move(ctx, agreement, AgreementStatus.ACTIVE, "operation.agreement_resumed", reason=reason)
    await ctx.session.flush()
    return (await agreement_reads(ctx, [agreement]))[0]


async def terminate(ctx: Context, *, agreement_id: str, reason: str) -> AgreementRead:
    """End an agreement early: the operator (also withdrawing a proposal) or the data
    authority (an approved one); derived products' listings are suspended."""
    agreement, items = await _load(ctx, agreement_id, for_update=True)
    actor = _actor(ctx)
    by_operator = actor.id == agreement.operator_id
    if by_operator:
        allowed = {AgreementStatus.PROPOSED, *HELD_STATUSES}
    else:
        await _require_authority(ctx, items)
        allowed = set(HELD_STATUSES)
    if agreement.status not in allowed:
        raise AgreementStateConflict(
            f"Agreement {agreement.id} is {agreement.status}: it cannot be terminated"
            + ("." if by_operator else " (a proposal is refused, not terminated).")
        )
    agreement.reason = reason
    _move(
        ctx,
        agreement,
        AgreementStatus.TERMINATED,
        "operation.agreement_terminated",
        reason=reason,
        by="operator" if by_operator else "data_authority",
    )
    await _suspend_derived(ctx, agreement, reason)
    await ctx.session.flush()
    return (await agreement_reads(ctx, [agreement]))[0]


async def get_agreement(ctx: Context, agreement_id: str) -> AgreementRead:
    """One agreement (its operator, the items' departments, their data authority, overseers)."""
    agreement, _ = await _load(ctx, agreement_id)
    return (await agreement_reads(ctx, [agreement]))[0]


async def list_agreements(
    ctx: Context,
    *,
    status: AgreementStatus | None,
    operator_id: str | None,
    item_id: str | None,
    limit: int,
    offset: int,
) -> AgreementPage:
    """Agreements in the caller's view: overseers all; an operator its own; a department those
    over its items and, as data authority, those over items of its division."""
    actor = _actor(ctx)
    touching: tuple[str | None, set[str]] | None = None
    if actor.role not in OVERSEERS:
        if actor.role is Role.DEPARTMENT:
            own = await own_department(ctx)
            if own is None:
                return AgreementPage(items=[], total=0)
            divisions = (
                await departments_service.divisions_within(ctx, own.division_code)
                if own.data_authority
                else set()
            )
            touching = (own.id, divisions)
        else:
            if operator_id not in (None, actor.id):
                return AgreementPage(items=[], total=0)
            operator_id = actor.id
    rows, total = await repository.list_agreements(
        ctx.session,
        status=status,
        operator_id=operator_id,
        item_id=item_id,
        touching=touching,
        limit=limit,
        offset=offset,
    )
    return AgreementPage(items=await agreement_reads(ctx, rows), total=total)


# --- the due-work runner ---------------------------------------------------------------------


async def due_activations(ctx: Context, *, limit: int) -> list[str]:
    """Approved agreements whose term has begun."""
    return await repository.due_activations(ctx.session, now=ctx.clock.now(), limit=limit)


async def activate_due(ctx: Context, *, agreement_ids: Sequence[str]) -> list[str]:
    """Start approved agreements whose term has begun, each with its audit entry."""
    now = ctx.clock.now()
    done = []
    for agreement_id in dict.fromkeys(agreement_ids):
        agreement = await repository.get_agreement(ctx.session, agreement_id, for_update=True)
        if agreement is None or agreement.status != AgreementStatus.APPROVED:
            continue
        if not agreement.starts_at <= now < agreement.ends_at:
            continue
        _move(ctx, agreement, AgreementStatus.ACTIVE, "operation.agreement_activated")
        done.append(agreement.id)
    return done


async def due_expiries(ctx: Context, *, limit: int) -> list[str]:
    """Agreements not yet ended whose term has ended."""
    return await repository.due_expiries(ctx.session, now=ctx.clock.now(), limit=limit)


async def expire_due(ctx: Context, *, agreement_ids: Sequence[str]) -> list[str]:
    """Record agreements whose term ended as expired, each with its audit entry; derived
    products' listings are suspended."""
    now = ctx.clock.now()
    done = []
    for agreement_id in dict.fromkeys(agreement_ids):
        agreement = await repository.get_agreement(ctx.session, agreement_id, for_update=True)
        if agreement is None or agreement.status not in HELD_STATUSES:
            continue
        if agreement.ends_at > now:
            continue
        reason = f"期限届满 the term ended at {rfc3339(agreement.ends_at)}"
        agreement.reason = reason
        _move(
            ctx,
            agreement,
            AgreementStatus.EXPIRED,
            "operation.agreement_expired",
            ends_at=agreement.ends_at,
        )
        await _suspend_derived(ctx, agreement, reason)
        done.append(agreement.id)
    return done
