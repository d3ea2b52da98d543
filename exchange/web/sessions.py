"""Opening, finding and ending console sessions (控制台会话).

A session is opened by an API key checked once (its id is kept, never the key) or by a
student's class join (the key the join issues goes nowhere but here). Sessions expire on the
wall clock, not the market clock: an instructor moving the market a week ahead must not sign
the class out.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.clock import SystemClock
from exchange.context import Principal, Runtime
from exchange.security import principal_of_key
from exchange.web.models import ConsoleSession

SESSION_COOKIE = "gdx_session"
LIFETIME = timedelta(hours=12)
WALL = SystemClock()


def digest(token: str) -> str:
    """What the table keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Opened:
    """A new session: the token for the cookie and the participant it signs in."""

    token: str
    principal: Principal


async def open_with_key(main: Runtime, api_key: str) -> Opened:
    """Check a pasted API key against the main market and open a session for its holder."""
    async with main.unit_of_work() as session:
        principal = await principal_of_key(session, api_key.strip() or None)
        assert principal.key_id is not None, "a key that authenticated has an id"
        token = _add(session, principal, key_id=principal.key_id)
    return Opened(token, principal)


async def open_for_student(
    main: Runtime, *, participant: Principal, key_id: str, class_id: str
) -> str:
    """Open a session for a student who just joined a class with its join code."""
    async with main.unit_of_work() as session:
        return _add(session, participant, key_id=key_id, class_id=class_id)


def _add(
    session: AsyncSession, principal: Principal, *, key_id: str, class_id: str | None = None
) -> str:
    token = secrets.token_urlsafe(32)
    now = WALL.now()
    session.add(
        ConsoleSession(
            token_digest=digest(token),
            participant_id=principal.id,
            key_id=key_id,
            class_id=class_id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + LIFETIME,
        )
    )
    return token


async def find(session: AsyncSession, token: str | None) -> ConsoleSession | None:
    """The live session a cookie's token names, or None (unknown, ended or expired)."""
    if not token:
        return None
    row = await session.get(ConsoleSession, digest(token))
    if row is None or row.ended_at is not None or row.expires_at <= WALL.now():
        return None
    return row


async def end(main: Runtime, token: str) -> None:
    """Sign out: the session ends server-side, whatever the browser keeps."""
    async with main.unit_of_work() as session:
        await session.execute(
            update(ConsoleSession)
            .where(ConsoleSession.token_digest == digest(token))
            .values(ended_at=WALL.now())
        )


async def live_sessions(main: Runtime, participant_id: str) -> list[ConsoleSession]:
    """A participant's open sessions, newest first."""
    now: datetime = WALL.now()
    async with main.unit_of_work(write=False) as session:
        rows = await session.scalars(
            select(ConsoleSession)
            .where(
                ConsoleSession.participant_id == participant_id,
                ConsoleSession.ended_at.is_(None),
                ConsoleSession.expires_at > now,
            )
            .order_by(ConsoleSession.created_at.desc())
        )
        return list(rows)
