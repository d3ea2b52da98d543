"""Periodic supervision reports (监管报告): per agency and division, for a period.

A report counts the division's trades, turnover and cross-border (customs) cases and
decisions, the agency's cases, alerts and measures, and the departments' sharing response
times; it records the audit log's size and root and the latest signed checkpoint, and is
signed with the platform key (`document.sign_report`). Every agency reads every report.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from exchange.assets.certificates import service as certificates_service
from exchange.audit.log import service as audit_log
from exchange.audit.transparency import service as transparency
from exchange.catalog.departments import service as departments_service
from exchange.catalog.departments.rules import contains
from exchange.clock import rfc3339
from exchange.context import Context
from exchange.supervision.agencies import service as agencies
from exchange.supervision.cases import service as cases_service
from exchange.supervision.measures import service as measures_service
from exchange.supervision.reports import gather
from exchange.supervision.reports.document import (
    REPORT_TITLE,
    REPORT_TYPE,
    REPORT_VERSION,
    SIGNER_NAME,
    sign_report,
)
from exchange.supervision.reports.errors import DivisionOutsideAgency, ReportPeriodInvalid
from exchange.supervision.rules import REMIT_LABELS
from exchange.supervision.surveillance import service as surveillance

DEFAULT_PERIOD = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class SignedReport:
    """A report document, the platform's signature over it, and the key that made it."""

    document: dict[str, Any]
    signature: str
    key_id: str
    public_key: str


async def build(
    ctx: Context,
    *,
    agency_id: str,
    since: datetime | None,
    until: datetime | None,
    division_code: str | None,
) -> SignedReport:
    """The signed report of an agency for a period (default: the 30 days up to now) and a
    division (default: the agency's own; a narrower one inside it may be asked for)."""
    view = await agencies.get_agency(ctx, agency_id)
    now = ctx.clock.now()
    until = until or now
    since = since or until - DEFAULT_PERIOD
    if since >= until or until > now:
        raise ReportPeriodInvalid(
            f"The period [{rfc3339(since)}, {rfc3339(until)}) must end after it starts and "
            "not after now."
        )
    divs = await departments_service.divisions(ctx)
    division = division_code or view.agency.division_code
    await agencies.check_division(ctx, division)
    if not contains(divs, view.agency.division_code, division):
        raise DivisionOutsideAgency(
            f"Division {division} lies outside {view.label}'s own ({view.agency.division_code})."
        )
    cases = await cases_service.cases_seen(ctx, agency_id=view.id, since=since, until=until)
    alerts = await surveillance.alerts_between(
        ctx, remits=sorted(view.remits), since=since, until=until
    )
    measures = await measures_service.measures_of_cases(ctx, [c.case.id for c in cases])
    root, size = await audit_log.log_root(ctx.session)
    checkpoint = await transparency.latest_checkpoint(ctx)
    key = certificates_service.registry_key(ctx.runtime)
    a = view.agency
    document: dict[str, Any] = {
        "type": REPORT_TYPE,
        "v": REPORT_VERSION,
        "title": REPORT_TITLE,
        "agency": {
            "id": a.id,
            "name": a.name,
            "name_en": a.name_en,
            "level": a.level,
            "division_code": a.division_code,
            "remits": [{"code": r.value, "label": REMIT_LABELS[r]} for r in sorted(view.remits)],
        },
        "division": {
            "code": division,
            "name": divs[division].name,
            "name_en": divs[division].name_en,
        },
        "period": {"since": rfc3339(since), "until": rfc3339(until)},
        "generated_at": rfc3339(now),
        "generated_by": ctx.actor_ref,
        "market": await gather.market(ctx, divs, division, since, until),
        "customs": await gather.customs(ctx, divs, division, since, until),
        "cases": gather.cases_section(cases),
        "alerts": gather.alerts_section(alerts),
        "measures": gather.measures_section(measures, since, until),
        "sharing_sla": await gather.sharing_sla(ctx, divs, division),
        "log": {
            "origin": ctx.settings.audit_origin,
            "size": size,
            "root": root.hex(),
            "checkpoint": {
                "size": checkpoint.size,
                "root": bytes(checkpoint.root).hex(),
                "note": checkpoint.note,
            },
        },
        "signer": {"name": SIGNER_NAME, "algorithm": "ed25519", "key_id": key.key_id},
    }
    return SignedReport(
        document,
        sign_report(document, key.private_key),
        key.key_id,
        base64.b64encode(key.public_raw).decode("ascii"),
    )
