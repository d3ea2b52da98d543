"""Response models of registered packages."""

from __future__ import annotations

from datetime import datetime

from exchange.schemas import ResponseModel


class PackageRead(ResponseModel):
    """A package the registry keeps for an asset; `sha256` is the asset's fingerprint."""

    asset_id: str
    sha256: str
    filename: str
    media_type: str
    size: int
    stored_at: datetime
