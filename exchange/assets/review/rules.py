"""Pure: the review rules: reviewers' decisions, the quorum, and the publicity period (公示期)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from exchange.clock import after_working_days


class ReviewDecision(StrEnum):
    """A compliance reviewer's decision."""

    APPROVE = "approve"  # 通过
    REJECT = "reject"  # 不通过


class ReviewOutcome(StrEnum):
    """What the reviews so far decide."""

    PENDING = "pending"  # 待审
    APPROVED = "approved"  # 通过: quorum of approvals and no rejection
    REJECTED = "rejected"  # 不通过: any rejection


def review_outcome(*, approvals: int, rejections: int, quorum: int) -> ReviewOutcome:
    """A quorum of approvals with no rejection approves; any rejection rejects."""
    if rejections > 0:
        return ReviewOutcome.REJECTED
    if approvals >= max(quorum, 1):
        return ReviewOutcome.APPROVED
    return ReviewOutcome.PENDING


def publicity_ends_at(approved_at: datetime, working_days: int) -> datetime:
    """The end of publicity (公示期): `working_days` working days after approval, same time."""
    return after_working_days(approved_at, working_days)
