"""Request and response models of catalog items and their versions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from exchange.catalog.departments.schemas import DepartmentBrief
from exchange.catalog.fields import FieldCode, Id, LongText, NameZh, ShortText
from exchange.catalog.vocabulary import (
    FieldRole,
    Level,
    MaskingRule,
    UpdateFrequency,
    UpdateMethod,
    UsageMethod,
)
from exchange.kit.params import MAX_INT32
from exchange.schemas import RequestModel, ResponseModel, StrictBool, StrictInt
from exchange.vocabulary import Grade, Opening, Sharing


class FieldSpec(RequestModel):
    """A field of an item, optionally mapped to a data element as its source or a consumer."""

    code: FieldCode
    name_zh: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    name_en: Annotated[str, StringConstraints(max_length=200)] = ""
    element_code: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = None
    role: FieldRole | None = None
    required: StrictBool = False
    masking: MaskingRule | None = None


UsageList = Annotated[list[UsageMethod], Field(min_length=1, max_length=4)]


FieldList = Annotated[list[FieldSpec], Field(min_length=1, max_length=200)]


KeyList = Annotated[list[FieldCode], Field(max_length=10)]


Pct = Annotated[StrictInt, Field(ge=0, le=100)]


class ItemCreate(RequestModel):
    """Publish a catalog item with its five basic attributes and the related ones."""

    department_id: Id | None = Field(
        default=None, description="Defaults to the caller's own department."
    )
    name_zh: NameZh
    name_en: Annotated[str, StringConstraints(max_length=300)] = ""
    description: LongText = ""
    source_system: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    update_frequency: UpdateFrequency
    update_method: UpdateMethod
    usage_methods: UsageList
    grade: Grade
    personal_information: StrictBool
    sharing: Sharing
    sharing_conditions: ShortText = ""
    opening: Opening
    opening_conditions: ShortText = ""
    fields: FieldList
    unique_key: KeyList = Field(default_factory=list)
    completeness_min_pct: Pct = 95
    timeliness_field: FieldCode | None = None


class ItemUpdate(RequestModel):
    """Revise an item: the result is a new version; the department cannot change."""

    base_version: Annotated[StrictInt, Field(ge=1, le=MAX_INT32)] | None = Field(
        default=None, description="Refuse the update (409) if the item is no longer here."
    )
    note: ShortText = ""
    name_zh: NameZh | None = None
    name_en: Annotated[str, StringConstraints(max_length=300)] | None = None
    description: LongText | None = None
    source_system: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    update_frequency: UpdateFrequency | None = None
    update_method: UpdateMethod | None = None
    usage_methods: UsageList | None = None
    grade: Grade | None = None
    personal_information: StrictBool | None = None
    sharing: Sharing | None = None
    sharing_conditions: ShortText | None = None
    opening: Opening | None = None
    opening_conditions: ShortText | None = None
    fields: FieldList | None = None
    unique_key: KeyList | None = None
    completeness_min_pct: Pct | None = None
    timeliness_field: FieldCode | None = None


class FieldRead(ResponseModel):
    """A field of the current version."""

    position: int
    code: str
    name_zh: str
    name_en: str
    element_code: str | None
    element_version: int | None
    role: FieldRole | None
    required: bool
    masking: MaskingRule


class RuleRead(ResponseModel):
    """One rule of the quality standard."""

    rule: str
    value: Any = None


class FieldRules(ResponseModel):
    """The rules a field's values must meet."""

    field: str
    element_code: str | None
    rules: list[RuleRead]


class QualityStandard(ResponseModel):
    """The item's quality standard (质量标准): field rules plus item-level rules."""

    fields: list[FieldRules]
    unique_key: list[str]
    completeness_min_pct: int
    timeliness_field: str | None
    max_age_days: int | None


class QualitySummary(ResponseModel):
    """A stored quality report, in brief."""

    id: str
    item_version: int
    source_format: str
    record_count: int
    score: int
    passed: bool
    created_at: datetime


class ItemRead(ResponseModel):
    """A catalog item (数据目录项), current version."""

    id: str
    code: str
    version: int
    department: DepartmentBrief
    level: Level
    level_label: str
    city_code: str
    name_zh: str
    name_en: str
    description: str
    source_system: str
    update_frequency: UpdateFrequency
    update_frequency_label: str
    update_method: UpdateMethod
    usage_methods: list[UsageMethod]
    grade: Grade
    grade_label: str
    personal_information: bool
    sharing: Sharing
    sharing_label: str
    sharing_conditions: str
    opening: Opening
    opening_label: str
    opening_conditions: str
    fields: list[FieldRead]
    quality_standard: QualityStandard
    authoritative_for: list[str]
    quality_reports: list[QualitySummary]
    has_sample: bool
    published_by: str
    created_at: datetime
    updated_at: datetime


class ItemSummary(ResponseModel):
    """An item as lists and search results show it."""

    id: str
    code: str
    name_zh: str
    name_en: str
    department_id: str
    department_name: str
    level: Level
    city_code: str
    grade: Grade
    personal_information: bool
    sharing: Sharing
    opening: Opening
    usage_methods: list[UsageMethod]
    update_frequency: UpdateFrequency
    version: int
    updated_at: datetime


class ItemVersionRead(ResponseModel):
    """One version of an item: the document as it was published."""

    version: int
    note: str
    changed_by: str
    created_at: datetime
    document: dict[str, Any]


class ItemVersionPage(ResponseModel):
    """The version history of an item, oldest first."""

    item_id: str
    current_version: int
    versions: list[ItemVersionRead]
