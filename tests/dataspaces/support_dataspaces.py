"""Helpers of the data-space tests: people and companies with data spaces, a bank, consents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from exchange.clock import ManualClock, rfc3339
from exchange.context import Principal, Runtime
from exchange.seed.dataspaces import ensure_sources, seed_data_space
from support import Actor


def principal(actor: Actor) -> Principal:
    return Principal(actor.id, actor.name, actor.role, "CN")


@dataclass
class Spaces:
    """A market where a person and two companies have data spaces, and a bank asks."""

    client: httpx.AsyncClient
    runtime: Runtime
    clock: ManualClock
    admin: Actor
    person: Actor
    other_person: Actor
    company: Actor
    lender: Actor
    regulator: Actor

    async def seed(self) -> None:
        """The catalog sources, and the records they hold about each data subject."""
        async with self.runtime.unit_of_work() as session:
            sources = await ensure_sources(self.runtime.context(session, principal(self.admin)))
            for subject in (self.person, self.other_person, self.company):
                await seed_data_space(
                    self.runtime.context(session),
                    principal(subject),
                    sources,
                    self.runtime.clock.now(),
                )

    def later(self, days: int) -> str:
        return rfc3339(self.runtime.clock.now() + timedelta(days=days))

    async def records(self, actor: Actor, **params: Any) -> list[dict[str, Any]]:
        r = await self.client.get("/v1/dataspaces/me/records", params=params, headers=actor.auth)
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()["items"]
        return items

    async def grant(self, actor: Actor, **body: Any) -> httpx.Response:
        body.setdefault("grantee_id", self.lender.id)
        body.setdefault("purposes", ["credit_decision"])
        body.setdefault("expires_at", self.later(30))
        return await self.client.post("/v1/consents", json=body, headers=actor.auth)

    async def granted(self, actor: Actor, **body: Any) -> dict[str, Any]:
        r = await self.grant(actor, **body)
        assert r.status_code == 201, r.text
        consent: dict[str, Any] = r.json()
        return consent

    async def read(
        self, actor: Actor, consent_id: str, purpose: str = "credit_decision"
    ) -> httpx.Response:
        return await self.client.post(
            f"/v1/consents/{consent_id}/reads", json={"purpose": purpose}, headers=actor.auth
        )

    async def revoke(self, actor: Actor, consent_id: str) -> httpx.Response:
        return await self.client.post(
            f"/v1/consents/{consent_id}/revoke",
            json={"reason": "不再需要 no longer needed"},
            headers=actor.auth,
        )

    async def usage(self, actor: Actor) -> list[dict[str, Any]]:
        r = await self.client.get("/v1/dataspaces/me/usage", headers=actor.auth)
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()["items"]
        return items


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)
