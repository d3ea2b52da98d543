"""Response models of a data space and its records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from exchange.dataspaces.records.models import DataRecord
from exchange.dataspaces.records.service import fields_sha256
from exchange.dataspaces.vocabulary import RECORD_TYPE_LABELS, RecordType
from exchange.kit.paging import Page
from exchange.schemas import ResponseModel
from exchange.vocabulary import Role


class RecordRead(ResponseModel):
    """A record of a data space: its catalog source, type, period and fields."""

    id: str
    record_type: RecordType
    record_type_label: str
    title: str
    period: str
    source_item_id: str
    source_department_id: str
    fields: dict[str, Any]
    fields_sha256: str
    recorded_at: datetime


class RecordPage(Page[RecordRead]):
    """A page of records."""


class RecordTypeCount(ResponseModel):
    """How many records of one type a data space holds."""

    record_type: RecordType
    label: str
    count: int


class DataSpaceRead(ResponseModel):
    """The caller's data space (个人和法人数字空间): what it holds, by type."""

    subject_id: str
    kind: Role
    kind_label: str
    total: int
    by_type: list[RecordTypeCount]


def record_read(record: DataRecord) -> RecordRead:
    kind = RecordType(record.record_type)
    return RecordRead(
        id=record.id,
        record_type=kind,
        record_type_label=RECORD_TYPE_LABELS[kind],
        title=record.title,
        period=record.period,
        source_item_id=record.source_item_id,
        source_department_id=record.source_department_id,
        fields=record.fields,
        fields_sha256=fields_sha256(record.fields),
        recorded_at=record.recorded_at,
    )
