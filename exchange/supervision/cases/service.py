"""Supervision cases (监管案件): opened by an agency within its remit (by hand or from an
alert), about a participant, listing, trade or agreement; facts are audit log entries; parts
are referred to other agencies (协同), which join the case; the subject's parties are notified
and may respond until a deadline in working days on the market clock (陈述申辩期限).

Decisions on a case — measures, lifts, closing — are `cases.decisions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from exchange.audit.log import service as audit_log
from exchange.clock import after_working_days, rfc3339
from exchange.context import Context
from exchange.supervision.agencies import service as agencies
from exchange.supervision.agencies.service import AgencyView
from exchange.supervision.cases import repository
from exchange.supervision.cases.errors import (
    AlreadyReferred,
    CaseClosed,
    CaseNotFound,
    CaseNotOwned,
    EntryOutOfRange,
    NotNotified,
    ReferralRemitMismatch,
    ResponseDeadlinePassed,
)
from exchange.supervision.cases.models import (
    Case,
    CaseFact,
    CaseReferral,
    CaseResponse,
    Decision,
)
from exchange.supervision.cases.subjects import parties_of
from exchange.supervision.measures import service as measures_service
from exchange.supervision.measures.models import Measure
from exchange.supervision.rules import (
    REMIT_LABELS,
    RESPONSE_WORKING_DAYS,
    CaseState,
    Remit,
    SubjectType,
)
from exchange.supervision.surveillance import service as surveillance


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case with everything recorded on it."""

    case: Case
    facts: Sequence[CaseFact] = ()
    referrals: Sequence[CaseReferral] = ()
    responses: Sequence[CaseResponse] = ()
    decisions: Sequence[Decision] = ()
    measures: Sequence[Measure] = field(default_factory=list)

    @property
    def agency_ids(self) -> list[str]:
        """The lead agency and every agency a part was referred to."""
        return [self.case.lead_agency_id, *(r.to_agency_id for r in self.referrals)]


async def _log_size(ctx: Context) -> int:
    _, size = await audit_log.log_root(ctx.session)
    return size


async def _check_entries(ctx: Context, indexes: Sequence[int]) -> None:
    size = await _log_size(ctx)
    beyond = [i for i in indexes if i >= size]
    if beyond:
        raise EntryOutOfRange(
            f"Entry {beyond[0]} is beyond the audit log, which holds {size} entries.",
            log_size=size,
        )


async def open_case(
    ctx: Context,
    *,
    remit: Remit,
    subject_type: SubjectType,
    subject_id: str,
    title: str,
    summary: str,
    facts: Sequence[int] = (),
    alert_id: str | None = None,
    response_working_days: int = RESPONSE_WORKING_DAYS,
) -> CaseView:
    """Open a case within the agency's remit; from an alert, its evidence becomes the facts."""
    agency = await agencies.require_agency(
        ctx, frozenset({remit}), f"Opening a case on {REMIT_LABELS[remit]}"
    )
    notified = await parties_of(ctx, subject_type, subject_id)
    now = ctx.clock.now()
    case = Case(
        id=ctx.ids.new(),
        lead_agency_id=agency.id,
        remit=remit.value,
        title=title,
        summary=summary,
        subject_type=subject_type.value,
        subject_id=subject_id,
        notified=notified,
        respond_by=after_working_days(now, response_working_days),
        alert_id=alert_id,
        state=CaseState.OPEN.value,
        outcome=None,
        finding=None,
        opened_by=ctx.actor_ref,
        opened_at=now,
        closed_at=None,
    )
    indexes = list(dict.fromkeys(facts))
    notes = {i: "立案依据 grounds for opening" for i in indexes}
    if alert_id is not None:
        alert = await surveillance.take_up(ctx, alert_id=alert_id, case_id=case.id, agency=agency)
        for index in alert.evidence.get("entry_indexes", []):
            notes.setdefault(int(index), f"预警证据 evidence of alert {alert.id} ({alert.kind})")
    await _check_entries(ctx, list(notes))
    ctx.session.add(case)
    await ctx.session.flush()
    rows = [
        CaseFact(
            id=ctx.ids.new(),
            case_id=case.id,
            entry_index=index,
            note=note,
            added_by=ctx.actor_ref,
            added_at=now,
        )
        for index, note in sorted(notes.items())
    ]
    ctx.session.add_all(rows)
    ctx.audit(
        "supervision.case_opened",
        subject_type="case",
        subject_id=case.id,
        payload={
            "lead_agency_id": agency.id,
            "remit": case.remit,
            "title": title,
            "subject_type": case.subject_type,
            "subject_id": subject_id,
            "notified": notified,
            "respond_by": rfc3339(case.respond_by),
            "alert_id": alert_id,
            "facts": sorted(notes),
        },
    )
    await ctx.session.flush()
    return CaseView(case, rows)


async def load(ctx: Context, case_id: str, *, lock: bool = False) -> Case:
    """A case the caller may see: every regulator and admin, and its notified parties."""
    who = agencies.actor(ctx)
    case = await (repository.lock_case if lock else repository.get_case)(ctx.session, case_id)
    if case is None or not (agencies.reads_everything(who) or who.id in case.notified):
        raise CaseNotFound(f"No supervision case {case_id!r}.")
    return case


async def view(ctx: Context, case_id: str, *, lock: bool = False) -> CaseView:
    """A case with its facts, referrals, responses, decisions and measures."""
    case = await load(ctx, case_id, lock=lock)
    session = ctx.session
    return CaseView(
        case,
        await repository.facts_of(session, case.id),
        await repository.referrals_of(session, case.id),
        await repository.responses_of(session, case.id),
        await repository.decisions_of(session, case.id),
        list(await measures_service.measures_of_cases(ctx, [case.id])),
    )


async def list_cases(
    ctx: Context,
    *,
    state: CaseState | None,
    agency_id: str | None,
    subject_id: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Case], int]:
    """Cases: regulators and admins see all; a participant the cases it was notified of."""
    who = agencies.actor(ctx)
    return await repository.list_cases(
        ctx.session,
        state=state.value if state else None,
        agency_id=agency_id,
        subject_id=subject_id,
        notified=None if agencies.reads_everything(who) else who.id,
        limit=limit,
        offset=offset,
    )


def on_case(agency: AgencyView, case: CaseView, what: str) -> None:
    """Refuse (403) an agency that neither leads the case nor was referred a part of it."""
    if agency.id not in case.agency_ids:
        raise CaseNotOwned(
            f"{what}: case {case.case.id} is led by {case.case.lead_agency_id}"
            + (f" with {', '.join(case.agency_ids[1:])}" if len(case.agency_ids) > 1 else "")
            + f"; {agency.label} is not on it.",
            case_id=case.case.id,
            agency_ids=case.agency_ids,
        )


def require_open(case: Case) -> None:
    """Refuse a change to a closed case."""
    if case.state != CaseState.OPEN.value:
        raise CaseClosed(f"Case {case.id} was closed ({case.outcome}).")


async def add_fact(ctx: Context, *, case_id: str, entry_index: int, note: str) -> CaseFact:
    """Link another audit entry to an open case (an agency on the case)."""
    agency = await agencies.acting_agency(ctx)
    found = await view(ctx, case_id, lock=True)
    on_case(agency, found, "Adding a fact")
    require_open(found.case)
    await _check_entries(ctx, [entry_index])
    existing = next((f for f in found.facts if f.entry_index == entry_index), None)
    if existing is not None:
        return existing
    fact = CaseFact(
        id=ctx.ids.new(),
        case_id=case_id,
        entry_index=entry_index,
        note=note,
        added_by=ctx.actor_ref,
        added_at=ctx.clock.now(),
    )
    ctx.session.add(fact)
    ctx.audit(
        "supervision.fact_added",
        subject_type="case",
        subject_id=case_id,
        payload={"entry_index": entry_index, "note": note, "agency_id": agency.id},
    )
    return fact


async def refer(
    ctx: Context, *, case_id: str, to_agency_id: str, remit: Remit, part: str, reason: str
) -> CaseReferral:
    """Refer a part of a case to another agency holding its remit (协同); it joins the case."""
    agency = await agencies.acting_agency(ctx)
    found = await view(ctx, case_id, lock=True)
    on_case(agency, found, "Referring a part of the case")
    require_open(found.case)
    target = await agencies.get_agency(ctx, to_agency_id)
    if target.id in found.agency_ids:
        raise AlreadyReferred(f"{target.label} is on case {case_id} already.")
    if remit not in target.remits:
        raise ReferralRemitMismatch(
            f"{target.label} does not hold the remit {remit.value} ({REMIT_LABELS[remit]}) of "
            "the part referred.",
            agency_remits=sorted(r.value for r in target.remits),
        )
    referral = CaseReferral(
        id=ctx.ids.new(),
        case_id=case_id,
        from_agency_id=agency.id,
        to_agency_id=target.id,
        remit=remit.value,
        part=part,
        reason=reason,
        referred_by=ctx.actor_ref,
        referred_at=ctx.clock.now(),
    )
    ctx.session.add(referral)
    ctx.audit(
        "supervision.case_referred",
        subject_type="case",
        subject_id=case_id,
        payload={
            "referral_id": referral.id,
            "from_agency_id": agency.id,
            "to_agency_id": target.id,
            "remit": remit.value,
            "part": part,
            "reason": reason,
        },
    )
    return referral


async def respond(ctx: Context, *, case_id: str, text: str) -> CaseResponse:
    """A notified party answers the case (陈述申辩) before its deadline."""
    who = agencies.actor(ctx)
    case = await load(ctx, case_id, lock=True)
    if who.id not in case.notified:
        raise NotNotified(f"Case {case_id} did not notify {who.name}; only its parties respond.")
    require_open(case)
    now = ctx.clock.now()
    if now > case.respond_by:
        raise ResponseDeadlinePassed(
            f"Responses to case {case_id} were due by {rfc3339(case.respond_by)}.",
            respond_by=rfc3339(case.respond_by),
        )
    response = CaseResponse(
        id=ctx.ids.new(), case_id=case_id, participant_id=who.id, text=text, responded_at=now
    )
    ctx.session.add(response)
    ctx.audit(
        "supervision.case_response",
        subject_type="case",
        subject_id=case_id,
        payload={"response_id": response.id, "participant_id": who.id, "text": text},
    )
    return response


async def cases_seen(
    ctx: Context, *, agency_id: str, since: datetime, until: datetime
) -> list[CaseView]:
    """The cases an agency led or was referred that were open during [since, until)."""
    found = []
    for case in await repository.cases_between(
        ctx.session, agency_id=agency_id, since=since, until=until
    ):
        referrals = await repository.referrals_of(ctx.session, case.id)
        found.append(CaseView(case, referrals=referrals))
    return found
