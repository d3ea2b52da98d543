"""Request and response models of market surveillance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from exchange.kit.fields import MarketDateTime
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel
from exchange.supervision.rules import ALERT_LABELS, AlertKind
from exchange.supervision.surveillance.models import Alert


class ScanCreate(RequestModel):
    """Scan a window (default: the 30 days up to now) for the agency's remits."""

    since: MarketDateTime | None = None
    until: MarketDateTime | None = None


class DismissalCreate(RequestModel):
    """Dismiss an alert: the reason is required (its absence is its own problem)."""

    reason: str | None = Field(default=None, max_length=1000)


class AlertRead(ResponseModel):
    """A surveillance alert (监测预警) with its evidence."""

    id: str
    kind: str
    label: str
    remit: str
    severity: str
    state: str
    title: str
    parties: list[str]
    evidence: dict[str, Any]
    figures: dict[str, Any]
    window_since: datetime
    window_until: datetime
    raised_by: str
    raised_at: datetime
    handled_by: str | None
    dismissal_reason: str | None
    case_id: str | None


class AlertPage(Page[AlertRead]):
    """A page of alerts."""


class ScanRead(ResponseModel):
    """A scan: its window, the alerts it raised and how many it had raised before."""

    agency_id: str
    since: datetime
    until: datetime
    raised: list[AlertRead]
    known: int


def alert_read(alert: Alert) -> AlertRead:
    return AlertRead(
        id=alert.id,
        kind=alert.kind,
        label=ALERT_LABELS[AlertKind(alert.kind)],
        remit=alert.remit,
        severity=alert.severity,
        state=alert.state,
        title=alert.title,
        parties=list(alert.parties),
        evidence=dict(alert.evidence),
        figures=dict(alert.figures),
        window_since=alert.window_since,
        window_until=alert.window_until,
        raised_by=alert.raised_by,
        raised_at=alert.raised_at,
        handled_by=alert.handled_by,
        dismissal_reason=alert.dismissal_reason,
        case_id=alert.case_id,
    )
