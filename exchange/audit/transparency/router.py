"""HTTP endpoints of the audit log contract (under /v1/audit)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse

from exchange.audit.log.errors import AuditLogDamaged
from exchange.audit.transparency import halts, runs, service
from exchange.audit.transparency.errors import (
    AuditLogStillDamaged,
    AuditNotHalted,
    AuditStoreCorrupt,
    ConsistencyFromEmptyTree,
    IndexOutOfRange,
    SizesOutOfOrder,
    TreeSizeNotCheckpointed,
)
from exchange.audit.transparency.schemas import (
    ConsistencyProof,
    EntryPage,
    EntryProofPage,
    HaltAcknowledgement,
    HaltStatus,
    InclusionProof,
    PublicKeys,
    ReconcileReport,
    VerifyReport,
)
from exchange.context import Context
from exchange.dependencies import RuntimeDep, SessionDep
from exchange.errors import Forbidden, Unauthenticated, responses
from exchange.kit.fields import MarketDateTime
from exchange.kit.params import Position
from exchange.kit.roles import AdminContext, OverseerContext

router = APIRouter(prefix="/v1/audit", tags=["audit"])

AUTH_ERRORS = (Unauthenticated, Forbidden)


async def public_context(session: SessionDep, runtime: RuntimeDep) -> Context:
    """A context for the unauthenticated endpoints (checkpoint, public keys)."""
    return runtime.context(session)


PublicContext = Annotated[Context, Depends(public_context)]


@router.get(
    "/checkpoint",
    operation_id="audit_checkpoint",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {}}}, **responses(AuditStoreCorrupt)},
)
async def get_checkpoint(ctx: PublicContext) -> PlainTextResponse:
    """The latest signed checkpoint (C2SP signed note); covers entries older than 1 s."""
    checkpoint = await service.latest_checkpoint(ctx)
    return PlainTextResponse(
        checkpoint.note,
        media_type="text/plain; charset=utf-8",
        headers={"Cache-Control": "no-store"},
    )


@router.get("/public-key", operation_id="audit_public_keys")
async def get_public_keys(ctx: PublicContext) -> PublicKeys:
    """Every Ed25519 key that signs new checkpoints (two during a rotation)."""
    return service.public_keys(ctx)


@router.get(
    "/entries",
    operation_id="audit_entries",
    responses=responses(*AUTH_ERRORS, TreeSizeNotCheckpointed, AuditStoreCorrupt),
)
async def list_entries(
    ctx: OverseerContext,
    start: Position = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    actor: str | None = None,
    action: str | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    since: Annotated[
        MarketDateTime | None, Query(description="logged_at >= since (RFC 3339)")
    ] = None,
    until: Annotated[
        MarketDateTime | None, Query(description="logged_at < until (RFC 3339)")
    ] = None,
    proofs: Annotated[
        bool, Query(description="Attach each entry's inclusion proof (in tree_size).")
    ] = False,
    tree_size: Annotated[
        Position | None, Query(description="With proofs: the tree size (default: latest).")
    ] = None,
) -> EntryPage | EntryProofPage:
    """Entries in log order from index start, by actor, action, subject or time (regulators)."""
    where = service.EntryFilter(
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        since=since,
        until=until,
    )
    return await service.list_entries(
        ctx, start=start, limit=limit, where=where, proofs=proofs, tree_size=tree_size
    )


@router.get(
    "/proof/inclusion",
    operation_id="audit_inclusion_proof",
    responses=responses(*AUTH_ERRORS, IndexOutOfRange, TreeSizeNotCheckpointed, AuditStoreCorrupt),
)
async def get_inclusion_proof(
    ctx: OverseerContext, index: Position, tree_size: Position | None = None
) -> InclusionProof:
    """RFC 9162 inclusion proof of an entry (tree_size defaults to the latest checkpoint)."""
    return await service.inclusion_proof(ctx, index=index, tree_size=tree_size)


@router.get(
    "/proof/consistency",
    operation_id="audit_consistency_proof",
    responses=responses(
        *AUTH_ERRORS,
        SizesOutOfOrder,
        ConsistencyFromEmptyTree,
        TreeSizeNotCheckpointed,
        AuditStoreCorrupt,
    ),
)
async def get_consistency_proof(
    ctx: OverseerContext, first: Position, second: Position | None = None
) -> ConsistencyProof:
    """RFC 9162 consistency proof from size first to second (default: the latest checkpoint)."""
    return await service.consistency_proof(ctx, first=first, second=second)


@router.get("/verify", operation_id="audit_verify", responses=responses(*AUTH_ERRORS))
async def verify(ctx: OverseerContext) -> VerifyReport:
    """The server re-checks the whole stored log, its subtrees, head and checkpoints.

    A failed check halts state changes (503 `/problems/audit-log-damaged`) until an admin
    acknowledges (POST /v1/audit/halt/acknowledge).
    """
    return await halts.verify_and_guard(ctx, trigger="verify")


@router.get("/halt", operation_id="audit_halt_status", responses=responses(*AUTH_ERRORS))
async def halt_status(ctx: OverseerContext) -> HaltStatus:
    """Whether state changes are halted because the log failed verification (停机)."""
    return await halts.status(ctx)


@router.post(
    "/halt/acknowledge",
    operation_id="audit_halt_acknowledge",
    responses=responses(*AUTH_ERRORS, AuditNotHalted, AuditLogStillDamaged, AuditLogDamaged),
)
async def acknowledge_halt(ctx: AdminContext) -> HaltAcknowledgement:
    """After inspection, lift the halt (admins): only if the log verifies now; audited."""
    return await halts.acknowledge(ctx)


@router.get("/reconcile", operation_id="audit_reconcile", responses=responses(*AUTH_ERRORS))
async def reconcile(ctx: OverseerContext) -> ReconcileReport:
    """Every derived table rebuilt from the log's payloads vs the live one (对账): balances,
    journals and postings, licences, listings and their venues and tiers, certificates,
    mandates, customs cases; each difference names its table, row, column and entry index."""
    return await runs.reconcile_and_record(ctx, trigger="reconcile")
