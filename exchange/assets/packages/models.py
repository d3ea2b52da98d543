"""Tables of registered packages (登记数据包): the bytes behind an asset's fingerprint."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime


class AssetPackage(Base):
    """A package of an asset (数据包): its SHA-256 is a fingerprint the asset has carried.

    One place for the bytes: the holder downloads them from the asset, and a licensee
    receives them as a listing's delivery (交付). Kept per asset and digest, so that a change
    of fingerprint keeps what earlier listings deliver, and nobody reaches another holder's
    bytes by registering the same fingerprint.
    """

    __tablename__ = "asset_packages"

    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)
