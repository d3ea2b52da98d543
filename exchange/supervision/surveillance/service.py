"""Market surveillance (交易监测): scan a window for the patterns of `detectors`, within the
scanning agency's remits and with its thresholds; each new pattern is an alert carrying its
evidence (ids and audit entry indexes) and severity. An agency whose remit covers an alert
reviews it, opens a case on it, or dismisses it — with a reason, never without."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from exchange.audit.log import service as audit_log
from exchange.context import Context
from exchange.supervision.agencies import service as agencies
from exchange.supervision.agencies.errors import OutsideRemit
from exchange.supervision.agencies.service import AgencyView
from exchange.supervision.rules import (
    ALERT_LABELS,
    ALERT_REMITS,
    AlertKind,
    AlertState,
    Remit,
    remit_names,
)
from exchange.supervision.surveillance import detectors, repository, sources
from exchange.supervision.surveillance.detectors import Finding
from exchange.supervision.surveillance.errors import (
    AlertHandled,
    AlertNotFound,
    DismissalReasonRequired,
    ScanWindowInvalid,
)
from exchange.supervision.surveillance.models import Alert

DEFAULT_WINDOW = timedelta(days=30)
OPEN_STATES = (AlertState.NEW.value, AlertState.UNDER_REVIEW.value)
# Where each kind of evidence is in the log: (subject type, action; None for every action).
_EVIDENCE_ENTRIES: dict[str, tuple[str, str | None]] = {
    "trade_ids": ("trade", "trading.trade_settled"),
    "journal_ids": ("journal", "ledger.posted"),
    "auction_ids": ("auction", None),
    "negotiation_ids": ("negotiation", None),
    "mandate_ids": ("mandate", None),
    "share_request_ids": ("share_request", None),
    "customs_case_ids": ("customs_case", None),
}
SCANNED_REMITS = frozenset(ALERT_REMITS.values())


@dataclass(frozen=True, slots=True)
class ScanResult:
    """A scan's window, its new alerts, and how many findings were alerts already."""

    agency_id: str
    since: datetime
    until: datetime
    raised: list[Alert]
    known: int


async def _findings(
    ctx: Context, remits: frozenset[Remit], th: dict[str, int], since: datetime, until: datetime
) -> list[Finding]:
    found: list[Finding] = []
    if Remit.TRADING_CONDUCT in remits:
        trades = await sources.trades(ctx, since=since, until=until)
        transfers = await sources.transfers(ctx, since=since, until=until)
        found += detectors.wash_trades(trades, transfers, th)
        found += detectors.price_deviations(trades, th)
        found += detectors.cancel_bursts(
            await sources.dropped_negotiations(ctx, since=since, until=until), th
        )
        found += detectors.bid_collusion(await sources.auctions(ctx, since=since, until=until), th)
        found += detectors.broker_mandates(trades, await sources.mandates(ctx), th)
    if Remit.PUBLIC_DATA in remits:
        found += detectors.overdue_sharing(await sources.overdue_shares(ctx), th)
    if Remit.CROSS_BORDER in remits:
        found += detectors.unanswered_customs(await sources.pending_customs(ctx), th)
    return found


async def _entry_indexes(ctx: Context, finding: Finding) -> list[int]:
    indexes: set[int] = set()
    for key, ids in finding.evidence.items():
        where = _EVIDENCE_ENTRIES.get(key)
        if where is None or not ids:
            continue
        found = await audit_log.entry_indexes(
            ctx.session, subject_type=where[0], subject_ids=list(ids), action=where[1]
        )
        indexes.update(i for seqs in found.values() for i in seqs)
    return sorted(indexes)


async def scan(
    ctx: Context, *, since: datetime | None = None, until: datetime | None = None
) -> ScanResult:
    """Scan [since, until) (default: the last 30 days) for the agency's remits."""
    agency = await agencies.require_agency(ctx, SCANNED_REMITS, "Market surveillance")
    now = ctx.clock.now()
    until = until or now
    since = since or until - DEFAULT_WINDOW
    if since >= until or until > now:
        raise ScanWindowInvalid(
            f"The window [{since.isoformat()}, {until.isoformat()}) must end after it starts "
            "and not after now."
        )
    th = await agencies.thresholds(ctx, agency.id)
    findings = await _findings(ctx, agency.remits, th, since, until)
    unique = {f.fingerprint: f for f in findings}
    known = await repository.known_fingerprints(ctx.session, list(unique))
    raised = []
    for fingerprint, finding in unique.items():
        if fingerprint in known:
            continue
        alert = Alert(
            id=ctx.ids.new(),
            kind=finding.kind.value,
            remit=ALERT_REMITS[finding.kind].value,
            severity=finding.severity.value,
            state=AlertState.NEW.value,
            fingerprint=fingerprint,
            title=finding.title[:400],
            parties=list(finding.parties),
            evidence={
                **{k: list(v) for k, v in sorted(finding.evidence.items())},
                "entry_indexes": await _entry_indexes(ctx, finding),
            },
            figures=dict(finding.figures),
            window_since=since,
            window_until=until,
            raised_by=agency.id,
            raised_at=now,
            handled_by=None,
            dismissal_reason=None,
            case_id=None,
            updated_at=now,
        )
        ctx.session.add(alert)
        ctx.audit(
            "supervision.alert_raised",
            subject_type="alert",
            subject_id=alert.id,
            payload={
                "kind": alert.kind,
                "severity": alert.severity,
                "raised_by": agency.id,
                "parties": alert.parties,
                "evidence": alert.evidence,
                "figures": alert.figures,
                "window_since": since,
                "window_until": until,
            },
        )
        raised.append(alert)
    return ScanResult(agency.id, since, until, raised, len(unique) - len(raised))


async def get_alert(ctx: Context, alert_id: str) -> Alert:
    """One alert (every agency reads)."""
    alert = await repository.get_alert(ctx.session, alert_id)
    if alert is None:
        raise AlertNotFound(f"No surveillance alert {alert_id!r}.")
    return alert


async def list_alerts(
    ctx: Context,
    *,
    state: AlertState | None,
    kind: AlertKind | None,
    remit: Remit | None,
    party_id: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Alert], int]:
    """Alerts matching the filters, newest first."""
    return await repository.list_alerts(
        ctx.session,
        state=state.value if state else None,
        kind=kind.value if kind else None,
        remit=remit.value if remit else None,
        party_id=party_id,
        limit=limit,
        offset=offset,
    )


def _within(agency: AgencyView, alert: Alert, what: str) -> None:
    needed = frozenset({Remit(alert.remit)})
    if Remit(alert.remit) not in agency.remits:
        raise OutsideRemit(
            f"{what} of a {alert.kind} alert ({ALERT_LABELS[AlertKind(alert.kind)]}) needs the "
            f"remit {remit_names(needed)}; {agency.label} does not hold it.",
            needed_remits=[alert.remit],
        )


async def _move(
    ctx: Context, agency: AgencyView, alert: Alert, state: AlertState, **values: object
) -> Alert:
    now = ctx.clock.now()
    if not await repository.move(
        ctx.session,
        alert.id,
        from_states=OPEN_STATES,
        state=state.value,
        handled_by=agency.id,
        updated_at=now,
        **values,
    ):
        await ctx.session.refresh(alert)
        raise AlertHandled(
            f"Alert {alert.id} is {alert.state}"
            + (f" (case {alert.case_id})" if alert.case_id else "")
            + "; it can no longer change."
        )
    await ctx.session.refresh(alert)
    return alert


async def review(ctx: Context, *, alert_id: str) -> Alert:
    """Take an alert under review (核查)."""
    agency = await agencies.acting_agency(ctx)
    alert = await get_alert(ctx, alert_id)
    _within(agency, alert, "Reviewing")
    alert = await _move(ctx, agency, alert, AlertState.UNDER_REVIEW)
    ctx.audit(
        "supervision.alert_reviewed",
        subject_type="alert",
        subject_id=alert.id,
        payload={"agency_id": agency.id},
    )
    return alert


async def dismiss(ctx: Context, *, alert_id: str, reason: str | None) -> Alert:
    """Dismiss an alert (排除), with the reason why it is no violation."""
    if reason is None or not reason.strip():
        raise DismissalReasonRequired(
            f"Alert {alert_id} is dismissed only with a reason: say why it is no violation."
        )
    agency = await agencies.acting_agency(ctx)
    alert = await get_alert(ctx, alert_id)
    _within(agency, alert, "Dismissing")
    alert = await _move(ctx, agency, alert, AlertState.DISMISSED, dismissal_reason=reason.strip())
    ctx.audit(
        "supervision.alert_dismissed",
        subject_type="alert",
        subject_id=alert.id,
        payload={"agency_id": agency.id, "reason": alert.dismissal_reason},
    )
    return alert


async def take_up(ctx: Context, *, alert_id: str, case_id: str, agency: AgencyView) -> Alert:
    """Mark an alert as the ground of a new case (立案)."""
    alert = await get_alert(ctx, alert_id)
    _within(agency, alert, "Opening a case")
    alert = await _move(ctx, agency, alert, AlertState.CASE_OPENED, case_id=case_id)
    ctx.audit(
        "supervision.alert_taken_up",
        subject_type="alert",
        subject_id=alert.id,
        payload={"agency_id": agency.id, "case_id": case_id},
    )
    return alert


async def alerts_between(
    ctx: Context, *, remits: Sequence[Remit], since: datetime, until: datetime
) -> Sequence[Alert]:
    """Alerts of these remits raised in [since, until) (reports)."""
    return await repository.alerts_between(
        ctx.session, remits=[r.value for r in remits], since=since, until=until
    )
