"""Market surveillance on the desk (交易监测): alerts with their severity, state and evidence
(audit entries linked to the desk's entry pages); a regulator whose agency's remit covers an
alert dismisses it with a reason or opens a case from it — through the same services and
request models as POST /v1/supervision/alerts/{id}/dismissal and POST /v1/supervision/cases."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from exchange.kit.paging import Offset
from exchange.participants import service as participants_service
from exchange.supervision.agencies import service as agencies_service
from exchange.supervision.cases import service as cases_service
from exchange.supervision.cases.schemas import CaseCreate
from exchange.supervision.rules import REMIT_LABELS, AlertState, Remit
from exchange.supervision.surveillance import service as surveillance_service
from exchange.supervision.surveillance.schemas import DismissalCreate, alert_read
from exchange.web.desk.common import Overseer, Regulator, decides, validated
from exchange.web.desk.queues import PAGE, Filter, pager
from exchange.web.pages import Form, PageRoute, Viewer, field, render, see_other

router = APIRouter(route_class=PageRoute, include_in_schema=False)

OPEN_STATES = (AlertState.NEW.value, AlertState.UNDER_REVIEW.value)


async def acting_remits(viewer: Viewer) -> tuple[str | None, frozenset[Remit]]:
    """The agency a regulator acts for and its remits (none for admins or the unassigned):
    the desk offers forms only where the remit covers the act (the services refuse anyway)."""
    if not decides(viewer):
        return None, frozenset()
    async with viewer.read() as ctx:
        agency_id = await agencies_service.agency_of_member(ctx, viewer.id)
        if agency_id is None:
            return None, frozenset()
        agency = await agencies_service.get_agency(ctx, agency_id)
    return agency.id, agency.remits


@router.get("/desk/alerts", response_class=HTMLResponse)
async def alerts(
    request: Request,
    viewer: Overseer,
    state: Literal["new", "under_review", "case_opened", "dismissed", "all"] = "new",
    offset: Offset = 0,
    done: Filter = "",
) -> Response:
    """Surveillance alerts, newest first, with their evidence and the forms to handle them."""
    agency_id, remits = await acting_remits(viewer)
    async with viewer.read() as ctx:
        rows, total = await surveillance_service.list_alerts(
            ctx,
            state=None if state == "all" else AlertState(state),
            kind=None,
            remit=None,
            party_id=None,
            limit=PAGE,
            offset=offset,
        )
        parties = await participants_service.get_many(
            ctx, sorted({p for a in rows for p in a.parties})
        )
    return render(
        request,
        "desk/alerts.html",
        viewer=viewer,
        alerts=[alert_read(a) for a in rows],
        total=total,
        chosen=state,
        parties=parties,
        agency_id=agency_id,
        remits={r.value for r in remits},
        remit_labels={r.value: label for r, label in REMIT_LABELS.items()},
        open_states=OPEN_STATES,
        done=done if done == "dismissed" else "",
        pages=pager("/desk/alerts", {"state": state}, offset, total),
        decides=decides(viewer),
    )


@router.post("/desk/alerts/{alert_id}/dismissal")
async def dismiss_alert(alert_id: str, viewer: Regulator, form: Form) -> Response:
    """Dismiss an alert (排除) with the reason why it is no violation."""
    body = validated(DismissalCreate, {"reason": field(form, "reason") or None})
    async with viewer.write() as ctx:
        await surveillance_service.dismiss(ctx, alert_id=alert_id, reason=body.reason)
    return see_other(f"/desk/alerts?{urlencode({'state': 'all', 'done': 'dismissed'})}")


@router.post("/desk/alerts/{alert_id}/case")
async def open_case_from_alert(alert_id: str, viewer: Regulator, form: Form) -> Response:
    """Open a case (立案) from an alert: its evidence becomes the case's facts."""
    body = validated(
        CaseCreate,
        {
            "remit": field(form, "remit"),
            "subject_type": "participant",
            "subject_id": field(form, "subject_id"),
            "title": field(form, "title"),
            "summary": field(form, "summary"),
            "alert_id": alert_id,
        },
    )
    async with viewer.write() as ctx:
        found = await cases_service.open_case(
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
    return see_other(f"/desk/cases/{found.case.id}?done=opened")
