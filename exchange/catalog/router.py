"""HTTP endpoints of the catalog: departments, data elements, items, sources, quality,
sharing requests, search, the open list and the DCAT export."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from exchange.catalog import service
from exchange.catalog.errors import (
    BadSample,
    CircularHierarchy,
    ClassificationRule,
    ConflictNotFound,
    ConflictState,
    DataElementNotFound,
    DepartmentInUse,
    DepartmentNotBound,
    DepartmentNotFound,
    DivisionNotFound,
    DuplicateCode,
    HierarchyInvalid,
    InvalidConstraints,
    InvalidItem,
    InvalidPattern,
    ItemNotFound,
    NotShareable,
    NotYourDepartment,
    RecordBreaksRule,
    SampleColumns,
    SampleEncoding,
    SampleNotFound,
    SampleNotVisible,
    SecondAuthoritativeSource,
    ShareAlreadyAnswered,
    ShareRequestNotFound,
    StaleVersion,
    UnknownDataElement,
    UnsupportedSampleType,
    VersionNotFound,
)
from exchange.catalog.models import ConflictStatus, Level, ShareStatus
from exchange.catalog.schemas import (
    ConflictEscalate,
    ConflictPage,
    ConflictRead,
    ConflictResolve,
    ConsumerPage,
    DataElementCreate,
    DataElementPage,
    DataElementRead,
    DataElementUpdate,
    DepartmentCreate,
    DepartmentPage,
    DepartmentRead,
    DepartmentUpdate,
    DivisionRead,
    ItemCreate,
    ItemRead,
    ItemUpdate,
    ItemVersionPage,
    ItemVersionRead,
    OpenListPage,
    QualityReportPage,
    QualityReportRead,
    SampleRead,
    SearchResult,
    ShareDecision,
    ShareRequestCreate,
    ShareRequestPage,
    ShareRequestRead,
    ShareStats,
)
from exchange.context import Context
from exchange.dependencies import RuntimeDep, SessionDep
from exchange.errors import Forbidden, responses
from exchange.security import ActorContext, context_for
from exchange.vocabulary import Opening, Role

router = APIRouter(prefix="/v1")

AdminContext = Annotated[Context, context_for(Role.ADMIN)]
PublisherContext = Annotated[Context, context_for(Role.ADMIN, Role.DEPARTMENT)]
DepartmentContext = Annotated[Context, context_for(Role.DEPARTMENT)]
OversightContext = Annotated[Context, context_for(Role.ADMIN, Role.REGULATOR, Role.DEPARTMENT)]


async def public_context(session: SessionDep, runtime: RuntimeDep) -> Context:
    """A context for anyone (the open list and the DCAT export are public)."""
    return runtime.context(session)


PublicContext = Annotated[Context, Depends(public_context)]
Ref = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]
PageNo = Annotated[int, Query(ge=1, le=100_000)]
SAMPLE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": {"type": "object"}},
                "example": [{"person_name": "张三", "id_number": "440106199001011234"}],
            },
            "text/csv": {
                "schema": {"type": "string"},
                "example": "person_name,id_number\n张三,440106199001011234\n",
            },
        },
    }
}


# --- divisions and departments ---------------------------------------------------------


@router.get("/divisions", tags=["catalog"], operation_id="list_divisions")
async def list_divisions(ctx: ActorContext, parent_code: str | None = None) -> list[DivisionRead]:
    """Administrative divisions (行政区划): Guangdong, its 21 cities and 122 counties."""
    return await service.list_divisions(ctx, parent_code=parent_code)


@router.post(
    "/departments",
    status_code=201,
    tags=["catalog"],
    operation_id="create_department",
    responses=responses(
        Forbidden, DivisionNotFound, HierarchyInvalid, DuplicateCode, DepartmentInUse
    ),
)
async def create_department(body: DepartmentCreate, ctx: AdminContext) -> DepartmentRead:
    """Register a department (数据责任部门) in a division, under a parent (admin)."""
    return await service.create_department(ctx, body=body)


@router.get("/departments", tags=["catalog"], operation_id="list_departments")
async def list_departments(
    ctx: ActorContext,
    division_code: str | None = None,
    city_code: str | None = None,
    level: Level | None = None,
    parent_id: str | None = None,
    name: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> DepartmentPage:
    """Departments, by code; filter by division, city, level, parent or name."""
    return await service.list_departments(
        ctx,
        division_code=division_code,
        city_code=city_code,
        level=level,
        parent_id=parent_id,
        name=name,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/departments/{department_id}",
    tags=["catalog"],
    operation_id="get_department",
    responses=responses(DepartmentNotFound),
)
async def get_department(department_id: Ref, ctx: ActorContext) -> DepartmentRead:
    """One department."""
    return await service.get_department(ctx, department_id)


@router.patch(
    "/departments/{department_id}",
    tags=["catalog"],
    operation_id="update_department",
    responses=responses(
        Forbidden, DepartmentNotFound, HierarchyInvalid, CircularHierarchy, DepartmentInUse
    ),
)
async def update_department(
    department_id: Ref, body: DepartmentUpdate, ctx: AdminContext
) -> DepartmentRead:
    """Rename, move in the hierarchy or bind a participant (admin); cycles are refused."""
    return await service.update_department(ctx, department_id=department_id, body=body)


# --- data elements ---------------------------------------------------------------------


@router.post(
    "/data-elements",
    status_code=201,
    tags=["catalog"],
    operation_id="create_data_element",
    responses=responses(Forbidden, InvalidPattern, InvalidConstraints, DuplicateCode),
)
async def create_data_element(body: DataElementCreate, ctx: PublisherContext) -> DataElementRead:
    """Define a data element (数据元) with its constraints (admins and departments)."""
    return await service.create_element(ctx, body=body)


@router.get("/data-elements", tags=["catalog"], operation_id="list_data_elements")
async def list_data_elements(
    ctx: ActorContext,
    name: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> DataElementPage:
    """Data elements, by code; `name` matches Chinese or English names and codes."""
    return await service.list_elements(ctx, name=name, limit=limit, offset=offset)


@router.get(
    "/data-elements/{element_ref}",
    tags=["catalog"],
    operation_id="get_data_element",
    responses=responses(DataElementNotFound),
)
async def get_data_element(element_ref: Ref, ctx: ActorContext) -> DataElementRead:
    """A data element by id or code, with its authoritative source."""
    return await service.get_element(ctx, element_ref)


@router.patch(
    "/data-elements/{element_ref}",
    tags=["catalog"],
    operation_id="update_data_element",
    responses=responses(Forbidden, DataElementNotFound, InvalidPattern, InvalidConstraints),
)
async def update_data_element(
    element_ref: Ref, body: DataElementUpdate, ctx: PublisherContext
) -> DataElementRead:
    """Revise a data element (its creator or an admin); its version goes up."""
    return await service.update_element(ctx, element_ref=element_ref, body=body)


@router.get(
    "/data-elements/{element_ref}/consumers",
    tags=["catalog"],
    operation_id="list_data_element_consumers",
    responses=responses(DataElementNotFound),
)
async def list_data_element_consumers(
    element_ref: Ref, ctx: ActorContext, limit: Limit = 100, offset: Offset = 0
) -> ConsumerPage:
    """The items using a data element: its source first, then its consumers."""
    return await service.element_consumers(ctx, element_ref=element_ref, limit=limit, offset=offset)


# --- catalog items ---------------------------------------------------------------------


@router.post(
    "/catalog/items",
    status_code=201,
    tags=["catalog"],
    operation_id="publish_catalog_item",
    responses=responses(
        Forbidden,
        NotYourDepartment,
        DepartmentNotBound,
        DepartmentNotFound,
        UnknownDataElement,
        InvalidItem,
        SecondAuthoritativeSource,
        ClassificationRule,
    ),
)
async def publish_catalog_item(body: ItemCreate, ctx: PublisherContext) -> ItemRead:
    """Publish an item for one's own department (admins: any); a second source gets 409."""
    return await service.publish_item(ctx, body=body)


@router.get(
    "/catalog/items/{item_id}",
    tags=["catalog"],
    operation_id="get_catalog_item",
    responses=responses(ItemNotFound),
)
async def get_catalog_item(item_id: Ref, ctx: ActorContext) -> ItemRead:
    """An item's current version with its standard and latest quality reports."""
    return await service.get_item(ctx, item_id)


@router.patch(
    "/catalog/items/{item_id}",
    tags=["catalog"],
    operation_id="revise_catalog_item",
    responses=responses(
        Forbidden,
        ItemNotFound,
        NotYourDepartment,
        UnknownDataElement,
        InvalidItem,
        StaleVersion,
        SecondAuthoritativeSource,
        ClassificationRule,
    ),
)
async def revise_catalog_item(item_id: Ref, body: ItemUpdate, ctx: PublisherContext) -> ItemRead:
    """Revise an item: a new version is written and the history stays readable."""
    return await service.revise_item(ctx, item_id=item_id, body=body)


@router.get(
    "/catalog/items/{item_id}/versions",
    tags=["catalog"],
    operation_id="list_catalog_item_versions",
    responses=responses(ItemNotFound),
)
async def list_catalog_item_versions(item_id: Ref, ctx: ActorContext) -> ItemVersionPage:
    """Every version of an item, oldest first."""
    return await service.item_versions(ctx, item_id)


@router.get(
    "/catalog/items/{item_id}/versions/{version}",
    tags=["catalog"],
    operation_id="get_catalog_item_version",
    responses=responses(ItemNotFound, VersionNotFound),
)
async def get_catalog_item_version(
    item_id: Ref, version: Annotated[int, Path(ge=1)], ctx: ActorContext
) -> ItemVersionRead:
    """One version of an item."""
    return await service.item_version(ctx, item_id, version)


@router.post(
    "/catalog/items/{item_id}/quality-checks",
    status_code=201,
    tags=["catalog"],
    operation_id="check_catalog_item_quality",
    openapi_extra=SAMPLE_BODY,
    responses=responses(
        Forbidden,
        ItemNotFound,
        NotYourDepartment,
        SampleEncoding,
        SampleColumns,
        BadSample,
        UnsupportedSampleType,
    ),
)
async def check_catalog_item_quality(
    item_id: Ref, request: Request, ctx: PublisherContext
) -> QualityReportRead:
    """Upload sample records (JSON or CSV, UTF-8); the quality report is stored."""
    return await service.check_quality(
        ctx,
        item_id=item_id,
        content_type=request.headers.get("content-type"),
        body=await request.body(),
    )


@router.get(
    "/catalog/items/{item_id}/quality-reports",
    tags=["catalog"],
    operation_id="list_catalog_item_quality_reports",
    responses=responses(ItemNotFound),
)
async def list_catalog_item_quality_reports(
    item_id: Ref, ctx: ActorContext, limit: Limit = 20, offset: Offset = 0
) -> QualityReportPage:
    """An item's quality reports, newest first."""
    return await service.quality_reports(ctx, item_id=item_id, limit=limit, offset=offset)


@router.get(
    "/catalog/items/{item_id}/quality-reports/{report_id}",
    tags=["catalog"],
    operation_id="get_catalog_item_quality_report",
    responses=responses(ItemNotFound),
)
async def get_catalog_item_quality_report(
    item_id: Ref, report_id: Ref, ctx: ActorContext
) -> QualityReportRead:
    """One quality report in full."""
    return await service.quality_report(ctx, item_id=item_id, report_id=report_id)


@router.put(
    "/catalog/items/{item_id}/sample",
    tags=["catalog"],
    operation_id="store_catalog_item_sample",
    openapi_extra=SAMPLE_BODY,
    responses=responses(
        Forbidden,
        ItemNotFound,
        NotYourDepartment,
        SampleEncoding,
        SampleColumns,
        BadSample,
        RecordBreaksRule,
        UnsupportedSampleType,
    ),
)
async def store_catalog_item_sample(
    item_id: Ref, request: Request, ctx: PublisherContext
) -> SampleRead:
    """Store sample records (at most 50); a record that breaks the standard is refused."""
    return await service.store_sample(
        ctx,
        item_id=item_id,
        content_type=request.headers.get("content-type"),
        body=await request.body(),
    )


@router.get(
    "/catalog/items/{item_id}/sample",
    tags=["catalog"],
    operation_id="preview_catalog_item_sample",
    responses=responses(ItemNotFound, SampleNotFound, SampleNotVisible),
)
async def preview_catalog_item_sample(
    item_id: Ref, ctx: ActorContext, raw: bool = False
) -> SampleRead:
    """The desensitized sample preview (脱敏预览); `raw=true` for the item's own department."""
    return await service.read_sample(ctx, item_id=item_id, raw=raw)


# --- search, open list, DCAT -----------------------------------------------------------


def _page_number(value: str | None, default: int, top: int) -> int:
    try:
        number = int((value or "").strip() or default)
    except ValueError:
        return default
    return max(1, min(number, top))


@router.get("/catalog/search", tags=["catalog"], operation_id="search_catalog")
async def search_catalog(
    ctx: ActorContext,
    q: str | None = None,
    department: Annotated[list[str] | None, Query()] = None,
    level: Annotated[list[str] | None, Query()] = None,
    city: Annotated[list[str] | None, Query()] = None,
    grade: Annotated[list[str] | None, Query()] = None,
    sharing: Annotated[list[str] | None, Query()] = None,
    opening: Annotated[list[str] | None, Query()] = None,
    usage: Annotated[list[str] | None, Query()] = None,
    page: str | None = None,
    page_size: str | None = None,
) -> SearchResult:
    """Search names, descriptions and field names (社保, 医保, license ...) with facets.

    Filters repeat for alternatives (`city=440100&city=440300`). Any input is answered:
    odd values are noted in `notes` and match nothing.
    """
    params = service.SearchParams(
        q=q,
        department=tuple(department or ()),
        level=tuple(level or ()),
        city=tuple(city or ()),
        grade=tuple(grade or ()),
        sharing=tuple(sharing or ()),
        opening=tuple(opening or ()),
        usage=tuple(usage or ()),
    )
    return await service.search(
        ctx,
        params=params,
        page=_page_number(page, 1, 100_000),
        page_size=_page_number(page_size, 20, 100),
    )


@router.get(
    "/catalog/open-list",
    tags=["catalog"],
    operation_id="get_open_list",
    response_model=OpenListPage,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def get_open_list(
    ctx: PublicContext,
    city: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    department_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9._-]{1,64}$")] = None,
    opening: Opening | None = None,
    page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 100,
    format: Literal["json", "csv"] = "json",
) -> OpenListPage | Response:
    """The public-data open list (开放清单); no key needed; `format=csv` for spreadsheets."""
    result = await service.open_list(
        ctx,
        city=city,
        department_id=department_id,
        opening=opening,
        page=page,
        page_size=page_size,
    )
    if format == "csv":
        return Response(
            service.open_list_csv(result),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="open-list.csv"'},
        )
    return result


@router.get(
    "/catalog/dcat",
    tags=["catalog"],
    operation_id="get_dcat_catalog",
    response_class=JSONResponse,
    responses={200: {"content": {"application/ld+json": {"schema": {"type": "object"}}}}},
)
async def get_dcat_catalog(
    request: Request,
    ctx: PublicContext,
    page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
) -> JSONResponse:
    """The open items as DCAT-AP 3 JSON-LD, paged with Hydra; no key needed."""
    document = await service.dcat_catalog(
        ctx, base_url=str(request.base_url).rstrip("/"), page=page, page_size=page_size
    )
    return JSONResponse(document, media_type="application/ld+json")


# --- source conflicts ------------------------------------------------------------------


@router.get(
    "/catalog/conflicts",
    tags=["catalog"],
    operation_id="list_source_conflicts",
    responses=responses(Forbidden, DepartmentNotBound),
)
async def list_source_conflicts(
    ctx: OversightContext,
    status: Annotated[list[ConflictStatus] | None, Query()] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ConflictPage:
    """Refused and pending second-source conflicts (regulators and admins: all)."""
    statuses = status or [ConflictStatus.REFUSED, ConflictStatus.PENDING]
    return await service.list_conflicts(ctx, statuses=statuses, limit=limit, offset=offset)


@router.get(
    "/catalog/conflicts/{conflict_id}",
    tags=["catalog"],
    operation_id="get_source_conflict",
    responses=responses(ConflictNotFound),
)
async def get_source_conflict(conflict_id: Ref, ctx: OversightContext) -> ConflictRead:
    """One conflict."""
    return await service.get_conflict(ctx, conflict_id)


@router.post(
    "/catalog/conflicts/{conflict_id}/escalate",
    tags=["catalog"],
    operation_id="escalate_source_conflict",
    responses=responses(ConflictNotFound, NotYourDepartment, ConflictState, InvalidItem),
)
async def escalate_source_conflict(
    conflict_id: Ref, body: ConflictEscalate, ctx: DepartmentContext
) -> ConflictRead:
    """Ask for a decision on a refused source (申诉): the conflict becomes pending."""
    return await service.escalate_conflict(ctx, conflict_id=conflict_id, body=body)


@router.post(
    "/catalog/conflicts/{conflict_id}/resolve",
    tags=["catalog"],
    operation_id="resolve_source_conflict",
    responses=responses(Forbidden, ConflictNotFound, ConflictState),
)
async def resolve_source_conflict(
    conflict_id: Ref, body: ConflictResolve, ctx: AdminContext
) -> ConflictRead:
    """Decide a pending conflict (admin): keep the source or transfer it."""
    return await service.resolve_conflict(ctx, conflict_id=conflict_id, body=body)


# --- sharing requests ------------------------------------------------------------------


@router.post(
    "/share-requests",
    status_code=201,
    tags=["catalog"],
    operation_id="create_share_request",
    responses=responses(Forbidden, DepartmentNotBound, ItemNotFound, NotShareable, InvalidItem),
)
async def create_share_request(
    body: ShareRequestCreate, ctx: DepartmentContext
) -> ShareRequestRead:
    """Ask another department for a conditionally shared item (共享申请)."""
    return await service.request_share(ctx, body=body)


@router.get(
    "/share-requests",
    tags=["catalog"],
    operation_id="list_share_requests",
    responses=responses(Forbidden, DepartmentNotBound, NotYourDepartment),
)
async def list_share_requests(
    ctx: OversightContext,
    direction: Literal["incoming", "outgoing", "all"] = "all",
    status: ShareStatus | None = None,
    overdue: bool = False,
    department_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9._-]{1,64}$")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ShareRequestPage:
    """Sharing requests, oldest first, with working-day ages; `overdue=true` for late ones."""
    return await service.list_shares(
        ctx,
        department_id=department_id,
        direction=direction,
        status=status,
        overdue=overdue,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/share-requests/stats",
    tags=["catalog"],
    operation_id="get_share_request_stats",
    responses=responses(Forbidden, DepartmentNotBound, NotYourDepartment),
)
async def get_share_request_stats(
    ctx: OversightContext,
    department_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9._-]{1,64}$")] = None,
) -> ShareStats:
    """Average answer time in working days (target: 3) and the overdue list."""
    return await service.share_stats(ctx, department_id=department_id)


@router.get(
    "/share-requests/{request_id}",
    tags=["catalog"],
    operation_id="get_share_request",
    responses=responses(ShareRequestNotFound),
)
async def get_share_request(request_id: Ref, ctx: OversightContext) -> ShareRequestRead:
    """One sharing request (its two departments, admins and regulators)."""
    return await service.get_share(ctx, request_id)


@router.post(
    "/share-requests/{request_id}/decision",
    tags=["catalog"],
    operation_id="decide_share_request",
    responses=responses(ShareRequestNotFound, NotYourDepartment, ShareAlreadyAnswered, InvalidItem),
)
async def decide_share_request(
    request_id: Ref, body: ShareDecision, ctx: DepartmentContext
) -> ShareRequestRead:
    """The owning department approves, or refuses with a reason."""
    return await service.decide_share(ctx, request_id=request_id, body=body)
