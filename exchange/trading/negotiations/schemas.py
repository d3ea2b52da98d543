"""Request and response models of negotiated trading (协议交易), and the builders of the
responses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import Field

from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel
from exchange.trading.fields import AmountFen, Id, Reason, Text
from exchange.trading.negotiations.models import Negotiation, NegotiationMessage
from exchange.trading.policies.terms import UsagePolicy, read_policy
from exchange.vocabulary import LegalBasis, NegotiationParty, NegotiationState


class NegotiationCreate(RequestModel):
    """Request a licence at a proposed price (协议交易: contract request)."""

    listing_id: Id
    tier_id: Id
    exchange_id: Id
    price_fen: AmountFen
    message: Text = ""
    mandate_id: Id | None = None
    policy: UsagePolicy | None = Field(
        default=None,
        description="The usage policy proposed, within what the seller allows (unset: the "
        "tier's policy as listed)",
    )


class NegotiationStep(RequestModel):
    """A counter-request or offer (with a price), or an accept/agree/terminate (without)."""

    price_fen: AmountFen | None = None
    message: Text = ""
    policy: UsagePolicy | None = Field(
        default=None,
        description="A counter-request or offer may move the usage policy within what the "
        "seller allows (unset: unchanged)",
    )


class NegotiationTerminate(RequestModel):
    """End a negotiation, with the reason."""

    reason: Reason


class NegotiationSettle(RequestModel):
    """Settle an agreed negotiation at the agreed price."""

    legal_basis: LegalBasis | None = None


class NegotiationMessageRead(ResponseModel):
    """One step of a negotiation."""

    seq: int
    party: NegotiationParty
    sent_by: str
    state: NegotiationState
    price_fen: int
    message: str
    created_at: datetime


class NegotiationRead(ResponseModel):
    """A negotiation and its steps."""

    id: str
    listing_id: str
    tier_id: str
    exchange_id: str
    consumer_id: str
    provider_id: str
    broker_id: str | None
    mandate_id: str | None
    state: NegotiationState
    price_fen: int
    policy: UsagePolicy | None
    order_id: str | None
    terminated_by: str | None
    termination_reason: str | None
    created_at: datetime
    updated_at: datetime
    messages: list[NegotiationMessageRead]


class NegotiationPage(Page[NegotiationRead]):
    """A page of negotiations (without their steps)."""


def negotiation_read(n: Negotiation, messages: Sequence[NegotiationMessage]) -> NegotiationRead:
    return NegotiationRead(
        id=n.id,
        listing_id=n.listing_id,
        tier_id=n.tier_id,
        exchange_id=n.exchange_id,
        consumer_id=n.consumer_id,
        provider_id=n.provider_id,
        broker_id=n.broker_id,
        mandate_id=n.mandate_id,
        state=n.state,
        price_fen=n.price_fen,
        policy=read_policy(n.policy),
        order_id=n.order_id,
        terminated_by=n.terminated_by,
        termination_reason=n.termination_reason,
        created_at=n.created_at,
        updated_at=n.updated_at,
        messages=[NegotiationMessageRead.model_validate(m) for m in messages],
    )
