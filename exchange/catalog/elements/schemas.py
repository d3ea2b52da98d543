"""Request and response models of data elements."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints

from exchange.catalog.fields import Bound, ElementCode, Length, LongText
from exchange.catalog.vocabulary import DataType, FieldRole, MaskingRule
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel, StrictBool


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


class DataElementPage(Page[DataElementRead]):
    """A page of data elements."""


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
