"""The double-entry ledger (复式记账): every movement is postings that sum to zero."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from exchange.context import Context
from exchange.kit.fields import MAX_BALANCE_FEN
from exchange.participants import repository
from exchange.participants.errors import (
    AccountFrozen,
    BalanceLimitExceeded,
    InsufficientFunds,
    UnbalancedJournal,
)
from exchange.participants.models import Account, AccountKind, Journal

SANDBOX_MINT_ACCOUNT_ID = "sandbox-mint"
LEDGER_POSTED = "ledger.posted"


@dataclass(frozen=True, slots=True)
class Leg:
    """One side of a movement: a signed amount in fen against an account."""

    account_id: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class PostedJournal:
    """A journal as posted, with its legs in the order given."""

    journal: Journal
    legs: tuple[Leg, ...]


async def open_account(ctx: Context, *, owner_id: str, kind: AccountKind) -> Account:
    """Open a zero-balance account for an owner."""
    account = Account(
        id=ctx.ids.new(),
        kind=kind,
        owner_id=owner_id,
        currency="CNY",
        balance_fen=0,
        created_at=ctx.clock.now(),
    )
    ctx.session.add(account)
    ctx.audit(
        "account.opened",
        subject_type="account",
        subject_id=account.id,
        payload={"owner_id": owner_id, "kind": kind, "currency": "CNY"},
    )
    return account


async def post(
    ctx: Context, *, kind: str, memo: str, legs: Sequence[Leg], despite_freeze: bool = False
) -> PostedJournal:
    """Post a balanced journal; refuses (and changes nothing) if any balance would go below
    zero (the mint's excepted) or beyond ±MAX_BALANCE_FEN, or a frozen account would pay
    (账户冻结: it still receives). `despite_freeze` is for what a supervision measure itself
    orders (a refund of a trade), which moves frozen money back where it came from."""
    if not legs or sum(leg.amount_fen for leg in legs) != 0:
        raise UnbalancedJournal("A journal's postings must be non-empty and sum to zero.")
    if any(leg.amount_fen == 0 for leg in legs):
        raise UnbalancedJournal("A posting must move a non-zero amount.")
    now = ctx.clock.now()
    journal = Journal(
        id=ctx.ids.new(), kind=kind, memo=memo, initiated_by=ctx.actor_ref, created_at=now
    )
    postings: list[dict[str, object]] = []
    # Lock rows in one global order (account id) so concurrent movements cannot deadlock.
    ordered = sorted(legs, key=lambda leg: leg.account_id)
    # Legs of distinct accounts move together (one statement where the database allows);
    # an account twice in one journal is moved by each of its legs in turn.
    together = len({leg.account_id for leg in ordered}) == len(ordered)
    balances = (
        await repository.apply_deltas(
            ctx.session,
            [(leg.account_id, leg.amount_fen) for leg in ordered],
            despite_freeze=despite_freeze,
        )
        if together
        else None
    )
    for i, leg in enumerate(ordered):
        balance = (
            balances[i]
            if balances is not None
            else await repository.apply_delta(
                ctx.session, leg.account_id, leg.amount_fen, despite_freeze=despite_freeze
            )
        )
        # Non-mint balances never go below zero, so a credit can only fail at the ceiling, and
        # the mint (which has no floor) only at the ceiling of its debt.
        if balance is None and (leg.amount_fen > 0 or leg.account_id == SANDBOX_MINT_ACCOUNT_ID):
            raise BalanceLimitExceeded(
                f"Account {leg.account_id} cannot take {leg.amount_fen} fen more: balances are "
                f"limited to {MAX_BALANCE_FEN} fen (2^53-1).",
                account_id=leg.account_id,
                limit_fen=MAX_BALANCE_FEN,
            )
        if balance is None and not despite_freeze:
            freeze = await repository.freeze_of(ctx.session, leg.account_id)
            if freeze is not None:
                raise frozen(leg.account_id, *freeze)
        if balance is None:
            raise InsufficientFunds(
                f"Account {leg.account_id} cannot pay {-leg.amount_fen} fen.",
                account_id=leg.account_id,
                required_fen=-leg.amount_fen,
            )
        postings.append(
            {
                "journal_id": journal.id,
                "account_id": leg.account_id,
                "amount_fen": leg.amount_fen,
                "balance_after_fen": balance,
                "created_at": now,
            }
        )
    await repository.insert_journal(ctx.session, journal, postings)
    ctx.audit(
        LEDGER_POSTED,
        subject_type="journal",
        subject_id=journal.id,
        payload={
            "kind": kind,
            "memo": memo,
            "postings": [
                {"account_id": leg.account_id, "amount_fen": leg.amount_fen} for leg in legs
            ],
        },
    )
    return PostedJournal(journal=journal, legs=tuple(legs))


def frozen(account_id: str, measure_id: str, case_id: str | None) -> AccountFrozen:
    """The refusal a frozen account's payment meets: it names the measure and its case."""
    return AccountFrozen(
        f"Account {account_id} is frozen (账户冻结) by supervision measure {measure_id} of case "
        f"{case_id}: it can receive money but not pay until the measure is lifted.",
        account_id=account_id,
        measure_id=measure_id,
        case_id=case_id,
    )
