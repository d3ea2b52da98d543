"""Every query of registered packages."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.assets.packages.models import AssetPackage


async def get_package(session: AsyncSession, asset_id: str, sha256: str) -> AssetPackage | None:
    """The package of an asset with this SHA-256."""
    return await session.get(AssetPackage, (asset_id, sha256))
