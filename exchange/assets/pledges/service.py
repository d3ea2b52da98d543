"""Pledges (质押) of certificates to lenders: recorded, confirmed or declined, released."""

from __future__ import annotations

from collections.abc import Sequence

from exchange.assets import access
from exchange.assets.certificates import repository as certificates_repository
from exchange.assets.certificates import service as certificates_service
from exchange.assets.certificates import signing
from exchange.assets.certificates.errors import (
    CertificateAlreadyPledged,
    CertificateNotFound,
    CertificateNotValid,
)
from exchange.assets.certificates.models import Certificate
from exchange.assets.pledges import repository
from exchange.assets.pledges.errors import PledgeNotFound, PledgeStateConflict
from exchange.assets.pledges.models import Pledge, PledgeStatus
from exchange.assets.registry import repository as registry_repository
from exchange.assets.registry.errors import ApplicationOpen, AssetNotRegistered
from exchange.assets.registry.models import AssetStatus
from exchange.context import Context
from exchange.errors import Forbidden
from exchange.vocabulary import Role


async def _pledgeable(ctx: Context, number: str) -> Certificate:
    certificate = await certificates_repository.get_certificate(ctx.session, number)
    if certificate is None:
        raise CertificateNotFound(
            f"No certificate {number!r}: only registered assets can be pledged."
        )
    status = certificates_service.certificate_status(ctx, certificate)
    if status in (signing.VerificationStatus.REVOKED, signing.VerificationStatus.EXPIRED):
        raise CertificateNotValid(f"Certificate {number} is {status}; it cannot be pledged.")
    if status is signing.VerificationStatus.PLEDGED:
        raise CertificateAlreadyPledged(f"Certificate {number} is already pledged.")
    asset = await registry_repository.get_asset(ctx.session, certificate.asset_id)
    assert asset is not None
    if asset.status != AssetStatus.REGISTERED:
        raise AssetNotRegistered(f"The asset of certificate {number} is not registered.")
    if (await registry_repository.open_applications(ctx.session, [asset.id])).get(
        asset.id
    ) is not None:
        raise ApplicationOpen("The asset has an open change or cancellation application.")
    return certificate


async def record_pledge(
    ctx: Context, *, certificate_number: str, loan_reference: str, amount_fen: int
) -> Pledge:
    """A lender records a pledge (质押登记) of a certificate; it binds once the holder confirms."""
    lender = access.actor(ctx)
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
    if pledge is None or not access.sees_pledgee(ctx, pledge):
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
    actor = access.actor(ctx)
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
    if access.actor(ctx).id != pledge.holder_id:
        raise Forbidden("Only the certificate's holder confirms a pledge.")
    if pledge.status != PledgeStatus.PENDING:
        raise PledgeStateConflict(f"The pledge is {pledge.status}, not awaiting confirmation.")
    await _pledgeable(ctx, pledge.certificate_number)
    if not await certificates_repository.set_pledge(
        ctx.session, pledge.certificate_number, pledge.id
    ):
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
    if access.actor(ctx).id != pledge.holder_id:
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
    if access.actor(ctx).id != pledge.lender_id:
        raise Forbidden("Only the lender that recorded a pledge releases it.")
    if pledge.status == PledgeStatus.PENDING:
        pledge.status = PledgeStatus.WITHDRAWN
        action = "pledge.withdrawn"
    elif pledge.status == PledgeStatus.ACTIVE:
        await certificates_repository.clear_pledge(
            ctx.session, pledge.certificate_number, pledge.id
        )
        pledge.status = PledgeStatus.RELEASED
        action = "pledge.released"
    else:
        raise PledgeStateConflict(f"The pledge is already {pledge.status}.")
    pledge.ended_at = ctx.clock.now()
    _pledge_event(ctx, pledge, action)
    await ctx.session.flush()
    return pledge
