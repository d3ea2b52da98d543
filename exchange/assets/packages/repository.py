"""Every query of registered packages."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.assets.packages.models import AssetPackage, AssetPackageChunk


async def get_package(session: AsyncSession, asset_id: str, sha256: str) -> AssetPackage | None:
    """The package of an asset with this SHA-256."""
    return await session.get(AssetPackage, (asset_id, sha256))


async def add_chunk(
    session: AsyncSession, asset_id: str, sha256: str, seq: int, data: bytes
) -> None:
    """Write one chunk of a package (the package's row is already flushed)."""
    await session.execute(
        insert(AssetPackageChunk).values(asset_id=asset_id, sha256=sha256, seq=seq, data=data)
    )


async def chunk_numbers(session: AsyncSession, asset_id: str, sha256: str) -> Sequence[int]:
    """The chunk numbers of a package, in order."""
    stmt = (
        select(AssetPackageChunk.seq)
        .where(AssetPackageChunk.asset_id == asset_id, AssetPackageChunk.sha256 == sha256)
        .order_by(AssetPackageChunk.seq)
    )
    return (await session.scalars(stmt)).all()


async def chunk(session: AsyncSession, asset_id: str, sha256: str, seq: int) -> bytes:
    """One chunk's bytes."""
    stmt = select(AssetPackageChunk.data).where(
        AssetPackageChunk.asset_id == asset_id,
        AssetPackageChunk.sha256 == sha256,
        AssetPackageChunk.seq == seq,
    )
    data = await session.scalar(stmt)
    assert data is not None
    return bytes(data)
