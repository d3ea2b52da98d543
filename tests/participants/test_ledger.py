"""Cash accounts and the double-entry ledger: deposits, transfers, never below zero."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from exchange.context import Runtime
from exchange.participants.models import Account, AccountKind, Journal, Posting
from exchange.vocabulary import Role
from support import Actor, MakeParticipant, assert_problem
from support_audit import chain_entries


async def balance(client: httpx.AsyncClient, who: Actor) -> int:
    r = await client.get("/v1/accounts/me", headers=who.auth)
    assert r.status_code == 200, r.text
    return int(r.json()["balance_fen"])


async def test_deposit_and_transfer_move_money_double_entry(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant, runtime: Runtime
) -> None:
    payer = await make_participant(Role.ENTERPRISE)
    payee = await make_participant(Role.INDIVIDUAL)
    r = await client.post(
        f"/v1/accounts/{payer.id}/deposits",
        json={"amount_fen": 100_00, "memo": "沙盒注资"},
        headers=admin.auth,
    )
    assert r.status_code == 201, r.text
    assert sum(leg["amount_fen"] for leg in r.json()["legs"]) == 0
    r = await client.post(
        "/v1/transfers",
        json={"to_participant_id": payee.id, "amount_fen": 30_00, "memo": "数据服务费"},
        headers=payer.auth,
    )
    assert r.status_code == 201, r.text
    assert await balance(client, payer) == 70_00
    assert await balance(client, payee) == 30_00
    statement = (await client.get("/v1/accounts/me", headers=payer.auth)).json()
    assert [p["amount_fen"] for p in statement["postings"]] == [-30_00, 100_00]
    assert statement["postings"][0]["balance_after_fen"] == 70_00
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.sum(Posting.amount_fen))) == 0
    actions = [e["action"] for e in await chain_entries(runtime)]
    assert actions.count("ledger.posted") == 2


async def test_only_admins_deposit_on_the_main_market(
    client: httpx.AsyncClient, make_participant: MakeParticipant
) -> None:
    company = await make_participant(Role.ENTERPRISE)
    instructor = await make_participant(Role.INSTRUCTOR)
    for role in (Role.ENTERPRISE, Role.REGULATOR, Role.BROKER):
        other = await make_participant(role)
        r = await client.post(
            f"/v1/accounts/{company.id}/deposits", json={"amount_fen": 1}, headers=other.auth
        )
        assert_problem(r, 403, "forbidden")
    # Instructors fund the participants of their own classes only (tests/classroom).
    for target in (company, instructor):
        r = await client.post(
            f"/v1/accounts/{target.id}/deposits", json={"amount_fen": 500}, headers=instructor.auth
        )
        assert_problem(r, 403, "funding-refused")
    assert await balance(client, company) == 0
    assert await balance(client, instructor) == 0


async def test_refused_transfer_leaves_no_state_and_no_audit_entry(
    client: httpx.AsyncClient, make_participant: MakeParticipant, runtime: Runtime
) -> None:
    payer = await make_participant(Role.ENTERPRISE, balance_fen=1_000)
    payee = await make_participant(Role.ENTERPRISE)
    before_entries = len(await chain_entries(runtime))
    async with runtime.sessionmaker() as session:
        before_journals = await session.scalar(select(func.count()).select_from(Journal))
    bad = [
        ({"to_participant_id": payee.id, "amount_fen": 1_001}, 409, "insufficient-funds"),
        ({"to_participant_id": payer.id, "amount_fen": 1}, 409, "self-transfer"),
        ({"to_participant_id": "nobody", "amount_fen": 1}, 404, "participant-not-found"),
        ({"to_participant_id": payee.id, "amount_fen": 0}, 422, "invalid-request"),
        ({"to_participant_id": payee.id, "amount_fen": -5}, 422, "invalid-request"),
        ({"to_participant_id": payee.id, "amount_fen": "10"}, 422, "invalid-request"),
        ({"to_participant_id": payee.id, "amount_fen": 10.5}, 422, "invalid-request"),
    ]
    for body, status, slug in bad:
        assert_problem(
            await client.post("/v1/transfers", json=body, headers=payer.auth), status, slug
        )
    assert await balance(client, payer) == 1_000
    assert await balance(client, payee) == 0
    assert len(await chain_entries(runtime)) == before_entries
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Journal)) == before_journals


async def test_regulator_cannot_move_money(
    client: httpx.AsyncClient, make_participant: MakeParticipant
) -> None:
    regulator = await make_participant(Role.REGULATOR, balance_fen=100)
    other = await make_participant(Role.ENTERPRISE)
    r = await client.post(
        "/v1/transfers",
        json={"to_participant_id": other.id, "amount_fen": 1},
        headers=regulator.auth,
    )
    assert_problem(r, 403, "forbidden")


async def test_others_accounts_are_private(
    client: httpx.AsyncClient, make_participant: MakeParticipant
) -> None:
    a = await make_participant(Role.ENTERPRISE, balance_fen=100)
    b = await make_participant(Role.ENTERPRISE)
    regulator = await make_participant(Role.REGULATOR)
    assert_problem(await client.get(f"/v1/accounts/{a.id}", headers=b.auth), 404)
    seen = await client.get(f"/v1/accounts/{a.id}", headers=regulator.auth)
    assert seen.status_code == 200 and seen.json()["balance_fen"] == 100


async def test_fifty_concurrent_spends_exactly_ten_succeed(
    client: httpx.AsyncClient, make_participant: MakeParticipant, runtime: Runtime
) -> None:
    spender = await make_participant(Role.ENTERPRISE, balance_fen=10 * 700)
    payees = [await make_participant(Role.INDIVIDUAL) for _ in range(5)]

    async def spend(i: int) -> int:
        r = await client.post(
            "/v1/transfers",
            json={"to_participant_id": payees[i % 5].id, "amount_fen": 700},
            headers=spender.auth,
        )
        if r.status_code != 201:
            assert_problem(r, 409, "insufficient-funds")
        return r.status_code

    statuses = await asyncio.gather(*(spend(i) for i in range(50)))
    assert statuses.count(201) == 10
    assert statuses.count(409) == 40
    assert await balance(client, spender) == 0
    async with runtime.sessionmaker() as session:
        balances = (
            await session.scalars(
                select(Account.balance_fen).where(Account.kind != AccountKind.SANDBOX_MINT)
            )
        ).all()
        postings = await session.scalar(
            select(func.sum(Posting.amount_fen)).where(Posting.account_id == spender.account_id)
        )
    assert min(balances) >= 0
    assert postings == 0
    entries = await chain_entries(runtime)
    spends = [
        e for e in entries if e["action"] == "ledger.posted" and e["payload"]["kind"] == "transfer"
    ]  # type: ignore[index]
    assert len(spends) == 10


MAX_BALANCE = 2**53 - 1  # what a JavaScript client reads exactly


async def test_no_balance_grows_past_2_53_minus_1(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant, runtime: Runtime
) -> None:
    rich = await make_participant(Role.ENTERPRISE)
    other = await make_participant(Role.ENTERPRISE, balance_fen=10)

    async def deposit(who: Actor, amount: int) -> httpx.Response:
        return await client.post(
            f"/v1/accounts/{who.id}/deposits",
            json={"amount_fen": amount, "memo": "沙盒注资"},
            headers=admin.auth,
        )

    async def refused(who: Actor, amount: int) -> dict[str, object]:
        entries = len(await chain_entries(runtime))
        problem = assert_problem(await deposit(who, amount), 409, "balance-limit-exceeded")
        assert problem["limit_fen"] == MAX_BALANCE
        assert len(await chain_entries(runtime)) == entries
        return problem

    for _ in range(9):
        assert (await deposit(rich, 10**15)).status_code == 201
    # A tenth deposit of 10^15 used to pass, leaving a balance JSON clients misread.
    problem = await refused(rich, 10**15)
    assert problem["account_id"] in {rich.account_id, "sandbox-mint"}
    assert await balance(client, rich) == 9 * 10**15
    # Up to the limit exactly is fine.
    assert (await deposit(rich, MAX_BALANCE - 9 * 10**15 - 10)).status_code == 201
    assert await balance(client, rich) == MAX_BALANCE - 10
    # The sandbox's money in all is capped too: the mint's debt is a balance like any other (so
    # no transfer can carry a balance past the limit either).
    problem = await refused(other, 1)
    assert problem["account_id"] == "sandbox-mint"
    r = await client.post(
        "/v1/transfers", json={"to_participant_id": rich.id, "amount_fen": 10}, headers=other.auth
    )
    assert r.status_code == 201, r.text
    assert await balance(client, rich) == MAX_BALANCE
    assert await balance(client, other) == 0
