"""HTTP endpoint of supervision reports: JSON (signed), CSV or a printable HTML page."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from exchange.errors import responses
from exchange.kit.fields import MarketDateTime
from exchange.kit.roles import OverseerContext
from exchange.supervision.agencies.errors import AgencyNotFound, UnknownDivision
from exchange.supervision.reports import render, service
from exchange.supervision.reports.errors import DivisionOutsideAgency, ReportPeriodInvalid
from exchange.supervision.reports.schemas import SignedReportRead

router = APIRouter(tags=["supervision"])


@router.get(
    "/reports/{agency_id}",
    operation_id="get_supervision_report",
    response_model=SignedReportRead,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            }
        },
        **responses(AgencyNotFound, UnknownDivision, DivisionOutsideAgency, ReportPeriodInvalid),
    },
)
async def get_report(
    agency_id: str,
    ctx: OverseerContext,
    since: MarketDateTime | None = None,
    until: MarketDateTime | None = None,
    division_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    format: Literal["json", "csv", "html"] = "json",
) -> SignedReportRead | Response:
    """An agency's periodic report for a division (default: the last 30 days, its own
    division): trades, turnover, cross-border cases, alerts and cases by state, measures,
    the departments' sharing response league table, and the log's checkpoint — signed with
    the platform key. `format=csv` for spreadsheets, `format=html` to print."""
    report = await service.build(
        ctx, agency_id=agency_id, since=since, until=until, division_code=division_code
    )
    name = f"supervision-report-{agency_id}-{report.document['period']['until'][:10]}"
    if format == "csv":
        return Response(
            render.to_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if format == "html":
        return HTMLResponse(render.to_html(report))
    return SignedReportRead(
        document=report.document,
        signature=report.signature,
        key_id=report.key_id,
        public_key=report.public_key,
    )
