"""Every query of supervisory agencies, their members and thresholds."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.supervision.agencies.models import Agency, AgencyMember, AgencyThreshold


async def list_agencies(session: AsyncSession) -> Sequence[Agency]:
    """Every agency, province first, then by id."""
    stmt = select(Agency).order_by(Agency.level.desc(), Agency.id)
    return (await session.scalars(stmt)).all()


async def get_agency(session: AsyncSession, agency_id: str) -> Agency | None:
    """One agency by id."""
    return await session.get(Agency, agency_id)


async def get_member(session: AsyncSession, participant_id: str) -> AgencyMember | None:
    """A regulator's membership, if any."""
    return await session.get(AgencyMember, participant_id)


async def members_of(session: AsyncSession, agency_id: str) -> Sequence[AgencyMember]:
    """An agency's regulators, by the time they joined."""
    stmt = (
        select(AgencyMember)
        .where(AgencyMember.agency_id == agency_id)
        .order_by(AgencyMember.assigned_at, AgencyMember.participant_id)
    )
    return (await session.scalars(stmt)).all()


async def thresholds_of(session: AsyncSession, agency_id: str) -> Sequence[AgencyThreshold]:
    """The thresholds an agency set."""
    stmt = select(AgencyThreshold).where(AgencyThreshold.agency_id == agency_id)
    return (await session.scalars(stmt)).all()


async def get_threshold(session: AsyncSession, agency_id: str, name: str) -> AgencyThreshold | None:
    """One threshold an agency set."""
    return await session.get(AgencyThreshold, (agency_id, name))
