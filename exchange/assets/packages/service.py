"""Registered packages (登记数据包): the holder keeps the bytes behind its asset's fingerprint,
downloads them again, and listings deliver them to licensees from here (one place)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from exchange.assets import access
from exchange.assets.packages import repository
from exchange.assets.packages.errors import PackageFingerprintMismatch, PackageNotStored
from exchange.assets.packages.models import AssetPackage
from exchange.assets.registry import service as registry_service
from exchange.assets.registry.errors import AssetNotFound
from exchange.context import Context


@dataclass(frozen=True, slots=True)
class StoredPackage:
    """A package as kept, and whether this call stored it."""

    package: AssetPackage
    created: bool


async def keep_package(
    ctx: Context, *, asset_id: str, filename: str, media_type: str, body: bytes
) -> StoredPackage:
    """Keep bytes for an asset under their SHA-256 (the same bytes again change nothing).

    The caller has checked the digest against the asset's fingerprint and records the audit
    entry of its own change (a listing's creation names the package it delivers).
    """
    digest = hashlib.sha256(body).hexdigest()
    found = await repository.get_package(ctx.session, asset_id, digest)
    if found is not None:
        return StoredPackage(found, False)
    package = AssetPackage(
        asset_id=asset_id,
        sha256=digest,
        filename=filename,
        media_type=media_type,
        size=len(body),
        body=body,
        stored_at=ctx.clock.now(),
    )
    ctx.session.add(package)
    await ctx.session.flush()
    return StoredPackage(package, True)


async def upload_package(
    ctx: Context, *, asset_id: str, filename: str, media_type: str, body: bytes
) -> AssetPackage:
    """The holder deposits its asset's package: its SHA-256 must be the registered fingerprint."""
    asset = await registry_service.get_asset(ctx, asset_id)
    registry_service.require_holder(ctx, asset)
    digest = hashlib.sha256(body).hexdigest()
    if digest != asset.fingerprint.lower():
        raise PackageFingerprintMismatch(
            f"The package's SHA-256 {digest} is not asset {asset_id}'s fingerprint "
            f"{asset.fingerprint}.",
            package_sha256=digest,
            fingerprint=asset.fingerprint,
        )
    stored = await keep_package(
        ctx, asset_id=asset.id, filename=filename, media_type=media_type, body=body
    )
    if stored.created:
        ctx.audit(
            "asset.package_stored",
            subject_type="asset",
            subject_id=asset.id,
            payload={
                "sha256": digest,
                "filename": filename,
                "media_type": media_type,
                "size": len(body),
            },
        )
    return stored.package


async def download_package(ctx: Context, *, asset_id: str) -> AssetPackage:
    """The package behind an asset's current fingerprint: its holder and overseers (404 else)."""
    asset = await registry_service.get_asset(ctx, asset_id)
    if not (access.oversees(ctx) or access.actor(ctx).id == asset.holder_id):
        raise AssetNotFound(f"No data asset {asset_id!r}.")
    package = await repository.get_package(ctx.session, asset.id, asset.fingerprint.lower())
    if package is None:
        raise PackageNotStored(
            f"The registry holds no package with asset {asset_id}'s fingerprint "
            f"{asset.fingerprint}; its holder deposits one with PUT /v1/assets/{asset_id}/package."
        )
    return package


async def delivery_body(ctx: Context, *, asset_id: str, sha256: str) -> bytes:
    """The bytes a listing of this asset delivers (the listing's checks come first)."""
    package = await repository.get_package(ctx.session, asset_id, sha256)
    if package is None:
        raise PackageNotStored(f"No package {sha256} of asset {asset_id}.")
    return package.body
