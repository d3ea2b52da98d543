"""The desk's front page: the log's state (latest signed checkpoint, size, the last
verification and reconciliation, any halt in force) and what waits in the queues."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from exchange.assets.review import service as review_service
from exchange.assets.review.models import ObjectionStatus
from exchange.audit.log import service as log_service
from exchange.audit.note import NoteError, parse_checkpoint, parse_note
from exchange.audit.transparency import halts, runs
from exchange.audit.transparency import service as transparency
from exchange.trading.customs import service as customs_service
from exchange.vocabulary import CustomsStatus
from exchange.web.desk.common import Overseer, decides, latest_checkpoint
from exchange.web.pages import Form, PageRoute, render, see_other

router = APIRouter(route_class=PageRoute, include_in_schema=False)

DONE = {"verify", "reconcile"}


@router.get("/desk", response_class=HTMLResponse)
async def desk(
    request: Request, viewer: Overseer, done: Annotated[str, Query(max_length=40)] = ""
) -> Response:
    """The log's state and the queues at a glance."""
    async with viewer.read() as ctx:
        checkpoint, unsigned = await latest_checkpoint(ctx)
        keys = transparency.public_keys(ctx)
        head_root, log_size = await log_service.log_root(ctx.session)
        halt = await halts.status(ctx)
        last = await runs.last_runs(ctx)
        _, pending_customs = await customs_service.list_customs_cases(
            ctx,
            status=CustomsStatus.PENDING,
            jurisdiction=None,
            exchange_id=None,
            limit=1,
            offset=0,
        )
        _, open_objections = await review_service.objection_queue(
            ctx, status=ObjectionStatus.OPEN, limit=1, offset=0
        )
    known = {(k.key_name, k.key_id) for k in keys.keys}
    origin, signers = "", []
    try:
        if checkpoint is not None:
            body, signatures = parse_note(checkpoint.note)
            origin = parse_checkpoint(body).origin
            signers = [
                {
                    "name": s.key_name,
                    "key_id": s.key_id.hex(),
                    "known": (s.key_name, s.key_id.hex()) in known,
                }
                for s in signatures
            ]
    except NoteError:  # a damaged stored note: shown as it is, verification names it
        pass
    return render(
        request,
        "desk/overview.html",
        viewer=viewer,
        checkpoint=checkpoint,
        unsigned=unsigned,
        origin=origin,
        signers=signers,
        keys=keys,
        log_size=log_size,
        head_root=head_root.hex(),
        halt=halt,
        verify=last.get(runs.VERIFY),
        reconcile=last.get(runs.RECONCILE),
        pending_customs=pending_customs,
        open_objections=open_objections,
        decides=decides(viewer),
        done=done if done in DONE else "",
    )


@router.post("/desk/verify")
async def run_verification(viewer: Overseer, form: Form) -> Response:
    """Re-check the whole log now (a failure halts state changes, as the API's does)."""
    async with viewer.read() as ctx:
        await halts.verify_and_guard(ctx, trigger="console")
    return see_other("/desk?done=verify#verification")


@router.post("/desk/reconcile")
async def run_reconciliation(viewer: Overseer, form: Form) -> Response:
    """Reconcile every derived table with the log's payloads now (对账)."""
    async with viewer.read() as ctx:
        await runs.reconcile_and_record(ctx, trigger="console")
    return see_other("/desk?done=reconcile#reconciliation")
