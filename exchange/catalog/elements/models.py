"""Tables of data elements (数据元) and their one authoritative source item (数据源头)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.catalog.columns import CompactJSON
from exchange.catalog.vocabulary import DataType, MaskingRule
from exchange.database import Base, UTCDateTime


class DataElement(Base):
    """A data element (数据元): the standard a field's values must meet."""

    __tablename__ = "catalog_data_elements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    data_type: Mapped[DataType] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    min_length: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_length: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pattern: Mapped[str | None] = mapped_column(String(200), nullable=True)
    enum_values: Mapped[list[str] | None] = mapped_column(CompactJSON, nullable=True)
    # Decimal bounds kept as text: exact, and never a float.
    minimum: Mapped[str | None] = mapped_column(String(40), nullable=True)
    maximum: Mapped[str | None] = mapped_column(String(40), nullable=True)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    masking: Mapped[MaskingRule] = mapped_column(String(20), default=MaskingRule.NONE)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ElementSource(Base):
    """The one authoritative source item (权威数据源头) of a data element."""

    __tablename__ = "catalog_element_sources"

    element_id: Mapped[str] = mapped_column(
        ForeignKey("catalog_data_elements.id"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(ForeignKey("catalog_items.id"), index=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime)
