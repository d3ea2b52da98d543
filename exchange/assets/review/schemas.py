"""Request and response models of compliance review, objections and registration."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from exchange.assets.fields import Reason
from exchange.assets.review.models import ObjectionDecision, ObjectionStatus
from exchange.assets.review.rules import ReviewDecision
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel, StrictInt


class ReviewCreate(RequestModel):
    """A compliance reviewer's decision with its reasons."""

    decision: ReviewDecision
    reason: Reason


class ObjectionCreate(RequestModel):
    """An objection (异议) with its grounds."""

    grounds: Reason


class ObjectionDecisionCreate(RequestModel):
    """A regulator's decision on an objection."""

    decision: ObjectionDecision
    reason: Reason


class RevocationCreate(RequestModel):
    """Revocation by the registry (撤销登记)."""

    reason: Reason


class FinalizeDueCreate(RequestModel):
    """Register every asset whose publicity is over (up to a limit)."""

    limit: Annotated[StrictInt, Field(ge=1, le=1000)] = 500


class ReviewRead(ResponseModel):
    """One review."""

    id: str
    application_id: str
    reviewer_id: str
    decision: ReviewDecision
    reason: str
    created_at: datetime


class ObjectionRead(ResponseModel):
    """An objection and, once decided, the regulator's decision."""

    id: str
    asset_id: str
    application_id: str
    objector_id: str
    grounds: str
    status: ObjectionStatus
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None


class FinalizedRead(ResponseModel):
    """The assets a bulk finalization registered."""

    registered: int
    asset_ids: list[str]
    certificate_numbers: list[str]


class ReviewPage(Page[ReviewRead]):
    """A page of reviews."""


class ObjectionPage(Page[ObjectionRead]):
    """A page of objections."""
