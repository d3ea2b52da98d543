"""HTTP endpoints of supervisory agencies (监管机构): remits, members, thresholds."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.errors import InvalidInput, responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.roles import AdminContext, OverseerContext, RegulatorContext
from exchange.participants.errors import ParticipantNotFound
from exchange.supervision.agencies import service
from exchange.supervision.agencies.errors import (
    AgencyExists,
    AgencyNotFound,
    NotAgencyMember,
    OutsideRemit,
    UnknownDivision,
    UnknownThreshold,
)
from exchange.supervision.agencies.schemas import (
    AgencyCreate,
    AgencyPage,
    AgencyRead,
    ThresholdsRead,
    ThresholdsUpdate,
    agency_read,
)

router = APIRouter(tags=["supervision"])


@router.get("/agencies", operation_id="list_agencies")
async def list_agencies(ctx: OverseerContext, limit: Limit = 100, offset: Offset = 0) -> AgencyPage:
    """Every supervisory agency, its remits, division and regulators (every agency reads)."""
    views = await service.list_agencies(ctx)
    return AgencyPage.window([agency_read(v) for v in views], limit=limit, offset=offset)


@router.post(
    "/agencies",
    operation_id="create_agency",
    status_code=201,
    responses=responses(AgencyExists, UnknownDivision),
)
async def create_agency(body: AgencyCreate, ctx: AdminContext) -> AgencyRead:
    """Set up an agency with its remits for a province or a city (admins)."""
    view = await service.create_agency(
        ctx,
        agency_id=body.id,
        name=body.name,
        name_en=body.name_en,
        remits=body.remits,
        division_code=body.division_code,
    )
    return agency_read(view)


@router.get("/agencies/{agency_id}", operation_id="get_agency", responses=responses(AgencyNotFound))
async def get_agency(agency_id: str, ctx: OverseerContext) -> AgencyRead:
    """One agency."""
    return agency_read(await service.get_agency(ctx, agency_id))


@router.put(
    "/agencies/{agency_id}/members/{participant_id}",
    operation_id="assign_agency_member",
    responses=responses(AgencyNotFound, ParticipantNotFound, InvalidInput),
)
async def assign_member(agency_id: str, participant_id: str, ctx: AdminContext) -> AgencyRead:
    """Let a regulator act for this agency (admins); it leaves its previous agency."""
    return agency_read(
        await service.assign_member(ctx, agency_id=agency_id, participant_id=participant_id)
    )


@router.get(
    "/agencies/{agency_id}/thresholds",
    operation_id="get_agency_thresholds",
    responses=responses(AgencyNotFound),
)
async def get_thresholds(agency_id: str, ctx: OverseerContext) -> ThresholdsRead:
    """An agency's surveillance thresholds (监测阈值)."""
    return ThresholdsRead(agency_id=agency_id, values=await service.thresholds(ctx, agency_id))


@router.put(
    "/agencies/{agency_id}/thresholds",
    operation_id="set_agency_thresholds",
    responses=responses(AgencyNotFound, NotAgencyMember, OutsideRemit, UnknownThreshold),
)
async def set_thresholds(
    agency_id: str, body: ThresholdsUpdate, ctx: RegulatorContext
) -> ThresholdsRead:
    """Change one's own agency's thresholds (audited), each within the agency's remit."""
    values = await service.set_thresholds(ctx, agency_id=agency_id, values=body.values)
    return ThresholdsRead(agency_id=agency_id, values=values)
