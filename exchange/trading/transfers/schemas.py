"""Request and response models of transfer processes (传输过程), metered calls, computations
and usage records, and the builders of the responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel
from exchange.trading.fields import Note
from exchange.trading.policies.terms import MICRO, Purpose
from exchange.trading.transfers.models import Transfer, TransferState, UsageKind, UsageRecord


class TransferCreate(RequestModel):
    """Request a transfer under a licence, declaring the purpose of the use (使用目的)."""

    purpose: Purpose | None = Field(
        default=None, description="Required when the licence restricts purposes"
    )


class TransferMove(RequestModel):
    """Suspend, resume, complete or terminate a transfer, with a reason."""

    reason: Note = ""


class TransferRead(ResponseModel):
    """A transfer process; `state` has the Dataspace Protocol's names."""

    id: str
    licence_id: str
    consumer_id: str
    provider_id: str
    access: str
    purpose: str | None
    state: TransferState
    suspended_by: str | None
    reason: str
    created_at: datetime
    updated_at: datetime


class TransferPage(Page[TransferRead]):
    """A page of transfers."""


def transfer_read(transfer: Transfer) -> TransferRead:
    return TransferRead.model_validate(transfer)


class RowsRead(ResponseModel):
    """A metered call's rows (计量接口): the table's columns and rows [offset, offset+n)."""

    columns: list[str]
    rows: list[list[str]]
    offset: int
    next_offset: int | None
    used_in_period: int
    quota_limit: int | None


class ComputationRead(ResponseModel):
    """A computation's answer: noisy aggregates of the cells of at least k rows, how many
    cells were suppressed, and the privacy budget spent so far (ε)."""

    answer: dict[str, Any]
    epsilon_spent: float
    epsilon_budget: float


class UsageRecordRead(ResponseModel):
    """One use of a licence, or one refusal naming its clause."""

    id: int
    licence_id: str
    transfer_id: str | None
    actor_id: str
    kind: UsageKind
    purpose: str | None
    clause: str | None
    problem: str | None
    detail: str
    units: int
    epsilon: float
    query: dict[str, Any] | None
    result: dict[str, Any] | None
    created_at: datetime


class UsageRecordPage(Page[UsageRecordRead]):
    """A page of usage records."""


def usage_read(record: UsageRecord) -> UsageRecordRead:
    return UsageRecordRead(
        id=record.id,
        licence_id=record.licence_id,
        transfer_id=record.transfer_id,
        actor_id=record.actor_id,
        kind=record.kind,
        purpose=record.purpose,
        clause=record.clause,
        problem=record.problem,
        detail=record.detail,
        units=record.units,
        epsilon=record.epsilon_micro / MICRO,
        query=record.query,
        result=record.result,
        created_at=record.created_at,
    )
