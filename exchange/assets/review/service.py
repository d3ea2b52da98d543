"""Compliance review (合规审查), publicity and objections (公示、异议), and what ends a path:
registration with a certificate, revocation by the registry (撤销登记), transfer (转让).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from exchange.assets import access
from exchange.assets.certificates import repository as certificates_repository
from exchange.assets.certificates import service as certificates_service
from exchange.assets.certificates.errors import CertificatePledged
from exchange.assets.certificates.models import Certificate
from exchange.assets.registry import repository as registry_repository
from exchange.assets.registry import service as registry_service
from exchange.assets.registry.errors import AssetNotRegistered, AssetStateConflict
from exchange.assets.registry.models import (
    ApplicationKind,
    ApplicationStatus,
    Asset,
    AssetApplication,
    AssetStatus,
)
from exchange.assets.registry.rules import AssetDraft
from exchange.assets.review import repository
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
from exchange.assets.review.models import (
    AssetObjection,
    AssetReview,
    ObjectionDecision,
    ObjectionStatus,
)
from exchange.assets.review.rules import (
    ReviewDecision,
    ReviewOutcome,
    publicity_ends_at,
    review_outcome,
)
from exchange.clock import rfc3339
from exchange.context import Context
from exchange.errors import Forbidden
from exchange.participants import service as participants_service
from exchange.vocabulary import Role


async def list_reviews(ctx: Context, *, asset_id: str) -> Sequence[AssetReview]:
    """Every review of an asset's applications, oldest first."""
    asset = await registry_service.get_asset(ctx, asset_id)
    applications = await registry_repository.list_applications(ctx.session, asset.id)
    return await repository.list_reviews(ctx.session, [a.id for a in applications])


async def review_applications(
    ctx: Context, *, asset_ids: Sequence[str], decision: ReviewDecision, reason: str
) -> list[str]:
    """One reviewer's decision on the open applications of several assets (合规审查).

    Returns the application ids. A quorum of approvals with no rejection starts publicity
    (or completes a cancellation); any rejection rejects the application.
    """
    reviewer = access.actor(ctx)
    assets = await registry_service.asset_rows(ctx, access.unique(asset_ids))
    # Checked before the role: the holder of an asset is told exactly why it may not review.
    for asset in assets:
        if asset.holder_id == reviewer.id:
            raise SelfReview("A participant cannot review its own application.")
    if reviewer.role is not Role.COMPLIANCE_REVIEWER:
        raise Forbidden("Only compliance reviewers (登记合规委员会) review applications.")
    open_apps = await registry_repository.open_application_rows(ctx.session, [a.id for a in assets])
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
    await registry_repository.insert_rows(ctx.session, AssetReview, reviews)
    await registry_repository.update_rows(ctx.session, AssetApplication, app_updates)
    await registry_repository.update_rows(ctx.session, Asset, asset_updates)
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
    application = await registry_repository.get_application(ctx.session, application_id, fresh=True)
    assert application is not None
    return application


async def _cancel(ctx: Context, items: Sequence[tuple[Row[Any], Row[Any]]]) -> None:
    """Complete approved cancellations: the certificate is revoked (refused while pledged)."""
    valid = await certificates_repository.valid_certificates(
        ctx.session, [asset.id for asset, _ in items]
    )
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
            certificates_service.revoke_certificate(
                ctx,
                certificate,
                f"注销登记 cancelled at the holder's request: {application.reason}",
            )


async def _application_in_publicity(ctx: Context, asset: Asset) -> AssetApplication:
    open_apps = await registry_repository.open_applications(ctx.session, [asset.id], lock=True)
    application = open_apps.get(asset.id)
    if application is None or application.status != ApplicationStatus.IN_PUBLICITY:
        raise NoOpenApplication(f"Asset {asset.id} has no application in publicity (公示).")
    return application


async def file_objection(ctx: Context, *, asset_id: str, grounds: str) -> AssetObjection:
    """An objection (异议) with grounds against an application during its publicity."""
    actor = access.actor(ctx)
    asset = await registry_service.get_asset(ctx, asset_id)
    if actor.role is Role.REGULATOR:
        raise Forbidden("Regulators decide objections; they do not raise them.")
    if actor.id == asset.holder_id:
        raise OwnAssetObjection("A holder cannot object to its own application.")
    application = await _application_in_publicity(ctx, asset)
    now = ctx.clock.now()
    assert application.publicity_ends_at is not None
    if now >= application.publicity_ends_at:
        raise PublicityClosed(
            f"The publicity period ended at {rfc3339(application.publicity_ends_at)}; "
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
    asset = await registry_service.get_asset(ctx, asset_id)
    sees_all = access.oversees(ctx) or (ctx.actor is not None and ctx.actor.id == asset.holder_id)
    objector_id = None if sees_all else access.actor(ctx).id
    return await repository.list_objections(ctx.session, asset.id, objector_id=objector_id)


@dataclass(frozen=True, slots=True)
class QueuedObjection:
    """An objection in the regulators' queue, with what it is about."""

    objection: AssetObjection
    asset_name: str
    publicity_ends_at: datetime | None


async def objection_queue(
    ctx: Context, *, status: ObjectionStatus | None, limit: int, offset: int
) -> tuple[list[QueuedObjection], int]:
    """Objections across every asset, oldest first (overseers: regulators decide them)."""
    if not access.oversees(ctx):
        raise Forbidden("The objection queue is for regulators and admins.")
    rows, total = await repository.objection_queue(
        ctx.session, status=status, limit=limit, offset=offset
    )
    return [QueuedObjection(o, name, ends) for o, name, ends in rows], total


async def decide_objection(
    ctx: Context,
    *,
    asset_id: str,
    objection_id: str,
    decision: ObjectionDecision,
    reason: str,
) -> AssetObjection:
    """A regulator upholds (the registration stops) or dismisses an objection."""
    actor = access.actor(ctx)
    if actor.role is not Role.REGULATOR:
        raise Forbidden("Only regulators decide objections.")
    asset = await registry_service.get_asset(ctx, asset_id)
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
        open_apps = await registry_repository.open_applications(ctx.session, [asset.id], lock=True)
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


async def finalize_registrations(
    ctx: Context, *, asset_ids: Sequence[str]
) -> list[certificates_service.IssuedCertificate]:
    """Register assets whose publicity is over with no open objection, issuing certificates."""
    if ctx.actor is not None and ctx.actor.role is Role.REGULATOR:
        raise Forbidden("Regulators read the register; they do not complete registrations.")
    assets = await registry_service.asset_rows(ctx, access.unique(asset_ids))
    open_apps = await registry_repository.open_application_rows(ctx.session, [a.id for a in assets])
    now = ctx.clock.now()
    applications = []
    for asset in assets:
        application = open_apps.get(asset.id)
        if application is None or application.status != ApplicationStatus.IN_PUBLICITY:
            raise NoOpenApplication(f"Asset {asset.id} has no application in publicity (公示).")
        if now < application.publicity_ends_at:
            raise PublicityNotOver(
                f"Publicity of asset {asset.id} runs until "
                f"{rfc3339(application.publicity_ends_at)}."
            )
        applications.append(application)
    if await repository.with_open_objections(ctx.session, [a.id for a in applications]):
        raise ObjectionOpen("An objection (异议) is still open; a regulator must decide it first.")
    pairs = list(zip(assets, applications, strict=True))
    changes = [asset.id for asset, app in pairs if app.kind == ApplicationKind.CHANGE]
    superseded = (
        await certificates_repository.valid_certificates(ctx.session, changes) if changes else {}
    )
    proposed = (
        await registry_repository.proposals(
            ctx.session, [app.id for _, app in pairs if app.kind == ApplicationKind.CHANGE]
        )
        if changes
        else {}
    )
    registered: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    subjects: list[certificates_service.CertificateSubject] = []
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
                certificates_service.revoke_certificate(
                    ctx, old, "变更登记 superseded by a change registration"
                )
            draft = AssetDraft.from_json(proposed[application.id])
            changed.append({**state, **registry_service.draft_columns(draft)})
            subject = certificates_service.CertificateSubject.of_draft(
                asset.id, draft, holder_id=asset.holder_id, version=version
            )
        else:
            registered.append(state)
            subject = certificates_service.CertificateSubject.of(
                asset, holder_id=asset.holder_id, version=version
            )
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
    await registry_repository.update_rows(ctx.session, Asset, registered)
    await registry_repository.update_rows(ctx.session, Asset, changed)
    await registry_repository.update_rows(
        ctx.session,
        AssetApplication,
        [
            {"id": a.id, "status": ApplicationStatus.COMPLETED.value, "decided_at": now}
            for a in applications
        ],
    )
    issued = await certificates_service.issue_certificates(ctx, subjects)
    await ctx.session.flush()
    return issued


async def finalize_registration(ctx: Context, *, asset_id: str) -> Asset:
    """Register one asset after its publicity (anyone may ask once the period is over)."""
    await finalize_registrations(ctx, asset_ids=[asset_id])
    return await registry_service.get_asset(ctx, asset_id, fresh=True)


async def due_registrations(ctx: Context, *, limit: int) -> list[str]:
    """Assets (up to `limit`) whose publicity ended with no open objection."""
    return await repository.due_application_asset_ids(ctx.session, now=ctx.clock.now(), limit=limit)


async def finalize_due(ctx: Context, *, limit: int) -> list[certificates_service.IssuedCertificate]:
    """Register every asset (up to `limit`) whose publicity ended with no open objection."""
    asset_ids = await due_registrations(ctx, limit=limit)
    if not asset_ids:
        return []
    return await finalize_registrations(ctx, asset_ids=asset_ids)


async def revoke_asset(ctx: Context, *, asset_id: str, reason: str) -> Asset:
    """Revocation by the registry (撤销登记): admins and regulators; the certificate is revoked."""
    actor = access.actor(ctx)
    if actor.role not in access.REVOKER_ROLES:
        raise Forbidden("Only the registry (admins) or regulators revoke registrations.")
    # Locks in the same order as review and finalization (application, then asset).
    open_apps = await registry_repository.open_applications(ctx.session, [asset_id], lock=True)
    application = open_apps.get(asset_id)
    asset = await registry_service.get_asset(ctx, asset_id, lock=True)
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
    certificate = (await certificates_repository.valid_certificates(ctx.session, [asset.id])).get(
        asset.id
    )
    if certificate is not None:
        certificates_service.revoke_certificate(
            ctx, certificate, f"撤销登记 revoked by the registry: {reason}"
        )
    await ctx.session.flush()
    return asset


async def transfer_asset(
    ctx: Context, *, asset_id: str, to_holder_id: str, reason: str
) -> Certificate:
    """Transfer a registered asset to another holder (for trading): a new certificate is issued.

    A pledged certificate cannot be transferred until its lender releases the pledge.
    """
    asset = await registry_service.get_asset(ctx, asset_id, lock=True)
    if ctx.actor is not None and ctx.actor.id != asset.holder_id:
        raise Forbidden("Only the holder (or the exchange's settlement) transfers an asset.")
    old = await registry_service.ensure_changeable(ctx, asset, "transferred")
    new_holder = await participants_service.get(ctx, to_holder_id)
    if new_holder.id == asset.holder_id:
        raise AssetStateConflict("The asset already belongs to that participant.")
    if Role(new_holder.role) not in access.HOLDER_ROLES:
        raise AssetStateConflict("Only departments and enterprises hold data assets.")
    if old is not None:
        certificates_service.revoke_certificate(
            ctx, old, f"转让 transferred to {new_holder.id}: {reason}"
        )
    previous = asset.holder_id
    asset.holder_id = new_holder.id
    asset.version += 1
    ctx.audit(
        "asset.transferred",
        subject_type="asset",
        subject_id=asset.id,
        payload={"from_holder_id": previous, "to_holder_id": new_holder.id, "reason": reason},
    )
    (issued,) = await certificates_service.issue_certificates(
        ctx,
        [
            certificates_service.CertificateSubject.of(
                asset, holder_id=new_holder.id, version=asset.version
            )
        ],
    )
    await ctx.session.flush()
    certificate = await certificates_repository.get_certificate(ctx.session, issued.number)
    assert certificate is not None
    return certificate
