"""Data-asset registration (数据资产登记): the register's reads and the holders' applications.

The path of an asset: a holder applies (首次登记) → compliance reviewers approve with a quorum
(合规审查) → publicity (公示) during which anyone may object (异议) and regulators decide →
registration with a signed certificate (数据资产凭证). Registered assets may be changed
(变更登记) or cancelled (注销登记) by the same path. This module holds the reads and the
applications; `review.service` the review, publicity and registration. The bulk functions take
many assets at once so that pilots run in batched units of work; the single-asset functions
call them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row

from exchange.assets import access
from exchange.assets.certificates import repository as certificates_repository
from exchange.assets.certificates.errors import CertificatePledged
from exchange.assets.certificates.models import Certificate
from exchange.assets.registry import repository
from exchange.assets.registry.errors import (
    ApplicationOpen,
    AssetNotFound,
    AssetNotRegistered,
    NoChange,
)
from exchange.assets.registry.models import (
    ApplicationKind,
    ApplicationStatus,
    Asset,
    AssetApplication,
    AssetStatus,
)
from exchange.assets.registry.rules import AssetDraft, SourceItem, check_draft, check_sources
from exchange.assets.review import repository as review_repository
from exchange.assets.review.models import AssetReview
from exchange.assets.valuation import repository as valuation_repository
from exchange.assets.valuation.models import AssetValuation
from exchange.catalog.errors import ItemNotFound
from exchange.catalog.items import service as catalog_service
from exchange.context import Context, Principal
from exchange.dataspaces.consents import lawful
from exchange.dataspaces.vocabulary import ConsentPurpose, ConsentUse, LawfulBasis
from exchange.errors import Forbidden, InvalidInput
from exchange.operation.grants import service as grants_service
from exchange.operation.vocabulary import Purpose
from exchange.participants import service as participants_service
from exchange.vocabulary import DataGrade, DataRight, ProductForm

if TYPE_CHECKING:
    from exchange.dataspaces.consents.models import Consent

NULLABLE_FIELDS = frozenset({"personal_information_basis", "lawful_basis", "purpose"})


async def get_asset(
    ctx: Context, asset_id: str, *, fresh: bool = False, lock: bool = False
) -> Asset:
    """An asset the caller may see (404 otherwise); `fresh` re-reads it after bulk writes,
    `lock` holds it until commit so that concurrent changes to one asset queue."""
    asset = await repository.get_asset(ctx.session, asset_id, fresh=fresh, lock=lock)
    if asset is None or not access.may_see(ctx, asset):
        raise AssetNotFound(f"No data asset {asset_id!r}.")
    return asset


async def asset_rows(ctx: Context, asset_ids: Sequence[str]) -> list[Row[Any]]:
    """Several assets as plain rows (bulk paths), each visible to the caller, in order."""
    found = await repository.asset_rows(ctx.session, asset_ids)
    rows = []
    for asset_id in asset_ids:
        row = found.get(asset_id)
        if row is None or not access.may_see(ctx, row):
            raise AssetNotFound(f"No data asset {asset_id!r}.")
        rows.append(row)
    return rows


def require_holder(ctx: Context, asset: Asset) -> Principal:
    actor = access.actor(ctx)
    if actor.id != asset.holder_id:
        raise Forbidden("Only the asset's holder may do this.")
    return actor


@dataclass(frozen=True, slots=True)
class AssetView:
    """An asset with what is shown beside it: holder, open application, certificate, value."""

    asset: Asset
    holder_name: str
    open_application: AssetApplication | None
    certificate: Certificate | None
    latest_valuation: AssetValuation | None


async def asset_view(ctx: Context, asset_id: str) -> AssetView:
    """An asset as its page shows it."""
    asset = await get_asset(ctx, asset_id)
    holder = await participants_service.get(ctx, asset.holder_id)
    open_apps = await repository.open_applications(ctx.session, [asset.id])
    valuations = await valuation_repository.latest_valuations(ctx.session, [asset.id])
    return AssetView(
        asset=asset,
        holder_name=holder.name,
        open_application=open_apps.get(asset.id),
        certificate=await certificates_repository.latest_certificate(ctx.session, asset.id),
        latest_valuation=valuations.get(asset.id),
    )


async def list_assets(
    ctx: Context,
    *,
    status: AssetStatus | None,
    holder_id: str | None,
    text: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Asset], int]:
    """A page of the assets the caller may see (published ones and its own)."""
    visible_to = None if access.oversees(ctx) else access.actor(ctx).id
    return await repository.list_assets(
        ctx.session,
        visible_to=visible_to,
        status=status,
        holder_id=holder_id,
        text=text,
        limit=limit,
        offset=offset,
    )


@dataclass(frozen=True, slots=True)
class ApplicationView:
    """An application with its reviews."""

    application: AssetApplication
    reviews: Sequence[AssetReview]


async def _with_reviews(
    ctx: Context, applications: Sequence[AssetApplication]
) -> list[ApplicationView]:
    reviews = await review_repository.list_reviews(ctx.session, [a.id for a in applications])
    by_app: dict[str, list[AssetReview]] = {}
    for review in reviews:
        by_app.setdefault(review.application_id, []).append(review)
    return [ApplicationView(a, by_app.get(a.id, [])) for a in applications]


async def list_applications(ctx: Context, *, asset_id: str) -> list[ApplicationView]:
    """An asset's applications with their reviews, oldest first."""
    asset = await get_asset(ctx, asset_id)
    return await _with_reviews(ctx, await repository.list_applications(ctx.session, asset.id))


async def application_queue(
    ctx: Context, *, status: ApplicationStatus | None, limit: int, offset: int
) -> tuple[list[ApplicationView], int]:
    """Applications oldest first: all of them for overseers, one's own otherwise."""
    holder_id = None if access.oversees(ctx) else access.actor(ctx).id
    rows, total = await repository.list_applications_page(
        ctx.session, status=status, holder_id=holder_id, limit=limit, offset=offset
    )
    return await _with_reviews(ctx, rows), total


def _draft_of(asset: Asset) -> AssetDraft:
    """The registered description of an asset."""
    return AssetDraft(
        name=asset.name,
        description=asset.description,
        product_form=ProductForm(asset.product_form),
        right=DataRight(asset.data_right),
        scenario=asset.scenario,
        grade=DataGrade(asset.grade),
        personal_information=asset.personal_information,
        fingerprint=asset.fingerprint,
        source_legality=asset.source_legality,
        personal_information_basis=asset.personal_information_basis,
        source_catalog_item_ids=tuple(asset.source_catalog_item_ids),
        purpose=Purpose(asset.purpose) if asset.purpose else None,
        lawful_basis=LawfulBasis(asset.lawful_basis) if asset.lawful_basis else None,
        consent_ids=tuple(asset.consent_ids),
    )


def draft_columns(draft: AssetDraft) -> dict[str, Any]:
    """The asset columns a description sets."""
    return {
        "name": draft.name,
        "description": draft.description,
        "product_form": draft.product_form.value,
        "data_right": draft.right.value,
        "scenario": draft.scenario or "",
        "grade": draft.grade.value,
        "personal_information": draft.personal_information,
        "fingerprint": draft.fingerprint,
        "source_legality": draft.source_legality,
        "personal_information_basis": draft.personal_information_basis,
        "source_catalog_item_ids": list(draft.source_catalog_item_ids),
        "purpose": draft.purpose.value if draft.purpose else None,
        "lawful_basis": draft.lawful_basis.value if draft.lawful_basis is not None else None,
        "consent_ids": list(draft.consent_ids),
    }


def _derived(draft: AssetDraft) -> grants_service.Derived:
    return grants_service.Derived(
        item_ids=draft.source_catalog_item_ids,
        purpose=draft.purpose,
        product_form=draft.product_form,
    )


async def _check_drafts(
    ctx: Context, holder: Principal, drafts: Sequence[AssetDraft]
) -> tuple[list[list[grants_service.Binding]], list[list[Consent]]]:
    """Refuse any draft the registry may not register, its source catalog items and the
    consents it relies on included. Returns each draft's grants (授权运营协议, 共享) under which
    it draws on public data that is not open, and its consents (held until commit)."""
    for draft in drafts:
        check_draft(draft, holder_role=holder.role)
    sources: dict[str, SourceItem] = {}
    for item_id in dict.fromkeys(i for draft in drafts for i in draft.source_catalog_item_ids):
        try:
            item = await catalog_service.get_item(ctx, item_id)
        except ItemNotFound:
            continue  # check_sources names it
        sources[item_id] = SourceItem(item.id, item.name_zh, DataGrade(item.grade.value))
    for draft in drafts:
        check_sources(draft, sources)
    bindings = [
        await grants_service.check_grants(ctx, holder=holder, product=_derived(draft))
        for draft in drafts
    ]
    consents = [
        await lawful.consents_for_use(
            ctx,
            consent_ids=draft.consent_ids,
            processor_id=holder.id,
            purpose=ConsentPurpose.PRODUCT_DEVELOPMENT,
            what="registering a data product made from the records",
        )
        if draft.lawful_basis is LawfulBasis.CONSENT
        else []
        for draft in drafts
    ]
    return bindings, consents


async def _record_derivations(
    ctx: Context,
    asset_ids: Sequence[str],
    holder_id: str,
    drafts: Sequence[AssetDraft],
    bindings: Sequence[Sequence[grants_service.Binding]],
) -> None:
    for asset_id, draft, found in zip(asset_ids, drafts, bindings, strict=True):
        await grants_service.record_derivations(
            ctx,
            asset_id=asset_id,
            holder_id=holder_id,
            asset_name=draft.name,
            product=_derived(draft),
            bindings=found,
        )


async def apply_for_registrations(ctx: Context, *, drafts: Sequence[AssetDraft]) -> list[str]:
    """Initial registration applications (首次登记) by the calling holder; the new asset ids."""
    holder = access.actor(ctx)
    if holder.role not in access.HOLDER_ROLES:
        raise Forbidden("Only departments and enterprises hold data assets.")
    bindings, relied_on = await _check_drafts(ctx, holder, drafts)
    now = ctx.clock.now()
    assets: list[dict[str, Any]] = []
    applications: list[dict[str, Any]] = []
    for draft, consents in zip(drafts, relied_on, strict=True):
        asset_id, application_id = ctx.ids.new(), ctx.ids.new()
        proposal = draft.as_json()
        assets.append(
            {
                "id": asset_id,
                "holder_id": holder.id,
                "status": AssetStatus.APPLIED.value,
                **draft_columns(draft),
                "version": 0,
                "created_at": now,
                "published_at": None,
                "registered_at": None,
                "closed_at": None,
                "close_reason": None,
            }
        )
        applications.append(
            {
                "id": application_id,
                "asset_id": asset_id,
                "kind": ApplicationKind.INITIAL.value,
                "status": ApplicationStatus.UNDER_REVIEW.value,
                "submitted_by": holder.id,
                "submitted_at": now,
                "proposed": proposal,
                "reason": "",
                "approvals": 0,
                "rejections": 0,
                "approved_at": None,
                "publicity_ends_at": None,
                "decided_at": None,
                "outcome_reason": None,
            }
        )
        ctx.audit(
            "asset.applied",
            subject_type="asset",
            subject_id=asset_id,
            payload={
                "application_id": application_id,
                "kind": ApplicationKind.INITIAL,
                "holder_id": holder.id,
                "proposed": proposal,
            },
        )
        lawful.record_use(
            ctx,
            consents,
            use=ConsentUse.ASSET_REGISTRATION,
            reference={"asset_id": asset_id, "application_id": application_id},
        )
    await repository.insert_rows(ctx.session, Asset, assets)
    await repository.insert_rows(ctx.session, AssetApplication, applications)
    asset_ids = [asset["id"] for asset in assets]
    await _record_derivations(ctx, asset_ids, holder.id, drafts, bindings)
    return asset_ids


async def apply_for_registration(ctx: Context, *, draft: AssetDraft) -> Asset:
    """An initial registration application (首次登记) by the calling holder."""
    (asset_id,) = await apply_for_registrations(ctx, drafts=[draft])
    return await get_asset(ctx, asset_id, fresh=True)


async def ensure_changeable(ctx: Context, asset: Asset, what: str) -> Certificate | None:
    if asset.status != AssetStatus.REGISTERED:
        raise AssetNotRegistered(
            f"Only a registered asset can be {what}; this one is {asset.status}."
        )
    if (await repository.open_applications(ctx.session, [asset.id])).get(asset.id) is not None:
        raise ApplicationOpen("The asset already has an open application; wait for its outcome.")
    certificate = (await certificates_repository.valid_certificates(ctx.session, [asset.id])).get(
        asset.id
    )
    if certificate is not None and certificate.pledge_id is not None:
        raise CertificatePledged(
            f"Certificate {certificate.number} is pledged; it cannot be {what} until the lender "
            "releases the pledge."
        )
    return certificate


def _new_application(
    ctx: Context,
    asset: Asset,
    *,
    kind: ApplicationKind,
    proposed: dict[str, Any] | None,
    reason: str,
) -> AssetApplication:
    application = AssetApplication(
        id=ctx.ids.new(),
        asset_id=asset.id,
        kind=kind,
        status=ApplicationStatus.UNDER_REVIEW,
        submitted_by=access.actor(ctx).id,
        submitted_at=ctx.clock.now(),
        proposed=proposed,
        reason=reason,
        approvals=0,
        rejections=0,
    )
    ctx.session.add(application)
    ctx.audit(
        "asset.applied",
        subject_type="asset",
        subject_id=asset.id,
        payload={
            "application_id": application.id,
            "kind": kind,
            "holder_id": asset.holder_id,
            "proposed": proposed,
            "reason": reason,
        },
    )
    return application


async def apply_for_change(
    ctx: Context, *, asset_id: str, changes: Mapping[str, Any], reason: str
) -> AssetApplication:
    """A change application (变更登记): the holder proposes new values for some fields."""
    asset = await get_asset(ctx, asset_id, lock=True)
    require_holder(ctx, asset)
    await ensure_changeable(ctx, asset, "changed")
    nulled = sorted(k for k, v in changes.items() if v is None and k not in NULLABLE_FIELDS)
    if nulled:
        raise InvalidInput(f"These fields cannot be cleared: {', '.join(nulled)}.")
    current = _draft_of(asset)
    for listed in ("source_catalog_item_ids", "consent_ids"):
        if listed in changes:
            changes = {**changes, listed: tuple(dict.fromkeys(changes[listed]))}
    proposed = current.changed(**changes)
    if proposed == current:
        raise NoChange("The application proposes the values already registered.")
    bindings, (consents,) = await _check_drafts(ctx, require_holder(ctx, asset), [proposed])
    application = _new_application(
        ctx, asset, kind=ApplicationKind.CHANGE, proposed=proposed.as_json(), reason=reason
    )
    lawful.record_use(
        ctx,
        consents,
        use=ConsentUse.ASSET_CHANGE,
        reference={"asset_id": asset.id, "application_id": application.id},
    )
    await _record_derivations(ctx, [asset.id], asset.holder_id, [proposed], bindings)
    await ctx.session.flush()
    return application


async def apply_for_cancellation(ctx: Context, *, asset_id: str, reason: str) -> AssetApplication:
    """A cancellation application (注销登记) by the holder."""
    asset = await get_asset(ctx, asset_id, lock=True)
    require_holder(ctx, asset)
    await ensure_changeable(ctx, asset, "cancelled")
    application = _new_application(
        ctx, asset, kind=ApplicationKind.CANCELLATION, proposed=None, reason=reason
    )
    await ctx.session.flush()
    return application


async def holder_asset_names(ctx: Context, holder_id: str) -> set[str]:
    """The names of the assets a participant holds (or has applied for): seeds skip those."""
    return await repository.holder_asset_names(ctx.session, holder_id)
