"""HTTP endpoints of data assets (数据资产) and their registration applications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from exchange.assets.certificates.errors import CertificatePledged
from exchange.assets.registry import service
from exchange.assets.registry.errors import (
    ApplicationOpen,
    AssetNotFound,
    AssetNotRegistered,
    CoreDataRefused,
    GradeBelowSource,
    NoChange,
    PersonalInformationBasisRequired,
    ScenarioRequired,
    UnknownSourceItem,
)
from exchange.assets.registry.models import ApplicationStatus, AssetStatus
from exchange.assets.registry.rules import AssetDraft
from exchange.assets.registry.schemas import (
    ApplicationCreate,
    ApplicationPage,
    ApplicationRead,
    AssetCreate,
    AssetDetail,
    AssetPage,
    CancellationApplicationCreate,
)
from exchange.assets.registry.views import application_read, asset_detail, asset_read
from exchange.dataspaces.consents.errors import (
    ConsentExpired,
    ConsentIdsRequired,
    ConsentNotHeld,
    ConsentRevoked,
    LawfulBasisNotAccepted,
    PurposeNotConsented,
)
from exchange.errors import Forbidden, InvalidInput, responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.roles import HolderContext
from exchange.operation.errors import (
    AgreementNotLive,
    FormNotGranted,
    GrantRequired,
    PurposeNotGranted,
    PurposeRequired,
    RawRecordsRefused,
)
from exchange.security import ActorContext

router = APIRouter(tags=["assets"])
LAWFUL_BASIS_ERRORS = (
    PersonalInformationBasisRequired,
    ConsentIdsRequired,
    LawfulBasisNotAccepted,
    ConsentNotHeld,
    ConsentRevoked,
    ConsentExpired,
    PurposeNotConsented,
)

# Refusals of a product derived from public data that is not open (授权运营): no grant, a
# grant not in force, a purpose or form outside it, raw records of closed data.
GRANT_REFUSALS = (
    GrantRequired,
    AgreementNotLive,
    PurposeRequired,
    PurposeNotGranted,
    FormNotGranted,
    RawRecordsRefused,
)


@router.post(
    "/assets",
    status_code=201,
    operation_id="apply_for_asset_registration",
    responses=responses(
        Forbidden,
        CoreDataRefused,
        GradeBelowSource,
        UnknownSourceItem,
        ScenarioRequired,
        *GRANT_REFUSALS,
        *LAWFUL_BASIS_ERRORS,
    ),
)
async def apply_for_registration(body: AssetCreate, ctx: HolderContext) -> AssetDetail:
    """Apply to register a data resource or product as an asset (首次登记申请). A product derived
    from public catalog items that are not unconditionally open needs a live operating
    agreement (授权运营协议) covering each item, its purpose and its form (a department: an
    approved sharing request, or its own items)."""
    draft = AssetDraft(
        name=body.name,
        description=body.description,
        product_form=body.product_form,
        right=body.right,
        scenario=body.scenario,
        grade=body.grade,
        personal_information=body.personal_information,
        fingerprint=body.fingerprint,
        source_legality=body.source_legality,
        personal_information_basis=body.personal_information_basis,
        source_catalog_item_ids=tuple(dict.fromkeys(body.source_catalog_item_ids)),
        purpose=body.purpose,
        lawful_basis=body.lawful_basis,
        consent_ids=tuple(dict.fromkeys(body.consent_ids)),
    )
    asset = await service.apply_for_registration(ctx, draft=draft)
    return asset_detail(ctx, await service.asset_view(ctx, asset.id))


@router.get("/assets", operation_id="list_assets")
async def list_assets(
    ctx: ActorContext,
    status: AssetStatus | None = None,
    holder_id: Annotated[str | None, Query(max_length=36)] = None,
    q: Annotated[str | None, Query(max_length=100, description="Text in the name")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> AssetPage:
    """Assets: published ones (公示 and after) and the caller's own; overseers see all."""
    rows, total = await service.list_assets(
        ctx, status=status, holder_id=holder_id, text=q, limit=limit, offset=offset
    )
    return AssetPage(items=[asset_read(a) for a in rows], total=total)


@router.get("/asset-applications", operation_id="list_asset_applications")
async def list_asset_applications(
    ctx: ActorContext,
    status: ApplicationStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ApplicationPage:
    """The review queue, oldest first: every application for overseers, one's own otherwise."""
    views, total = await service.application_queue(ctx, status=status, limit=limit, offset=offset)
    return ApplicationPage(items=[application_read(v) for v in views], total=total)


@router.get("/assets/{asset_id}", operation_id="get_asset", responses=responses(AssetNotFound))
async def get_asset(asset_id: str, ctx: ActorContext) -> AssetDetail:
    """An asset with its open application, certificate and latest valuation."""
    return asset_detail(ctx, await service.asset_view(ctx, asset_id))


@router.get(
    "/assets/{asset_id}/applications",
    operation_id="list_asset_applications_of_asset",
    responses=responses(AssetNotFound),
)
async def list_applications(
    asset_id: str, ctx: ActorContext, limit: Limit = 100, offset: Offset = 0
) -> ApplicationPage:
    """An asset's applications (initial, change, cancellation) with their reviews."""
    views = await service.list_applications(ctx, asset_id=asset_id)
    return ApplicationPage.window([application_read(v) for v in views], limit=limit, offset=offset)


@router.post(
    "/assets/{asset_id}/applications",
    status_code=201,
    operation_id="apply_for_asset_change_or_cancellation",
    responses=responses(
        AssetNotFound,
        Forbidden,
        AssetNotRegistered,
        ApplicationOpen,
        CertificatePledged,
        NoChange,
        InvalidInput,
        CoreDataRefused,
        GradeBelowSource,
        UnknownSourceItem,
        ScenarioRequired,
        *GRANT_REFUSALS,
        *LAWFUL_BASIS_ERRORS,
    ),
)
async def apply_for_change(
    asset_id: str, body: ApplicationCreate, ctx: HolderContext
) -> ApplicationRead:
    """A change (变更登记) or cancellation (注销登记) application by the holder."""
    if isinstance(body, CancellationApplicationCreate):
        application = await service.apply_for_cancellation(
            ctx, asset_id=asset_id, reason=body.reason
        )
    else:
        application = await service.apply_for_change(
            ctx,
            asset_id=asset_id,
            changes=body.model_dump(exclude_unset=True, exclude={"kind", "reason"}),
            reason=body.reason,
        )
    return ApplicationRead.model_validate(application)
