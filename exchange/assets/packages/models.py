"""Tables of registered packages (登记数据包): the bytes behind an asset's fingerprint."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, ForeignKeyConstraint, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime


class AssetPackage(Base):
    """A package of an asset (数据包): its SHA-256 is a fingerprint the asset has carried.

    One place for the bytes: the holder downloads them from the asset, and a licensee
    receives them as a listing's delivery (交付). Kept per asset and digest, so that a change
    of fingerprint keeps what earlier listings deliver, and nobody reaches another holder's
    bytes by registering the same fingerprint. The bytes themselves are kept in chunks
    (`AssetPackageChunk`), so that a package of any size is stored and streamed a chunk at a
    time, never whole in memory.
    """

    __tablename__ = "asset_packages"

    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AssetPackageChunk(Base):
    """One chunk of a package's bytes, in order (`seq` from 0); at most `CHUNK_BYTES` each."""

    __tablename__ = "asset_package_chunks"
    __table_args__ = (
        ForeignKeyConstraint(
            ["asset_id", "sha256"], ["asset_packages.asset_id", "asset_packages.sha256"]
        ),
    )

    asset_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
