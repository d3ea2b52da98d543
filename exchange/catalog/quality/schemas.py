"""Request and response models of quality reports and samples."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from exchange.catalog.vocabulary import MaskingRule
from exchange.kit.paging import Page
from exchange.schemas import ResponseModel


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


class QualityReportPage(Page[QualityReportRead]):
    """An item's quality reports, newest first."""


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
