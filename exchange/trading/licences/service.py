"""Licences (许可) and delivery (交付): who reads a licence, its state by the clock, the
delivery package while it is live, and a regulator's revocation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.assets.packages import service as packages_service
from exchange.assets.registry import market as assets_market
from exchange.context import Context
from exchange.errors import Forbidden
from exchange.kit.remits import require_remit
from exchange.operation.grants import service as grants_service
from exchange.trading.licences import repository
from exchange.trading.licences.errors import (
    LicenceNotFound,
    LicenceNotLive,
    LicenceRevoked,
    TransferRequired,
)
from exchange.trading.licences.models import Licence, LicenceStatus
from exchange.trading.listings import repository as listings_repository
from exchange.trading.listings.models import Listing
from exchange.trading.policies.terms import for_audit
from exchange.trading.venues.service import actor_of, oversees
from exchange.vocabulary import Remit, Role


def licence_live(ctx: Context, licence: Licence) -> bool:
    """Whether a licence grants access now: not revoked and within its term."""
    now = ctx.clock.now()
    return licence.status == LicenceStatus.ACTIVE and licence.starts_at <= now < licence.expires_at


def licence_state(ctx: Context, licence: Licence) -> Literal["active", "expired", "revoked"]:
    """active, expired or revoked, by the clock."""
    if licence.status == LicenceStatus.REVOKED:
        return "revoked"
    return "active" if licence_live(ctx, licence) else "expired"


async def get_licence(ctx: Context, licence_id: str) -> Licence:
    """A licence (its licensee and licensor, overseers)."""
    actor = actor_of(ctx)
    licence = await repository.get_licence(ctx.session, licence_id)
    if licence is None or not (
        oversees(actor) or actor.id in (licence.licensee_id, licence.licensor_id)
    ):
        raise LicenceNotFound(f"No licence {licence_id!r}.")
    return licence


async def list_licences(
    ctx: Context,
    *,
    licensee_id: str | None,
    licensor_id: str | None,
    listing_id: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Licence], int]:
    """Licences: the caller's own (as licensee or licensor); overseers filter all."""
    actor = actor_of(ctx)
    if not oversees(actor) and actor.id not in (licensee_id, licensor_id):
        licensee_id = actor.id
    return await repository.list_licences(
        ctx.session,
        licensee_id=licensee_id,
        licensor_id=licensor_id,
        listing_id=listing_id,
        limit=limit,
        offset=offset,
    )


@dataclass(frozen=True, slots=True)
class Delivery:
    """A delivery package as handed to a licensee (its bytes are streamed from the registry)."""

    licence: Licence
    listing: Listing
    size: int


async def check_sources_in_force(ctx: Context, asset_id: str) -> None:
    """What a delivery of this asset's product needs beyond its licence, at that moment: the
    operating agreement it was derived under (授权运营) and the consents it was made under (if
    any) in force. The licence download and every use under a transfer ask this."""
    items = await assets_market.source_items(ctx, asset_id)
    if items:
        await grants_service.check_live(ctx, asset_id=asset_id, item_ids=items, lock=False)
    await assets_market.check_delivery(ctx, asset_id)


async def deliver(ctx: Context, *, licence_id: str) -> Delivery:
    """The delivery package, to the licensee alone, while its licence is live (交付), for a
    product derived under an operating agreement while the agreement is in force, and while
    the consents its product was made under (if any) are in force.

    A licence that carries a usage policy delivers only through a transfer process, where
    each delivery is checked against the policy (`trading.transfers`).
    """
    actor = actor_of(ctx)
    licence = await get_licence(ctx, licence_id)
    if actor.id != licence.licensee_id:
        raise Forbidden("Only the licensee downloads the delivery package.")
    if licence.policy is not None:
        raise TransferRequired(
            f"Licence {licence_id} carries a usage policy: request a transfer process "
            f"(POST /v1/licences/{licence_id}/transfers) and take the delivery from it.",
        )
    if not licence_live(ctx, licence):
        raise LicenceNotLive(
            f"Licence {licence_id} is {licence_state(ctx, licence)}; delivery has stopped.",
            state=licence_state(ctx, licence),
        )
    listing = await listings_repository.get_listing(ctx.session, licence.listing_id)
    assert listing is not None
    await check_sources_in_force(ctx, listing.asset_id)
    package = await packages_service.delivery_package(
        ctx, asset_id=listing.asset_id, sha256=listing.fingerprint
    )
    return Delivery(licence, listing, package.size)


async def revoke_licence(ctx: Context, *, licence_id: str, reason: str) -> Licence:
    """A regulator revokes a licence, with its reason; delivery stops at once."""
    actor = actor_of(ctx)
    if actor.role is not Role.REGULATOR:
        raise Forbidden("Only regulators revoke licences.")
    await require_remit(ctx, Remit.TRADING_CONDUCT, what="Revoking a licence (撤销许可)")
    licence = await get_licence(ctx, licence_id)
    if licence.status == LicenceStatus.REVOKED:
        raise LicenceRevoked(f"Licence {licence_id} was already revoked.")
    licence.status = LicenceStatus.REVOKED
    licence.revoked_at = ctx.clock.now()
    licence.revoked_by = actor.id
    licence.revocation_reason = reason
    ctx.audit(
        "trading.licence_revoked",
        subject_type="licence",
        subject_id=licence.id,
        payload={
            "trade_id": licence.trade_id,
            "licensee_id": licence.licensee_id,
            "reason": reason,
        },
    )
    return licence


async def due_expiries(ctx: Context, *, limit: int) -> list[str]:
    """Licences whose term has ended but are still recorded active (the due-work runner)."""
    rows = await repository.due_expiries(ctx.session, now=ctx.clock.now(), limit=limit)
    return [licence.id for licence in rows]


async def expire_licences(ctx: Context, *, licence_ids: Sequence[str]) -> list[str]:
    """Record licences whose term has ended as expired, each with its audit entry."""
    now = ctx.clock.now()
    done = []
    found = await repository.get_licences(ctx.session, licence_ids)
    for licence in (found[i] for i in dict.fromkeys(licence_ids) if i in found):
        if licence.expires_at > now or not await repository.mark_expired(ctx.session, licence.id):
            continue
        ctx.audit(
            "trading.licence_expired",
            subject_type="licence",
            subject_id=licence.id,
            payload={
                "trade_id": licence.trade_id,
                "licensee_id": licence.licensee_id,
                "expires_at": licence.expires_at,
            },
        )
        done.append(licence.id)
    return done


# The columns of a licence that `trading.trade_settled` and `trading.licence_revoked` record.
RECONCILED_COLUMNS = (
    "trade_id",
    "listing_id",
    "tier_id",
    "licensee_id",
    "licensor_id",
    "scope",
    "exclusive",
    "starts_at",
    "expires_at",
    "status",
    "revoked_by",
    "revocation_reason",
    "policy",
)


async def all_for_reconcile(
    session: AsyncSession,
) -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """Every licence as (table, rows) pages, with the columns its audit entries record
    (reconciliation replays the log against them)."""
    async for rows in repository.licence_pages(session):
        yield (
            Licence.__tablename__,
            [
                {
                    "id": r["id"],
                    **{c: r[c] for c in RECONCILED_COLUMNS},
                    "policy": for_audit(r["policy"]),
                }
                for r in rows
            ],
        )
