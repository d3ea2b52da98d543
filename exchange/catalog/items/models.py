"""Tables of catalog items (数据目录项): the current version, its fields, and every version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.catalog.columns import CompactJSON
from exchange.catalog.vocabulary import (
    FieldRole,
    Level,
    MaskingRule,
    UpdateFrequency,
    UpdateMethod,
)
from exchange.database import Base, BigIntId, UTCDateTime
from exchange.vocabulary import Grade, Opening, Sharing


class CatalogItem(Base):
    """A catalog item (数据目录项 / 数据类): the current version; history in versions."""

    __tablename__ = "catalog_items"
    __table_args__ = (
        Index("ix_catalog_items_department_seq", "department_id", "seq"),
        Index("ix_catalog_items_city_seq", "city_code", "seq"),
        Index("ix_catalog_items_level_seq", "level", "seq"),
        Index("ix_catalog_items_grade_seq", "grade", "seq"),
        Index("ix_catalog_items_sharing_seq", "sharing", "seq"),
        Index("ix_catalog_items_opening_seq", "opening", "seq"),
    )

    # A compact integer key for the search index; `id` is the public identifier.
    seq: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    code: Mapped[str] = mapped_column(String(48), unique=True)
    department_id: Mapped[str] = mapped_column(ForeignKey("catalog_departments.id"))
    level: Mapped[Level] = mapped_column(String(16))
    city_code: Mapped[str] = mapped_column(String(6))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    source_system: Mapped[str] = mapped_column(String(200))
    update_frequency: Mapped[UpdateFrequency] = mapped_column(String(16))
    update_method: Mapped[UpdateMethod] = mapped_column(String(16))
    usage_mask: Mapped[int] = mapped_column(SmallInteger)
    grade: Mapped[Grade] = mapped_column(String(16))
    # The API's name; the column keeps the name it was created with.
    personal_information: Mapped[bool] = mapped_column("personal_info", Boolean)
    sharing: Mapped[Sharing] = mapped_column(String(16))
    sharing_conditions: Mapped[str] = mapped_column(String(500))
    opening: Mapped[Opening] = mapped_column(String(16))
    opening_conditions: Mapped[str] = mapped_column(String(500))
    unique_key: Mapped[list[str]] = mapped_column(CompactJSON)
    completeness_min_pct: Mapped[int] = mapped_column(SmallInteger)
    timeliness_field: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Normalized text the search verifies phrases against (names, description, fields).
    search_text: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    published_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ItemField(Base):
    """A field (字段) of an item's current version, mapped to a data element or not."""

    __tablename__ = "catalog_item_fields"
    __table_args__ = (UniqueConstraint("item_id", "code"),)

    item_id: Mapped[str] = mapped_column(ForeignKey("catalog_items.id"), primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    element_id: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_data_elements.id"), nullable=True, index=True
    )
    element_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    role: Mapped[FieldRole | None] = mapped_column(String(16), nullable=True)
    required: Mapped[bool] = mapped_column(Boolean)
    masking: Mapped[MaskingRule] = mapped_column(String(20))


class ItemVersion(Base):
    """One published version of an item: the whole document, immutable."""

    __tablename__ = "catalog_item_versions"

    item_id: Mapped[str] = mapped_column(ForeignKey("catalog_items.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[dict[str, Any]] = mapped_column(CompactJSON)
    note: Mapped[str] = mapped_column(String(500))
    changed_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
