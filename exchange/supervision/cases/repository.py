"""Every query of supervision cases, their facts, referrals, responses and decisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.transition import transition
from exchange.supervision.cases.models import (
    Case,
    CaseFact,
    CaseReferral,
    CaseResponse,
    Decision,
)


async def get_case(session: AsyncSession, case_id: str) -> Case | None:
    """One case."""
    return await session.get(Case, case_id)


async def lock_case(session: AsyncSession, case_id: str) -> Case | None:
    """One case, its row locked until the unit of work ends (decisions on it serialize)."""
    stmt = select(Case).where(Case.id == case_id).with_for_update()
    return (await session.scalars(stmt)).first()


def _cases(
    *,
    state: str | None,
    agency_id: str | None,
    subject_id: str | None,
    notified: str | None,
    referred_ids: Sequence[str] | None,
) -> Select[Case]:
    stmt = select(Case)
    if state is not None:
        stmt = stmt.where(Case.state == state)
    if subject_id is not None:
        stmt = stmt.where(Case.subject_id == subject_id)
    if agency_id is not None:
        stmt = stmt.where(or_(Case.lead_agency_id == agency_id, Case.id.in_(referred_ids or [])))
    if notified is not None:
        # JSON arrays of ids: a participant id is 36 characters and quoted in the text.
        stmt = stmt.where(_json_text(Case.notified).contains(f'"{notified}"'))
    return stmt


def _json_text(column: Any) -> ColumnElement[str]:
    return cast(column, String)


async def list_cases(
    session: AsyncSession,
    *,
    state: str | None,
    agency_id: str | None,
    subject_id: str | None,
    notified: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Case], int]:
    """A page of cases, newest first, and how many match."""
    referred = await referred_case_ids(session, agency_id) if agency_id is not None else None
    stmt = _cases(
        state=state,
        agency_id=agency_id,
        subject_id=subject_id,
        notified=notified,
        referred_ids=referred,
    )
    rows = await session.scalars(
        stmt.order_by(Case.opened_at.desc(), Case.id).limit(limit).offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    return rows.all(), int(total or 0)


async def referred_case_ids(session: AsyncSession, agency_id: str | None) -> list[str]:
    """The cases referred to an agency."""
    if agency_id is None:
        return []
    stmt = select(CaseReferral.case_id).where(CaseReferral.to_agency_id == agency_id)
    return list((await session.scalars(stmt)).all())


async def facts_of(session: AsyncSession, case_id: str) -> Sequence[CaseFact]:
    """A case's facts in log order."""
    stmt = select(CaseFact).where(CaseFact.case_id == case_id).order_by(CaseFact.entry_index)
    return (await session.scalars(stmt)).all()


async def referrals_of(session: AsyncSession, case_id: str) -> Sequence[CaseReferral]:
    """A case's referrals in the order made."""
    stmt = (
        select(CaseReferral)
        .where(CaseReferral.case_id == case_id)
        .order_by(CaseReferral.referred_at, CaseReferral.id)
    )
    return (await session.scalars(stmt)).all()


async def responses_of(session: AsyncSession, case_id: str) -> Sequence[CaseResponse]:
    """A case's responses in the order given."""
    stmt = (
        select(CaseResponse)
        .where(CaseResponse.case_id == case_id)
        .order_by(CaseResponse.responded_at, CaseResponse.id)
    )
    return (await session.scalars(stmt)).all()


async def decisions_of(session: AsyncSession, case_id: str) -> Sequence[Decision]:
    """A case's decisions in the order made."""
    stmt = (
        select(Decision)
        .where(Decision.case_id == case_id)
        .order_by(Decision.decided_at, Decision.id)
    )
    return (await session.scalars(stmt)).all()


async def get_decision(session: AsyncSession, decision_id: str) -> Decision | None:
    """One decision."""
    return await session.get(Decision, decision_id)


async def make_effective(
    session: AsyncSession, decision_id: str, *, concurred_by: list[str], now: datetime
) -> bool:
    """Record the last concurrence of a proposed decision; False if it is no longer proposed."""
    return await transition(
        session,
        Decision,
        Decision.id == decision_id,
        Decision.state == "proposed",
        state="effective",
        concurred_by=concurred_by,
        effective_at=now,
    )


async def cases_between(
    session: AsyncSession, *, agency_id: str, since: datetime, until: datetime
) -> Sequence[Case]:
    """Cases an agency leads or was referred, opened before `until` and not closed before
    `since` (those the period saw)."""
    referred = await referred_case_ids(session, agency_id)
    stmt = select(Case).where(
        or_(Case.lead_agency_id == agency_id, Case.id.in_(referred) if referred else false()),
        Case.opened_at < until,
        or_(Case.closed_at.is_(None), Case.closed_at >= since),
    )
    return (await session.scalars(stmt.order_by(Case.opened_at, Case.id))).all()
