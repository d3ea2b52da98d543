"""What a supervision report counts, read through the owning domains' services: the
division's trades and customs cases, the departments' sharing response times (SLA), and the
agency's cases, alerts and measures."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from exchange.catalog.departments.rules import DivisionInfo, contains
from exchange.catalog.sharing import service as sharing_service
from exchange.clock import rfc3339
from exchange.context import Context
from exchange.supervision.cases.service import CaseView
from exchange.supervision.measures.models import Measure
from exchange.supervision.rules import division_of_trade
from exchange.supervision.surveillance.models import Alert
from exchange.supervision.surveillance.sources import PAGE
from exchange.trading.customs import service as customs_service
from exchange.trading.orders import service as orders_service
from exchange.trading.orders.filters import TradeFilter


def _in(divs: dict[str, DivisionInfo], division: str, code: str | None) -> bool:
    return code is not None and contains(divs, division, code)


def _time(when: datetime | None) -> str | None:
    return rfc3339(when) if when is not None else None


async def market(
    ctx: Context, divs: dict[str, DivisionInfo], division: str, since: datetime, until: datetime
) -> dict[str, Any]:
    """The division's trades in the period: count, turnover, fees, by exchange and form."""
    trades = []
    offset = 0
    while True:
        rows, total = await orders_service.list_trades(
            ctx, TradeFilter(since=since, until=until), limit=PAGE, offset=offset
        )
        trades += [
            t for t in rows if _in(divs, division, division_of_trade(t.exchange_id, t.base_id))
        ]
        offset += len(rows)
        if not rows or offset >= total:
            break
    by_exchange: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_form: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for t in trades:
        for bucket in (by_exchange[t.exchange_id], by_form[t.product_form]):
            bucket[0] += 1
            bucket[1] += t.price_fen
    return {
        "trades": len(trades),
        "turnover_fen": sum(t.price_fen for t in trades),
        "fees_fen": sum(t.buyer_fee_fen + t.seller_fee_fen for t in trades),
        "commission_fen": sum(t.commission_fen for t in trades),
        "cross_border_trades": sum(1 for t in trades if t.cross_border),
        "by_exchange": [
            {"exchange_id": k, "trades": v[0], "turnover_fen": v[1]}
            for k, v in sorted(by_exchange.items())
        ],
        "by_product_form": [
            {"product_form": k, "trades": v[0], "turnover_fen": v[1]}
            for k, v in sorted(by_form.items())
        ],
    }


async def customs(
    ctx: Context, divs: dict[str, DivisionInfo], division: str, since: datetime, until: datetime
) -> dict[str, Any]:
    """Cross-border cases (数据海关) opened in the period in the division, and decisions."""
    cases = []
    offset = 0
    while True:
        rows, total = await customs_service.list_customs_cases(
            ctx, status=None, jurisdiction=None, exchange_id=None, limit=PAGE, offset=offset
        )
        cases += [
            c
            for c in rows
            if since <= c.created_at < until
            and _in(divs, division, division_of_trade(c.exchange_id, None))
        ]
        offset += len(rows)
        if not rows or offset >= total:
            break
    return {
        "opened": len(cases),
        "by_status": dict(sorted(Counter(str(c.status) for c in cases).items())),
        "by_decision": dict(sorted(Counter(str(c.decision) for c in cases if c.decision).items())),
        "by_jurisdiction": dict(sorted(Counter(c.jurisdiction for c in cases).items())),
    }


async def sharing_sla(ctx: Context, divs: dict[str, DivisionInfo], division: str) -> dict[str, Any]:
    """The league table (排行) of the division's departments answering sharing requests."""
    owners: dict[str, str] = {}
    offset = 0
    while True:
        page = await sharing_service.list_shares(
            ctx,
            department_id=None,
            direction="incoming",
            status=None,
            overdue=False,
            limit=PAGE,
            offset=offset,
        )
        for share in page.items:
            if _in(divs, division, share.owner_department.division_code):
                owners[share.owner_department.id] = share.owner_department.name
        offset += len(page.items)
        if not page.items or offset >= page.total:
            break
    rows = []
    target = sharing_service.SHARE_TARGET_WORKING_DAYS
    for department_id, name in sorted(owners.items()):
        stats = await sharing_service.share_stats(ctx, department_id=department_id)
        average = stats.average_response_working_days
        rows.append(
            {
                "department_id": department_id,
                "name": name,
                "answered": stats.answered,
                # Canonical JSON carries no floats: working days to two decimals, as text.
                "average_response_working_days": f"{average:.2f}" if average is not None else None,
                "meets_target": stats.meets_target,
                "open": stats.open,
                "overdue": stats.overdue_count,
            }
        )
    rows.sort(key=_league_order)
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return {"target_working_days": target, "departments": rows}


def _league_order(row: dict[str, Any]) -> tuple[bool, float, int, str]:
    """Fastest average answer first; departments that answered nothing last."""
    average = row["average_response_working_days"]
    return (average is None, float(average or 0), -int(row["answered"]), str(row["department_id"]))


def cases_section(cases: Sequence[CaseView]) -> dict[str, Any]:
    """The agency's cases of the period, by state, each with its referrals."""
    return {
        "by_state": dict(sorted(Counter(c.case.state for c in cases).items())),
        "items": [
            {
                "id": c.case.id,
                "title": c.case.title,
                "lead_agency_id": c.case.lead_agency_id,
                "remit": c.case.remit,
                "subject_type": c.case.subject_type,
                "subject_id": c.case.subject_id,
                "state": c.case.state,
                "outcome": c.case.outcome,
                "alert_id": c.case.alert_id,
                "referrals": [
                    {
                        "from_agency_id": r.from_agency_id,
                        "to_agency_id": r.to_agency_id,
                        "remit": r.remit,
                        "part": r.part,
                    }
                    for r in c.referrals
                ],
                "opened_at": rfc3339(c.case.opened_at),
                "closed_at": _time(c.case.closed_at),
            }
            for c in cases
        ],
    }


def alerts_section(alerts: Sequence[Alert]) -> dict[str, Any]:
    """The period's alerts in the agency's remits, by state and kind."""
    return {
        "by_state": dict(sorted(Counter(a.state for a in alerts).items())),
        "by_kind": dict(sorted(Counter(a.kind for a in alerts).items())),
        "items": [
            {
                "id": a.id,
                "kind": a.kind,
                "severity": a.severity,
                "state": a.state,
                "parties": list(a.parties),
                "case_id": a.case_id,
                "dismissal_reason": a.dismissal_reason,
                "raised_at": rfc3339(a.raised_at),
            }
            for a in alerts
        ],
    }


def measures_section(
    measures: Sequence[Measure], since: datetime, until: datetime
) -> dict[str, Any]:
    """The measures of the agency's cases: taken and lifted in the period, in force at its end."""

    def during(when: datetime | None) -> bool:
        return when is not None and since <= when < until

    def binding_at_end(m: Measure) -> bool:
        return (
            m.imposed_at is not None
            and m.imposed_at < until
            and (m.lifted_at is None or m.lifted_at >= until)
        )

    return {
        "taken": sum(1 for m in measures if during(m.imposed_at)),
        "lifted": sum(1 for m in measures if during(m.lifted_at)),
        "in_force_at_end": sum(1 for m in measures if binding_at_end(m)),
        "items": [
            {
                "id": m.id,
                "case_id": m.case_id,
                "agency_id": m.agency_id,
                "kind": m.kind,
                "subject_type": m.subject_type,
                "subject_id": m.subject_id,
                "state": m.state,
                "in_force_at_end": binding_at_end(m),
                "imposed_at": _time(m.imposed_at),
                "lifted_at": _time(m.lifted_at),
            }
            for m in measures
            if during(m.imposed_at) or during(m.lifted_at) or binding_at_end(m)
        ],
    }
