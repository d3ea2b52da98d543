"""Rules of divisions and departments: the hierarchy, and binding a participant. Services
flush, never commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from exchange.catalog.departments import repository, rules
from exchange.catalog.departments.models import Department
from exchange.catalog.departments.rules import DivisionInfo
from exchange.catalog.departments.schemas import (
    DepartmentBrief,
    DepartmentCreate,
    DepartmentPage,
    DepartmentRead,
    DepartmentUpdate,
    DivisionRead,
)
from exchange.catalog.errors import (
    CircularHierarchy,
    DataAuthorityTaken,
    DepartmentInUse,
    DepartmentNotFound,
    DivisionNotFound,
    DuplicateCode,
    HierarchyInvalid,
)
from exchange.catalog.vocabulary import LEVEL_LABELS, Level
from exchange.context import Context, Slot
from exchange.participants import service as participants_service
from exchange.vocabulary import Role

_DIVISIONS: Slot[dict[str, DivisionInfo]] = Slot("catalog.divisions")


async def divisions(ctx: Context) -> dict[str, DivisionInfo]:
    """All divisions by code (seeded by the migration and never changed: cached)."""
    cached = ctx.runtime.cache.get(_DIVISIONS)
    if cached is None:
        rows = await repository.all_divisions(ctx.session)
        cached = {
            d.code: DivisionInfo(d.code, d.name, d.name_en, Level(d.level), d.parent_code)
            for d in rows
        }
        if cached:
            ctx.runtime.cache.set(_DIVISIONS, cached)
    return dict(cached)


async def list_divisions(ctx: Context, *, parent_code: str | None) -> list[DivisionRead]:
    """Divisions, optionally the children of one."""
    return [
        DivisionRead(
            code=d.code, name=d.name, name_en=d.name_en, level=d.level, parent_code=d.parent_code
        )
        for d in (await divisions(ctx)).values()
        if parent_code is None or d.parent_code == parent_code
    ]


async def _department_reads(ctx: Context, rows: Sequence[Department]) -> list[DepartmentRead]:
    divs = await divisions(ctx)
    return [
        DepartmentRead(
            id=d.id,
            code=d.code,
            name=d.name,
            name_en=d.name_en,
            division_code=d.division_code,
            division_name=divs[d.division_code].name if d.division_code in divs else "",
            level=d.level,
            level_label=LEVEL_LABELS[Level(d.level)],
            city_code=d.city_code,
            city_name=divs[d.city_code].name if d.city_code in divs else "",
            parent_id=d.parent_id,
            participant_id=d.participant_id,
            data_authority=d.data_authority,
            item_count=d.item_count,
            created_at=d.created_at,
            updated_at=d.updated_at,
        )
        for d in rows
    ]


async def brief(ctx: Context, department: Department) -> DepartmentBrief:
    divs = await divisions(ctx)
    division = divs.get(department.division_code)
    return DepartmentBrief(
        id=department.id,
        code=department.code,
        name=department.name,
        division_code=department.division_code,
        division_name=division.name if division else "",
    )


async def _check_participant(ctx: Context, participant_id: str, department_id: str | None) -> None:
    participant = await participants_service.get(ctx, participant_id)
    if participant.role != Role.DEPARTMENT:
        raise HierarchyInvalid(
            f"Participant {participant_id!r} has role {participant.role!r}; only participants "
            "with role 'department' can be linked to a catalog department."
        )
    bound = await repository.department_of_participant(ctx.session, participant_id)
    if bound is not None and bound.id != department_id:
        raise DepartmentInUse(
            f"Participant {participant_id!r} is already linked to {bound.name} ({bound.id}).",
            department_id=bound.id,
        )


async def _check_parent(
    ctx: Context, *, department_id: str | None, division_code: str, parent_id: str
) -> Department:
    divs = await divisions(ctx)
    parent = await repository.get_department(ctx.session, parent_id)
    if parent is None:
        raise HierarchyInvalid(f"No department {parent_id!r} to be the parent.")
    if not rules.contains(divs, parent.division_code, division_code):
        raise HierarchyInvalid(
            f"The parent {parent.name} sits in {divs[parent.division_code].name} "
            f"({parent.division_code}), which does not contain {divs[division_code].name} "
            f"({division_code}): a parent must be at the same or a higher level above it.",
            parent_division_code=parent.division_code,
            division_code=division_code,
        )
    if department_id is not None:
        chain: list[str] = []
        node: Department | None = parent
        seen: set[str] = set()
        while node is not None and node.id not in seen:
            chain.append(node.name)
            if node.id == department_id:
                path = " → ".join(chain)
                raise CircularHierarchy(
                    f"Making {parent.name} the parent would make the department its own "
                    f"ancestor: {path}.",
                    cycle=chain,
                )
            seen.add(node.id)
            node = (
                await repository.get_department(ctx.session, node.parent_id)
                if node.parent_id
                else None
            )
    return parent


async def create_department(ctx: Context, *, body: DepartmentCreate) -> DepartmentRead:
    """Register a department in a division, under a parent (admin)."""
    divs = await divisions(ctx)
    division = divs.get(body.division_code)
    if division is None:
        raise DivisionNotFound(
            f"No administrative division {body.division_code!r} (GB/T 2260 codes of "
            "Guangdong, e.g. 440000, 440100, 440106); see GET /v1/divisions.",
            division_code=body.division_code,
        )
    if await repository.department_by_code(ctx.session, body.code) is not None:
        raise DuplicateCode(f"A department with code {body.code!r} already exists.")
    if await repository.department_named(ctx.session, division.code, body.name) is not None:
        raise DuplicateCode(f"{division.name} already has a department named {body.name!r}.")
    if body.parent_id is not None:
        await _check_parent(
            ctx, department_id=None, division_code=division.code, parent_id=body.parent_id
        )
    if body.participant_id is not None:
        await _check_participant(ctx, body.participant_id, None)
    now = ctx.clock.now()
    department = Department(
        id=ctx.ids.new(),
        code=body.code,
        name=body.name,
        name_en=body.name_en,
        division_code=division.code,
        level=division.level,
        city_code=rules.city_of(divs, division),
        parent_id=body.parent_id,
        participant_id=body.participant_id,
        data_authority=False,
        item_count=0,
        item_serial=0,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(department)
    ctx.audit(
        "catalog.department_created",
        subject_type="department",
        subject_id=department.id,
        payload={
            "code": department.code,
            "name": department.name,
            "name_en": department.name_en,
            "division_code": department.division_code,
            "level": department.level,
            "parent_id": department.parent_id,
            "participant_id": department.participant_id,
        },
    )
    await ctx.session.flush()
    return (await _department_reads(ctx, [department]))[0]


async def update_department(
    ctx: Context, *, department_id: str, body: DepartmentUpdate
) -> DepartmentRead:
    """Rename, move or bind a department (admin); a circular hierarchy is refused."""
    department = await repository.get_department(ctx.session, department_id, for_update=True)
    if department is None:
        raise DepartmentNotFound(f"No department {department_id!r}.")
    changes: dict[str, Any] = {}
    fields = body.model_fields_set
    if "name" in fields and body.name is not None and body.name != department.name:
        same = await repository.department_named(ctx.session, department.division_code, body.name)
        if same is not None and same.id != department.id:
            raise DuplicateCode(f"The division already has a department named {body.name!r}.")
        changes["name"] = body.name
    if "name_en" in fields and body.name_en is not None:
        changes["name_en"] = body.name_en
    if "parent_id" in fields and body.parent_id != department.parent_id:
        if body.parent_id is not None:
            if body.parent_id == department.id:
                raise CircularHierarchy(
                    f"{department.name} cannot be its own parent.", cycle=[department.name]
                )
            await _check_parent(
                ctx,
                department_id=department.id,
                division_code=department.division_code,
                parent_id=body.parent_id,
            )
        changes["parent_id"] = body.parent_id
    if "participant_id" in fields and body.participant_id != department.participant_id:
        if body.participant_id is not None:
            await _check_participant(ctx, body.participant_id, department.id)
        changes["participant_id"] = body.participant_id
    designate = body.data_authority if "data_authority" in fields else None
    if designate is not None and designate != department.data_authority:
        if designate:
            await _check_authority_free(ctx, department)
        changes["data_authority"] = designate
    if changes:
        for key, value in changes.items():
            setattr(department, key, value)
        department.updated_at = ctx.clock.now()
        ctx.audit(
            "catalog.department_updated",
            subject_type="department",
            subject_id=department.id,
            payload={"changes": changes},
        )
        await ctx.session.flush()
    return (await _department_reads(ctx, [department]))[0]


async def _check_authority_free(ctx: Context, department: Department) -> None:
    """A division has one data authority (数据主管部门) at a time."""
    current = await repository.data_authority_of(ctx.session, department.division_code)
    if current is not None and current.id != department.id:
        divs = await divisions(ctx)
        division = divs.get(department.division_code)
        raise DataAuthorityTaken(
            f"{current.name} ({current.id}) is already the data authority of "
            f"{division.name if division else department.division_code}; withdraw its "
            "designation first.",
            department_id=current.id,
            division_code=department.division_code,
        )


async def get_department(ctx: Context, department_id: str) -> DepartmentRead:
    """One department."""
    department = await repository.get_department(ctx.session, department_id)
    if department is None:
        raise DepartmentNotFound(f"No department {department_id!r}.")
    return (await _department_reads(ctx, [department]))[0]


async def list_departments(
    ctx: Context,
    *,
    division_code: str | None,
    city_code: str | None,
    level: Level | None,
    parent_id: str | None,
    name: str | None,
    limit: int,
    offset: int,
) -> DepartmentPage:
    """A page of departments."""
    rows, total = await repository.list_departments(
        ctx.session,
        division_code=division_code,
        city_code=city_code,
        level=level,
        parent_id=parent_id,
        name=name,
        limit=limit,
        offset=offset,
    )
    return DepartmentPage(items=await _department_reads(ctx, rows), total=total)


async def codes_taken(ctx: Context, codes: Sequence[str]) -> list[str]:
    """Which of these department codes are already registered."""
    return await repository.department_codes_taken(ctx.session, codes)


async def department_by_code(ctx: Context, code: str) -> DepartmentRead | None:
    """The department with this code, if any."""
    department = await repository.department_by_code(ctx.session, code)
    return None if department is None else (await _department_reads(ctx, [department]))[0]


async def department_of_participant(ctx: Context, participant_id: str) -> DepartmentRead | None:
    """The department a participant is bound to, if any."""
    department = await repository.department_of_participant(ctx.session, participant_id)
    return None if department is None else (await _department_reads(ctx, [department]))[0]


async def departments_by_id(ctx: Context, ids: Sequence[str]) -> dict[str, DepartmentRead]:
    """Several departments by id (those that exist)."""
    found = await repository.get_departments(ctx.session, ids)
    return {d.id: d for d in await _department_reads(ctx, list(found.values()))}


async def contains_division(ctx: Context, outer: str, inner: str) -> bool:
    """Whether division `outer` is `inner` or contains it (province ⊃ city ⊃ county)."""
    return rules.contains(await divisions(ctx), outer, inner)


async def divisions_within(ctx: Context, code: str) -> set[str]:
    """The division and every division it contains."""
    divs = await divisions(ctx)
    return {d for d in divs if rules.contains(divs, code, d)}
