"""Request and response models of participants, keys and accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from exchange.kit.fields import AmountFen
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel
from exchange.vocabulary import Jurisdiction, ParticipantStatus, Role

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Memo = Annotated[str, StringConstraints(max_length=500)]


class ParticipantCreate(RequestModel):
    """Register a participant (admin only)."""

    name: Name
    role: Role
    jurisdiction: Jurisdiction = "CN"


class ParticipantRead(ResponseModel):
    """A participant's public profile."""

    id: str
    name: str
    role: Role
    role_label: str
    jurisdiction: str
    status: ParticipantStatus
    created_at: datetime


class ParticipantPage(Page[ParticipantRead]):
    """A page of participants."""


class ApiKeyCreate(RequestModel):
    """Issue another key (rotation): the old one stays valid until revoked."""

    label: Annotated[str, StringConstraints(max_length=100)] = ""


class ApiKeyRead(ResponseModel):
    """A key's metadata; the secret is never shown again."""

    id: str
    label: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyIssued(ApiKeyRead):
    """A newly issued key: `api_key` is shown this once."""

    api_key: str


class ParticipantCreated(ResponseModel):
    """A registered participant with its first key (shown once)."""

    participant: ParticipantRead
    api_key: ApiKeyIssued
    account_id: str


class DepositCreate(RequestModel):
    """A sandbox deposit (沙盒注资) into a participant's account."""

    amount_fen: AmountFen
    memo: Memo = ""


class TransferCreate(RequestModel):
    """Pay another participant from one's own account."""

    to_participant_id: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    amount_fen: AmountFen
    memo: Memo = ""


class PostingRead(ResponseModel):
    """One leg of a journal."""

    id: int
    journal_id: str
    kind: str
    memo: str
    amount_fen: int
    balance_after_fen: int
    created_at: datetime


class JournalLeg(ResponseModel):
    """One leg as a journal shows it."""

    account_id: str
    amount_fen: int


class JournalRead(ResponseModel):
    """A money movement: legs sum to zero."""

    id: str
    kind: str
    memo: str
    created_at: datetime
    legs: list[JournalLeg]


class AccountRead(ResponseModel):
    """A cash account, its balance and its latest postings."""

    account_id: str
    owner_id: str
    currency: str
    balance_fen: int
    frozen_by_measure: str | None = Field(
        default=None, description="The supervision measure freezing it (账户冻结), if any"
    )
    frozen_by_case: str | None = None
    postings: list[PostingRead]
    next_before: int | None


class ApiKeyPage(Page[ApiKeyRead]):
    """A page of a participant's API keys."""
