"""Registered packages (登记数据包): the holder keeps the bytes behind its asset's fingerprint,
downloads them again, and listings deliver them to licensees from here (one place).

The bytes are kept in chunks of at most `CHUNK_BYTES`: a package is written from a stream
(its SHA-256 computed on the way, checked at the end, and the whole unit of work rolled back
on a mismatch) and read back a chunk at a time, so neither a deposit nor a delivery ever holds
a whole package in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncGenerator, AsyncIterable
from contextlib import aclosing
from dataclasses import dataclass

from exchange.assets import access
from exchange.assets.packages import repository
from exchange.assets.packages.errors import PackageFingerprintMismatch, PackageNotStored
from exchange.assets.packages.models import AssetPackage
from exchange.assets.registry import service as registry_service
from exchange.assets.registry.errors import AssetNotFound
from exchange.context import Context, Runtime

CHUNK_BYTES = 1 << 20  # 1 MiB


@dataclass(frozen=True, slots=True)
class StoredPackage:
    """A package as kept, and whether this call stored it."""

    package: AssetPackage
    created: bool


async def _pieces(body: bytes) -> AsyncGenerator[bytes]:
    for start in range(0, len(body), CHUNK_BYTES):
        yield body[start : start + CHUNK_BYTES]


async def keep_package(
    ctx: Context, *, asset_id: str, filename: str, media_type: str, body: bytes
) -> StoredPackage:
    """Keep bytes for an asset under their SHA-256 (the same bytes again change nothing).

    The caller has checked the digest against the asset's fingerprint and records the audit
    entry of its own change (a listing's creation names the package it delivers).
    """
    return await keep_stream(
        ctx,
        asset_id=asset_id,
        sha256=hashlib.sha256(body).hexdigest(),
        filename=filename,
        media_type=media_type,
        chunks=_pieces(body),
    )


async def keep_stream(
    ctx: Context,
    *,
    asset_id: str,
    sha256: str,
    filename: str,
    media_type: str,
    chunks: AsyncIterable[bytes],
) -> StoredPackage:
    """Keep a stream of bytes for an asset under the SHA-256 it must have.

    Written chunk by chunk (re-cut to at most `CHUNK_BYTES`); if the bytes' SHA-256 is not
    `sha256`, PackageFingerprintMismatch is raised and the unit of work keeps nothing.
    """
    found = await repository.get_package(ctx.session, asset_id, sha256)
    if found is not None:
        return StoredPackage(found, False)
    package = AssetPackage(
        asset_id=asset_id,
        sha256=sha256,
        filename=filename,
        media_type=media_type,
        size=0,
        stored_at=ctx.clock.now(),
    )
    ctx.session.add(package)
    await ctx.session.flush()
    digest = hashlib.sha256()
    size = seq = 0
    pending = bytearray()
    async for piece in chunks:
        digest.update(piece)
        size += len(piece)
        pending += piece
        while len(pending) >= CHUNK_BYTES:
            await repository.add_chunk(
                ctx.session, asset_id, sha256, seq, bytes(pending[:CHUNK_BYTES])
            )
            del pending[:CHUNK_BYTES]
            seq += 1
    if pending or seq == 0:
        await repository.add_chunk(ctx.session, asset_id, sha256, seq, bytes(pending))
    if digest.hexdigest() != sha256:
        raise PackageFingerprintMismatch(
            f"The package's SHA-256 {digest.hexdigest()} is not asset {asset_id}'s fingerprint "
            f"{sha256}.",
            package_sha256=digest.hexdigest(),
            fingerprint=sha256,
        )
    package.size = size
    await ctx.session.flush()
    return StoredPackage(package, True)


async def upload_package(
    ctx: Context, *, asset_id: str, filename: str, media_type: str, body: bytes
) -> AssetPackage:
    """The holder deposits its asset's package: its SHA-256 must be the registered fingerprint."""
    digest = hashlib.sha256(body).hexdigest()
    asset = await registry_service.get_asset(ctx, asset_id)
    registry_service.require_holder(ctx, asset)
    if digest != asset.fingerprint.lower():
        raise PackageFingerprintMismatch(
            f"The package's SHA-256 {digest} is not asset {asset_id}'s fingerprint "
            f"{asset.fingerprint}.",
            package_sha256=digest,
            fingerprint=asset.fingerprint,
        )
    return await deposit_stream(
        ctx, asset_id=asset_id, filename=filename, media_type=media_type, chunks=_pieces(body)
    )


async def deposit_stream(
    ctx: Context,
    *,
    asset_id: str,
    filename: str,
    media_type: str,
    chunks: AsyncIterable[bytes],
) -> AssetPackage:
    """The holder deposits its asset's package from a stream of any size (the CLI reads a
    file a chunk at a time): its SHA-256 must be the registered fingerprint, or nothing is
    kept."""
    asset = await registry_service.get_asset(ctx, asset_id)
    registry_service.require_holder(ctx, asset)
    stored = await keep_stream(
        ctx,
        asset_id=asset.id,
        sha256=asset.fingerprint.lower(),
        filename=filename,
        media_type=media_type,
        chunks=chunks,
    )
    if stored.created:
        ctx.audit(
            "asset.package_stored",
            subject_type="asset",
            subject_id=asset.id,
            payload={
                "sha256": stored.package.sha256,
                "filename": filename,
                "media_type": media_type,
                "size": stored.package.size,
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


async def delivery_package(ctx: Context, *, asset_id: str, sha256: str) -> AssetPackage:
    """The package a listing of this asset delivers (the listing's checks come first)."""
    package = await repository.get_package(ctx.session, asset_id, sha256)
    if package is None:
        raise PackageNotStored(f"No package {sha256} of asset {asset_id}.")
    return package


async def session_chunks(ctx: Context, *, asset_id: str, sha256: str) -> AsyncGenerator[bytes]:
    """A package's bytes a chunk at a time, read in the caller's unit of work."""
    for seq in await repository.chunk_numbers(ctx.session, asset_id, sha256):
        yield await repository.chunk(ctx.session, asset_id, sha256, seq)


async def stream_package(runtime: Runtime, *, asset_id: str, sha256: str) -> AsyncGenerator[bytes]:
    """A package's bytes a chunk at a time, in a read-only unit of work of its own (for a
    response that streams after the request's unit of work has committed).

    The next chunk is read while the current one is being sent (at most two in memory), so the
    database and the network work at the same time.
    """
    async with runtime.unit_of_work(write=False) as session:
        seqs = await repository.chunk_numbers(session, asset_id, sha256)
        if not seqs:
            return
        ahead = asyncio.ensure_future(repository.chunk(session, asset_id, sha256, seqs[0]))
        try:
            for following in [*seqs[1:], None]:
                piece = await ahead
                if following is not None:
                    ahead = asyncio.ensure_future(
                        repository.chunk(session, asset_id, sha256, following)
                    )
                yield piece
        finally:
            if not ahead.done():
                ahead.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ahead


async def package_prefix(ctx: Context, *, asset_id: str, sha256: str, limit: int) -> bytes:
    """The first `limit` bytes (or fewer) of a package: enough to read a table's header."""
    out = bytearray()
    async with aclosing(session_chunks(ctx, asset_id=asset_id, sha256=sha256)) as pieces:
        async for piece in pieces:
            out += piece[: limit - len(out)]
            if len(out) >= limit:
                break
    return bytes(out)
