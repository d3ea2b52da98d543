"""Supervision cases on the desk (监管案件): the list, and a case's page — facts linked to the
log's entries, the parties notified, referrals, decisions and measures with their state — with
the forms to refer a part to another agency, take a measure, and lift one. Each form calls the
service its API endpoint calls, with the same request model (POST
/v1/supervision/cases/{id}/referrals, …/measures, /v1/supervision/measures/{id}/lift)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from exchange.kit.paging import Offset
from exchange.participants import service as participants_service
from exchange.supervision.agencies import service as agencies_service
from exchange.supervision.cases import decisions
from exchange.supervision.cases import service as cases_service
from exchange.supervision.cases.schemas import LiftCreate, MeasureCreate, ReferralCreate
from exchange.supervision.measures.schemas import measure_read
from exchange.supervision.rules import (
    MEASURE_LABELS,
    POWER_REMITS,
    REMIT_LABELS,
    CaseState,
    MeasureState,
)
from exchange.web.desk.alerts import acting_remits
from exchange.web.desk.common import Overseer, Regulator, decides, validated
from exchange.web.desk.queues import PAGE, Filter, pager
from exchange.web.pages import Form, PageRoute, field, render, see_other

router = APIRouter(route_class=PageRoute, include_in_schema=False)

DONE = ("opened", "referred", "imposed", "lifted")


@router.get("/desk/cases", response_class=HTMLResponse)
async def cases(
    request: Request,
    viewer: Overseer,
    state: Literal["open", "closed", "all"] = "open",
    offset: Offset = 0,
) -> Response:
    """Supervision cases, newest first (every agency reads every case)."""
    async with viewer.read() as ctx:
        rows, total = await cases_service.list_cases(
            ctx,
            state=None if state == "all" else CaseState(state),
            agency_id=None,
            subject_id=None,
            limit=PAGE,
            offset=offset,
        )
    return render(
        request,
        "desk/cases.html",
        viewer=viewer,
        cases=rows,
        total=total,
        chosen=state,
        remit_labels={r.value: label for r, label in REMIT_LABELS.items()},
        pages=pager("/desk/cases", {"state": state}, offset, total),
        decides=decides(viewer),
    )


@router.get("/desk/cases/{case_id}", response_class=HTMLResponse)
async def case(request: Request, case_id: str, viewer: Overseer, done: Filter = "") -> Response:
    """One case with everything recorded on it, and the forms of the agencies on it."""
    agency_id, remits = await acting_remits(viewer)
    async with viewer.read() as ctx:
        found = await cases_service.view(ctx, case_id)
        agencies = await agencies_service.list_agencies(ctx)
        people = await participants_service.get_many(
            ctx,
            sorted(
                {*found.case.notified, *(r.participant_id for r in found.responses)}
                | ({found.case.subject_id} if found.case.subject_type == "participant" else set())
            ),
        )
    on_case = agency_id is not None and agency_id in found.agency_ids
    return render(
        request,
        "desk/case.html",
        viewer=viewer,
        found=found,
        c=found.case,
        measures=[measure_read(m) for m in found.measures],
        people=people,
        agencies=agencies,
        agency_names={
            a.id: a.agency.name if viewer.lang == "zh" else a.agency.name_en for a in agencies
        },
        remit_labels={r.value: label for r, label in REMIT_LABELS.items()},
        # The measures this agency's remits empower (the service refuses any other).
        powers=[(k.value, MEASURE_LABELS[k]) for k, need in POWER_REMITS.items() if need & remits],
        agency_id=agency_id,
        acts=decides(viewer) and on_case and found.case.state == CaseState.OPEN.value,
        in_force=MeasureState.IN_FORCE.value,
        done=done if done in DONE else "",
        decides=decides(viewer),
    )


@router.post("/desk/cases/{case_id}/referrals")
async def refer(case_id: str, viewer: Regulator, form: Form) -> Response:
    """Refer a part of the case to another agency holding its remit (协同)."""
    body = validated(
        ReferralCreate,
        {
            "to_agency_id": field(form, "to_agency_id"),
            "remit": field(form, "remit"),
            "part": field(form, "part"),
            "reason": field(form, "reason"),
        },
    )
    async with viewer.write() as ctx:
        await cases_service.refer(
            ctx,
            case_id=case_id,
            to_agency_id=body.to_agency_id,
            remit=body.remit,
            part=body.part,
            reason=body.reason,
        )
    return see_other(f"/desk/cases/{case_id}?done=referred")


@router.post("/desk/cases/{case_id}/measures")
async def impose(case_id: str, viewer: Regulator, form: Form) -> Response:
    """Take a measure (监管措施) on the case, within the agency's remit."""
    body = validated(
        MeasureCreate,
        {
            "kind": field(form, "kind"),
            "subject_id": field(form, "subject_id"),
            "reason": field(form, "reason"),
        },
    )
    async with viewer.write() as ctx:
        await decisions.impose(
            ctx,
            case_id=case_id,
            kind=body.kind,
            subject_id=body.subject_id,
            reason=body.reason,
            joint_with=body.joint_with,
        )
    return see_other(f"/desk/cases/{case_id}?done=imposed")


@router.post("/desk/measures/{measure_id}/lift")
async def lift(measure_id: str, viewer: Regulator, form: Form) -> Response:
    """Lift a measure by a later decision (解除)."""
    body = validated(LiftCreate, {"reason": field(form, "reason")})
    async with viewer.write() as ctx:
        decided = await decisions.lift(ctx, measure_id=measure_id, reason=body.reason)
    case_id = decided.measure.case_id if decided.measure is not None else decided.decision.case_id
    return see_other(f"/desk/cases/{case_id}?done=lifted")
