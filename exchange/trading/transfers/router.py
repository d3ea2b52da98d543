"""HTTP endpoints of transfer processes (传输过程): request and move a transfer; take its data
as a streamed download, as metered rows, or as computations (可用不可见); read the usage.

The operations that check a use against the policy run their own units of work (a refused
use is recorded apart from it), so they authenticate apart from any request session.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse

from exchange.assets.packages import service as packages_service
from exchange.clock import rfc3339
from exchange.context import Principal
from exchange.dependencies import RuntimeDep
from exchange.errors import Forbidden, responses
from exchange.kit.paging import Limit, Offset
from exchange.security import ActorContext, principal_apart
from exchange.trading.licences.errors import LicenceNotFound
from exchange.trading.policies.errors import (
    AccessNotGranted,
    BudgetExhausted,
    DimensionNotAllowed,
    PurposeNotAllowed,
    PurposeNotDeclared,
    QueryNotOnMenu,
    QuotaExhausted,
    TerritoryNotAllowed,
    TransferNotActive,
    TransferNotFound,
    TransferStateConflict,
    TransferSuspended,
    UsageTermEnded,
)
from exchange.trading.transfers import delivery, service
from exchange.trading.transfers.compute import ComputationCreate
from exchange.trading.transfers.models import TransferState, UsageKind
from exchange.trading.transfers.schemas import (
    ComputationRead,
    RowsRead,
    TransferCreate,
    TransferMove,
    TransferPage,
    TransferRead,
    UsageRecordPage,
    transfer_read,
    usage_read,
)
from exchange.trading.transfers.usage import MAX_ROWS_PER_CALL
from exchange.vocabulary import Role

router = APIRouter(tags=["trading"])

BUYER_ROLES = (Role.ENTERPRISE, Role.INDIVIDUAL, Role.DEPARTMENT)
Licensee = Annotated[Principal, principal_apart(*BUYER_ROLES)]
Anyone = Annotated[Principal, principal_apart(*Role)]
USE_ERRORS = (
    TransferNotFound,
    Forbidden,
    TransferSuspended,
    TransferNotActive,
    UsageTermEnded,
    AccessNotGranted,
    PurposeNotDeclared,
    PurposeNotAllowed,
    TerritoryNotAllowed,
    QuotaExhausted,
)


@router.post(
    "/licences/{licence_id}/transfers",
    status_code=201,
    operation_id="request_transfer",
    responses=responses(
        LicenceNotFound,
        Forbidden,
        UsageTermEnded,
        PurposeNotDeclared,
        PurposeNotAllowed,
        TerritoryNotAllowed,
    ),
)
async def request_transfer(
    licence_id: str, body: TransferCreate, runtime: RuntimeDep, principal: Licensee
) -> TransferRead:
    """The licensee requests a transfer (传输过程), declaring its purpose; the licence's policy
    is checked now (term, purpose, the caller's territory) and the transfer starts. A refusal
    names the clause and is recorded."""
    transfer = await delivery.request_transfer(
        runtime, principal, licence_id=licence_id, purpose=body.purpose
    )
    return transfer_read(transfer)


@router.get("/transfers", operation_id="list_transfers")
async def list_transfers(
    ctx: ActorContext,
    licence_id: str | None = None,
    state: TransferState | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> TransferPage:
    """Transfers the caller takes part in (consumer or provider); overseers read all."""
    rows, total = await service.list_page(
        ctx, licence_id=licence_id, state=state, limit=limit, offset=offset
    )
    return TransferPage(items=[transfer_read(t) for t in rows], total=total)


@router.get(
    "/transfers/{transfer_id}", operation_id="get_transfer", responses=responses(TransferNotFound)
)
async def get_transfer(transfer_id: str, ctx: ActorContext) -> TransferRead:
    """A transfer process and its state."""
    return transfer_read(await service.get(ctx, transfer_id))


@router.get(
    "/transfers/{transfer_id}/data",
    operation_id="download_transfer_data",
    response_class=Response,
    responses={
        200: {
            "description": "The registered package, streamed; `X-Content-SHA256` is the "
            "fingerprint on the asset's certificate",
            "content": {"*/*": {}},  # any media type: the bytes as registered
        },
        **responses(*USE_ERRORS),
    },
)
async def download_transfer_data(
    transfer_id: str, runtime: RuntimeDep, principal: Licensee
) -> Response:
    """Download the package under a started transfer (文件下载): the policy is checked and the
    download counted against the quota before the first byte; the bytes stream in chunks
    (any size, constant memory)."""
    ticket = await delivery.start_download(runtime, principal, transfer_id=transfer_id)
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(ticket.filename)}",
        "Content-Length": str(ticket.size),
        "X-Content-SHA256": ticket.sha256,
        "X-Certificate": ticket.certificate_number,
        "X-Licence-Expires": rfc3339(ticket.expires_at),
    }
    if ticket.attribution is not None:
        headers["X-Attribution"] = quote(ticket.attribution)
    return StreamingResponse(
        packages_service.stream_package(runtime, asset_id=ticket.asset_id, sha256=ticket.sha256),
        media_type=ticket.media_type,
        headers=headers,
    )


@router.get(
    "/transfers/{transfer_id}/rows",
    operation_id="read_transfer_rows",
    responses=responses(*USE_ERRORS),
)
async def read_transfer_rows(
    transfer_id: str,
    runtime: RuntimeDep,
    principal: Licensee,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_ROWS_PER_CALL)] = 100,
) -> RowsRead:
    """A metered call (计量接口): rows of the registered table, each call counted against the
    licence's quota."""
    rows = await delivery.serve_rows(
        runtime, principal, transfer_id=transfer_id, offset=offset, limit=limit
    )
    return RowsRead(
        columns=rows.columns,
        rows=rows.rows,
        offset=rows.offset,
        next_offset=rows.offset + len(rows.rows) if rows.more else None,
        used_in_period=rows.used_in_period,
        quota_limit=rows.quota_limit,
    )


@router.post(
    "/transfers/{transfer_id}/computations",
    operation_id="run_computation",
    responses=responses(*USE_ERRORS, QueryNotOnMenu, DimensionNotAllowed, BudgetExhausted),
)
async def run_computation(
    transfer_id: str, body: ComputationCreate, runtime: RuntimeDep, principal: Licensee
) -> ComputationRead:
    """A computation without disclosure (隐私计算, 可用不可见): count, sum, mean, quantiles or a
    histogram of a measure, grouped by allowed dimensions. Cells under the policy's k are
    suppressed, the rest get Laplace noise, and each query spends ε of the licence's budget
    (refused once it is spent). Raw rows never leave."""
    done = await delivery.run_computation(runtime, principal, transfer_id=transfer_id, query=body)
    return ComputationRead(
        answer=done.answer, epsilon_spent=done.epsilon_spent, epsilon_budget=done.epsilon_budget
    )


@router.get(
    "/licences/{licence_id}/usage",
    operation_id="list_licence_usage",
    responses=responses(LicenceNotFound),
)
async def list_licence_usage(
    licence_id: str,
    ctx: ActorContext,
    transfer_id: str | None = None,
    kind: UsageKind | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> UsageRecordPage:
    """How a licence is used (使用记录): every delivery, call and computation with the budget
    it spent, and every refusal with its clause — for the licensee, the licensor and the
    regulators."""
    rows, total = await service.list_usage(
        ctx, licence_id=licence_id, transfer_id=transfer_id, kind=kind, limit=limit, offset=offset
    )
    return UsageRecordPage(items=[usage_read(r) for r in rows], total=total)


# Last: `{step}` would otherwise take the paths of the operations above.
@router.post(
    "/transfers/{transfer_id}/{step}",
    operation_id="move_transfer",
    responses=responses(TransferNotFound, Forbidden, TransferStateConflict, UsageTermEnded),
)
async def move_transfer(
    transfer_id: str,
    step: Literal["suspend", "resume", "complete", "terminate"],
    body: TransferMove,
    runtime: RuntimeDep,
    principal: Anyone,
) -> TransferRead:
    """Suspend (STARTED → SUSPENDED), resume (→ STARTED: whoever suspended it, or a regulator),
    complete or terminate a transfer; consumer or provider, and a regulator may suspend,
    resume or terminate. Each transition is audited."""
    transfer = await delivery.move_transfer(
        runtime, principal, transfer_id=transfer_id, step=step, reason=body.reason
    )
    return transfer_read(transfer)
