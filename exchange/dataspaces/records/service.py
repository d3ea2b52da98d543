"""Data-space records (数字空间记录): a subject sees its own space; sources add records.

Only the data subject browses its space; a grantee sees the records a consent covers, and
only through a read under that consent (`consents.reading`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from exchange.context import Context, Principal
from exchange.dataspaces.consents.errors import ConsentRecordsNotYours
from exchange.dataspaces.records import repository
from exchange.dataspaces.records.errors import RecordNotFound
from exchange.dataspaces.records.models import DataRecord
from exchange.dataspaces.vocabulary import DATA_SUBJECT_ROLES, RecordType
from exchange.errors import Forbidden
from exchange.kit.signed import canonical_json


@dataclass(frozen=True, slots=True)
class RecordSpec:
    """A record a catalog source adds to a data space."""

    record_type: RecordType
    source_item_id: str
    source_department_id: str
    title: str
    period: str
    fields: dict[str, Any]


def fields_sha256(fields: dict[str, Any]) -> str:
    """SHA-256 of a record's fields as canonical JSON: what a read hands out, provably."""
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def data_subject(ctx: Context) -> Principal:
    """The caller as a data subject: a person or a company (403 for any other role)."""
    actor = ctx.actor
    if actor is None or actor.role not in DATA_SUBJECT_ROLES:
        raise Forbidden("Only people and companies have a data space (个人和法人数字空间).")
    return actor


async def add_records(
    ctx: Context, *, subject_id: str, specs: Sequence[RecordSpec], recorded_at: datetime
) -> list[str]:
    """Add records to a subject's data space (their sources provide them): one entry in the
    log names each record, its source and the SHA-256 of its fields."""
    rows: list[dict[str, Any]] = [
        {
            "id": ctx.ids.new(),
            "subject_id": subject_id,
            "record_type": spec.record_type.value,
            "source_item_id": spec.source_item_id,
            "source_department_id": spec.source_department_id,
            "title": spec.title,
            "period": spec.period,
            "fields": spec.fields,
            "recorded_at": recorded_at,
        }
        for spec in specs
    ]
    if not rows:
        return []
    await repository.insert_records(ctx.session, rows)
    ctx.audit(
        "dataspace.records_added",
        subject_type="data_space",
        subject_id=subject_id,
        payload={
            "records": [
                {
                    "record_id": row["id"],
                    "record_type": row["record_type"],
                    "source_item_id": row["source_item_id"],
                    "source_department_id": row["source_department_id"],
                    "period": row["period"],
                    "fields_sha256": fields_sha256(row["fields"]),
                }
                for row in rows
            ]
        },
    )
    return [row["id"] for row in rows]


async def has_records(ctx: Context, subject_id: str) -> bool:
    """Whether a subject's data space holds anything yet (seeds add records once)."""
    return await repository.has_records(ctx.session, subject_id)


async def my_records(
    ctx: Context, *, record_type: RecordType | None, limit: int, offset: int
) -> tuple[Sequence[DataRecord], int]:
    """A page of the caller's own records."""
    me = data_subject(ctx)
    return await repository.list_records(
        ctx.session,
        subject_id=me.id,
        record_type=record_type.value if record_type is not None else None,
        limit=limit,
        offset=offset,
    )


async def my_counts(ctx: Context) -> dict[RecordType, int]:
    """How many records of each type the caller's data space holds."""
    me = data_subject(ctx)
    counts = await repository.counts_by_type(ctx.session, me.id)
    return {kind: counts.get(kind.value, 0) for kind in RecordType}


async def my_record(ctx: Context, record_id: str) -> DataRecord:
    """One of the caller's own records (404 for any other)."""
    me = data_subject(ctx)
    found = await repository.get_records(ctx.session, [record_id])
    if not found or found[0].subject_id != me.id:
        raise RecordNotFound(f"No record {record_id!r} in your data space.")
    return found[0]


async def records_to_cover(
    ctx: Context, *, subject_id: str, record_ids: Sequence[str], record_types: Sequence[str]
) -> list[DataRecord]:
    """The records a consent by `subject_id` would cover: those named (each must be the
    subject's own) and every record of the types named, in order, each once."""
    named = await repository.get_records(ctx.session, list(dict.fromkeys(record_ids)))
    found = {r.id for r in named}
    foreign = [i for i in dict.fromkeys(record_ids) if i not in found] + [
        r.id for r in named if r.subject_id != subject_id
    ]
    if foreign:
        raise ConsentRecordsNotYours(
            f"Records {', '.join(foreign)} are not in your data space: a consent covers only "
            "the grantor's own records.",
            record_ids=foreign,
        )
    typed = await repository.records_of_types(
        ctx.session, subject_id, list(dict.fromkeys(record_types))
    )
    merged = {r.id: r for r in [*named, *typed]}
    return await repository.get_records(ctx.session, list(merged))


async def records_by_ids(ctx: Context, record_ids: Sequence[str]) -> list[DataRecord]:
    """Records by id, as stored (a read under a consent, which has checked who asks)."""
    return await repository.get_records(ctx.session, record_ids)
