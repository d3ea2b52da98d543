"""Rules of source conflicts (一数一源): refusals recorded, escalated, and decided."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from exchange.catalog.access import acting_for, bound_department, own_department, principal
from exchange.catalog.conflicts import repository
from exchange.catalog.conflicts.models import ConflictOutcome, ConflictStatus, SourceConflict
from exchange.catalog.conflicts.schemas import (
    ConflictEscalate,
    ConflictPage,
    ConflictRead,
    ConflictResolve,
)
from exchange.catalog.elements import repository as elements_repository
from exchange.catalog.elements.schemas import SourcePointer
from exchange.catalog.elements.service import pointer
from exchange.catalog.errors import (
    ConflictNotFound,
    ConflictState,
    InvalidItem,
    ItemNotFound,
    SecondAuthoritativeSource,
)
from exchange.catalog.items import repository as items_repository
from exchange.catalog.items import service as items_service
from exchange.catalog.urls import item_url
from exchange.catalog.vocabulary import FieldRole
from exchange.context import Context
from exchange.database import begin_write, commit
from exchange.vocabulary import Role


@asynccontextmanager
async def _refusal_unit(ctx: Context) -> AsyncIterator[AsyncSession]:
    session = ctx.session
    if isinstance(session.bind, AsyncEngine):
        await begin_write(session)  # a session of its own connection: take the write lock
    yield session
    await commit(session)


async def refuse_second_source(
    ctx: Context,
    *,
    department_id: str,
    claimant_item_id: str | None,
    proposed_name: str,
    taken: Sequence[elements_repository.SourceRow],
) -> None:
    """Record the refusal on its own (the request's work rolls back), then raise.

    The request's session rolls back and then commits the refusal alone, on the same
    connection: under SQLite's group commit that session is a savepoint of the batch, whose
    write lock a second unit of work could not get."""
    rows = list(taken)
    actor = ctx.actor
    await ctx.session.rollback()
    conflict_ids: list[str] = []
    async with _refusal_unit(ctx) as session:
        own = ctx.runtime.context(session, actor)
        now = own.clock.now()
        for row in rows:
            conflict = SourceConflict(
                id=own.ids.new(),
                element_id=row.element_id,
                existing_item_id=row.item_id,
                claimant_department_id=department_id,
                claimant_participant_id=own.actor_ref,
                claimant_item_id=claimant_item_id,
                proposed_item_name=proposed_name,
                status=ConflictStatus.REFUSED,
                escalation_reason="",
                outcome=None,
                decision_note="",
                created_at=now,
                updated_at=now,
            )
            session.add(conflict)
            own.audit(
                "catalog.source_conflict_refused",
                subject_type="data_element",
                subject_id=row.element_id,
                payload={
                    "conflict_id": conflict.id,
                    "element_code": row.element_code,
                    "existing_item_id": row.item_id,
                    "claimant_department_id": department_id,
                    "claimant_item_id": claimant_item_id,
                    "proposed_item_name": proposed_name,
                },
            )
            conflict_ids.append(conflict.id)
    first = rows[0]
    names = ", ".join(r.element_code for r in rows)
    raise SecondAuthoritativeSource(
        f"Data element {names} already has an authoritative source (一数一源): item "
        f"{first.item_code} {first.item_name} ({first.item_id}) at {item_url(first.item_id)}. "
        "Map the field with role 'reference' to consume it, or escalate the recorded conflict "
        f"at /v1/catalog/conflicts/{conflict_ids[0]}/escalate.",
        existing_source=pointer(first).model_dump(),
        conflicts=[
            {
                "conflict_id": cid,
                "element_code": r.element_code,
                "existing_item_id": r.item_id,
                "existing_item_url": item_url(r.item_id),
            }
            for cid, r in zip(conflict_ids, rows, strict=True)
        ],
    )


async def _conflict_reads(ctx: Context, rows: Sequence[SourceConflict]) -> list[ConflictRead]:
    elements = await elements_repository.elements_by_ids(ctx.session, (c.element_id for c in rows))
    items = await items_repository.items_brief(ctx.session, (c.existing_item_id for c in rows))
    return [
        ConflictRead(
            id=c.id,
            status=c.status,
            element_id=c.element_id,
            element_code=elements[c.element_id].code,
            existing_source=SourcePointer(
                element_id=c.element_id,
                element_code=elements[c.element_id].code,
                item_id=c.existing_item_id,
                item_code=items[c.existing_item_id][0],
                item_name=items[c.existing_item_id][1],
                department_id=items[c.existing_item_id][2],
                url=item_url(c.existing_item_id),
            ),
            claimant_department_id=c.claimant_department_id,
            claimant_participant_id=c.claimant_participant_id,
            claimant_item_id=c.claimant_item_id,
            proposed_item_name=c.proposed_item_name,
            escalation_reason=c.escalation_reason,
            outcome=c.outcome,
            decision_note=c.decision_note,
            decided_by=c.decided_by,
            decided_at=c.decided_at,
            created_at=c.created_at,
            updated_at=c.updated_at,
        )
        for c in rows
    ]


async def list_conflicts(
    ctx: Context, *, statuses: Sequence[ConflictStatus], limit: int, offset: int
) -> ConflictPage:
    """Refused and pending conflicts: all for regulators and admins, own for departments."""
    actor = principal(ctx)
    claimant: str | None = None
    if actor.role is Role.DEPARTMENT:
        claimant = (await bound_department(ctx)).id
    rows, total = await repository.list_conflicts(
        ctx.session,
        statuses=statuses,
        claimant_department_id=claimant,
        limit=limit,
        offset=offset,
    )
    return ConflictPage(items=await _conflict_reads(ctx, rows), total=total)


async def _visible_conflict(
    ctx: Context, conflict_id: str, *, for_update: bool = False
) -> SourceConflict:
    actor = principal(ctx)
    conflict = await repository.get_conflict(ctx.session, conflict_id, for_update=for_update)
    if conflict is None:
        raise ConflictNotFound(f"No source conflict {conflict_id!r}.")
    if actor.role is Role.DEPARTMENT:
        own = await own_department(ctx)
        if own is None or own.id != conflict.claimant_department_id:
            raise ConflictNotFound(f"No source conflict {conflict_id!r}.")
    return conflict


async def get_conflict(ctx: Context, conflict_id: str) -> ConflictRead:
    """One conflict (its claimant department, regulators and admins)."""
    return (await _conflict_reads(ctx, [await _visible_conflict(ctx, conflict_id)]))[0]


async def escalate_conflict(
    ctx: Context, *, conflict_id: str, body: ConflictEscalate
) -> ConflictRead:
    """The refused department asks for a decision (申诉): refused → pending."""
    conflict = await _visible_conflict(ctx, conflict_id, for_update=True)
    await acting_for(ctx, conflict.claimant_department_id)
    if conflict.status != ConflictStatus.REFUSED:
        raise ConflictState(
            f"Conflict {conflict.id} is {conflict.status}; only refused ones escalate."
        )
    claimant_item_id = body.claimant_item_id or conflict.claimant_item_id
    if claimant_item_id is not None:
        item = await items_repository.get_item(ctx.session, claimant_item_id)
        if item is None or item.department_id != conflict.claimant_department_id:
            raise ItemNotFound(f"No catalog item {claimant_item_id!r} of the claimant department.")
        fields = await items_repository.item_fields(ctx.session, item.id)
        if not any(f.element_id == conflict.element_id for f in fields):
            raise InvalidItem(
                f"Item {item.code} has no field mapped to the contested data element; "
                "publish it with the element as a 'reference' first."
            )
    conflict.status = ConflictStatus.PENDING
    conflict.claimant_item_id = claimant_item_id
    conflict.escalation_reason = body.reason
    conflict.updated_at = ctx.clock.now()
    ctx.audit(
        "catalog.source_conflict_escalated",
        subject_type="source_conflict",
        subject_id=conflict.id,
        payload={"reason": body.reason, "claimant_item_id": claimant_item_id},
    )
    await ctx.session.flush()
    return (await _conflict_reads(ctx, [conflict]))[0]


def _with_role(spec: dict[str, Any], element_code: str, role: FieldRole) -> dict[str, Any]:
    fields = []
    for f in spec["fields"]:
        if f["element_code"] == element_code:
            f = {**f, "role": role}
        fields.append(f)
    return {"fields": fields}


async def resolve_conflict(
    ctx: Context, *, conflict_id: str, body: ConflictResolve
) -> ConflictRead:
    """Decide an escalated conflict (admin): keep the source, or transfer it to the claimant."""
    conflict = await _visible_conflict(ctx, conflict_id, for_update=True)
    if conflict.status != ConflictStatus.PENDING:
        raise ConflictState(
            f"Conflict {conflict.id} is {conflict.status}; only pending ones are decided."
        )
    if body.outcome is ConflictOutcome.TRANSFER:
        if conflict.claimant_item_id is None:
            raise ConflictState(
                "There is no claimant item to transfer the source to; the claimant names one "
                "when escalating."
            )
        element = await elements_repository.get_element(ctx.session, conflict.element_id)
        assert element is not None
        await elements_repository.lock_elements(ctx.session, [element.id])
        sources = await elements_repository.sources_for_elements(ctx.session, [element.id])
        current = sources.get(element.id)
        now = ctx.clock.now()
        await elements_repository.set_source(
            ctx.session, element_id=element.id, item_id=conflict.claimant_item_id, since=now
        )
        note = f"数据源头裁决 conflict {conflict.id}: {body.note}"
        if current is not None and current.item_id != conflict.claimant_item_id:
            old = await items_service.locked_item(ctx, current.item_id)
            spec = await items_service.current_spec(ctx, old)
            await items_service.revise(
                ctx, old, _with_role(spec, element.code, FieldRole.REFERENCE), note
            )
        new = await items_service.locked_item(ctx, conflict.claimant_item_id)
        spec = await items_service.current_spec(ctx, new)
        await items_service.revise(ctx, new, _with_role(spec, element.code, FieldRole.SOURCE), note)
    conflict.status = ConflictStatus.RESOLVED
    conflict.outcome = body.outcome
    conflict.decision_note = body.note
    conflict.decided_by = ctx.actor_ref
    conflict.decided_at = ctx.clock.now()
    conflict.updated_at = conflict.decided_at
    ctx.audit(
        "catalog.source_conflict_resolved",
        subject_type="source_conflict",
        subject_id=conflict.id,
        payload={
            "outcome": body.outcome,
            "note": body.note,
            "claimant_item_id": conflict.claimant_item_id,
        },
    )
    await ctx.session.flush()
    return (await _conflict_reads(ctx, [conflict]))[0]
