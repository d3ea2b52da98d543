"""A read racing a revocation never returns data after the revocation committed: the read
holds the consent's row (shared) while it checks, reads and logs; the revocation takes it
exclusively. On PostgreSQL the row lock orders them, on SQLite the serialized writers do."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from support_dataspaces import Spaces

from exchange.dataspaces.consents import reading
from exchange.dataspaces.consents import service as consents_service
from support import assert_problem

STILL = 0.3  # seconds a blocked request is given to (wrongly) finish


def hold(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> tuple[Any, Any]:
    """Make `module.name` stop, after doing its work but before its unit of work commits,
    until released: (entered, release) events."""
    entered, release = asyncio.Event(), asyncio.Event()
    original = getattr(module, name)

    async def held(*args: Any, **kwargs: Any) -> Any:
        result = await original(*args, **kwargs)
        entered.set()
        await release.wait()
        return result

    monkeypatch.setattr(module, name, held)
    return entered, release


async def _index(s: Spaces, action: str) -> int:
    return next(e["index"] for e in await s.usage(s.person) if e["action"] == action)


async def test_a_revocation_waits_for_a_read_in_progress(
    spaces: Spaces, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = spaces
    consent = await s.granted(s.person, record_types=["tax", "social_insurance"])
    entered, release = hold(monkeypatch, reading, "read")
    read = asyncio.create_task(s.read(s.lender, consent["id"]))
    await asyncio.wait_for(entered.wait(), 10)
    revoke = asyncio.create_task(s.revoke(s.person, consent["id"]))
    await asyncio.sleep(STILL)
    waited = not revoke.done()
    release.set()
    served, revoked = await read, await revoke
    assert waited, "the revocation committed while a read held the consent"
    assert served.status_code == 200 and served.json()["records"], served.text
    assert revoked.status_code == 200, revoked.text
    # The read committed first, so it was served under a consent still in force.
    assert await _index(s, "consent.records_read") < await _index(s, "consent.revoked")
    monkeypatch.undo()
    assert_problem(await s.read(s.lender, consent["id"]), 409, "consent-revoked")


async def test_a_read_after_a_committing_revocation_is_refused(
    spaces: Spaces, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = spaces
    consent = await s.granted(s.person, record_types=["tax"])
    entered, release = hold(monkeypatch, consents_service, "revoke")
    revoke = asyncio.create_task(s.revoke(s.person, consent["id"]))
    await asyncio.wait_for(entered.wait(), 10)
    read = asyncio.create_task(s.read(s.lender, consent["id"]))
    await asyncio.sleep(STILL)
    waited = not read.done()
    release.set()
    assert (await revoke).status_code == 200
    refused = await read
    assert waited, "a read went ahead while the revocation held the consent"
    assert_problem(refused, 409, "consent-revoked")
    usage = await s.usage(s.person)
    assert not [e for e in usage if e["action"] == "consent.records_read"]
    assert await _index(s, "consent.revoked") < await _index(s, "consent.read_refused")


async def test_many_reads_racing_one_revocation(spaces: Spaces) -> None:
    s = spaces
    consent = await s.granted(s.person, record_types=["tax"])
    reads = [asyncio.create_task(s.read(s.lender, consent["id"])) for _ in range(12)]
    revoked = await s.revoke(s.person, consent["id"])
    later = [asyncio.create_task(s.read(s.lender, consent["id"])) for _ in range(4)]
    results = await asyncio.gather(*reads, *later)
    assert revoked.status_code == 200
    assert {r.status_code for r in results} <= {200, 409}
    assert all(r.status_code == 409 for r in results[12:])
    # Every served read is logged before the revocation; every refused one after it.
    usage = await s.usage(s.person)
    cut = next(e["index"] for e in usage if e["action"] == "consent.revoked")
    served = [e["index"] for e in usage if e["action"] == "consent.records_read"]
    refused = [e["index"] for e in usage if e["action"] == "consent.read_refused"]
    assert len(served) == sum(r.status_code == 200 for r in results)
    assert len(refused) == sum(r.status_code == 409 for r in results)
    assert all(i < cut for i in served) and all(i > cut for i in refused)
