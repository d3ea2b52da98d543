"""HTTP endpoints of data assets (数据资产), certificates (数据资产凭证) and pledges (质押)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query

from exchange.assets import service
from exchange.assets.certificates import ISSUER_NAME, encode_signature
from exchange.assets.comparables import traded_comparables
from exchange.assets.errors import (
    AlreadyReviewed,
    ApplicationOpen,
    AssetNotFound,
    AssetNotRegistered,
    AssetStateConflict,
    CertificateAlreadyPledged,
    CertificateNotFound,
    CertificateNotValid,
    CertificatePledged,
    CoreDataRefused,
    GradeBelowSource,
    NoChange,
    NoOpenApplication,
    ObjectionDecided,
    ObjectionNotFound,
    ObjectionOpen,
    OwnAssetObjection,
    PersonalInformationBasisRequired,
    PledgeNotFound,
    PledgeStateConflict,
    PublicityClosed,
    PublicityNotOver,
    ScenarioRequired,
    SelfReview,
    UnknownSourceItem,
)
from exchange.assets.models import (
    ASSET_STATUS_LABELS,
    GRADE_LABELS,
    PRODUCT_FORM_LABELS,
    RIGHT_LABELS,
    ApplicationStatus,
    Asset,
    AssetStatus,
    AssetValuation,
    PledgeStatus,
    ValuationMethod,
)
from exchange.assets.rules import AssetDraft
from exchange.assets.schemas import (
    ApplicationCreate,
    ApplicationPage,
    ApplicationRead,
    AssetCreate,
    AssetDetail,
    AssetPage,
    AssetRead,
    CancellationApplicationCreate,
    CertificatePage,
    CertificateRead,
    CertificateSummary,
    CertificateVerify,
    FinalizedRead,
    FinalizeDueCreate,
    IssuerKeyRead,
    ObjectionCreate,
    ObjectionDecisionCreate,
    ObjectionRead,
    PledgeCreate,
    PledgePage,
    PledgeRead,
    ReviewCreate,
    ReviewRead,
    RevocationCreate,
    RevocationListRead,
    ValuationCreate,
    ValuationRead,
    VerificationRead,
)
from exchange.context import Context
from exchange.dependencies import RuntimeDep
from exchange.errors import Forbidden, InvalidInput, responses
from exchange.security import ActorContext, context_for
from exchange.vocabulary import DataGrade, DataRight, ProductForm, Role

router = APIRouter(prefix="/v1", tags=["assets"])

HolderContext = Annotated[Context, context_for(Role.DEPARTMENT, Role.ENTERPRISE)]
AdminContext = Annotated[Context, context_for(Role.ADMIN)]
LenderContext = Annotated[Context, context_for(Role.LENDER)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]
AssetId = Annotated[str, Query(max_length=36)]


def asset_read(asset: Asset) -> AssetRead:
    """An asset with its Chinese labels."""
    return AssetRead(
        id=asset.id,
        holder_id=asset.holder_id,
        status=asset.status,
        status_label=ASSET_STATUS_LABELS[AssetStatus(asset.status)],
        name=asset.name,
        description=asset.description,
        product_form=asset.product_form,
        product_form_label=PRODUCT_FORM_LABELS[ProductForm(asset.product_form)],
        right=asset.data_right,
        right_label=RIGHT_LABELS[DataRight(asset.data_right)],
        scenario=asset.scenario,
        grade=asset.grade,
        grade_label=GRADE_LABELS[DataGrade(asset.grade)],
        personal_information=asset.personal_information,
        personal_information_basis=asset.personal_information_basis,
        source_legality=asset.source_legality,
        fingerprint=asset.fingerprint,
        source_catalog_item_ids=list(asset.source_catalog_item_ids),
        version=asset.version,
        created_at=asset.created_at,
        published_at=asset.published_at,
        registered_at=asset.registered_at,
        closed_at=asset.closed_at,
        close_reason=asset.close_reason,
    )


def application_read(view: service.ApplicationView) -> ApplicationRead:
    """An application with its reviews."""
    read = ApplicationRead.model_validate(view.application)
    read.reviews = [ReviewRead.model_validate(r) for r in view.reviews]
    return read


def asset_detail(ctx: Context, view: service.AssetView) -> AssetDetail:
    """An asset page."""
    certificate = view.certificate
    return AssetDetail(
        **asset_read(view.asset).model_dump(),
        holder_name=view.holder_name,
        open_application=(
            ApplicationRead.model_validate(view.open_application)
            if view.open_application is not None
            else None
        ),
        certificate=(
            CertificateSummary(
                number=certificate.number,
                status=service.certificate_status(ctx, certificate),
                issued_at=certificate.issued_at,
                expires_at=certificate.expires_at,
                pledged=certificate.pledge_id is not None,
            )
            if certificate is not None
            else None
        ),
        latest_valuation=(
            ValuationRead.model_validate(view.latest_valuation)
            if view.latest_valuation is not None
            else None
        ),
    )


def certificate_read(view: service.CertificateView) -> CertificateRead:
    """A certificate with its document, signature and status."""
    c = view.certificate
    return CertificateRead(
        number=c.number,
        asset_id=c.asset_id,
        holder_id=c.holder_id,
        document=service.parse_document(c),
        signature=encode_signature(c.signature),
        key_id=c.key_id,
        status=view.status,
        issued_at=c.issued_at,
        expires_at=c.expires_at,
        revoked_at=c.revoked_at,
        revocation_reason=c.revocation_reason,
        pledged=view.pledged,
        pledge=PledgeRead.model_validate(view.pledge) if view.pledge is not None else None,
    )


# --- assets and applications ---------------------------------------------------------------


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
        PersonalInformationBasisRequired,
    ),
)
async def apply_for_registration(body: AssetCreate, ctx: HolderContext) -> AssetDetail:
    """Apply to register a data resource or product as an asset (首次登记申请)."""
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


@router.get("/assets/{asset_id}", operation_id="get_asset", responses=responses(AssetNotFound))
async def get_asset(asset_id: str, ctx: ActorContext) -> AssetDetail:
    """An asset with its open application, certificate and latest valuation."""
    return asset_detail(ctx, await service.asset_view(ctx, asset_id))


@router.get(
    "/assets/{asset_id}/applications",
    operation_id="list_asset_applications_of_asset",
    responses=responses(AssetNotFound),
)
async def list_applications(asset_id: str, ctx: ActorContext) -> list[ApplicationRead]:
    """An asset's applications (initial, change, cancellation) with their reviews."""
    return [application_read(v) for v in await service.list_applications(ctx, asset_id=asset_id)]


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
    ),
)
async def apply_for_change(
    asset_id: str, body: ApplicationCreate, ctx: ActorContext
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


@router.get(
    "/assets/{asset_id}/reviews",
    operation_id="list_asset_reviews",
    responses=responses(AssetNotFound),
)
async def list_reviews(asset_id: str, ctx: ActorContext) -> list[ReviewRead]:
    """Every review of the asset's applications."""
    return [
        ReviewRead.model_validate(r) for r in await service.list_reviews(ctx, asset_id=asset_id)
    ]


@router.post(
    "/assets/{asset_id}/reviews",
    status_code=201,
    operation_id="review_asset_application",
    responses=responses(
        AssetNotFound, Forbidden, SelfReview, AlreadyReviewed, NoOpenApplication, CertificatePledged
    ),
)
async def review(asset_id: str, body: ReviewCreate, ctx: ActorContext) -> ApplicationRead:
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
async def list_objections(asset_id: str, ctx: ActorContext) -> list[ObjectionRead]:
    """Objections: all for the holder and overseers, one's own for everyone else."""
    rows = await service.list_objections(ctx, asset_id=asset_id)
    return [ObjectionRead.model_validate(o) for o in rows]


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
    asset_id: str, objection_id: str, body: ObjectionDecisionCreate, ctx: ActorContext
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
    return asset_detail(ctx, await service.asset_view(ctx, asset.id))


@router.post(
    "/assets/{asset_id}/revocation",
    operation_id="revoke_asset_registration",
    responses=responses(AssetNotFound, Forbidden, AssetNotRegistered),
)
async def revoke(asset_id: str, body: RevocationCreate, ctx: ActorContext) -> AssetDetail:
    """Revocation by the registry (撤销登记; admins, regulators): the certificate is revoked."""
    asset = await service.revoke_asset(ctx, asset_id=asset_id, reason=body.reason)
    return asset_detail(ctx, await service.asset_view(ctx, asset.id))


@router.get(
    "/assets/{asset_id}/valuations",
    operation_id="list_asset_valuations",
    responses=responses(AssetNotFound),
)
async def list_valuations(asset_id: str, ctx: ActorContext) -> list[ValuationRead]:
    """An asset's valuation reports, newest first."""
    rows = await service.list_valuations(ctx, asset_id=asset_id)
    return [ValuationRead.model_validate(v) for v in rows]


@router.post(
    "/assets/{asset_id}/valuations",
    status_code=201,
    operation_id="value_asset",
    responses=responses(AssetNotFound, Forbidden, AssetStateConflict, InvalidInput),
)
async def value_asset(asset_id: str, body: ValuationCreate, ctx: ActorContext) -> ValuationRead:
    """Value an asset by the cost, income or market method; the report is stored."""
    report: AssetValuation = await service.value_asset(
        ctx,
        asset_id=asset_id,
        method=ValuationMethod(body.method),
        inputs=body.model_dump(exclude={"method"}),
        comparables=traded_comparables,
    )
    return ValuationRead.model_validate(report)


# --- certificates --------------------------------------------------------------------------


@router.get("/certificates", operation_id="list_certificates", tags=["certificates"])
async def list_certificates(
    ctx: ActorContext,
    holder_id: Annotated[str | None, Query(max_length=36)] = None,
    asset_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> CertificatePage:
    """Certificates one holds (overseers: all, filtered by holder or asset)."""
    views, total = await service.list_certificates(
        ctx, holder_id=holder_id, asset_id=asset_id, limit=limit, offset=offset
    )
    return CertificatePage(items=[certificate_read(v) for v in views], total=total)


@router.get(
    "/certificates/issuer-key", operation_id="get_certificate_issuer_key", tags=["certificates"]
)
async def issuer_key(runtime: RuntimeDep) -> IssuerKeyRead:
    """The registry's Ed25519 public key that signs certificates (no authentication)."""
    key = service.registry_key(runtime)
    return IssuerKeyRead(
        issuer=ISSUER_NAME,
        algorithm="ed25519",
        public_key=encode_signature(key.public_raw),
        key_id=key.key_id,
    )


@router.get(
    "/certificates/revocations",
    operation_id="get_certificate_revocation_list",
    tags=["certificates"],
)
async def revocation_list(ctx: ActorContext) -> RevocationListRead:
    """The registry's signed list of revoked certificates (撤销清单), for offline checks."""
    signed = await service.revocation_list(ctx)
    return RevocationListRead(
        document=json.loads(signed.document),
        signature=encode_signature(signed.signature),
        key_id=signed.key_id,
    )


@router.post("/certificates/verify", operation_id="verify_certificate", tags=["certificates"])
async def verify(body: CertificateVerify, ctx: ActorContext) -> VerificationRead:
    """Check a presented certificate: signature, register, revocation, expiry and pledge."""
    found = await service.verify_presented(ctx, document=body.document, signature=body.signature)
    return VerificationRead(
        status=found.result.status,
        accepted=found.result.accepted,
        number=found.result.number,
        detail=found.result.detail,
        revocation_reason=found.revocation_reason,
        pledged=found.pledged,
        checked_at=ctx.clock.now(),
    )


@router.get(
    "/certificates/{number}",
    operation_id="get_certificate",
    tags=["certificates"],
    responses=responses(CertificateNotFound),
)
async def get_certificate(number: str, ctx: ActorContext) -> CertificateRead:
    """A certificate: document, signature (base64) and status; pledged or not, not to whom."""
    return certificate_read(await service.certificate_view(ctx, number))


# --- pledges -------------------------------------------------------------------------------


@router.post(
    "/pledges",
    status_code=201,
    operation_id="record_pledge",
    tags=["pledges"],
    responses=responses(
        Forbidden,
        CertificateNotFound,
        CertificateNotValid,
        CertificateAlreadyPledged,
        AssetNotRegistered,
        ApplicationOpen,
    ),
)
async def record_pledge(body: PledgeCreate, ctx: LenderContext) -> PledgeRead:
    """A lender records a pledge of a certificate (质押登记); the holder then confirms it."""
    pledge = await service.record_pledge(
        ctx,
        certificate_number=body.certificate_number,
        loan_reference=body.loan_reference,
        amount_fen=body.amount_fen,
    )
    return PledgeRead.model_validate(pledge)


@router.get("/pledges", operation_id="list_pledges", tags=["pledges"])
async def list_pledges(
    ctx: ActorContext,
    certificate_number: Annotated[str | None, Query(max_length=32)] = None,
    status: PledgeStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> PledgePage:
    """Pledges one is lender or holder of (regulators: all)."""
    rows, total = await service.list_pledges(
        ctx, certificate_number=certificate_number, status=status, limit=limit, offset=offset
    )
    return PledgePage(items=[PledgeRead.model_validate(p) for p in rows], total=total)


@router.get(
    "/pledges/{pledge_id}",
    operation_id="get_pledge",
    tags=["pledges"],
    responses=responses(PledgeNotFound),
)
async def get_pledge(pledge_id: str, ctx: ActorContext) -> PledgeRead:
    """A pledge (its lender, its holder and regulators)."""
    return PledgeRead.model_validate(await service.get_pledge(ctx, pledge_id))


@router.post(
    "/pledges/{pledge_id}/confirm",
    operation_id="confirm_pledge",
    tags=["pledges"],
    responses=responses(
        PledgeNotFound,
        Forbidden,
        PledgeStateConflict,
        CertificateAlreadyPledged,
        CertificateNotValid,
        ApplicationOpen,
    ),
)
async def confirm_pledge(pledge_id: str, ctx: ActorContext) -> PledgeRead:
    """The holder confirms a recorded pledge: the certificate is pledged from now on."""
    return PledgeRead.model_validate(await service.confirm_pledge(ctx, pledge_id=pledge_id))


@router.post(
    "/pledges/{pledge_id}/decline",
    operation_id="decline_pledge",
    tags=["pledges"],
    responses=responses(PledgeNotFound, Forbidden, PledgeStateConflict),
)
async def decline_pledge(pledge_id: str, ctx: ActorContext) -> PledgeRead:
    """The holder declines a pledge recorded against its certificate."""
    return PledgeRead.model_validate(await service.decline_pledge(ctx, pledge_id=pledge_id))


@router.post(
    "/pledges/{pledge_id}/release",
    operation_id="release_pledge",
    tags=["pledges"],
    responses=responses(PledgeNotFound, Forbidden, PledgeStateConflict),
)
async def release_pledge(pledge_id: str, ctx: ActorContext) -> PledgeRead:
    """The lender releases its pledge (解除质押), or withdraws one not yet confirmed."""
    return PledgeRead.model_validate(await service.release_pledge(ctx, pledge_id=pledge_id))
