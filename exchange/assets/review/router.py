"""HTTP endpoints of compliance review, objections (异议), registration and revocation."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.assets.certificates.errors import CertificatePledged
from exchange.assets.registry import service as registry_service
from exchange.assets.registry.errors import AssetNotFound, AssetNotRegistered
from exchange.assets.registry.schemas import ApplicationRead, AssetDetail
from exchange.assets.registry.views import asset_detail
from exchange.assets.review import service
from exchange.assets.review.errors import (
    AlreadyReviewed,
    NoOpenApplication,
    ObjectionDecided,
    ObjectionNotFound,
    ObjectionOpen,
    OwnAssetObjection,
    PublicityClosed,
    PublicityNotOver,
    SelfReview,
)
from exchange.assets.review.schemas import (
    FinalizedRead,
    FinalizeDueCreate,
    ObjectionCreate,
    ObjectionDecisionCreate,
    ObjectionPage,
    ObjectionRead,
    ReviewCreate,
    ReviewPage,
    ReviewRead,
    RevocationCreate,
)
from exchange.errors import Forbidden, responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.roles import AdminContext, OverseerContext, RegulatorContext, ReviewerContext
from exchange.security import ActorContext

router = APIRouter(tags=["assets"])


@router.post(
    "/assets/finalize-due",
    operation_id="finalize_due_registrations",
    responses=responses(Forbidden),
)
async def finalize_due(body: FinalizeDueCreate, ctx: AdminContext) -> FinalizedRead:
    """Register every asset whose publicity ended with no open objection (admins)."""
    issued = await service.finalize_due(ctx, limit=body.limit)
    return FinalizedRead(
        registered=len(issued),
        asset_ids=[i.asset_id for i in issued],
        certificate_numbers=[i.number for i in issued],
    )


@router.get(
    "/assets/{asset_id}/reviews",
    operation_id="list_asset_reviews",
    responses=responses(AssetNotFound),
)
async def list_reviews(
    asset_id: str, ctx: ActorContext, limit: Limit = 100, offset: Offset = 0
) -> ReviewPage:
    """Every review of the asset's applications."""
    rows = await service.list_reviews(ctx, asset_id=asset_id)
    return ReviewPage.window(
        [ReviewRead.model_validate(r) for r in rows], limit=limit, offset=offset
    )


@router.post(
    "/assets/{asset_id}/reviews",
    status_code=201,
    operation_id="review_asset_application",
    responses=responses(
        AssetNotFound, Forbidden, SelfReview, AlreadyReviewed, NoOpenApplication, CertificatePledged
    ),
)
async def review(asset_id: str, body: ReviewCreate, ctx: ReviewerContext) -> ApplicationRead:
    """A compliance reviewer approves or rejects the open application, with reasons."""
    application = await service.review_application(
        ctx, asset_id=asset_id, decision=body.decision, reason=body.reason
    )
    return ApplicationRead.model_validate(application)


@router.get(
    "/assets/{asset_id}/objections",
    operation_id="list_asset_objections",
    responses=responses(AssetNotFound),
)
async def list_objections(
    asset_id: str, ctx: ActorContext, limit: Limit = 100, offset: Offset = 0
) -> ObjectionPage:
    """Objections: all for the holder and overseers, one's own for everyone else."""
    rows = await service.list_objections(ctx, asset_id=asset_id)
    return ObjectionPage.window(
        [ObjectionRead.model_validate(o) for o in rows], limit=limit, offset=offset
    )


@router.post(
    "/assets/{asset_id}/objections",
    status_code=201,
    operation_id="object_to_asset_registration",
    responses=responses(
        AssetNotFound, Forbidden, OwnAssetObjection, NoOpenApplication, PublicityClosed
    ),
)
async def file_objection(asset_id: str, body: ObjectionCreate, ctx: ActorContext) -> ObjectionRead:
    """Object (异议) to a registration during its publicity, with grounds."""
    objection = await service.file_objection(ctx, asset_id=asset_id, grounds=body.grounds)
    return ObjectionRead.model_validate(objection)


@router.post(
    "/assets/{asset_id}/objections/{objection_id}/decision",
    operation_id="decide_asset_objection",
    responses=responses(AssetNotFound, ObjectionNotFound, Forbidden, ObjectionDecided),
)
async def decide_objection(
    asset_id: str, objection_id: str, body: ObjectionDecisionCreate, ctx: RegulatorContext
) -> ObjectionRead:
    """A regulator upholds (the registration stops) or dismisses an objection."""
    objection = await service.decide_objection(
        ctx,
        asset_id=asset_id,
        objection_id=objection_id,
        decision=body.decision,
        reason=body.reason,
    )
    return ObjectionRead.model_validate(objection)


@router.post(
    "/assets/{asset_id}/finalize",
    operation_id="finalize_asset_registration",
    responses=responses(
        AssetNotFound, Forbidden, NoOpenApplication, PublicityNotOver, ObjectionOpen
    ),
)
async def finalize(asset_id: str, ctx: ActorContext) -> AssetDetail:
    """Complete a registration after its publicity: the asset is registered and certified."""
    asset = await service.finalize_registration(ctx, asset_id=asset_id)
    return asset_detail(ctx, await registry_service.asset_view(ctx, asset.id))


@router.post(
    "/assets/{asset_id}/revocation",
    operation_id="revoke_asset_registration",
    responses=responses(AssetNotFound, Forbidden, AssetNotRegistered),
)
async def revoke(asset_id: str, body: RevocationCreate, ctx: OverseerContext) -> AssetDetail:
    """Revocation by the registry (撤销登记; admins, regulators): the certificate is revoked."""
    asset = await service.revoke_asset(ctx, asset_id=asset_id, reason=body.reason)
    return asset_detail(ctx, await registry_service.asset_view(ctx, asset.id))
