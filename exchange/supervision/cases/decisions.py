"""Decisions on a case (监管决定): impose a measure, lift it, close the case.

Each decision is audited and takes effect at once — unless it is joint (联合决定): where two
remits meet, a decision names partner agencies on the case and waits for each one's
concurrence (会签); the last concurrence makes it take effect. A measure is imposed within the
remits of the agencies deciding it (the proposer's, or a partner's); a case with referred parts
closes only jointly with the agencies it was referred to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from exchange.context import Context
from exchange.supervision import rules
from exchange.supervision.agencies import service as agencies
from exchange.supervision.agencies.errors import OutsideRemit
from exchange.supervision.agencies.service import AgencyView
from exchange.supervision.cases import repository
from exchange.supervision.cases.errors import (
    DecisionNotFound,
    DecisionSettled,
    JointPartnerNotOnCase,
    NotJointPartner,
)
from exchange.supervision.cases.models import Decision
from exchange.supervision.cases.service import CaseView, on_case, require_open, view
from exchange.supervision.measures import service as measures_service
from exchange.supervision.measures.models import Measure
from exchange.supervision.rules import (
    MEASURE_LABELS,
    CaseState,
    DecisionKind,
    DecisionState,
    MeasureKind,
    Outcome,
)


@dataclass(frozen=True, slots=True)
class Decided:
    """A decision, and the measure it imposes or lifts (if any)."""

    decision: Decision
    measure: Measure | None = None


async def _partners(
    ctx: Context, agency: AgencyView, found: CaseView, joint_with: Sequence[str]
) -> list[AgencyView]:
    partners = []
    for agency_id in dict.fromkeys(joint_with):
        if agency_id == agency.id:
            continue
        if agency_id not in found.agency_ids:
            raise JointPartnerNotOnCase(
                f"Agency {agency_id!r} is not on case {found.case.id} "
                f"({', '.join(found.agency_ids)}): refer it a part of the case first."
            )
        partners.append(await agencies.get_agency(ctx, agency_id))
    return partners


def _decision(
    ctx: Context,
    agency: AgencyView,
    case_id: str,
    kind: DecisionKind,
    *,
    reason: str,
    partners: Sequence[AgencyView] = (),
    outcome: Outcome | None = None,
) -> Decision:
    now = ctx.clock.now()
    joint = [p.id for p in partners]
    decision = Decision(
        id=ctx.ids.new(),
        case_id=case_id,
        agency_id=agency.id,
        kind=kind.value,
        state=(DecisionState.PROPOSED if joint else DecisionState.EFFECTIVE).value,
        measure_id=None,
        outcome=outcome.value if outcome else None,
        reason=reason,
        joint_with=joint,
        concurred_by=[],
        decided_by=ctx.actor_ref,
        decided_at=now,
        effective_at=None if joint else now,
    )
    ctx.session.add(decision)
    return decision


def _audit_decision(ctx: Context, decision: Decision, measure: Measure | None) -> None:
    ctx.audit(
        "supervision.decision_made",
        subject_type="case",
        subject_id=decision.case_id,
        payload={
            "decision_id": decision.id,
            "agency_id": decision.agency_id,
            "kind": decision.kind,
            "state": decision.state,
            "measure_id": measure.id if measure else None,
            "measure_kind": measure.kind if measure else None,
            "subject_id": measure.subject_id if measure else None,
            "outcome": decision.outcome,
            "reason": decision.reason,
            "joint_with": decision.joint_with,
            "notified": measures_service.affected(measure) if measure else [],
        },
    )


async def impose(
    ctx: Context,
    *,
    case_id: str,
    kind: MeasureKind,
    subject_id: str,
    reason: str,
    joint_with: Sequence[str] = (),
) -> Decided:
    """Decide a measure on a case within the remits of the agencies deciding it."""
    agency = await agencies.acting_agency(ctx)
    found = await view(ctx, case_id, lock=True)
    what = f"Imposing {kind.value} ({MEASURE_LABELS[kind]})"
    on_case(agency, found, what)
    require_open(found.case)
    partners = await _partners(ctx, agency, found, joint_with)
    needed = rules.remits_for(kind)
    held = agency.remits.union(*(p.remits for p in partners))
    if not rules.covers(held, needed):
        if not partners:
            agencies.require_remit(agency, needed, what)
        raise OutsideRemit(
            f"{what} needs the remit {rules.remit_names(needed)}; neither {agency.label} nor "
            f"its partners ({', '.join(p.id for p in partners)}) hold it.",
            needed_remits=sorted(r.value for r in needed),
        )
    decision = _decision(
        ctx, agency, case_id, DecisionKind.IMPOSE, reason=reason, partners=partners
    )
    await ctx.session.flush()
    measure = await measures_service.new_measure(
        ctx,
        case_id=case_id,
        agency_id=agency.id,
        kind=kind,
        subject_id=subject_id,
        reason=reason,
        decision_id=decision.id,
    )
    decision.measure_id = measure.id
    _notify(found, measure)
    _audit_decision(ctx, decision, measure)
    if not partners:
        await measures_service.put_in_force(ctx, measure)
    return Decided(decision, measure)


def _notify(found: CaseView, measure: Measure) -> None:
    """Whom a measure binds is notified of its case: it may read it and respond."""
    case = found.case
    added = [p for p in measures_service.affected(measure) if p not in case.notified]
    if added:
        case.notified = [*case.notified, *added]


async def lift(ctx: Context, *, measure_id: str, reason: str) -> Decided:
    """A later decision lifts a measure: by an agency on its case whose remit covers it (or
    the agency that imposed it). Lifting twice is refused (`measure-already-lifted`)."""
    agency = await agencies.acting_agency(ctx)
    measure = await measures_service.get_measure(ctx, measure_id)
    found = await view(ctx, measure.case_id, lock=True)
    kind = MeasureKind(measure.kind)
    what = f"Lifting {kind.value} ({MEASURE_LABELS[kind]})"
    on_case(agency, found, what)
    if agency.id != measure.agency_id:
        agencies.require_remit(agency, rules.remits_for(kind), what)
    decision = _decision(ctx, agency, measure.case_id, DecisionKind.LIFT, reason=reason)
    decision.measure_id = measure.id
    await ctx.session.flush()
    await measures_service.lift(ctx, measure, decision_id=decision.id)
    _audit_decision(ctx, decision, measure)
    return Decided(decision, measure)


async def close(ctx: Context, *, case_id: str, outcome: Outcome, finding: str) -> Decided:
    """Close a case with its outcome; with referred parts, jointly with those agencies."""
    agency = await agencies.acting_agency(ctx)
    found = await view(ctx, case_id, lock=True)
    on_case(agency, found, "Closing the case")
    require_open(found.case)
    partners = await _partners(ctx, agency, found, found.agency_ids)
    decision = _decision(
        ctx,
        agency,
        case_id,
        DecisionKind.CLOSE,
        reason=finding,
        partners=partners,
        outcome=outcome,
    )
    await ctx.session.flush()
    _audit_decision(ctx, decision, None)
    if not partners:
        _close_case(ctx, found, decision)
    return Decided(decision)


def _close_case(ctx: Context, found: CaseView, decision: Decision) -> None:
    case = found.case
    case.state = CaseState.CLOSED.value
    case.outcome = decision.outcome
    case.finding = decision.reason
    case.closed_at = ctx.clock.now()
    ctx.audit(
        "supervision.case_closed",
        subject_type="case",
        subject_id=case.id,
        payload={"decision_id": decision.id, "outcome": case.outcome, "finding": case.finding},
    )


async def concur(ctx: Context, *, decision_id: str) -> Decided:
    """A partner agency concurs (会签) in a joint decision; the last one makes it effective."""
    agency = await agencies.acting_agency(ctx)
    decision = await repository.get_decision(ctx.session, decision_id)
    if decision is None:
        raise DecisionNotFound(f"No decision {decision_id!r}.")
    found = await view(ctx, decision.case_id, lock=True)
    await ctx.session.refresh(decision)
    if decision.state != DecisionState.PROPOSED.value:
        raise DecisionSettled(f"Decision {decision_id} took effect at {decision.effective_at}.")
    if agency.id not in decision.joint_with or agency.id in decision.concurred_by:
        raise NotJointPartner(
            f"Decision {decision_id} waits for {', '.join(decision.joint_with)}"
            f" (concurred: {', '.join(decision.concurred_by) or 'none'}), not for "
            f"{agency.label}."
        )
    concurred = [*decision.concurred_by, agency.id]
    effective = set(concurred) >= set(decision.joint_with)
    measure = (
        await measures_service.get_measure(ctx, decision.measure_id)
        if decision.measure_id
        else None
    )
    if effective:
        if decision.kind == DecisionKind.CLOSE.value:
            require_open(found.case)
        if not await repository.make_effective(
            ctx.session, decision.id, concurred_by=concurred, now=ctx.clock.now()
        ):
            raise DecisionSettled(f"Decision {decision_id} took effect meanwhile.")
        decision.state = DecisionState.EFFECTIVE.value
        decision.effective_at = ctx.clock.now()
    decision.concurred_by = concurred
    ctx.audit(
        "supervision.decision_concurred",
        subject_type="case",
        subject_id=decision.case_id,
        payload={"decision_id": decision.id, "agency_id": agency.id, "effective": effective},
    )
    if effective and measure is not None:
        await measures_service.put_in_force(ctx, measure)
    elif effective:
        _close_case(ctx, found, decision)
    return Decided(decision, measure)
