"""Tables of the public-data catalog (公共数据资源目录): 一数一源一标准.

Divisions (行政区划) are seeded by the migration; departments (数据责任部门) sit in them;
data elements (数据元) are the standards; catalog items (数据目录项) are versioned, their
fields map to data elements, and each data element has at most one authoritative source
item (数据源头). Search uses the catalog's own inverted index (CJK bigrams and Latin words)
and a facet cube, both identical on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import IntFlag, StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from exchange.database import Base, BigIntId, UTCDateTime
from exchange.vocabulary import (
    Grade,
    Opening,
    Sharing,
)


class CompactJSON(TypeDecorator[Any]):
    """JSON kept as compact UTF-8 text (Chinese stays readable and small on both databases)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


class Level(StrEnum):
    """Administrative level of a division, department or item (省、市、县)."""

    PROVINCE = "province"  # 省级
    CITY = "city"  # 市级（地级市）
    COUNTY = "county"  # 县级（县、区、县级市）


LEVEL_LABELS: dict[Level, str] = {Level.PROVINCE: "省级", Level.CITY: "市级", Level.COUNTY: "县级"}


class DataType(StrEnum):
    """Value type of a data element."""

    STRING = "string"  # 字符型
    INTEGER = "integer"  # 整数型
    DECIMAL = "decimal"  # 数值型
    DATE = "date"  # 日期型
    DATETIME = "datetime"  # 日期时间型
    BOOLEAN = "boolean"  # 布尔型


class MaskingRule(StrEnum):
    """Desensitization rule (脱敏规则) applied to a field before it leaves the department."""

    NONE = "none"  # 不脱敏
    NAME = "name"  # 姓名：保留姓
    ID_NUMBER = "id_number"  # 证件号码：保留前6后4
    PHONE = "phone"  # 电话号码：保留前3后4
    EMAIL = "email"  # 电子邮箱：保留首字符与域名
    ADDRESS = "address"  # 地址：保留到区县
    BANK_CARD = "bank_card"  # 银行卡号：保留后4位
    DATE_TO_YEAR = "date_to_year"  # 日期：只保留年份
    FULL = "full"  # 全部遮盖


class UpdateFrequency(StrEnum):
    """How often an item is refreshed (更新频率)."""

    REAL_TIME = "real_time"  # 实时
    DAILY = "daily"  # 每日
    WEEKLY = "weekly"  # 每周
    MONTHLY = "monthly"  # 每月
    QUARTERLY = "quarterly"  # 每季度
    YEARLY = "yearly"  # 每年
    IRREGULAR = "irregular"  # 不定期


UPDATE_FREQUENCY_LABELS: dict[UpdateFrequency, str] = {
    UpdateFrequency.REAL_TIME: "实时",
    UpdateFrequency.DAILY: "每日",
    UpdateFrequency.WEEKLY: "每周",
    UpdateFrequency.MONTHLY: "每月",
    UpdateFrequency.QUARTERLY: "每季度",
    UpdateFrequency.YEARLY: "每年",
    UpdateFrequency.IRREGULAR: "不定期",
}


class UpdateMethod(StrEnum):
    """How an item is refreshed (更新方式)."""

    INCREMENTAL = "incremental"  # 增量
    FULL = "full"  # 全量


class UsageMethod(StrEnum):
    """How consumers get the data (使用方法)."""

    API = "api"  # 接口调用
    FILE = "file"  # 文件下载
    QUERY = "query"  # 在线查询核验
    PRIVACY_COMPUTING = "privacy_computing"  # 隐私计算


class UsageFlag(IntFlag):
    """Usage methods as bits, so that one integer column can be filtered and faceted."""

    API = 1
    FILE = 2
    QUERY = 4
    PRIVACY_COMPUTING = 8


USAGE_BITS: dict[UsageMethod, int] = {
    UsageMethod.API: int(UsageFlag.API),
    UsageMethod.FILE: int(UsageFlag.FILE),
    UsageMethod.QUERY: int(UsageFlag.QUERY),
    UsageMethod.PRIVACY_COMPUTING: int(UsageFlag.PRIVACY_COMPUTING),
}
USAGE_LABELS: dict[UsageMethod, str] = {
    UsageMethod.API: "接口调用",
    UsageMethod.FILE: "文件下载",
    UsageMethod.QUERY: "在线查询核验",
    UsageMethod.PRIVACY_COMPUTING: "隐私计算",
}


def usage_mask(methods: list[UsageMethod] | tuple[UsageMethod, ...]) -> int:
    """The bit mask of a list of usage methods."""
    mask = 0
    for method in methods:
        mask |= USAGE_BITS[method]
    return mask


def usage_methods(mask: int) -> list[UsageMethod]:
    """The usage methods of a bit mask, in declaration order."""
    return [method for method, bit in USAGE_BITS.items() if mask & bit]


class FieldRole(StrEnum):
    """How an item's field relates to its data element."""

    SOURCE = "source"  # 权威数据源头
    REFERENCE = "reference"  # 引用（使用方）


class ConflictStatus(StrEnum):
    """State of a refused second-source registration."""

    REFUSED = "refused"  # 已拒绝登记
    PENDING = "pending"  # 申诉待裁决
    RESOLVED = "resolved"  # 已裁决


class ConflictOutcome(StrEnum):
    """How an escalated source conflict was decided."""

    KEEP_EXISTING = "keep_existing"  # 维持原数据源头
    TRANSFER = "transfer"  # 数据源头移交申诉方


class ShareStatus(StrEnum):
    """State of a sharing request (共享申请)."""

    PENDING = "pending"  # 待答复
    APPROVED = "approved"  # 已同意
    REFUSED = "refused"  # 已拒绝


class Division(Base):
    """An administrative division (行政区划), GB/T 2260 code; seeded by the migration."""

    __tablename__ = "catalog_divisions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(80))
    level: Mapped[Level] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_divisions.code"), nullable=True, index=True
    )


class Department(Base):
    """A responsible department (数据责任部门) in a division, under a parent department."""

    __tablename__ = "catalog_departments"
    __table_args__ = (
        UniqueConstraint("division_code", "name"),
        Index("ix_catalog_departments_item_count", "item_count"),
    )

    # A compact integer key (packed into search postings); `id` is the public identifier.
    seq: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    division_code: Mapped[str] = mapped_column(ForeignKey("catalog_divisions.code"), index=True)
    level: Mapped[Level] = mapped_column(String(16))
    # The prefecture city the department belongs to; 440000 for province-level departments.
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_departments.id"), nullable=True, index=True
    )
    participant_id: Mapped[str | None] = mapped_column(
        ForeignKey("participants.id"), nullable=True, unique=True
    )
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    item_serial: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


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
    personal_info: Mapped[bool] = mapped_column(Boolean)
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


class ElementSource(Base):
    """The one authoritative source item (权威数据源头) of a data element."""

    __tablename__ = "catalog_element_sources"

    element_id: Mapped[str] = mapped_column(
        ForeignKey("catalog_data_elements.id"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(ForeignKey("catalog_items.id"), index=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime)


class SourceConflict(Base):
    """A refused second source for a data element, possibly escalated for a decision."""

    __tablename__ = "catalog_source_conflicts"
    __table_args__ = (Index("ix_catalog_source_conflicts_status_created", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    element_id: Mapped[str] = mapped_column(ForeignKey("catalog_data_elements.id"), index=True)
    existing_item_id: Mapped[str] = mapped_column(ForeignKey("catalog_items.id"))
    claimant_department_id: Mapped[str] = mapped_column(ForeignKey("catalog_departments.id"))
    claimant_participant_id: Mapped[str] = mapped_column(String(80))
    # The item that tried to claim the source (None if it was refused at first publication).
    claimant_item_id: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_items.id"), nullable=True
    )
    proposed_item_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[ConflictStatus] = mapped_column(String(16))
    escalation_reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[ConflictOutcome | None] = mapped_column(String(16), nullable=True)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ItemSample(Base):
    """Sample records of an item (样例数据), checked against its standard when stored."""

    __tablename__ = "catalog_item_samples"

    item_id: Mapped[str] = mapped_column(ForeignKey("catalog_items.id"), primary_key=True)
    item_version: Mapped[int] = mapped_column(Integer)
    records: Mapped[list[dict[str, Any]]] = mapped_column(CompactJSON)
    stored_by: Mapped[str] = mapped_column(String(80))
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QualityReport(Base):
    """A quality report (质量检测报告) on uploaded sample records."""

    __tablename__ = "catalog_quality_reports"
    __table_args__ = (Index("ix_catalog_quality_reports_item_created", "item_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("catalog_items.id"))
    item_version: Mapped[int] = mapped_column(Integer)
    source_format: Mapped[str] = mapped_column(String(8))
    record_count: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(SmallInteger)
    passed: Mapped[bool] = mapped_column(Boolean)
    report: Mapped[dict[str, Any]] = mapped_column(CompactJSON)
    submitted_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ShareRequest(Base):
    """A sharing request (共享申请) from one department for another's conditional item."""

    __tablename__ = "catalog_share_requests"
    __table_args__ = (
        Index("ix_catalog_share_requests_owner_status", "owner_department_id", "status"),
        Index("ix_catalog_share_requests_requester", "requester_department_id", "submitted_at"),
        Index("ix_catalog_share_requests_status_submitted", "status", "submitted_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("catalog_items.id"), index=True)
    item_version: Mapped[int] = mapped_column(Integer)
    requester_department_id: Mapped[str] = mapped_column(ForeignKey("catalog_departments.id"))
    owner_department_id: Mapped[str] = mapped_column(ForeignKey("catalog_departments.id"))
    requested_by: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[str]] = mapped_column(CompactJSON)
    status: Mapped[ShareStatus] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    response_working_days: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SearchPosting(Base):
    """One posting of the search index: a term occurs in an item (by its integer seq).

    `facet_key` packs the item's facet values (see facets.py), so facet counts for a text
    query are read from the postings alone.
    """

    __tablename__ = "catalog_search_postings"
    __table_args__ = ({"sqlite_with_rowid": False},)

    term: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    facet_key: Mapped[int] = mapped_column(BigInteger)


class SearchTerm(Base):
    """A term of the search index with its document frequency (how many items have it)."""

    __tablename__ = "catalog_search_terms"
    __table_args__ = ({"sqlite_with_rowid": False},)

    term: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The first character, so a one-character query can find the bigrams it starts.
    head: Mapped[str] = mapped_column(String(1), index=True)
    df: Mapped[int] = mapped_column(Integer)


class TermFacetCount(Base):
    """Per search term, how many items have each facet combination (and name flag): the
    facets of a one-term query are read here instead of counting its postings."""

    __tablename__ = "catalog_term_facet_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    term: Mapped[str] = mapped_column(String(32), primary_key=True)
    # A posting key without the department bits (facets.TERM_KEY_MASK).
    facet_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)


class TermDepartmentCount(Base):
    """Per search term, how many items of each department have it (the department facet
    of a one-term query without filters)."""

    __tablename__ = "catalog_term_department_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    term: Mapped[str] = mapped_column(String(32), primary_key=True)
    department_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)


class FacetCount(Base):
    """Item counts per facet combination (the facet cube, keyed like postings without the
    department and name bits), kept with every write."""

    __tablename__ = "catalog_facet_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    facet_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)


class DepartmentFacetCount(Base):
    """Item counts per department and facet combination (the department facet's cube)."""

    __tablename__ = "catalog_department_facet_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    department_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    facet_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)
