"""HTTP endpoints of market surveillance (交易监测): scans and alerts."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.errors import responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.roles import OverseerContext, RegulatorContext
from exchange.supervision.agencies.errors import NotAgencyMember, OutsideRemit
from exchange.supervision.rules import AlertKind, AlertState, Remit
from exchange.supervision.surveillance import service
from exchange.supervision.surveillance.errors import (
    AlertHandled,
    AlertNotFound,
    DismissalReasonRequired,
    ScanWindowInvalid,
)
from exchange.supervision.surveillance.schemas import (
    AlertPage,
    AlertRead,
    DismissalCreate,
    ScanCreate,
    ScanRead,
    alert_read,
)

router = APIRouter(tags=["supervision"])


@router.post(
    "/alerts/scan",
    operation_id="scan_market",
    status_code=201,
    responses=responses(NotAgencyMember, OutsideRemit, ScanWindowInvalid),
)
async def scan(body: ScanCreate, ctx: RegulatorContext) -> ScanRead:
    """Scan a window of trades and the log for the patterns in one's agency's remits, with its
    thresholds; each new pattern becomes an alert with its evidence."""
    result = await service.scan(ctx, since=body.since, until=body.until)
    return ScanRead(
        agency_id=result.agency_id,
        since=result.since,
        until=result.until,
        raised=[alert_read(a) for a in result.raised],
        known=result.known,
    )


@router.get("/alerts", operation_id="list_alerts")
async def list_alerts(
    ctx: OverseerContext,
    state: AlertState | None = None,
    kind: AlertKind | None = None,
    remit: Remit | None = None,
    party_id: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> AlertPage:
    """Alerts, newest first (every agency reads)."""
    rows, total = await service.list_alerts(
        ctx, state=state, kind=kind, remit=remit, party_id=party_id, limit=limit, offset=offset
    )
    return AlertPage(items=[alert_read(a) for a in rows], total=total)


@router.get("/alerts/{alert_id}", operation_id="get_alert", responses=responses(AlertNotFound))
async def get_alert(alert_id: str, ctx: OverseerContext) -> AlertRead:
    """One alert with its evidence."""
    return alert_read(await service.get_alert(ctx, alert_id))


@router.post(
    "/alerts/{alert_id}/review",
    operation_id="review_alert",
    responses=responses(NotAgencyMember, AlertNotFound, OutsideRemit, AlertHandled),
)
async def review(alert_id: str, ctx: RegulatorContext) -> AlertRead:
    """Take an alert under review (核查)."""
    return alert_read(await service.review(ctx, alert_id=alert_id))


@router.post(
    "/alerts/{alert_id}/dismissal",
    operation_id="dismiss_alert",
    responses=responses(
        NotAgencyMember, AlertNotFound, OutsideRemit, AlertHandled, DismissalReasonRequired
    ),
)
async def dismiss(alert_id: str, body: DismissalCreate, ctx: RegulatorContext) -> AlertRead:
    """Dismiss an alert (排除) — with the reason; without one it is refused."""
    return alert_read(await service.dismiss(ctx, alert_id=alert_id, reason=body.reason))
