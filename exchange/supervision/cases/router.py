"""HTTP endpoints of supervision cases (监管案件) and their decisions."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.errors import responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.roles import RegulatorContext
from exchange.participants.errors import AccountAlreadyFrozen, InsufficientFunds
from exchange.security import ActorContext
from exchange.supervision.agencies.errors import AgencyNotFound, NotAgencyMember, OutsideRemit
from exchange.supervision.cases import decisions, service
from exchange.supervision.cases.errors import (
    AlreadyReferred,
    CaseClosed,
    CaseNotFound,
    CaseNotOwned,
    DecisionNotFound,
    DecisionSettled,
    EntryOutOfRange,
    JointPartnerNotOnCase,
    NotJointPartner,
    NotNotified,
    ReferralRemitMismatch,
    ResponseDeadlinePassed,
    SubjectNotFound,
)
from exchange.supervision.cases.schemas import (
    CaseCreate,
    CasePage,
    CaseRead,
    CaseSummary,
    ClosureCreate,
    DecidedRead,
    FactCreate,
    FactRead,
    MeasureCreate,
    ReferralCreate,
    ReferralRead,
    ResponseCreate,
    ResponseRead,
    case_read,
    decided_read,
)
from exchange.supervision.measures.errors import (
    MeasureAlreadyInForce,
    MeasureSubjectNotFound,
)
from exchange.supervision.rules import CaseState
from exchange.supervision.surveillance.errors import AlertHandled, AlertNotFound

router = APIRouter(tags=["supervision"])
_ACTING = (NotAgencyMember, CaseNotFound, CaseNotOwned, CaseClosed)


@router.post(
    "/cases",
    operation_id="open_case",
    status_code=201,
    responses=responses(
        NotAgencyMember,
        OutsideRemit,
        SubjectNotFound,
        EntryOutOfRange,
        AlertNotFound,
        AlertHandled,
    ),
)
async def open_case(body: CaseCreate, ctx: RegulatorContext) -> CaseRead:
    """Open a case (立案) within one's agency's remit; the subject's parties are notified and
    may respond until the deadline (working days on the market clock)."""
    found = await service.open_case(
        ctx,
        remit=body.remit,
        subject_type=body.subject_type,
        subject_id=body.subject_id,
        title=body.title,
        summary=body.summary,
        facts=body.facts,
        alert_id=body.alert_id,
        response_working_days=body.response_working_days,
    )
    return case_read(await service.view(ctx, found.case.id))


@router.get("/cases", operation_id="list_cases")
async def list_cases(
    ctx: ActorContext,
    state: CaseState | None = None,
    agency_id: str | None = None,
    subject_id: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> CasePage:
    """Cases: every regulator reads all; a participant the cases it was notified of."""
    rows, total = await service.list_cases(
        ctx, state=state, agency_id=agency_id, subject_id=subject_id, limit=limit, offset=offset
    )
    return CasePage(items=[CaseSummary.model_validate(c) for c in rows], total=total)


@router.get("/cases/{case_id}", operation_id="get_case", responses=responses(CaseNotFound))
async def get_case(case_id: str, ctx: ActorContext) -> CaseRead:
    """A case with its facts, referrals, responses, decisions and measures."""
    return case_read(await service.view(ctx, case_id))


@router.post(
    "/cases/{case_id}/facts",
    operation_id="add_case_fact",
    status_code=201,
    responses=responses(*_ACTING, EntryOutOfRange),
)
async def add_fact(case_id: str, body: FactCreate, ctx: RegulatorContext) -> FactRead:
    """Link an audit log entry to the case as a fact."""
    fact = await service.add_fact(
        ctx, case_id=case_id, entry_index=body.entry_index, note=body.note
    )
    return FactRead.model_validate(fact)


@router.post(
    "/cases/{case_id}/referrals",
    operation_id="refer_case",
    status_code=201,
    responses=responses(*_ACTING, AgencyNotFound, AlreadyReferred, ReferralRemitMismatch),
)
async def refer(case_id: str, body: ReferralCreate, ctx: RegulatorContext) -> ReferralRead:
    """Refer a part of the case to another agency holding its remit (协同)."""
    referral = await service.refer(
        ctx,
        case_id=case_id,
        to_agency_id=body.to_agency_id,
        remit=body.remit,
        part=body.part,
        reason=body.reason,
    )
    return ReferralRead.model_validate(referral)


@router.post(
    "/cases/{case_id}/responses",
    operation_id="respond_to_case",
    status_code=201,
    responses=responses(CaseNotFound, NotNotified, CaseClosed, ResponseDeadlinePassed),
)
async def respond(case_id: str, body: ResponseCreate, ctx: ActorContext) -> ResponseRead:
    """A notified party answers the case (陈述申辩) before its deadline."""
    return ResponseRead.model_validate(await service.respond(ctx, case_id=case_id, text=body.text))


@router.post(
    "/cases/{case_id}/measures",
    operation_id="impose_measure",
    status_code=201,
    responses=responses(
        *_ACTING,
        OutsideRemit,
        JointPartnerNotOnCase,
        MeasureSubjectNotFound,
        MeasureAlreadyInForce,
        AccountAlreadyFrozen,
        InsufficientFunds,
    ),
)
async def impose(case_id: str, body: MeasureCreate, ctx: RegulatorContext) -> DecidedRead:
    """Decide a measure (监管措施): in force at once, or — a joint decision — once every
    partner agency has concurred."""
    decided = await decisions.impose(
        ctx,
        case_id=case_id,
        kind=body.kind,
        subject_id=body.subject_id,
        reason=body.reason,
        joint_with=body.joint_with,
    )
    return decided_read(decided)


@router.post(
    "/cases/{case_id}/closure",
    operation_id="close_case",
    status_code=201,
    responses=responses(*_ACTING),
)
async def close(case_id: str, body: ClosureCreate, ctx: RegulatorContext) -> DecidedRead:
    """Close the case with its outcome (结案); jointly with the agencies it was referred to."""
    return decided_read(
        await decisions.close(ctx, case_id=case_id, outcome=body.outcome, finding=body.finding)
    )


@router.post(
    "/decisions/{decision_id}/concurrence",
    operation_id="concur_in_decision",
    responses=responses(
        NotAgencyMember,
        DecisionNotFound,
        NotJointPartner,
        DecisionSettled,
        CaseClosed,
        AccountAlreadyFrozen,
        InsufficientFunds,
    ),
)
async def concur(decision_id: str, ctx: RegulatorContext) -> DecidedRead:
    """A partner agency concurs in a joint decision (会签); the last one makes it effective."""
    return decided_read(await decisions.concur(ctx, decision_id=decision_id))
