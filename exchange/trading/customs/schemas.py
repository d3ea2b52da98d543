"""Request and response models of data customs (数据海关): cross-border orders held for a
regulator's decision, and the builders of the responses."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel
from exchange.trading.customs.models import CustomsCase
from exchange.trading.fields import Reason
from exchange.vocabulary import CustomsDecision, CustomsStatus


class CustomsCaseRead(ResponseModel):
    """A data-customs case (数据海关) and its decision."""

    id: str
    order_id: str
    buyer_id: str
    jurisdiction: str
    listing_id: str
    asset_id: str
    exchange_id: str
    grade: str
    personal_information: bool
    legal_basis: str | None
    status: CustomsStatus
    decision: CustomsDecision | None
    reason: str
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime


class CustomsCasePage(Page[CustomsCaseRead]):
    """A page of customs cases."""


class CustomsDecisionCreate(RequestModel):
    """A regulator's decision on a pending case."""

    decision: Literal["approve", "reject"]
    reason: Reason


def customs_read(case: CustomsCase) -> CustomsCaseRead:
    return CustomsCaseRead.model_validate(case)
