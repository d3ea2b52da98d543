"""Participants (参与者), API keys and cash movements between them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.context import Context, Principal
from exchange.errors import Forbidden
from exchange.hooks import HOOKS, NotWired, StoredKey
from exchange.participants import ledger, repository
from exchange.participants.errors import (
    AccountAlreadyFrozen,
    AccountNotFrozen,
    ApiKeyNotFound,
    FundingRefused,
    LastKeyRevocation,
    ParticipantNotFound,
    SelfTransfer,
)
from exchange.participants.models import Account, AccountKind, ApiKey, Journal, Participant, Posting
from exchange.security import new_api_key
from exchange.vocabulary import ParticipantStatus, Role


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A stored key and its secret, which is shown once."""

    record: ApiKey
    secret: str


async def find_key(session: AsyncSession, key_id: str) -> StoredKey | None:
    """The stored API key with this public id and the participant it speaks for."""
    found = await repository.get_key_with_participant(session, key_id)
    if found is None:
        return None
    digest, revoked_at, participant_id, name, role, jurisdiction, status = found
    return StoredKey(
        key_id=key_id,
        digest=digest,
        revoked=revoked_at is not None,
        active=status == ParticipantStatus.ACTIVE,
        principal=Principal(
            id=participant_id,
            name=name,
            role=Role(role),
            jurisdiction=jurisdiction,
            key_id=key_id,
        ),
    )


async def register(
    ctx: Context, *, name: str, role: Role, jurisdiction: str
) -> tuple[Participant, Account, IssuedKey]:
    """Register a participant with a cash account and a first API key."""
    participant = Participant(
        id=ctx.ids.new(),
        name=name,
        role=role,
        jurisdiction=jurisdiction,
        status=ParticipantStatus.ACTIVE,
        created_at=ctx.clock.now(),
    )
    ctx.session.add(participant)
    ctx.audit(
        "participant.registered",
        subject_type="participant",
        subject_id=participant.id,
        payload={"name": name, "role": role, "jurisdiction": jurisdiction},
    )
    await ctx.session.flush()
    account = await ledger.open_account(ctx, owner_id=participant.id, kind=AccountKind.PARTICIPANT)
    key = await issue_key(ctx, participant_id=participant.id, label="initial")
    return participant, account, key


async def get(ctx: Context, participant_id: str) -> Participant:
    """A participant by id (404 if absent)."""
    participant = await repository.get_participant(ctx.session, participant_id)
    if participant is None:
        raise ParticipantNotFound(f"No participant {participant_id!r}.")
    return participant


async def find_by_names(ctx: Context, names: Sequence[str]) -> Sequence[Participant]:
    """The participants with any of these names (the demo seed finds its own again)."""
    return await repository.list_by_names(ctx.session, names)


async def get_many(ctx: Context, participant_ids: Sequence[str]) -> dict[str, Participant]:
    """Several participants' public profiles by id, in one query (unknown ids are left out)."""
    ids = list(dict.fromkeys(participant_ids))
    if not ids:
        return {}
    return {p.id: p for p in await repository.list_by_ids(ctx.session, ids)}


async def list_page(
    ctx: Context, *, role: Role | None, limit: int, offset: int
) -> tuple[Sequence[Participant], int]:
    """A page of participants."""
    return await repository.list_participants(ctx.session, role=role, limit=limit, offset=offset)


async def issue_key(ctx: Context, *, participant_id: str, label: str) -> IssuedKey:
    """Issue another API key for a participant (rotation keeps older keys until revoked)."""
    key_id, secret, digest = new_api_key()
    record = ApiKey(
        id=key_id,
        participant_id=participant_id,
        digest=digest,
        label=label,
        created_at=ctx.clock.now(),
        revoked_at=None,
    )
    ctx.session.add(record)
    ctx.audit(
        "api_key.issued",
        subject_type="participant",
        subject_id=participant_id,
        payload={"key_id": key_id, "label": label},
    )
    return IssuedKey(record=record, secret=secret)


def _may_manage(actor: Principal, participant_id: str) -> bool:
    return actor.id == participant_id or actor.role is Role.ADMIN


async def list_keys(ctx: Context, *, participant_id: str) -> Sequence[ApiKey]:
    """A participant's keys (the participant itself or an admin)."""
    assert ctx.actor is not None
    if not _may_manage(ctx.actor, participant_id):
        raise ParticipantNotFound(f"No participant {participant_id!r}.")
    await get(ctx, participant_id)
    return await repository.list_keys(ctx.session, participant_id)


async def rotate_key(ctx: Context, *, participant_id: str, label: str) -> IssuedKey:
    """Issue a new key for oneself (or, as admin, for anyone)."""
    assert ctx.actor is not None
    if not _may_manage(ctx.actor, participant_id):
        raise ParticipantNotFound(f"No participant {participant_id!r}.")
    await get(ctx, participant_id)
    return await issue_key(ctx, participant_id=participant_id, label=label)


async def revoke_key(ctx: Context, *, key_id: str) -> ApiKey:
    """Revoke a key; a participant keeps at least one active key of its own."""
    assert ctx.actor is not None
    key = await repository.get_key(ctx.session, key_id)
    if key is None or not _may_manage(ctx.actor, key.participant_id):
        raise ApiKeyNotFound(f"No API key {key_id!r}.")
    if key.revoked_at is not None:
        return key
    active = [
        k
        for k in await repository.list_keys(ctx.session, key.participant_id)
        if k.revoked_at is None
    ]
    if len(active) <= 1 and ctx.actor.role is not Role.ADMIN:
        raise LastKeyRevocation("Issue a new key before revoking the last active one.")
    key.revoked_at = ctx.clock.now()
    ctx.audit(
        "api_key.revoked",
        subject_type="participant",
        subject_id=key.participant_id,
        payload={"key_id": key.id},
    )
    return key


async def account_of(ctx: Context, owner_id: str) -> Account:
    """The cash account an owner holds."""
    account = await repository.get_account_by_owner(ctx.session, owner_id)
    if account is None:
        raise ParticipantNotFound(f"No account for {owner_id!r}.")
    return account


# Who runs the market rather than trades in it: an instructor never funds these, itself included.
STAFF_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.REGULATOR,
        Role.COMPLIANCE_REVIEWER,
        Role.EXCHANGE_OPERATOR,
        Role.INSTRUCTOR,
    }
)


async def deposit(
    ctx: Context, *, participant_id: str, amount_fen: int, memo: str
) -> ledger.PostedJournal:
    """A sandbox deposit: money enters the market from the mint.

    Admins fund anyone. An instructor funds only the participants of its own classes, in the
    class's market (the classroom knows who sits where), and never staff.
    """
    if ctx.actor is not None and ctx.actor.role is Role.INSTRUCTOR:
        fund = HOOKS.fund_class_participant
        if fund is None:
            raise NotWired("fund_class_participant")
        posted: ledger.PostedJournal | None = await fund(
            ctx, participant_id=participant_id, amount_fen=amount_fen, memo=memo
        )
        if posted is None:
            raise FundingRefused(
                f"Participant {participant_id!r} sits in none of your classes: instructors fund "
                "only the participants of their own classes, never themselves or staff."
            )
        return posted
    return await _mint(ctx, participant_id=participant_id, amount_fen=amount_fen, memo=memo)


async def fund_class_participant(
    ctx: Context, *, participant_id: str, amount_fen: int, memo: str
) -> ledger.PostedJournal:
    """An instructor's deposit, run in its class's market: refused for staff participants."""
    participant = await get(ctx, participant_id)
    if Role(participant.role) in STAFF_ROLES:
        raise FundingRefused(
            f"Participant {participant_id!r} is {participant.role} staff of the class market: "
            "instructors fund only its traders."
        )
    return await _mint(ctx, participant_id=participant.id, amount_fen=amount_fen, memo=memo)


async def _mint(
    ctx: Context, *, participant_id: str, amount_fen: int, memo: str
) -> ledger.PostedJournal:
    account = await account_of(ctx, (await get(ctx, participant_id)).id)
    return await ledger.post(
        ctx,
        kind="deposit",
        memo=memo,
        legs=[
            ledger.Leg(ledger.SANDBOX_MINT_ACCOUNT_ID, -amount_fen),
            ledger.Leg(account.id, amount_fen),
        ],
    )


async def transfer(
    ctx: Context, *, to_participant_id: str, amount_fen: int, memo: str
) -> ledger.PostedJournal:
    """Pay another participant from the caller's own account."""
    assert ctx.actor is not None
    if ctx.actor.role is Role.REGULATOR:
        raise Forbidden("Regulators read the market; they do not move money.")
    if to_participant_id == ctx.actor.id:
        raise SelfTransfer("The payer and the payee are the same participant.")
    payee = await get(ctx, to_participant_id)
    source = await account_of(ctx, ctx.actor.id)
    target = await account_of(ctx, payee.id)
    return await ledger.post(
        ctx,
        kind="transfer",
        memo=memo,
        legs=[ledger.Leg(source.id, -amount_fen), ledger.Leg(target.id, amount_fen)],
    )


async def freeze_account(ctx: Context, *, owner_id: str, measure_id: str, case_id: str) -> Account:
    """Freeze an owner's account for a supervision measure (冻结账户): from the commit on it
    receives but does not pay. A payment that updated the row first commits first."""
    account = await account_of(ctx, owner_id)
    if not await repository.set_freeze(
        ctx.session, account.id, measure_id=measure_id, case_id=case_id
    ):
        held = await repository.freeze_of(ctx.session, account.id)
        by = f"measure {held[0]} of case {held[1]}" if held else "another measure"
        raise AccountAlreadyFrozen(
            f"Account {account.id} is already frozen by {by}.",
            account_id=account.id,
            measure_id=held[0] if held else None,
            case_id=held[1] if held else None,
        )
    ctx.audit(
        "account.frozen",
        subject_type="account",
        subject_id=account.id,
        payload={"owner_id": owner_id, "measure_id": measure_id, "case_id": case_id},
    )
    return account


async def unfreeze_account(ctx: Context, *, owner_id: str, measure_id: str) -> Account:
    """Lift a measure's freeze: the account pays again (refused if it is not frozen by it)."""
    account = await account_of(ctx, owner_id)
    if not await repository.clear_freeze(ctx.session, account.id, measure_id=measure_id):
        raise AccountNotFrozen(
            f"Account {account.id} is not frozen by measure {measure_id}: it was unfrozen already.",
            account_id=account.id,
            measure_id=measure_id,
        )
    ctx.audit(
        "account.unfrozen",
        subject_type="account",
        subject_id=account.id,
        payload={"owner_id": owner_id, "measure_id": measure_id},
    )
    return account


async def owners_of(ctx: Context, account_ids: Sequence[str]) -> dict[str, str]:
    """The owner of each of these accounts, by account id."""
    return {a.id: a.owner_id for a in await repository.get_accounts(ctx.session, account_ids)}


@dataclass(frozen=True, slots=True)
class Transfer:
    """A direct payment between two participants (资金往来)."""

    journal_id: str
    payer_id: str
    payee_id: str
    amount_fen: int
    at: datetime


async def transfers(ctx: Context, *, since: datetime, until: datetime) -> list[Transfer]:
    """Every direct transfer between participants made in [since, until)."""
    found: dict[str, list[Any]] = {}
    rows = await repository.journal_movements(
        ctx.session, kind="transfer", since=since, until=until
    )
    for journal_id, at, owner_id, amount in rows:
        found.setdefault(journal_id, []).append((at, owner_id, amount))
    out = []
    for journal_id, legs in found.items():
        payers = [owner for _, owner, amount in legs if amount < 0]
        payees = [(owner, amount) for _, owner, amount in legs if amount > 0]
        if len(payers) == 1 and len(payees) == 1:
            out.append(Transfer(journal_id, payers[0], payees[0][0], payees[0][1], legs[0][0]))
    return out


async def balances(session: AsyncSession) -> dict[str, int]:
    """Every account's live balance, by account id (the audit log reconciles against them)."""
    return await repository.all_balances(session)


async def accounts_for_reconcile(
    session: AsyncSession,
) -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """Every account as (table, rows) pages: the columns `account.opened` and
    `ledger.posted` entries record (reconciliation replays the log against them)."""
    async for rows in repository.account_pages(session):
        yield (
            Account.__tablename__,
            [
                {
                    "id": r["id"],
                    "owner_id": r["owner_id"],
                    "kind": r["kind"],
                    "currency": r["currency"],
                    "balance_fen": r["balance_fen"],
                }
                for r in rows
            ],
        )


async def journals_for_reconcile(
    session: AsyncSession, journal_ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """These journals as `ledger.posted` entries record them: kind, memo, who initiated it,
    and its postings in the order they were written (reconciliation)."""
    journals, postings = await repository.journals_with_postings(session, journal_ids)
    found: dict[str, dict[str, Any]] = {
        j["id"]: {
            "kind": j["kind"],
            "memo": j["memo"],
            "initiated_by": j["initiated_by"],
            "postings": [],
        }
        for j in journals
    }
    for p in postings:
        found[p["journal_id"]]["postings"].append(
            {
                "id": str(p["id"]),
                "account_id": p["account_id"],
                "amount_fen": p["amount_fen"],
                "balance_after_fen": p["balance_after_fen"],
            }
        )
    return found


async def count_journals(session: AsyncSession) -> int:
    """How many journals the ledger holds."""
    return await repository.count_journals(session)


async def journal_ids_for_reconcile(session: AsyncSession) -> AsyncIterator[list[str]]:
    """Every journal id, in order, a batch at a time (reconciliation)."""
    async for rows in repository.journal_pages(session):
        yield [r["id"] for r in rows]


async def statement(
    ctx: Context, *, owner_id: str, limit: int, before_id: int | None
) -> tuple[Account, list[tuple[Posting, Journal]]]:
    """An owner's account with its latest postings."""
    account = await account_of(ctx, owner_id)
    rows = await repository.list_postings(ctx.session, account.id, limit=limit, before_id=before_id)
    return account, list(rows)
