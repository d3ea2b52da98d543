"""Data-asset registration (数据资产登记): applications, review, publicity, certificates, pledges.

The path of an asset: a holder applies (首次登记) → compliance reviewers approve with a quorum
(合规审查) → publicity (公示) during which anyone may object (异议) and regulators decide →
registration with a signed certificate (数据资产凭证). Registered assets may be changed
(变更登记) or cancelled (注销登记) by the same path, revoked by the registry, valued
(价值评估), and pledged to lenders (质押). The bulk functions take many assets at once so
that pilots run in batched units of work; the single-asset functions call them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Row

from exchange.assets import certificates as certs
from exchange.assets import repository, valuation
from exchange.assets.errors import (
    REGISTRATION_RULE,
    AlreadyReviewed,
    ApplicationOpen,
    AssetNotFound,
    AssetNotRegistered,
    AssetStateConflict,
    CertificateAlreadyPledged,
    CertificateNotFound,
    CertificateNotValid,
    CertificatePledged,
    NoChange,
    NoOpenApplication,
    NotAssetHolder,
    ObjectionDecided,
    ObjectionNotFound,
    ObjectionOpen,
    OwnAssetObjection,
    PledgeNotFound,
    PledgeStateConflict,
    PublicityClosed,
    PublicityNotOver,
    SelfReview,
)
from exchange.assets.models import (
    CERTIFICATE_SEQUENCE,
    GRADE_LABELS,
    PRODUCT_FORM_LABELS,
    RIGHT_LABELS,
    ApplicationKind,
    ApplicationStatus,
    Asset,
    AssetApplication,
    AssetObjection,
    AssetReview,
    AssetStatus,
    AssetValuation,
    Certificate,
    CertificateState,
    ObjectionDecision,
    ObjectionStatus,
    Pledge,
    PledgeStatus,
    ReviewDecision,
    ValuationMethod,
)
from exchange.assets.rules import (
    AssetDraft,
    ReviewOutcome,
    SourceItem,
    check_draft,
    check_sources,
    publicity_ends_at,
    review_outcome,
)
from exchange.audit.note import load_or_create_signing_key
from exchange.catalog.errors import ItemNotFound
from exchange.catalog.items import service as catalog_service
from exchange.clock import rfc3339
from exchange.config import Settings
from exchange.context import Context, Principal, Runtime, Slot
from exchange.errors import Forbidden, InvalidInput
from exchange.participants import service as participants_service
from exchange.vocabulary import DataGrade, DataRight, ProductForm, Role

HOLDER_ROLES = frozenset({Role.DEPARTMENT, Role.ENTERPRISE})
OVERSEER_ROLES = frozenset({Role.ADMIN, Role.REGULATOR, Role.COMPLIANCE_REVIEWER})
REVOKER_ROLES = frozenset({Role.ADMIN, Role.REGULATOR})
VALUER_ROLES = frozenset({Role.ADMIN, Role.COMPLIANCE_REVIEWER})
NULLABLE_FIELDS = frozenset({"personal_information_basis"})
REGISTRY_KEY_FILE = "registry-ed25519.pem"
_REGISTRY_KEY: Slot[RegistryKey] = Slot("assets.registry_key")


class Visible(Protocol):
    """An asset as an ORM object or a plain row: what deciding its visibility reads."""

    @property
    def holder_id(self) -> str: ...

    @property
    def published_at(self) -> datetime | None: ...


# --- the registry's signing key ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegistryKey:
    """The registry's Ed25519 key that signs certificates, with its published parts."""

    private_key: Ed25519PrivateKey
    public_key: Ed25519PublicKey
    public_raw: bytes
    key_id: str


def load_registry_key(settings: Settings) -> RegistryKey:
    """Load the registry key from the key directory, creating it (mode 0600) the first time."""
    private = load_or_create_signing_key(settings.resolved_key_dir() / REGISTRY_KEY_FILE)
    raw = certs.public_key_raw(private)
    return RegistryKey(private, private.public_key(), raw, certs.key_id(raw))


def registry_key(runtime: Runtime) -> RegistryKey:
    """The registry key, loaded lazily once per runtime and cached on it."""
    return runtime.cache.get_or_make(_REGISTRY_KEY, lambda: load_registry_key(runtime.settings))


# --- who may see and do what ---------------------------------------------------------------


def _actor(ctx: Context) -> Principal:
    if ctx.actor is None:
        raise Forbidden("This action needs an authenticated participant.")
    return ctx.actor


def _oversees(ctx: Context) -> bool:
    """The registry itself (system), admins, regulators and compliance reviewers see all."""
    return ctx.actor is None or ctx.actor.role in OVERSEER_ROLES


def _may_see(ctx: Context, asset: Visible) -> bool:
    """Published assets are public (公示); before that only the holder and overseers see one."""
    return (
        _oversees(ctx)
        or asset.published_at is not None
        or (ctx.actor is not None and ctx.actor.id == asset.holder_id)
    )


async def get_asset(
    ctx: Context, asset_id: str, *, fresh: bool = False, lock: bool = False
) -> Asset:
    """An asset the caller may see (404 otherwise); `fresh` re-reads it after bulk writes,
    `lock` holds it until commit so that concurrent changes to one asset queue."""
    asset = await repository.get_asset(ctx.session, asset_id, fresh=fresh, lock=lock)
    if asset is None or not _may_see(ctx, asset):
        raise AssetNotFound(f"No data asset {asset_id!r}.")
    return asset


async def _asset_rows(ctx: Context, asset_ids: Sequence[str]) -> list[Row[Any]]:
    """Several assets as plain rows (bulk paths), each visible to the caller, in order."""
    found = await repository.asset_rows(ctx.session, asset_ids)
    rows = []
    for asset_id in asset_ids:
        row = found.get(asset_id)
        if row is None or not _may_see(ctx, row):
            raise AssetNotFound(f"No data asset {asset_id!r}.")
        rows.append(row)
    return rows


def _require_holder(ctx: Context, asset: Asset) -> Principal:
    actor = _actor(ctx)
    if actor.id != asset.holder_id:
        raise Forbidden("Only the asset's holder may do this.")
    return actor


def _unique(ids: Sequence[str]) -> list[str]:
    unique = list(dict.fromkeys(ids))
    if len(unique) != len(ids):
        raise InvalidInput("An asset appears more than once in the batch.")
    return unique


# --- reads ---------------------------------------------------------------------------------


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
    valuations = await repository.latest_valuations(ctx.session, [asset.id])
    return AssetView(
        asset=asset,
        holder_name=holder.name,
        open_application=open_apps.get(asset.id),
        certificate=await repository.latest_certificate(ctx.session, asset.id),
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
    visible_to = None if _oversees(ctx) else _actor(ctx).id
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
    reviews = await repository.list_reviews(ctx.session, [a.id for a in applications])
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
    holder_id = None if _oversees(ctx) else _actor(ctx).id
    rows, total = await repository.list_applications_page(
        ctx.session, status=status, holder_id=holder_id, limit=limit, offset=offset
    )
    return await _with_reviews(ctx, rows), total


async def list_reviews(ctx: Context, *, asset_id: str) -> Sequence[AssetReview]:
    """Every review of an asset's applications, oldest first."""
    asset = await get_asset(ctx, asset_id)
    applications = await repository.list_applications(ctx.session, asset.id)
    return await repository.list_reviews(ctx.session, [a.id for a in applications])


# --- applications --------------------------------------------------------------------------


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
    )


def _columns(draft: AssetDraft) -> dict[str, Any]:
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
    }


async def _check_drafts(ctx: Context, drafts: Sequence[AssetDraft]) -> None:
    """Refuse any draft the registry may not register, its source catalog items included."""
    for draft in drafts:
        check_draft(draft)
    sources: dict[str, SourceItem] = {}
    for item_id in dict.fromkeys(i for draft in drafts for i in draft.source_catalog_item_ids):
        try:
            item = await catalog_service.get_item(ctx, item_id)
        except ItemNotFound:
            continue  # check_sources names it
        sources[item_id] = SourceItem(item.id, item.name_zh, DataGrade(item.grade.value))
    for draft in drafts:
        check_sources(draft, sources)


async def apply_for_registrations(ctx: Context, *, drafts: Sequence[AssetDraft]) -> list[str]:
    """Initial registration applications (首次登记) by the calling holder; the new asset ids."""
    holder = _actor(ctx)
    if holder.role not in HOLDER_ROLES:
        raise Forbidden("Only departments and enterprises hold data assets.")
    await _check_drafts(ctx, drafts)
    now = ctx.clock.now()
    assets: list[dict[str, Any]] = []
    applications: list[dict[str, Any]] = []
    for draft in drafts:
        asset_id, application_id = ctx.ids.new(), ctx.ids.new()
        proposal = draft.as_json()
        assets.append(
            {
                "id": asset_id,
                "holder_id": holder.id,
                "status": AssetStatus.APPLIED.value,
                **_columns(draft),
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
    await repository.insert_rows(ctx.session, Asset, assets)
    await repository.insert_rows(ctx.session, AssetApplication, applications)
    return [asset["id"] for asset in assets]


async def apply_for_registration(ctx: Context, *, draft: AssetDraft) -> Asset:
    """An initial registration application (首次登记) by the calling holder."""
    (asset_id,) = await apply_for_registrations(ctx, drafts=[draft])
    return await get_asset(ctx, asset_id, fresh=True)


async def _ensure_changeable(ctx: Context, asset: Asset, what: str) -> Certificate | None:
    if asset.status != AssetStatus.REGISTERED:
        raise AssetNotRegistered(
            f"Only a registered asset can be {what}; this one is {asset.status}."
        )
    if (await repository.open_applications(ctx.session, [asset.id])).get(asset.id) is not None:
        raise ApplicationOpen("The asset already has an open application; wait for its outcome.")
    certificate = (await repository.valid_certificates(ctx.session, [asset.id])).get(asset.id)
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
        submitted_by=_actor(ctx).id,
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
    _require_holder(ctx, asset)
    await _ensure_changeable(ctx, asset, "changed")
    nulled = sorted(k for k, v in changes.items() if v is None and k not in NULLABLE_FIELDS)
    if nulled:
        raise InvalidInput(f"These fields cannot be cleared: {', '.join(nulled)}.")
    current = _draft_of(asset)
    if "source_catalog_item_ids" in changes:
        items = tuple(dict.fromkeys(changes["source_catalog_item_ids"]))
        changes = {**changes, "source_catalog_item_ids": items}
    proposed = current.changed(**changes)
    if proposed == current:
        raise NoChange("The application proposes the values already registered.")
    await _check_drafts(ctx, [proposed])
    application = _new_application(
        ctx, asset, kind=ApplicationKind.CHANGE, proposed=proposed.as_json(), reason=reason
    )
    await ctx.session.flush()
    return application


async def apply_for_cancellation(ctx: Context, *, asset_id: str, reason: str) -> AssetApplication:
    """A cancellation application (注销登记) by the holder."""
    asset = await get_asset(ctx, asset_id, lock=True)
    _require_holder(ctx, asset)
    await _ensure_changeable(ctx, asset, "cancelled")
    application = _new_application(
        ctx, asset, kind=ApplicationKind.CANCELLATION, proposed=None, reason=reason
    )
    await ctx.session.flush()
    return application


# --- compliance review ---------------------------------------------------------------------


async def review_applications(
    ctx: Context, *, asset_ids: Sequence[str], decision: ReviewDecision, reason: str
) -> list[str]:
    """One reviewer's decision on the open applications of several assets (合规审查).

    Returns the application ids. A quorum of approvals with no rejection starts publicity
    (or completes a cancellation); any rejection rejects the application.
    """
    reviewer = _actor(ctx)
    assets = await _asset_rows(ctx, _unique(asset_ids))
    # Checked before the role: the holder of an asset is told exactly why it may not review.
    for asset in assets:
        if asset.holder_id == reviewer.id:
            raise SelfReview("A participant cannot review its own application.")
    if reviewer.role is not Role.COMPLIANCE_REVIEWER:
        raise Forbidden("Only compliance reviewers (登记合规委员会) review applications.")
    open_apps = await repository.open_application_rows(ctx.session, [a.id for a in assets])
    applications = []
    for asset in assets:
        application = open_apps.get(asset.id)
        if application is None or application.status != ApplicationStatus.UNDER_REVIEW:
            raise NoOpenApplication(f"Asset {asset.id} has no application under review.")
        if application.submitted_by == reviewer.id:
            raise SelfReview("A participant cannot review its own application.")
        applications.append(application)
    if await repository.reviewed_by(ctx.session, reviewer.id, [a.id for a in applications]):
        raise AlreadyReviewed("This reviewer has already reviewed the application.")
    now = ctx.clock.now()
    quorum = ctx.settings.asset_review_quorum
    reviews: list[dict[str, Any]] = []
    app_updates: list[dict[str, Any]] = []
    asset_updates: list[dict[str, Any]] = []
    cancellations: list[tuple[Row[Any], Row[Any]]] = []
    for asset, application in zip(assets, applications, strict=True):
        reviews.append(
            {
                "id": ctx.ids.new(),
                "application_id": application.id,
                "asset_id": asset.id,
                "reviewer_id": reviewer.id,
                "decision": decision.value,
                "reason": reason,
                "created_at": now,
            }
        )
        approve = decision is ReviewDecision.APPROVE
        update: dict[str, Any] = {
            "id": application.id,
            "approvals": application.approvals + (1 if approve else 0),
            "rejections": application.rejections + (0 if approve else 1),
            "status": application.status,
            "approved_at": application.approved_at,
            "publicity_ends_at": application.publicity_ends_at,
            "decided_at": application.decided_at,
            "outcome_reason": application.outcome_reason,
        }
        outcome = review_outcome(
            approvals=update["approvals"], rejections=update["rejections"], quorum=quorum
        )
        payload: dict[str, Any] = {
            "application_id": application.id,
            "kind": application.kind,
            "decision": decision,
            "reason": reason,
            "approvals": update["approvals"],
            "rejections": update["rejections"],
            "outcome": outcome,
        }
        if outcome is ReviewOutcome.REJECTED:
            update.update(
                status=ApplicationStatus.REJECTED.value, decided_at=now, outcome_reason=reason
            )
            if application.kind == ApplicationKind.INITIAL:
                asset_updates.append(
                    _asset_state(asset, status=AssetStatus.REFUSED, closed_at=now, reason=reason)
                )
        elif outcome is ReviewOutcome.APPROVED:
            update["approved_at"] = now
            if application.kind == ApplicationKind.CANCELLATION:
                update.update(status=ApplicationStatus.COMPLETED.value, decided_at=now)
                cancellations.append((asset, application))
                asset_updates.append(
                    _asset_state(
                        asset,
                        status=AssetStatus.CANCELLED,
                        closed_at=now,
                        reason=application.reason,
                    )
                )
            else:
                ends = publicity_ends_at(now, ctx.settings.asset_publicity_working_days)
                update.update(status=ApplicationStatus.IN_PUBLICITY.value, publicity_ends_at=ends)
                payload["publicity_ends_at"] = ends
                if asset.published_at is None:
                    asset_updates.append(_asset_state(asset, published_at=now))
        app_updates.append(update)
        ctx.audit("asset.reviewed", subject_type="asset", subject_id=asset.id, payload=payload)
    if cancellations:
        await _cancel(ctx, cancellations)
    await repository.insert_rows(ctx.session, AssetReview, reviews)
    await repository.update_rows(ctx.session, AssetApplication, app_updates)
    await repository.update_rows(ctx.session, Asset, asset_updates)
    await ctx.session.flush()
    return [a.id for a in applications]


def _asset_state(
    asset: Row[Any],
    *,
    status: AssetStatus | None = None,
    published_at: datetime | None = None,
    closed_at: datetime | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """An update of an asset's state columns (always the same keys, so updates batch)."""
    return {
        "id": asset.id,
        "status": status.value if status is not None else asset.status,
        "published_at": published_at or asset.published_at,
        "closed_at": closed_at or asset.closed_at,
        "close_reason": reason if reason is not None else asset.close_reason,
    }


async def review_application(
    ctx: Context, *, asset_id: str, decision: ReviewDecision, reason: str
) -> AssetApplication:
    """One reviewer's decision on an asset's open application."""
    (application_id,) = await review_applications(
        ctx, asset_ids=[asset_id], decision=decision, reason=reason
    )
    application = await repository.get_application(ctx.session, application_id, fresh=True)
    assert application is not None
    return application


async def _cancel(ctx: Context, items: Sequence[tuple[Row[Any], Row[Any]]]) -> None:
    """Complete approved cancellations: the certificate is revoked (refused while pledged)."""
    valid = await repository.valid_certificates(ctx.session, [asset.id for asset, _ in items])
    for asset, application in items:
        certificate = valid.get(asset.id)
        if certificate is not None and certificate.pledge_id is not None:
            raise CertificatePledged(
                f"Certificate {certificate.number} is pledged; the cancellation can complete "
                "only after the lender releases it."
            )
        ctx.audit(
            "asset.cancelled",
            subject_type="asset",
            subject_id=asset.id,
            payload={"application_id": application.id, "reason": application.reason},
        )
        if certificate is not None:
            _revoke_certificate(
                ctx,
                certificate,
                f"注销登记 cancelled at the holder's request: {application.reason}",
            )


# --- publicity and objections --------------------------------------------------------------


async def _application_in_publicity(ctx: Context, asset: Asset) -> AssetApplication:
    open_apps = await repository.open_applications(ctx.session, [asset.id], lock=True)
    application = open_apps.get(asset.id)
    if application is None or application.status != ApplicationStatus.IN_PUBLICITY:
        raise NoOpenApplication(f"Asset {asset.id} has no application in publicity (公示).")
    return application


async def file_objection(ctx: Context, *, asset_id: str, grounds: str) -> AssetObjection:
    """An objection (异议) with grounds against an application during its publicity."""
    actor = _actor(ctx)
    asset = await get_asset(ctx, asset_id)
    if actor.role is Role.REGULATOR:
        raise Forbidden("Regulators decide objections; they do not raise them.")
    if actor.id == asset.holder_id:
        raise OwnAssetObjection("A holder cannot object to its own application.")
    application = await _application_in_publicity(ctx, asset)
    now = ctx.clock.now()
    assert application.publicity_ends_at is not None
    if now >= application.publicity_ends_at:
        raise PublicityClosed(
            f"The publicity period ended at {application.publicity_ends_at.isoformat()}; "
            "objections are no longer accepted."
        )
    objection = AssetObjection(
        id=ctx.ids.new(),
        application_id=application.id,
        asset_id=asset.id,
        objector_id=actor.id,
        grounds=grounds,
        status=ObjectionStatus.OPEN,
        created_at=now,
    )
    ctx.session.add(objection)
    ctx.audit(
        "asset.objection_filed",
        subject_type="asset",
        subject_id=asset.id,
        payload={
            "objection_id": objection.id,
            "application_id": application.id,
            "grounds": grounds,
        },
    )
    await ctx.session.flush()
    return objection


async def list_objections(ctx: Context, *, asset_id: str) -> Sequence[AssetObjection]:
    """An asset's objections: all for its holder and overseers, one's own for others."""
    asset = await get_asset(ctx, asset_id)
    sees_all = _oversees(ctx) or (ctx.actor is not None and ctx.actor.id == asset.holder_id)
    objector_id = None if sees_all else _actor(ctx).id
    return await repository.list_objections(ctx.session, asset.id, objector_id=objector_id)


async def decide_objection(
    ctx: Context,
    *,
    asset_id: str,
    objection_id: str,
    decision: ObjectionDecision,
    reason: str,
) -> AssetObjection:
    """A regulator upholds (the registration stops) or dismisses an objection."""
    actor = _actor(ctx)
    if actor.role is not Role.REGULATOR:
        raise Forbidden("Only regulators decide objections.")
    asset = await get_asset(ctx, asset_id)
    objection = await repository.get_objection(ctx.session, objection_id, lock=True)
    if objection is None or objection.asset_id != asset.id:
        raise ObjectionNotFound(f"No objection {objection_id!r} on asset {asset.id}.")
    if objection.status != ObjectionStatus.OPEN:
        raise ObjectionDecided(f"The objection was already {objection.status}.")
    now = ctx.clock.now()
    objection.status = (
        ObjectionStatus.UPHELD
        if decision is ObjectionDecision.UPHOLD
        else ObjectionStatus.DISMISSED
    )
    objection.decided_by = actor.id
    objection.decided_at = now
    objection.decision_reason = reason
    stopped = False
    if decision is ObjectionDecision.UPHOLD:
        open_apps = await repository.open_applications(ctx.session, [asset.id], lock=True)
        application = open_apps.get(asset.id)
        if application is not None and application.id == objection.application_id:
            application.status = ApplicationStatus.STOPPED
            application.decided_at = now
            application.outcome_reason = f"异议成立 objection upheld: {reason}"
            stopped = True
            if application.kind == ApplicationKind.INITIAL:
                asset.status = AssetStatus.REFUSED
                asset.closed_at = now
                asset.close_reason = application.outcome_reason
    ctx.audit(
        "asset.objection_decided",
        subject_type="asset",
        subject_id=asset.id,
        payload={
            "objection_id": objection.id,
            "application_id": objection.application_id,
            "decision": decision,
            "reason": reason,
            "registration_stopped": stopped,
        },
    )
    await ctx.session.flush()
    return objection


# --- registration and certificates ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    """A certificate issued for an asset."""

    asset_id: str
    number: str


@dataclass(frozen=True, slots=True)
class CertificateSubject:
    """What a certificate states about an asset as registered."""

    asset_id: str
    holder_id: str
    version: int
    name: str
    right: DataRight
    product_form: ProductForm
    scenario: str
    grade: DataGrade
    personal_information: bool
    fingerprint: str

    @classmethod
    def of(cls, asset: Any, *, holder_id: str, version: int) -> CertificateSubject:
        """From an asset (ORM object or row) as it stands."""
        return cls(
            asset.id,
            holder_id,
            version,
            asset.name,
            DataRight(asset.data_right),
            ProductForm(asset.product_form),
            asset.scenario,
            DataGrade(asset.grade),
            asset.personal_information,
            asset.fingerprint,
        )

    @classmethod
    def of_draft(
        cls, asset_id: str, draft: AssetDraft, *, holder_id: str, version: int
    ) -> CertificateSubject:
        """From a description about to be registered."""
        return cls(
            asset_id,
            holder_id,
            version,
            draft.name,
            draft.right,
            draft.product_form,
            draft.scenario or "",
            draft.grade,
            draft.personal_information,
            draft.fingerprint,
        )


async def finalize_registrations(
    ctx: Context, *, asset_ids: Sequence[str]
) -> list[IssuedCertificate]:
    """Register assets whose publicity is over with no open objection, issuing certificates."""
    if ctx.actor is not None and ctx.actor.role is Role.REGULATOR:
        raise Forbidden("Regulators read the register; they do not complete registrations.")
    assets = await _asset_rows(ctx, _unique(asset_ids))
    open_apps = await repository.open_application_rows(ctx.session, [a.id for a in assets])
    now = ctx.clock.now()
    applications = []
    for asset in assets:
        application = open_apps.get(asset.id)
        if application is None or application.status != ApplicationStatus.IN_PUBLICITY:
            raise NoOpenApplication(f"Asset {asset.id} has no application in publicity (公示).")
        if now < application.publicity_ends_at:
            raise PublicityNotOver(
                f"Publicity of asset {asset.id} runs until "
                f"{application.publicity_ends_at.isoformat()}."
            )
        applications.append(application)
    if await repository.with_open_objections(ctx.session, [a.id for a in applications]):
        raise ObjectionOpen("An objection (异议) is still open; a regulator must decide it first.")
    pairs = list(zip(assets, applications, strict=True))
    changes = [asset.id for asset, app in pairs if app.kind == ApplicationKind.CHANGE]
    superseded = await repository.valid_certificates(ctx.session, changes) if changes else {}
    proposed = (
        await repository.proposals(
            ctx.session, [app.id for _, app in pairs if app.kind == ApplicationKind.CHANGE]
        )
        if changes
        else {}
    )
    registered: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    subjects: list[CertificateSubject] = []
    for asset, application in pairs:
        version = asset.version + 1
        state = {
            "id": asset.id,
            "status": AssetStatus.REGISTERED.value,
            "version": version,
            "registered_at": now,
        }
        if application.kind == ApplicationKind.CHANGE:
            old = superseded.get(asset.id)
            if old is not None:
                if old.pledge_id is not None:
                    raise CertificatePledged(f"Certificate {old.number} is pledged.")
                _revoke_certificate(ctx, old, "变更登记 superseded by a change registration")
            draft = AssetDraft.from_json(proposed[application.id])
            changed.append({**state, **_columns(draft)})
            subject = CertificateSubject.of_draft(
                asset.id, draft, holder_id=asset.holder_id, version=version
            )
        else:
            registered.append(state)
            subject = CertificateSubject.of(asset, holder_id=asset.holder_id, version=version)
        subjects.append(subject)
        ctx.audit(
            "asset.registered",
            subject_type="asset",
            subject_id=asset.id,
            payload={
                "application_id": application.id,
                "kind": application.kind,
                "version": version,
            },
        )
    await repository.update_rows(ctx.session, Asset, registered)
    await repository.update_rows(ctx.session, Asset, changed)
    await repository.update_rows(
        ctx.session,
        AssetApplication,
        [
            {"id": a.id, "status": ApplicationStatus.COMPLETED.value, "decided_at": now}
            for a in applications
        ],
    )
    issued = await _issue_certificates(ctx, subjects)
    await ctx.session.flush()
    return issued


async def finalize_registration(ctx: Context, *, asset_id: str) -> Asset:
    """Register one asset after its publicity (anyone may ask once the period is over)."""
    await finalize_registrations(ctx, asset_ids=[asset_id])
    return await get_asset(ctx, asset_id, fresh=True)


async def finalize_due(ctx: Context, *, limit: int) -> list[IssuedCertificate]:
    """Register every asset (up to `limit`) whose publicity ended with no open objection."""
    asset_ids = await repository.due_application_asset_ids(
        ctx.session, now=ctx.clock.now(), limit=limit
    )
    if not asset_ids:
        return []
    return await finalize_registrations(ctx, asset_ids=asset_ids)


def _valuation_summary(report: AssetValuation | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {
        "report_id": report.id,
        "method": str(report.method),
        "value_fen": report.value_fen,
        "conclusion": report.conclusion,
        "valued_at": rfc3339(report.created_at),
    }


async def _issue_certificates(
    ctx: Context, subjects: Sequence[CertificateSubject]
) -> list[IssuedCertificate]:
    """Sign and store one certificate per subject (numbers allocated in one step)."""
    if not subjects:
        return []
    key = registry_key(ctx.runtime)
    now = ctx.clock.now()
    expires_at = certs.add_years(now, certs.VALIDITY_YEARS)
    holder_names: dict[str, str] = {}
    for holder_id in dict.fromkeys(subject.holder_id for subject in subjects):
        holder_names[holder_id] = (await participants_service.get(ctx, holder_id)).name
    valuations = await repository.latest_valuations(ctx.session, [s.asset_id for s in subjects])
    first = await repository.allocate(ctx.session, CERTIFICATE_SEQUENCE, len(subjects))
    rows: list[dict[str, Any]] = []
    issued = []
    for offset, subject in enumerate(subjects):
        facts = certs.CertificateFacts(
            number=certs.certificate_number(now.year, first + offset),
            asset_id=subject.asset_id,
            asset_name=subject.name,
            asset_version=subject.version,
            holder_id=subject.holder_id,
            holder_name=holder_names[subject.holder_id],
            right=subject.right.value,
            right_label=RIGHT_LABELS[subject.right],
            product_form=subject.product_form.value,
            product_form_label=PRODUCT_FORM_LABELS[subject.product_form],
            scenario=subject.scenario,
            grade=subject.grade.value,
            grade_label=GRADE_LABELS[subject.grade],
            personal_information=subject.personal_information,
            fingerprint=subject.fingerprint,
            valuation=_valuation_summary(valuations.get(subject.asset_id)),
            issued_at=now,
            expires_at=expires_at,
            key_id=key.key_id,
        )
        document, signature = certs.sign_document(
            certs.certificate_document(facts), key.private_key
        )
        rows.append(
            {
                "number": facts.number,
                "asset_id": subject.asset_id,
                "holder_id": subject.holder_id,
                "document": document,
                "signature": signature,
                "key_id": key.key_id,
                "issued_at": now,
                "expires_at": expires_at,
                "state": CertificateState.VALID.value,
                "revoked_at": None,
                "revocation_reason": None,
                "pledge_id": None,
            }
        )
        ctx.audit(
            "certificate.issued",
            subject_type="certificate",
            subject_id=facts.number,
            payload={
                "asset_id": subject.asset_id,
                "holder_id": subject.holder_id,
                "asset_version": subject.version,
                "document_sha256": hashlib.sha256(document).hexdigest(),
                "key_id": key.key_id,
                "expires_at": expires_at,
            },
        )
        issued.append(IssuedCertificate(subject.asset_id, facts.number))
    await repository.insert_rows(ctx.session, Certificate, rows)
    return issued


def _revoke_certificate(ctx: Context, certificate: Certificate, reason: str) -> None:
    certificate.state = CertificateState.REVOKED
    certificate.revoked_at = ctx.clock.now()
    certificate.revocation_reason = reason
    ctx.audit(
        "certificate.revoked",
        subject_type="certificate",
        subject_id=certificate.number,
        payload={"asset_id": certificate.asset_id, "reason": reason},
    )


async def revoke_asset(ctx: Context, *, asset_id: str, reason: str) -> Asset:
    """Revocation by the registry (撤销登记): admins and regulators; the certificate is revoked."""
    actor = _actor(ctx)
    if actor.role not in REVOKER_ROLES:
        raise Forbidden("Only the registry (admins) or regulators revoke registrations.")
    # Locks in the same order as review and finalization (application, then asset).
    open_apps = await repository.open_applications(ctx.session, [asset_id], lock=True)
    application = open_apps.get(asset_id)
    asset = await get_asset(ctx, asset_id, lock=True)
    if asset.status != AssetStatus.REGISTERED:
        raise AssetNotRegistered(
            f"Only a registered asset can be revoked; this one is {asset.status}."
        )
    now = ctx.clock.now()
    if application is not None:
        application.status = ApplicationStatus.CLOSED
        application.decided_at = now
        application.outcome_reason = f"registration revoked: {reason}"
    asset.status = AssetStatus.REVOKED
    asset.closed_at = now
    asset.close_reason = reason
    ctx.audit(
        "asset.revoked",
        subject_type="asset",
        subject_id=asset.id,
        payload={
            "reason": reason,
            "closed_application_id": application.id if application is not None else None,
        },
    )
    certificate = (await repository.valid_certificates(ctx.session, [asset.id])).get(asset.id)
    if certificate is not None:
        _revoke_certificate(ctx, certificate, f"撤销登记 revoked by the registry: {reason}")
    await ctx.session.flush()
    return asset


async def transfer_asset(
    ctx: Context, *, asset_id: str, to_holder_id: str, reason: str
) -> Certificate:
    """Transfer a registered asset to another holder (for trading): a new certificate is issued.

    A pledged certificate cannot be transferred until its lender releases the pledge.
    """
    asset = await get_asset(ctx, asset_id, lock=True)
    if ctx.actor is not None and ctx.actor.id != asset.holder_id:
        raise Forbidden("Only the holder (or the exchange's settlement) transfers an asset.")
    old = await _ensure_changeable(ctx, asset, "transferred")
    new_holder = await participants_service.get(ctx, to_holder_id)
    if new_holder.id == asset.holder_id:
        raise AssetStateConflict("The asset already belongs to that participant.")
    if Role(new_holder.role) not in HOLDER_ROLES:
        raise AssetStateConflict("Only departments and enterprises hold data assets.")
    if old is not None:
        _revoke_certificate(ctx, old, f"转让 transferred to {new_holder.id}: {reason}")
    previous = asset.holder_id
    asset.holder_id = new_holder.id
    asset.version += 1
    ctx.audit(
        "asset.transferred",
        subject_type="asset",
        subject_id=asset.id,
        payload={"from_holder_id": previous, "to_holder_id": new_holder.id, "reason": reason},
    )
    (issued,) = await _issue_certificates(
        ctx, [CertificateSubject.of(asset, holder_id=new_holder.id, version=asset.version)]
    )
    await ctx.session.flush()
    certificate = await repository.get_certificate(ctx.session, issued.number)
    assert certificate is not None
    return certificate


# --- certificate status and verification ---------------------------------------------------


def certificate_status(ctx: Context, certificate: Certificate) -> certs.VerificationStatus:
    """valid, expired, revoked or pledged, as of now."""
    if certificate.state == CertificateState.REVOKED:
        return certs.VerificationStatus.REVOKED
    if ctx.clock.now() >= certificate.expires_at:
        return certs.VerificationStatus.EXPIRED
    if certificate.pledge_id is not None:
        return certs.VerificationStatus.PLEDGED
    return certs.VerificationStatus.VALID


def _sees_pledgee(ctx: Context, pledge: Pledge) -> bool:
    actor = ctx.actor
    return (
        actor is None
        or actor.role is Role.REGULATOR
        or actor.id in (pledge.lender_id, pledge.holder_id)
    )


@dataclass(frozen=True, slots=True)
class CertificateView:
    """A certificate, its status now, and its pledge if the caller may see who holds it."""

    certificate: Certificate
    status: certs.VerificationStatus
    pledged: bool
    pledge: Pledge | None


async def certificate_view(ctx: Context, number: str) -> CertificateView:
    """A certificate by number: anyone with the number sees whether it is pledged, not to whom."""
    certificate = await repository.get_certificate(ctx.session, number)
    if certificate is None:
        raise CertificateNotFound(f"No certificate {number!r}.")
    pledge = None
    if certificate.pledge_id is not None:
        found = await repository.get_pledge(ctx.session, certificate.pledge_id)
        pledge = found if found is not None and _sees_pledgee(ctx, found) else None
    return CertificateView(
        certificate=certificate,
        status=certificate_status(ctx, certificate),
        pledged=certificate.pledge_id is not None,
        pledge=pledge,
    )


async def list_certificates(
    ctx: Context, *, holder_id: str | None, asset_id: str | None, limit: int, offset: int
) -> tuple[list[CertificateView], int]:
    """Certificates: overseers see all; others see the ones they hold."""
    if not _oversees(ctx):
        holder_id = _actor(ctx).id
    rows, total = await repository.list_certificates(
        ctx.session, holder_id=holder_id, asset_id=asset_id, limit=limit, offset=offset
    )
    views = [
        CertificateView(c, certificate_status(ctx, c), c.pledge_id is not None, None) for c in rows
    ]
    return views, total


@dataclass(frozen=True, slots=True)
class RegistryVerification:
    """The registry's answer about a presented certificate."""

    result: certs.VerificationResult
    revocation_reason: str | None
    pledged: bool


async def verify_presented(ctx: Context, *, document: Any, signature: str) -> RegistryVerification:
    """Check a presented document and signature against the key and the register."""
    key = registry_key(ctx.runtime)
    now = ctx.clock.now()
    offline = certs.verify_certificate_offline(document, signature, key.public_key, now=now)
    if offline.status in (
        certs.VerificationStatus.BAD_SIGNATURE,
        certs.VerificationStatus.MALFORMED,
    ):
        return RegistryVerification(offline, None, False)
    number = offline.number or ""
    certificate = await repository.get_certificate(ctx.session, number)
    if certificate is None or certificate.document != certs.canonical_json(document):
        result = certs.VerificationResult(
            certs.VerificationStatus.UNKNOWN_CERTIFICATE,
            offline.number,
            "The register holds no such certificate document.",
        )
        return RegistryVerification(result, None, False)
    status = certificate_status(ctx, certificate)
    details = {
        certs.VerificationStatus.REVOKED: f"Revoked: {certificate.revocation_reason}",
        certs.VerificationStatus.EXPIRED: offline.detail,
        certs.VerificationStatus.PLEDGED: "Genuine and in force, and pledged (质押中).",
        certs.VerificationStatus.VALID: "Genuine and in force.",
    }
    return RegistryVerification(
        certs.VerificationResult(
            status,
            certificate.number,
            details[status],
            revocation_reason=certificate.revocation_reason,
            revocations_as_of=now,
        ),
        certificate.revocation_reason,
        certificate.pledge_id is not None,
    )


@dataclass(frozen=True, slots=True)
class SignedRevocationList:
    """The registry's revocation list: canonical document bytes and their signature."""

    document: bytes
    signature: bytes
    key_id: str


async def revocation_list(ctx: Context) -> SignedRevocationList:
    """Every revoked certificate in a document signed like certificates (撤销清单), as of now."""
    key = registry_key(ctx.runtime)
    revoked = []
    for number, revoked_at, reason in await repository.revoked_certificates(ctx.session):
        assert revoked_at is not None  # set whenever a certificate is revoked
        revoked.append(certs.Revocation(number, revoked_at, reason or ""))
    document, signature = certs.sign_document(
        certs.revocation_list_document(
            issued_at=ctx.clock.now(), key_id=key.key_id, revoked=revoked
        ),
        key.private_key,
    )
    return SignedRevocationList(document, signature, key.key_id)


def parse_document(certificate: Certificate) -> dict[str, Any]:
    """The stored canonical document as a JSON object."""
    document: dict[str, Any] = json.loads(certificate.document)
    return document


# --- the service trading calls -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListableAsset:
    """A registered asset that its holder may list on an exchange (无登记不交易)."""

    asset_id: str
    name: str
    holder_id: str
    version: int
    product_form: ProductForm
    right: DataRight
    scenario: str
    grade: DataGrade
    personal_information: bool
    fingerprint: str
    certificate_number: str
    certificate_status: certs.VerificationStatus
    pledged: bool


async def listable_asset(ctx: Context, asset_id: str, holder_id: str) -> ListableAsset:
    """The asset as trading needs it, or a clear refusal: not registered, no valid certificate,
    or not held by `holder_id`."""
    found = await repository.asset_with_valid_certificate(ctx.session, asset_id)
    if found is None:
        raise AssetNotFound(f"No data asset {asset_id!r}.")
    asset, certificate = found
    if asset.holder_id != holder_id:
        raise NotAssetHolder(f"Participant {holder_id} does not hold asset {asset_id}.")
    if asset.status != AssetStatus.REGISTERED:
        raise AssetNotRegistered(
            f"Asset {asset_id} is {asset.status}, not registered ({REGISTRATION_RULE}).",
            rule=REGISTRATION_RULE,
        )
    status = certificate_status(ctx, certificate) if certificate is not None else None
    if certificate is None or status not in certs.ACCEPTED_STATUSES:
        raise CertificateNotValid(f"Asset {asset_id} has no certificate in force.")
    assert status is not None
    return ListableAsset(
        asset_id=asset.id,
        name=asset.name,
        holder_id=asset.holder_id,
        version=asset.version,
        product_form=ProductForm(asset.product_form),
        right=DataRight(asset.data_right),
        scenario=asset.scenario,
        grade=DataGrade(asset.grade),
        personal_information=asset.personal_information,
        fingerprint=asset.fingerprint,
        certificate_number=certificate.number,
        certificate_status=status,
        pledged=certificate.pledge_id is not None,
    )


# --- valuation -----------------------------------------------------------------------------

# Prices (fen) of settled trades comparable to an asset. Trading imports this domain, so the
# source is passed in where the two meet (the router) rather than imported here.
ComparablesSource = Callable[[Context, Asset], Awaitable[Sequence[int]]]


async def value_asset(
    ctx: Context,
    *,
    asset_id: str,
    method: ValuationMethod,
    inputs: Mapping[str, Any],
    comparables: ComparablesSource,
) -> AssetValuation:
    """Value an asset by one method and store the report (holder, compliance reviewers, admins)."""
    actor = _actor(ctx)
    asset = await get_asset(ctx, asset_id)
    if actor.id != asset.holder_id and actor.role not in VALUER_ROLES:
        raise Forbidden("Only the holder, compliance reviewers and admins value an asset.")
    if asset.status not in (AssetStatus.APPLIED, AssetStatus.REGISTERED):
        raise AssetStateConflict(f"A {asset.status} asset is no longer valued.")
    try:
        if method is ValuationMethod.COST:
            result = valuation.cost_value(
                acquisition_fen=inputs["acquisition_fen"],
                processing_fen=inputs["processing_fen"],
                maintenance_fen=inputs["maintenance_fen"],
            )
        elif method is ValuationMethod.INCOME:
            result = valuation.income_value(
                expected_income_fen=inputs["expected_income_fen"],
                discount_rate_bp=inputs["discount_rate_bp"],
            )
        else:
            result = valuation.market_value(comparable_prices_fen=await comparables(ctx, asset))
    except (KeyError, ValueError) as exc:
        raise InvalidInput(f"Valuation inputs refused: {exc}") from None
    report = AssetValuation(
        id=ctx.ids.new(),
        asset_id=asset.id,
        method=method,
        value_fen=result.value_fen,
        conclusion=result.conclusion,
        inputs=result.inputs,
        details=result.details,
        valued_by=actor.id,
        created_at=ctx.clock.now(),
    )
    ctx.session.add(report)
    ctx.audit(
        "asset.valued",
        subject_type="asset",
        subject_id=asset.id,
        payload={
            "valuation_id": report.id,
            "method": method,
            "inputs": result.inputs,
            "value_fen": result.value_fen,
            "conclusion": result.conclusion,
        },
    )
    await ctx.session.flush()
    return report


async def list_valuations(ctx: Context, *, asset_id: str) -> Sequence[AssetValuation]:
    """An asset's valuation reports, newest first."""
    asset = await get_asset(ctx, asset_id)
    return await repository.list_valuations(ctx.session, asset.id)


# --- pledges -------------------------------------------------------------------------------


async def _pledgeable(ctx: Context, number: str) -> Certificate:
    certificate = await repository.get_certificate(ctx.session, number)
    if certificate is None:
        raise CertificateNotFound(
            f"No certificate {number!r}: only registered assets can be pledged."
        )
    status = certificate_status(ctx, certificate)
    if status in (certs.VerificationStatus.REVOKED, certs.VerificationStatus.EXPIRED):
        raise CertificateNotValid(f"Certificate {number} is {status}; it cannot be pledged.")
    if status is certs.VerificationStatus.PLEDGED:
        raise CertificateAlreadyPledged(f"Certificate {number} is already pledged.")
    asset = await repository.get_asset(ctx.session, certificate.asset_id)
    assert asset is not None
    if asset.status != AssetStatus.REGISTERED:
        raise AssetNotRegistered(f"The asset of certificate {number} is not registered.")
    if (await repository.open_applications(ctx.session, [asset.id])).get(asset.id) is not None:
        raise ApplicationOpen("The asset has an open change or cancellation application.")
    return certificate


async def record_pledge(
    ctx: Context, *, certificate_number: str, loan_reference: str, amount_fen: int
) -> Pledge:
    """A lender records a pledge (质押登记) of a certificate; it binds once the holder confirms."""
    lender = _actor(ctx)
    if lender.role is not Role.LENDER:
        raise Forbidden("Only lenders (金融机构) record pledges.")
    certificate = await _pledgeable(ctx, certificate_number)
    pledge = Pledge(
        id=ctx.ids.new(),
        certificate_number=certificate.number,
        asset_id=certificate.asset_id,
        lender_id=lender.id,
        holder_id=certificate.holder_id,
        loan_reference=loan_reference,
        amount_fen=amount_fen,
        status=PledgeStatus.PENDING,
        created_at=ctx.clock.now(),
    )
    ctx.session.add(pledge)
    ctx.audit(
        "pledge.recorded",
        subject_type="pledge",
        subject_id=pledge.id,
        payload={
            "certificate_number": certificate.number,
            "lender_id": lender.id,
            "holder_id": certificate.holder_id,
            "loan_reference": loan_reference,
            "amount_fen": amount_fen,
        },
    )
    await ctx.session.flush()
    return pledge


async def get_pledge(ctx: Context, pledge_id: str) -> Pledge:
    """A pledge its lender, its holder or a regulator may see (404 for everyone else)."""
    pledge = await repository.get_pledge(ctx.session, pledge_id)
    if pledge is None or not _sees_pledgee(ctx, pledge):
        raise PledgeNotFound(f"No pledge {pledge_id!r}.")
    return pledge


async def list_pledges(
    ctx: Context,
    *,
    certificate_number: str | None,
    status: PledgeStatus | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Pledge], int]:
    """Pledges: all for regulators, the ones a participant is lender or holder of otherwise."""
    actor = _actor(ctx)
    party = None if actor.role is Role.REGULATOR else actor.id
    return await repository.list_pledges(
        ctx.session,
        party_id=party,
        certificate_number=certificate_number,
        status=status,
        limit=limit,
        offset=offset,
    )


def _pledge_event(ctx: Context, pledge: Pledge, action: str) -> None:
    ctx.audit(
        action,
        subject_type="pledge",
        subject_id=pledge.id,
        payload={"certificate_number": pledge.certificate_number, "status": pledge.status},
    )


async def confirm_pledge(ctx: Context, *, pledge_id: str) -> Pledge:
    """The holder confirms a recorded pledge: from now on the certificate is pledged."""
    pledge = await get_pledge(ctx, pledge_id)
    if _actor(ctx).id != pledge.holder_id:
        raise Forbidden("Only the certificate's holder confirms a pledge.")
    if pledge.status != PledgeStatus.PENDING:
        raise PledgeStateConflict(f"The pledge is {pledge.status}, not awaiting confirmation.")
    await _pledgeable(ctx, pledge.certificate_number)
    if not await repository.set_pledge(ctx.session, pledge.certificate_number, pledge.id):
        raise CertificateAlreadyPledged(
            f"Certificate {pledge.certificate_number} is already pledged."
        )
    pledge.status = PledgeStatus.ACTIVE
    pledge.confirmed_at = ctx.clock.now()
    _pledge_event(ctx, pledge, "pledge.confirmed")
    await ctx.session.flush()
    return pledge


async def decline_pledge(ctx: Context, *, pledge_id: str) -> Pledge:
    """The holder declines a recorded pledge it did not agree to."""
    pledge = await get_pledge(ctx, pledge_id)
    if _actor(ctx).id != pledge.holder_id:
        raise Forbidden("Only the certificate's holder declines a pledge.")
    if pledge.status != PledgeStatus.PENDING:
        raise PledgeStateConflict(f"The pledge is {pledge.status}, not awaiting confirmation.")
    pledge.status = PledgeStatus.DECLINED
    pledge.ended_at = ctx.clock.now()
    _pledge_event(ctx, pledge, "pledge.declined")
    await ctx.session.flush()
    return pledge


async def release_pledge(ctx: Context, *, pledge_id: str) -> Pledge:
    """The lender releases its pledge (解除质押), or withdraws one not yet confirmed."""
    pledge = await get_pledge(ctx, pledge_id)
    if _actor(ctx).id != pledge.lender_id:
        raise Forbidden("Only the lender that recorded a pledge releases it.")
    if pledge.status == PledgeStatus.PENDING:
        pledge.status = PledgeStatus.WITHDRAWN
        action = "pledge.withdrawn"
    elif pledge.status == PledgeStatus.ACTIVE:
        await repository.clear_pledge(ctx.session, pledge.certificate_number, pledge.id)
        pledge.status = PledgeStatus.RELEASED
        action = "pledge.released"
    else:
        raise PledgeStateConflict(f"The pledge is already {pledge.status}.")
    pledge.ended_at = ctx.clock.now()
    _pledge_event(ctx, pledge, action)
    await ctx.session.flush()
    return pledge
