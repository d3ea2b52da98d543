"""HTTP endpoints of participants, API keys and cash accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from exchange.context import Context
from exchange.errors import Conflict, Forbidden, NotFound, responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.params import RowId
from exchange.kit.roles import AdminContext
from exchange.participants import service
from exchange.participants.errors import (
    BalanceLimitExceeded,
    FundingRefused,
    InsufficientFunds,
    LastKeyRevocation,
    SelfTransfer,
)
from exchange.participants.ledger import PostedJournal
from exchange.participants.models import Account, Journal, Participant, Posting
from exchange.participants.schemas import (
    AccountRead,
    ApiKeyCreate,
    ApiKeyIssued,
    ApiKeyPage,
    ApiKeyRead,
    DepositCreate,
    JournalLeg,
    JournalRead,
    ParticipantCreate,
    ParticipantCreated,
    ParticipantPage,
    ParticipantRead,
    PostingRead,
    TransferCreate,
)
from exchange.security import ActorContext, context_for
from exchange.vocabulary import ROLE_LABELS, Role

router = APIRouter(prefix="/v1", tags=["participants"])

# Who may see every participant and fund accounts (beyond the kit's aliases).
StaffContext = Annotated[Context, context_for(Role.ADMIN, Role.REGULATOR, Role.INSTRUCTOR)]
FunderContext = Annotated[Context, context_for(Role.ADMIN, Role.INSTRUCTOR)]


def participant_read(p: Participant) -> ParticipantRead:
    """The public profile of a participant."""
    return ParticipantRead(
        id=p.id,
        name=p.name,
        role=p.role,
        role_label=ROLE_LABELS[Role(p.role)],
        jurisdiction=p.jurisdiction,
        status=p.status,
        created_at=p.created_at,
    )


def journal_read(posted: PostedJournal) -> JournalRead:
    """A journal with its legs."""
    journal = posted.journal
    return JournalRead(
        id=journal.id,
        kind=journal.kind,
        memo=journal.memo,
        created_at=journal.created_at,
        legs=[
            JournalLeg(account_id=leg.account_id, amount_fen=leg.amount_fen) for leg in posted.legs
        ],
    )


@router.post(
    "/participants",
    status_code=201,
    operation_id="create_participant",
    responses=responses(Forbidden),
)
async def create_participant(body: ParticipantCreate, ctx: AdminContext) -> ParticipantCreated:
    """Register a participant (admin): returns its first API key, shown this once."""
    participant, account, key = await service.register(
        ctx, name=body.name, role=body.role, jurisdiction=body.jurisdiction
    )
    return ParticipantCreated(
        participant=participant_read(participant),
        account_id=account.id,
        api_key=ApiKeyIssued(
            **ApiKeyRead.model_validate(key.record).model_dump(), api_key=key.secret
        ),
    )


@router.get("/participants", operation_id="list_participants", responses=responses(Forbidden))
async def list_participants(
    ctx: StaffContext,
    role: Role | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ParticipantPage:
    """List participants (admins, regulators, instructors)."""
    rows, total = await service.list_page(ctx, role=role, limit=limit, offset=offset)
    return ParticipantPage(items=[participant_read(p) for p in rows], total=total)


@router.get("/participants/me", operation_id="get_me")
async def get_me(ctx: ActorContext) -> ParticipantRead:
    """The calling participant."""
    assert ctx.actor is not None
    return participant_read(await service.get(ctx, ctx.actor.id))


@router.get(
    "/participants/{participant_id}", operation_id="get_participant", responses=responses(NotFound)
)
async def get_participant(participant_id: str, ctx: ActorContext) -> ParticipantRead:
    """A participant's public profile (name, role, jurisdiction)."""
    return participant_read(await service.get(ctx, participant_id))


@router.get(
    "/participants/{participant_id}/keys",
    operation_id="list_keys",
    responses=responses(NotFound),
)
async def list_keys(
    participant_id: str, ctx: ActorContext, limit: Limit = 100, offset: Offset = 0
) -> ApiKeyPage:
    """A participant's API keys, without secrets (the participant itself or an admin)."""
    keys = await service.list_keys(ctx, participant_id=participant_id)
    return ApiKeyPage.window(
        [ApiKeyRead.model_validate(k) for k in keys], limit=limit, offset=offset
    )


@router.post(
    "/participants/{participant_id}/keys",
    status_code=201,
    operation_id="rotate_key",
    responses=responses(NotFound),
)
async def rotate_key(participant_id: str, body: ApiKeyCreate, ctx: ActorContext) -> ApiKeyIssued:
    """Issue a new API key (rotation); older keys stay valid until revoked."""
    issued = await service.rotate_key(ctx, participant_id=participant_id, label=body.label)
    return ApiKeyIssued(
        **ApiKeyRead.model_validate(issued.record).model_dump(), api_key=issued.secret
    )


@router.delete(
    "/api-keys/{key_id}",
    operation_id="revoke_key",
    responses=responses(NotFound, LastKeyRevocation),
)
async def revoke_key(key_id: str, ctx: ActorContext) -> ApiKeyRead:
    """Revoke an API key at once."""
    return ApiKeyRead.model_validate(await service.revoke_key(ctx, key_id=key_id))


@router.post(
    "/accounts/{participant_id}/deposits",
    status_code=201,
    operation_id="deposit",
    responses=responses(Forbidden, FundingRefused, NotFound, BalanceLimitExceeded),
)
async def deposit(participant_id: str, body: DepositCreate, ctx: FunderContext) -> JournalRead:
    """A sandbox deposit (沙盒注资) into a participant's account.

    Admins fund anyone; an instructor funds the participants of its own classes (in the class's
    market), never itself or staff.
    """
    return journal_read(
        await service.deposit(
            ctx, participant_id=participant_id, amount_fen=body.amount_fen, memo=body.memo
        )
    )


@router.post(
    "/transfers",
    status_code=201,
    operation_id="transfer",
    responses=responses(
        Forbidden, NotFound, InsufficientFunds, BalanceLimitExceeded, SelfTransfer, Conflict
    ),
)
async def transfer(body: TransferCreate, ctx: ActorContext) -> JournalRead:
    """Pay another participant from one's own account (double-entry, never below zero)."""
    return journal_read(
        await service.transfer(
            ctx,
            to_participant_id=body.to_participant_id,
            amount_fen=body.amount_fen,
            memo=body.memo,
        )
    )


def account_read(account: Account, rows: list[tuple[Posting, Journal]], limit: int) -> AccountRead:
    """An account statement page."""
    postings = [
        PostingRead(
            id=p.id,
            journal_id=j.id,
            kind=j.kind,
            memo=j.memo,
            amount_fen=p.amount_fen,
            balance_after_fen=p.balance_after_fen,
            created_at=p.created_at,
        )
        for p, j in rows
    ]
    return AccountRead(
        account_id=account.id,
        owner_id=account.owner_id,
        currency=account.currency,
        balance_fen=account.balance_fen,
        frozen_by_measure=account.frozen_by,
        frozen_by_case=account.frozen_case,
        postings=postings,
        next_before=postings[-1].id if len(postings) == limit else None,
    )


@router.get("/accounts/me", operation_id="get_my_account")
async def get_my_account(
    ctx: ActorContext,
    limit: Limit = 50,
    before: Annotated[RowId | None, Query(description="Postings older than this id")] = None,
) -> AccountRead:
    """The caller's balance (`balance_fen`) and postings, newest first."""
    assert ctx.actor is not None
    account, rows = await service.statement(
        ctx, owner_id=ctx.actor.id, limit=limit, before_id=before
    )
    return account_read(account, rows, limit)


@router.get("/accounts/{participant_id}", operation_id="get_account", responses=responses(NotFound))
async def get_account(
    participant_id: str,
    ctx: ActorContext,
    limit: Limit = 50,
    before: Annotated[RowId | None, Query(description="Postings older than this id")] = None,
) -> AccountRead:
    """A participant's account: the owner, admins, regulators and instructors only."""
    assert ctx.actor is not None
    if ctx.actor.id != participant_id and ctx.actor.role not in {
        Role.ADMIN,
        Role.REGULATOR,
        Role.INSTRUCTOR,
    }:
        raise NotFound(f"No account for {participant_id!r}.")
    account, rows = await service.statement(
        ctx, owner_id=participant_id, limit=limit, before_id=before
    )
    return account_read(account, rows, limit)
