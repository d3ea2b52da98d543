"""The regulators' queues: data customs (数据海关: cross-border orders held in escrow) and
objections (异议) raised during an asset's publicity, each with its decision form."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from exchange.assets.registry import service as registry_service
from exchange.assets.review import service as review_service
from exchange.assets.review.models import ObjectionStatus
from exchange.assets.review.schemas import ObjectionDecisionCreate
from exchange.kit.paging import Offset
from exchange.participants import service as participants_service
from exchange.trading.customs import service as customs_service
from exchange.trading.customs.errors import CustomsCaseNotFound
from exchange.trading.customs.schemas import CustomsDecisionCreate
from exchange.trading.venues import service as venues_service
from exchange.vocabulary import CustomsStatus
from exchange.web.desk.common import Overseer, Regulator, decides, validated
from exchange.web.pages import Form, PageRoute, field, render, see_other

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE = 20
Filter = Annotated[str, Query(max_length=40)]


def pager(path: str, params: dict[str, str], offset: int, total: int) -> dict[str, str | None]:
    """Links to the previous and next pages of a queue."""
    kept = {k: v for k, v in params.items() if v}

    def at(where: int) -> str:
        return f"{path}?{urlencode({**kept, 'offset': where} if where else kept)}"

    return {
        "previous": at(max(offset - PAGE, 0)) if offset else None,
        "next": at(offset + PAGE) if offset + PAGE < total else None,
    }


# --- data customs (数据海关) --------------------------------------------------------------


@router.get("/desk/customs", response_class=HTMLResponse)
async def customs(
    request: Request,
    viewer: Overseer,
    status: Literal["pending", "cleared", "refused", "all"] = "pending",
    jurisdiction: Filter = "",
    offset: Offset = 0,
    done: Filter = "",
    case: Filter = "",
) -> Response:
    """Cross-border orders held for a regulator's decision (and those decided)."""
    async with viewer.read() as ctx:
        cases, total = await customs_service.list_customs_cases(
            ctx,
            status=None if status == "all" else CustomsStatus(status),
            jurisdiction=jurisdiction.strip().upper() or None,
            exchange_id=None,
            limit=PAGE,
            offset=offset,
        )
        decided = None
        if done in ("approve", "reject") and case:
            try:
                decided = await customs_service.get_customs_case(ctx, case)
            except CustomsCaseNotFound:  # a stale or edited address: no message, no error
                decided = None
        assets = await registry_service.asset_rows(ctx, sorted({c.asset_id for c in cases}))
        buyers = await participants_service.get_many(ctx, [c.buyer_id for c in cases])
        exchanges = await venues_service.list_exchanges(ctx)
    return render(
        request,
        "desk/customs.html",
        viewer=viewer,
        cases=cases,
        total=total,
        chosen=status,
        jurisdiction=jurisdiction,
        asset_names={a.id: a.name for a in assets},
        buyers=buyers,
        exchanges={
            e.exchange.id: e.exchange.name if viewer.lang == "zh" else e.exchange.name_en
            for e in exchanges
        },
        decided=decided,
        pages=pager(
            "/desk/customs", {"status": status, "jurisdiction": jurisdiction}, offset, total
        ),
        decides=decides(viewer),
    )


@router.post("/desk/customs/{case_id}/decision")
async def decide_customs(case_id: str, viewer: Regulator, form: Form) -> Response:
    """Clear the export (the order settles) or refuse it (the buyer is refunded), with reasons."""
    body = validated(
        CustomsDecisionCreate,
        {"decision": field(form, "decision"), "reason": field(form, "reason")},
    )
    async with viewer.write() as ctx:
        await customs_service.decide_customs_case(
            ctx, case_id=case_id, approve=body.decision == "approve", reason=body.reason
        )
    return see_other(f"/desk/customs?{urlencode({'done': body.decision, 'case': case_id})}")


# --- objections (异议) --------------------------------------------------------------------


@router.get("/desk/objections", response_class=HTMLResponse)
async def objections(
    request: Request,
    viewer: Overseer,
    status: Literal["open", "upheld", "dismissed", "all"] = "open",
    offset: Offset = 0,
    done: Filter = "",
) -> Response:
    """Objections raised during publicity, oldest first, and the forms to decide them."""
    async with viewer.read() as ctx:
        queue, total = await review_service.objection_queue(
            ctx,
            status=None if status == "all" else ObjectionStatus(status),
            limit=PAGE,
            offset=offset,
        )
        objectors = await participants_service.get_many(
            ctx, [q.objection.objector_id for q in queue]
        )
    return render(
        request,
        "desk/objections.html",
        viewer=viewer,
        queue=queue,
        total=total,
        chosen=status,
        objectors=objectors,
        done=done if done in ("uphold", "dismiss") else "",
        pages=pager("/desk/objections", {"status": status}, offset, total),
        decides=decides(viewer),
    )


@router.post("/desk/objections/{asset_id}/{objection_id}/decision")
async def decide_objection(
    asset_id: str, objection_id: str, viewer: Regulator, form: Form
) -> Response:
    """Uphold an objection (the registration stops) or dismiss it, with reasons."""
    body = validated(
        ObjectionDecisionCreate,
        {"decision": field(form, "decision"), "reason": field(form, "reason")},
    )
    async with viewer.write() as ctx:
        await review_service.decide_objection(
            ctx,
            asset_id=asset_id,
            objection_id=objection_id,
            decision=body.decision,
            reason=body.reason,
        )
    return see_other(f"/desk/objections?done={body.decision.value}")
