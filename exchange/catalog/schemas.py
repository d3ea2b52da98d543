"""Request and response models of the catalog."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from exchange.catalog.models import (
    ConflictOutcome,
    ConflictStatus,
    DataType,
    FieldRole,
    Level,
    MaskingRule,
    ShareStatus,
    UpdateFrequency,
    UpdateMethod,
    UsageMethod,
)
from exchange.schemas import RequestModel, ResponseModel, StrictBool, StrictInt
from exchange.vocabulary import Grade, Opening, Sharing

Id = Annotated[str, StringConstraints(min_length=1, max_length=36)]
DivisionCode = Annotated[str, Field(pattern=r"^\d{6}$", examples=["440300"])]
DepartmentCode = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$", examples=["440300-012"])
]
ElementCode = Annotated[
    str, Field(pattern=r"^[A-Za-z][A-Za-z0-9._-]{0,39}$", examples=["DE.GD.0002"])
]
FieldCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", examples=["id_number"])]
NameZh = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(max_length=500)]
LongText = Annotated[str, StringConstraints(max_length=4000)]
Length = Annotated[StrictInt, Field(ge=0, le=100_000)]
Bound = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=30)]


# --- divisions and departments ---------------------------------------------------------


class DivisionRead(ResponseModel):
    """An administrative division (行政区划)."""

    code: str
    name: str
    name_en: str
    level: Level
    parent_code: str | None


class DepartmentCreate(RequestModel):
    """Register a department (admin)."""

    code: DepartmentCode
    name: NameZh
    name_en: Annotated[str, StringConstraints(max_length=300)] = ""
    division_code: DivisionCode
    parent_id: Id | None = None
    participant_id: Id | None = None


class DepartmentUpdate(RequestModel):
    """Rename, move in the hierarchy, or bind a participant (admin); null detaches."""

    name: NameZh | None = None
    name_en: Annotated[str, StringConstraints(max_length=300)] | None = None
    parent_id: Id | None = None
    participant_id: Id | None = None


class DepartmentBrief(ResponseModel):
    """A department as other objects show it."""

    id: str
    code: str
    name: str
    division_code: str
    division_name: str


class DepartmentRead(ResponseModel):
    """A responsible department (数据责任部门)."""

    id: str
    code: str
    name: str
    name_en: str
    division_code: str
    division_name: str
    level: Level
    level_label: str
    city_code: str
    city_name: str
    parent_id: str | None
    participant_id: str | None
    item_count: int
    created_at: datetime
    updated_at: datetime


class DepartmentPage(ResponseModel):
    """A page of departments."""

    items: list[DepartmentRead]
    total: int


# --- data elements ---------------------------------------------------------------------


class DataElementCreate(RequestModel):
    """Define a data element (数据元): the standard for one kind of value."""

    code: ElementCode
    name_zh: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    name_en: Annotated[str, StringConstraints(max_length=200)] = ""
    data_type: DataType
    format: Annotated[str, StringConstraints(max_length=100)] = ""
    description: LongText = ""
    min_length: Length | None = None
    max_length: Length | None = None
    pattern: Annotated[str, StringConstraints(max_length=2000)] | None = None
    enum_values: (
        Annotated[
            list[Annotated[str, StringConstraints(min_length=1, max_length=200)]],
            Field(min_length=1, max_length=500),
        ]
        | None
    ) = None
    minimum: Bound | None = None
    maximum: Bound | None = None
    required: StrictBool = False
    masking: MaskingRule = MaskingRule.NONE


class DataElementUpdate(RequestModel):
    """Revise a data element; its version goes up by one."""

    name_zh: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    name_en: Annotated[str, StringConstraints(max_length=200)] | None = None
    format: Annotated[str, StringConstraints(max_length=100)] | None = None
    description: LongText | None = None
    min_length: Length | None = None
    max_length: Length | None = None
    pattern: Annotated[str, StringConstraints(max_length=2000)] | None = None
    enum_values: (
        Annotated[
            list[Annotated[str, StringConstraints(min_length=1, max_length=200)]],
            Field(min_length=1, max_length=500),
        ]
        | None
    ) = None
    minimum: Bound | None = None
    maximum: Bound | None = None
    required: StrictBool | None = None
    masking: MaskingRule | None = None


class SourcePointer(ResponseModel):
    """Where the authoritative source (权威数据源头) of a data element is."""

    element_id: str
    element_code: str
    item_id: str
    item_code: str
    item_name: str
    department_id: str
    url: str


class DataElementRead(ResponseModel):
    """A data element with its constraints and its authoritative source, if any."""

    id: str
    code: str
    name_zh: str
    name_en: str
    data_type: DataType
    format: str
    description: str
    min_length: int | None
    max_length: int | None
    pattern: str | None
    enum_values: list[str] | None
    minimum: Decimal | None
    maximum: Decimal | None
    required: bool
    masking: MaskingRule
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    source: SourcePointer | None


class DataElementPage(ResponseModel):
    """A page of data elements."""

    items: list[DataElementRead]
    total: int


class ConsumerRead(ResponseModel):
    """An item that uses a data element, and how."""

    item_id: str
    item_code: str
    item_name: str
    department_id: str
    field_code: str
    role: FieldRole


class ConsumerPage(ResponseModel):
    """The items using a data element: its source and its consumers."""

    element_code: str
    items: list[ConsumerRead]
    total: int


# --- catalog items ---------------------------------------------------------------------


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
    personal_info: StrictBool
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

    base_version: StrictInt | None = Field(
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
    personal_info: StrictBool | None = None
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
    personal_info: bool
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
    personal_info: bool
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


# --- conflicts -------------------------------------------------------------------------


class ConflictRead(ResponseModel):
    """A refused second source of a data element (and its escalation, if any)."""

    id: str
    status: ConflictStatus
    element_id: str
    element_code: str
    existing_source: SourcePointer
    claimant_department_id: str
    claimant_participant_id: str
    claimant_item_id: str | None
    proposed_item_name: str
    escalation_reason: str
    outcome: ConflictOutcome | None
    decision_note: str
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ConflictPage(ResponseModel):
    """A page of source conflicts."""

    items: list[ConflictRead]
    total: int


class ConflictEscalate(RequestModel):
    """Ask for a decision on a refused source (申诉): name the item that should be the source."""

    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    claimant_item_id: Id | None = None


class ConflictResolve(RequestModel):
    """Decide an escalated conflict (admin): keep the existing source or transfer it."""

    outcome: ConflictOutcome
    note: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


# --- quality and samples ---------------------------------------------------------------


class QualityReportRead(ResponseModel):
    """A quality report: completeness, validity per rule, duplicate keys, timeliness."""

    id: str
    item_id: str
    item_version: int
    source_format: str
    record_count: int
    score: int
    passed: bool
    completeness_pct: float
    valid_records_pct: float
    duplicate_records: int
    timeliness_pct: float | None
    submitted_by: str
    created_at: datetime
    report: dict[str, Any]


class QualityReportPage(ResponseModel):
    """An item's quality reports, newest first."""

    items: list[QualityReportRead]
    total: int


class SampleField(ResponseModel):
    """A field of a sample and how it is masked."""

    code: str
    name_zh: str
    masking: MaskingRule


class SampleRead(ResponseModel):
    """Sample records of an item; `masked` says whether desensitization was applied."""

    item_id: str
    item_version: int
    masked: bool
    fields: list[SampleField]
    records: list[dict[str, Any]]
    stored_at: datetime


# --- sharing requests ------------------------------------------------------------------


class ShareRequestCreate(RequestModel):
    """Ask another department for a conditionally shared item (共享申请)."""

    item_id: Id
    purpose: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    fields: Annotated[list[FieldCode], Field(max_length=200)] = Field(default_factory=list)


class ShareDecision(RequestModel):
    """The owning department's answer; a refusal needs a reason."""

    decision: Literal["approve", "refuse"]
    reason: Annotated[str, StringConstraints(max_length=2000)] = ""


class ItemBrief(ResponseModel):
    """An item as a sharing request shows it."""

    id: str
    code: str
    name_zh: str


class ShareRequestRead(ResponseModel):
    """A sharing request with its working-day age (工作日)."""

    id: str
    item: ItemBrief
    item_version: int
    requester_department: DepartmentBrief
    owner_department: DepartmentBrief
    requested_by: str
    purpose: str
    fields: list[str]
    status: ShareStatus
    reason: str
    submitted_at: datetime
    submitted_on: date
    due_on: date
    answered_at: datetime | None
    answered_by: str | None
    age_working_days: int
    overdue: bool


class ShareRequestPage(ResponseModel):
    """A page of sharing requests."""

    items: list[ShareRequestRead]
    total: int


class ShareStats(ResponseModel):
    """Response times against the target of 3 working days on average."""

    department_id: str | None
    target_working_days: int
    answered: int
    average_response_working_days: float | None
    meets_target: bool | None
    open: int
    overdue_count: int
    overdue: list[ShareRequestRead]


# --- search ----------------------------------------------------------------------------


class FacetValue(ResponseModel):
    """One value of a facet and how many results have it."""

    value: str
    label: str
    count: int


class SearchResult(ResponseModel):
    """A page of search results with facet counts."""

    query: str
    total: int
    page: int
    page_size: int
    items: list[ItemSummary]
    facets: dict[str, list[FacetValue]]
    notes: list[str]


class OpenListEntry(ResponseModel):
    """An entry of the public-data open list (开放清单)."""

    id: str
    code: str
    name_zh: str
    name_en: str
    department_id: str
    department_name: str
    city_code: str
    level: Level
    opening: Opening
    opening_label: str
    opening_conditions: str
    usage_methods: list[UsageMethod]
    update_frequency: UpdateFrequency
    version: int
    updated_at: datetime


class OpenListPage(ResponseModel):
    """A page of the open list."""

    total: int
    page: int
    page_size: int
    items: list[OpenListEntry]
