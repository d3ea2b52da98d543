"""Helpers shared by the tests: participants with keys, and problem+json assertions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select

from exchange.audit.log.models import AuditEntry
from exchange.context import Runtime
from exchange.participants.models import ApiKey, Participant
from exchange.vocabulary import Role


@dataclass
class Actor:
    """A participant in a test, with its key and auth header."""

    id: str
    name: str
    role: Role
    key: str
    account_id: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


MakeParticipant = Callable[..., Awaitable[Actor]]


def assert_problem(
    response: httpx.Response, status: int, slug: str | None = None
) -> dict[str, Any]:
    """Assert an RFC 9457 problem response and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    assert body["title"] and body["detail"]
    assert "Traceback" not in response.text
    if slug is not None:
        assert body["type"] == f"/problems/{slug}", body
    return body


async def footprint(runtime: Runtime) -> tuple[int, ...]:
    """Participants, API keys and audit entries stored: a refused request changes none."""
    async with runtime.sessionmaker() as session:
        counts = [
            await session.scalar(select(func.count()).select_from(model))
            for model in (Participant, ApiKey, AuditEntry)
        ]
    return tuple(int(c or 0) for c in counts)
