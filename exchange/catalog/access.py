"""Who is acting in the catalog: the calling participant and the department it is bound to."""

from __future__ import annotations

from exchange.catalog.departments import repository as departments_repository
from exchange.catalog.departments.models import Department
from exchange.catalog.errors import (
    DepartmentNotBound,
    DepartmentNotFound,
    InvalidItem,
    NotYourDepartment,
)
from exchange.context import Context, Principal
from exchange.errors import Forbidden
from exchange.vocabulary import Role


def principal(ctx: Context) -> Principal:
    """The calling participant; anonymous callers are refused."""
    if ctx.actor is None:
        raise Forbidden("An authenticated participant is required.")
    return ctx.actor


async def own_department(ctx: Context) -> Department | None:
    """The department the calling participant is bound to, if any."""
    actor = ctx.actor
    if actor is None or actor.role is not Role.DEPARTMENT:
        return None
    return await departments_repository.department_of_participant(ctx.session, actor.id)


async def bound_department(ctx: Context) -> Department:
    department = await own_department(ctx)
    if department is None:
        raise DepartmentNotBound(
            "This participant is not linked to a catalog department; an admin links it with "
            'PATCH /v1/departments/{id} {"participant_id": ...}.'
        )
    return department


async def publishing_department(ctx: Context, department_id: str | None) -> Department:
    """The department an admin or a department participant publishes for."""
    actor = principal(ctx)
    if actor.role is Role.ADMIN:
        if department_id is None:
            raise InvalidItem("department_id is required when an admin publishes.")
        department = await departments_repository.get_department(ctx.session, department_id)
        if department is None:
            raise DepartmentNotFound(f"No department {department_id!r}.")
        return department
    own = await bound_department(ctx)
    if department_id is not None and department_id != own.id:
        raise NotYourDepartment(
            f"{own.name} ({own.id}) may publish for its own department only, "
            f"not for {department_id!r}.",
            own_department_id=own.id,
            requested_department_id=department_id,
        )
    return own


async def acting_for(ctx: Context, department_id: str) -> None:
    """Refuse unless the caller is an admin or the participant of that department."""
    actor = principal(ctx)
    if actor.role is Role.ADMIN:
        return
    own = await bound_department(ctx)
    if own.id != department_id:
        raise NotYourDepartment(
            f"{own.name} acts for its own department only; this belongs to {department_id!r}.",
            own_department_id=own.id,
        )
