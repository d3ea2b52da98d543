"""Request and response models of pledges (质押)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from exchange.assets.fields import MAX_AMOUNT_FEN
from exchange.assets.pledges.models import PledgeStatus
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel, StrictInt

AmountFen = Annotated[StrictInt, Field(gt=0, le=MAX_AMOUNT_FEN, description="Amount in fen (分)")]


class PledgeRead(ResponseModel):
    """A pledge (质押)."""

    id: str
    certificate_number: str
    asset_id: str
    lender_id: str
    holder_id: str
    loan_reference: str
    amount_fen: int
    status: PledgeStatus
    created_at: datetime
    confirmed_at: datetime | None
    ended_at: datetime | None


class PledgePage(Page[PledgeRead]):
    """A page of pledges."""


class PledgeCreate(RequestModel):
    """A lender records a pledge of a certificate for a loan."""

    certificate_number: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    loan_reference: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    amount_fen: AmountFen
