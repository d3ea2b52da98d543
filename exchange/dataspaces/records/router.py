"""HTTP endpoints of one's own data space (个人和法人数字空间)."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.dataspaces.records import service
from exchange.dataspaces.records.errors import RecordNotFound
from exchange.dataspaces.records.schemas import (
    DataSpaceRead,
    RecordPage,
    RecordRead,
    RecordTypeCount,
    record_read,
)
from exchange.dataspaces.roles import DataSubjectContext
from exchange.dataspaces.vocabulary import DATA_SUBJECT_LABELS, RECORD_TYPE_LABELS, RecordType
from exchange.errors import Forbidden, responses
from exchange.kit.paging import Limit, Offset

router = APIRouter(tags=["dataspaces"])


@router.get("/dataspaces/me", operation_id="get_my_data_space", responses=responses(Forbidden))
async def get_my_data_space(ctx: DataSubjectContext) -> DataSpaceRead:
    """Your data space: how many records of each type catalog sources hold about you."""
    me = service.data_subject(ctx)
    counts = await service.my_counts(ctx)
    return DataSpaceRead(
        subject_id=me.id,
        kind=me.role,
        kind_label=DATA_SUBJECT_LABELS[me.role],
        total=sum(counts.values()),
        by_type=[
            RecordTypeCount(record_type=kind, label=RECORD_TYPE_LABELS[kind], count=count)
            for kind, count in counts.items()
        ],
    )


@router.get(
    "/dataspaces/me/records", operation_id="list_my_records", responses=responses(Forbidden)
)
async def list_my_records(
    ctx: DataSubjectContext,
    record_type: RecordType | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> RecordPage:
    """The records in your data space, with their catalog source (nobody else browses them)."""
    rows, total = await service.my_records(ctx, record_type=record_type, limit=limit, offset=offset)
    return RecordPage(items=[record_read(r) for r in rows], total=total)


@router.get(
    "/dataspaces/me/records/{record_id}",
    operation_id="get_my_record",
    responses=responses(Forbidden, RecordNotFound),
)
async def get_my_record(record_id: str, ctx: DataSubjectContext) -> RecordRead:
    """One record of your data space."""
    return record_read(await service.my_record(ctx, record_id))
