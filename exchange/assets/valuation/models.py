"""Valuation reports (价值评估报告) as stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.assets.valuation.methods import ValuationMethod
from exchange.database import Base, UTCDateTime


class AssetValuation(Base):
    """A valuation report (价值评估报告): method, inputs as given, and the value in fen."""

    __tablename__ = "asset_valuations"
    __table_args__ = (Index("ix_asset_valuations_asset_id_created_at", "asset_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id"))
    method: Mapped[ValuationMethod] = mapped_column(String(16))
    # None when the method could not value the asset (the market method with no comparables).
    value_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    conclusion: Mapped[str] = mapped_column(String(32))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    valued_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
