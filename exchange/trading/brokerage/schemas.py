"""Request and response models of data brokers' licences (数据经纪人) and their clients' mandates
(授权委托), and the builders of the responses."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from exchange.context import Context
from exchange.kit.fields import MarketDateTime
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel
from exchange.trading.brokerage.models import BrokerLicenceStatus, Mandate
from exchange.trading.fields import AmountFen, BasisPoints, Id, Reason
from exchange.vocabulary import MandateAction, MandateSide, MandateStatus


class BrokerLicenceCreate(RequestModel):
    """License a data broker (数据经纪人) on the operator's exchange."""

    broker_id: Id
    exchange_id: Id


class ReasonBody(RequestModel):
    """A reason, recorded with the change."""

    reason: Reason


class BrokerLicenceRead(ResponseModel):
    """A broker's licence from one exchange."""

    id: str
    broker_id: str
    exchange_id: str
    status: BrokerLicenceStatus
    issued_by: str
    issued_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None


class MandateCreate(RequestModel):
    """A mandate (授权委托) from the calling client to a licensed broker.

    `side` says which side of its trades the broker acts for (the client's: buyer unless
    stated); the client pays the commission, on top of what it pays or out of what it gets.
    """

    broker_id: Id
    side: MandateSide = MandateSide.BUYER
    exchange_ids: list[Id] = Field(min_length=1, max_length=4)
    actions: list[MandateAction] = Field(min_length=1, max_length=3)
    spending_limit_fen: AmountFen
    commission_bp: BasisPoints
    expires_at: MarketDateTime


class MandateRead(ResponseModel):
    """A mandate; `state` is active, expired or revoked by the clock."""

    id: str
    client_id: str
    broker_id: str
    side: MandateSide
    exchange_ids: list[str]
    actions: list[str]
    spending_limit_fen: int
    spent_fen: int
    remaining_fen: int
    commission_bp: int
    expires_at: datetime
    state: Literal["active", "expired", "revoked"]
    created_at: datetime
    revoked_at: datetime | None


class MandatePage(Page[MandateRead]):
    """A page of mandates."""


def mandate_read(ctx: Context, m: Mandate) -> MandateRead:
    state: Literal["active", "expired", "revoked"] = (
        "revoked"
        if m.status == MandateStatus.REVOKED
        else "expired"
        if m.status == MandateStatus.EXPIRED or ctx.clock.now() >= m.expires_at
        else "active"
    )
    return MandateRead(
        id=m.id,
        client_id=m.client_id,
        broker_id=m.broker_id,
        side=MandateSide(m.side),
        exchange_ids=m.exchange_ids,
        actions=m.actions,
        spending_limit_fen=m.spending_limit_fen,
        spent_fen=m.spent_fen,
        remaining_fen=m.spending_limit_fen - m.spent_fen,
        commission_bp=m.commission_bp,
        expires_at=m.expires_at,
        state=state,
        created_at=m.created_at,
        revoked_at=m.revoked_at,
    )


class BrokerLicencePage(Page[BrokerLicenceRead]):
    """A page of broker licences."""
