"""Every query of surveillance alerts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.transition import transition
from exchange.supervision.surveillance.models import Alert


async def get_alert(session: AsyncSession, alert_id: str) -> Alert | None:
    """One alert."""
    return await session.get(Alert, alert_id)


async def known_fingerprints(session: AsyncSession, fingerprints: Sequence[str]) -> set[str]:
    """Which of these fingerprints have alerts already."""
    if not fingerprints:
        return set()
    stmt = select(Alert.fingerprint).where(Alert.fingerprint.in_(list(fingerprints)))
    return set((await session.scalars(stmt)).all())


async def list_alerts(
    session: AsyncSession,
    *,
    state: str | None,
    kind: str | None,
    remit: str | None,
    party_id: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Alert], int]:
    """A page of alerts, newest first."""
    stmt = select(Alert)
    for column, value in ((Alert.state, state), (Alert.kind, kind), (Alert.remit, remit)):
        if value is not None:
            stmt = stmt.where(column == value)
    if party_id is not None:
        stmt = stmt.where(cast(Alert.parties, String).contains(f'"{party_id}"'))
    rows = await session.scalars(
        stmt.order_by(Alert.raised_at.desc(), Alert.id).limit(limit).offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    return rows.all(), int(total or 0)


async def move(
    session: AsyncSession, alert_id: str, *, from_states: Sequence[str], **values: object
) -> bool:
    """Move an alert out of one of these states (compare-and-set); False if it left them."""
    return await transition(
        session, Alert, Alert.id == alert_id, Alert.state.in_(list(from_states)), **values
    )


async def alerts_between(
    session: AsyncSession, *, remits: Sequence[str], since: datetime, until: datetime
) -> Sequence[Alert]:
    """Alerts of these remits raised in [since, until)."""
    stmt = select(Alert).where(
        Alert.remit.in_(list(remits)), Alert.raised_at >= since, Alert.raised_at < until
    )
    return (await session.scalars(stmt.order_by(Alert.raised_at, Alert.id))).all()
