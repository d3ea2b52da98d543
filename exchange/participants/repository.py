"""Every query of participants, keys, accounts and the ledger."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Row, Table, bindparam, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.fields import MAX_BALANCE_FEN
from exchange.kit.keyset import table_pages
from exchange.participants.models import Account, AccountKind, ApiKey, Journal, Participant, Posting
from exchange.vocabulary import ParticipantStatus, Role

ACCOUNTS: Table = Account.__table__  # type: ignore[assignment]


async def get_participant(session: AsyncSession, participant_id: str) -> Participant | None:
    """One participant by id."""
    return await session.get(Participant, participant_id)


async def list_by_names(session: AsyncSession, names: Sequence[str]) -> Sequence[Participant]:
    """The participants with any of these names."""
    return (await session.scalars(select(Participant).where(Participant.name.in_(names)))).all()


async def list_by_ids(session: AsyncSession, ids: Sequence[str]) -> Sequence[Participant]:
    """The participants with any of these ids."""
    return (await session.scalars(select(Participant).where(Participant.id.in_(ids)))).all()


async def list_participants(
    session: AsyncSession, *, role: Role | None, limit: int, offset: int
) -> tuple[Sequence[Participant], int]:
    """A page of participants (optionally of one role) and the total count."""
    stmt = select(Participant)
    count = select(func.count()).select_from(Participant)
    if role is not None:
        stmt = stmt.where(Participant.role == role)
        count = count.where(Participant.role == role)
    rows = await session.scalars(
        stmt.order_by(Participant.created_at, Participant.id).limit(limit).offset(offset)
    )
    total = await session.scalar(count)
    return rows.all(), int(total or 0)


# Built once: every authenticated request reads its key (columns, not ORM objects; an ORM
# statement still, so a key issued earlier in the same unit of work is flushed and found).
_KEY_WITH_PARTICIPANT = (
    select(
        ApiKey.digest,
        ApiKey.revoked_at,
        Participant.id,
        Participant.name,
        Participant.role,
        Participant.jurisdiction,
        Participant.status,
    )
    .join(Participant, Participant.id == ApiKey.participant_id)
    .where(ApiKey.id == bindparam("key_id"))
)


async def get_key_with_participant(
    session: AsyncSession, key_id: str
) -> Row[str, datetime | None, str, str, Role, str, ParticipantStatus] | None:
    """An API key (digest, revoked_at) and its participant (id, name, role, jurisdiction,
    status), in one round trip."""
    return (await session.execute(_KEY_WITH_PARTICIPANT, {"key_id": key_id})).first()


async def get_key(session: AsyncSession, key_id: str) -> ApiKey | None:
    """One API key by id."""
    return await session.get(ApiKey, key_id)


async def list_keys(session: AsyncSession, participant_id: str) -> Sequence[ApiKey]:
    """A participant's keys, oldest first."""
    stmt = (
        select(ApiKey)
        .where(ApiKey.participant_id == participant_id)
        .order_by(ApiKey.created_at, ApiKey.id)
    )
    return (await session.scalars(stmt)).all()


# Built once: every settlement reads the accounts of its parties.
_ACCOUNT_BY_OWNER = select(Account).where(Account.owner_id == bindparam("owner_id"))


async def get_account_by_owner(session: AsyncSession, owner_id: str) -> Account | None:
    """The account an owner (participant, exchange or the mint) holds."""
    return (await session.scalars(_ACCOUNT_BY_OWNER, {"owner_id": owner_id})).first()


async def get_accounts(session: AsyncSession, account_ids: Sequence[str]) -> Sequence[Account]:
    """Several accounts by id."""
    return (await session.scalars(select(Account).where(Account.id.in_(account_ids)))).all()


# Built once: constructing this statement cost more CPU than running it, and it runs for
# every leg of every settlement. Bound per call with `account_id` and `delta_fen`.
_DELTA = bindparam("delta_fen", type_=BigInteger)
_NEW_BALANCE = ACCOUNTS.c.balance_fen + _DELTA
_MOVE_BALANCE = update(ACCOUNTS).where(
    ACCOUNTS.c.id == bindparam("account_id"),
    (_NEW_BALANCE >= 0) | (ACCOUNTS.c.kind == AccountKind.SANDBOX_MINT),
    # Every balance (the mint's debt too) stays within what JSON clients read exactly.
    _NEW_BALANCE.between(-MAX_BALANCE_FEN, MAX_BALANCE_FEN),
)
# A frozen account receives but does not pay. The condition sits on the row the payment
# updates: a freeze that commits first is seen by the payment's UPDATE (which waits on the
# row), and a payment that updated the row first makes the freeze wait for its commit.
_APPLY_DELTA = (
    _MOVE_BALANCE.where((_DELTA >= 0) | ACCOUNTS.c.frozen_by.is_(None))
    .values(balance_fen=_NEW_BALANCE)
    .returning(ACCOUNTS.c.balance_fen)
)
# What a supervision measure itself orders (a refund of a trade) moves a frozen account too.
_APPLY_DELTA_DESPITE_FREEZE = _MOVE_BALANCE.values(balance_fen=_NEW_BALANCE).returning(
    ACCOUNTS.c.balance_fen
)


async def apply_delta(
    session: AsyncSession, account_id: str, delta_fen: int, *, despite_freeze: bool = False
) -> int | None:
    """Add `delta_fen` atomically; None if it would take a non-mint account below zero, or any
    account beyond ±MAX_BALANCE_FEN, or debit a frozen account (unless `despite_freeze`)."""
    # A Core statement on the table: the ORM's bulk-update machinery costs ~6x more CPU on
    # the hottest statement of every settlement, and no loaded object needs refreshing here.
    stmt = _APPLY_DELTA_DESPITE_FREEZE if despite_freeze else _APPLY_DELTA
    result = await session.execute(stmt, {"account_id": account_id, "delta_fen": delta_fen})
    balance: int | None = result.scalar_one_or_none()
    return balance


def _deltas_statement(legs: int, *, despite_freeze: bool) -> Any:
    """One UPDATE … RETURNING moving `legs` distinct accounts, each under the rules of
    `_APPLY_DELTA` (or `_APPLY_DELTA_DESPITE_FREEZE`) with its own delta."""
    ids = [bindparam(f"account_{i}", type_=ACCOUNTS.c.id.type) for i in range(legs)]
    delta = case(
        *((ACCOUNTS.c.id == ids[i], bindparam(f"delta_{i}", type_=BigInteger)) for i in range(legs))
    )
    new_balance = ACCOUNTS.c.balance_fen + delta
    stmt = update(ACCOUNTS).where(
        ACCOUNTS.c.id.in_(ids),
        (new_balance >= 0) | (ACCOUNTS.c.kind == AccountKind.SANDBOX_MINT),
        new_balance.between(-MAX_BALANCE_FEN, MAX_BALANCE_FEN),
    )
    if not despite_freeze:
        stmt = stmt.where((delta >= 0) | ACCOUNTS.c.frozen_by.is_(None))
    return stmt.values(balance_fen=new_balance).returning(ACCOUNTS.c.id, ACCOUNTS.c.balance_fen)


# Built on first use, one per number of legs (a settlement has three to five).
_DELTAS: dict[tuple[int, bool], Any] = {}


async def apply_deltas(
    session: AsyncSession, legs: Sequence[tuple[str, int]], *, despite_freeze: bool = False
) -> list[int | None]:
    """`apply_delta` for each of these (account, delta) legs of distinct accounts, in order:
    each leg's new balance, or None for the first leg refused and every leg after it.

    SQLite (one writer holds the whole database, so there is no row-lock order to keep)
    moves them all in one statement; the legs after a refused one are then put back, so
    the database is left exactly as leg-by-leg `apply_delta` calls stopping there leave it.
    Elsewhere the legs go one by one, each row locked in the order given.
    """
    if len(legs) < 2 or session.get_bind().dialect.name != "sqlite":
        moved: list[int | None] = []
        for account_id, delta_fen in legs:
            balance = await apply_delta(
                session, account_id, delta_fen, despite_freeze=despite_freeze
            )
            moved.append(balance)
            if balance is None:
                break
        return moved + [None] * (len(legs) - len(moved))
    key = (len(legs), despite_freeze)
    stmt = _DELTAS.get(key)
    if stmt is None:
        stmt = _DELTAS[key] = _deltas_statement(len(legs), despite_freeze=despite_freeze)
    params: dict[str, Any] = {}
    for i, (account_id, delta_fen) in enumerate(legs):
        params[f"account_{i}"] = account_id
        params[f"delta_{i}"] = delta_fen
    balances: dict[str, int] = {row[0]: row[1] for row in await session.execute(stmt, params)}
    result: list[int | None] = [balances.get(account_id) for account_id, _ in legs]
    if None in result:
        refused = result.index(None)
        for i in range(refused + 1, len(legs)):
            account_id, delta_fen = legs[i]
            if result[i] is not None:
                await session.execute(
                    _APPLY_DELTA_DESPITE_FREEZE,
                    {"account_id": account_id, "delta_fen": -delta_fen},
                )
            result[i] = None
    return result


async def freeze_of(session: AsyncSession, account_id: str) -> tuple[str, str | None] | None:
    """(measure id, case id) of the freeze on an account, or None if it is not frozen."""
    row = (
        await session.execute(
            select(ACCOUNTS.c.frozen_by, ACCOUNTS.c.frozen_case).where(ACCOUNTS.c.id == account_id)
        )
    ).first()
    if row is None or row[0] is None:
        return None
    return row[0], row[1]


async def set_freeze(
    session: AsyncSession, account_id: str, *, measure_id: str, case_id: str
) -> bool:
    """Freeze an unfrozen account (compare-and-set on its row); False if already frozen."""
    stmt = (
        update(ACCOUNTS)
        .where(ACCOUNTS.c.id == account_id, ACCOUNTS.c.frozen_by.is_(None))
        .values(frozen_by=measure_id, frozen_case=case_id)
    )
    result: Any = await session.execute(stmt)
    return bool(result.rowcount == 1)


async def clear_freeze(session: AsyncSession, account_id: str, *, measure_id: str) -> bool:
    """Unfreeze an account frozen by this measure; False if it is not (any more)."""
    stmt = (
        update(ACCOUNTS)
        .where(ACCOUNTS.c.id == account_id, ACCOUNTS.c.frozen_by == measure_id)
        .values(frozen_by=None, frozen_case=None)
    )
    result: Any = await session.execute(stmt)
    return bool(result.rowcount == 1)


async def list_postings(
    session: AsyncSession, account_id: str, *, limit: int, before_id: int | None
) -> Sequence[tuple[Posting, Journal]]:
    """An account's postings, newest first, with their journals."""
    stmt = (
        select(Posting, Journal)
        .join(Journal, Journal.id == Posting.journal_id)
        .where(Posting.account_id == account_id)
        .order_by(Posting.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        stmt = stmt.where(Posting.id < before_id)
    return [(p, j) for p, j in (await session.execute(stmt)).all()]


async def sum_postings_by_account(session: AsyncSession) -> dict[str, int]:
    """Each account's postings summed (for reconciliation)."""
    stmt = select(Posting.account_id, func.sum(Posting.amount_fen)).group_by(Posting.account_id)
    return {aid: int(total) for aid, total in (await session.execute(stmt)).all()}


async def all_balances(session: AsyncSession) -> dict[str, int]:
    """Every account's live balance."""
    return {a: b for a, b in (await session.execute(select(Account.id, Account.balance_fen))).all()}


_JOURNALS: Table = Journal.__table__  # type: ignore[assignment]
_POSTINGS: Table = Posting.__table__  # type: ignore[assignment]
# Built once: every money movement writes a journal and its postings.
_INSERT_JOURNAL = insert(_JOURNALS)
_INSERT_POSTINGS = insert(_POSTINGS)


async def insert_journal(
    session: AsyncSession, journal: Journal, postings: Sequence[dict[str, object]]
) -> None:
    """Write a journal and its postings in two statements (no ORM flush, no RETURNING)."""
    await session.execute(
        _INSERT_JOURNAL,
        {
            "id": journal.id,
            "kind": journal.kind,
            "memo": journal.memo,
            "initiated_by": journal.initiated_by,
            "created_at": journal.created_at,
        },
    )
    await session.execute(_INSERT_POSTINGS, list(postings))


def account_pages(session: AsyncSession) -> AsyncIterator[list[dict[str, Any]]]:
    """Every account, in id order, a batch at a time (reconciliation)."""
    return table_pages(session, ACCOUNTS, [ACCOUNTS.c.id])


def journal_pages(session: AsyncSession) -> AsyncIterator[list[dict[str, Any]]]:
    """Every journal, in id order, a batch at a time (reconciliation)."""
    return table_pages(session, _JOURNALS, [_JOURNALS.c.id])


async def count_journals(session: AsyncSession) -> int:
    """How many journals there are."""
    return int(await session.scalar(select(func.count()).select_from(_JOURNALS)) or 0)


async def journals_with_postings(
    session: AsyncSession, journal_ids: Sequence[str]
) -> tuple[Sequence[Any], Sequence[Any]]:
    """These journals' rows and their postings' rows (postings in id order)."""
    if not journal_ids:
        return [], []
    journals = (
        (await session.execute(select(_JOURNALS).where(_JOURNALS.c.id.in_(journal_ids))))
        .mappings()
        .all()
    )
    postings = (
        (
            await session.execute(
                select(_POSTINGS)
                .where(_POSTINGS.c.journal_id.in_(journal_ids))
                .order_by(_POSTINGS.c.id)
            )
        )
        .mappings()
        .all()
    )
    return journals, postings


async def journal_movements(
    session: AsyncSession, *, kind: str, since: datetime, until: datetime
) -> Sequence[Any]:
    """(journal id, created_at, owner id, amount) of every posting of journals of one kind
    created in [since, until), in journal and posting order."""
    stmt = (
        select(_JOURNALS.c.id, _JOURNALS.c.created_at, ACCOUNTS.c.owner_id, _POSTINGS.c.amount_fen)
        .join(_POSTINGS, _POSTINGS.c.journal_id == _JOURNALS.c.id)
        .join(ACCOUNTS, ACCOUNTS.c.id == _POSTINGS.c.account_id)
        .where(
            _JOURNALS.c.kind == kind,
            _JOURNALS.c.created_at >= since,
            _JOURNALS.c.created_at < until,
        )
        .order_by(_JOURNALS.c.created_at, _JOURNALS.c.id, _POSTINGS.c.id)
    )
    return (await session.execute(stmt)).all()
