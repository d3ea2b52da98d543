"""The market clock's one stored row: how far market time runs ahead of real time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime

MARKET_CLOCK_ID = 1


class MarketClockState(Base):
    """The market clock (沙盒时钟): its offset ahead of real time, and its last move."""

    __tablename__ = "market_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    offset_us: Mapped[int] = mapped_column(BigInteger)
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    moved_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
