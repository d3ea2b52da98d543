"""Request and response models of operating agreements (授权运营协议)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from exchange.kit.fields import MarketDateTime
from exchange.kit.paging import Page
from exchange.middleware import MAX_SAFE_INTEGER
from exchange.operation.vocabulary import AgreementStatus, Purpose
from exchange.schemas import RequestModel, ResponseModel, StrictBool, StrictInt
from exchange.vocabulary import ProductForm

Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]
FieldCode = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
Note = Annotated[str, StringConstraints(max_length=1000)]


class AgreementItemSpec(RequestModel):
    """A catalog item the agreement covers, and which of its fields the operator receives."""

    item_id: Id
    fields: list[FieldCode] = Field(min_length=1, max_length=200)


class AgreementCreate(RequestModel):
    """An operator's proposal of an operating agreement (授权运营申请)."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    items: list[AgreementItemSpec] = Field(min_length=1, max_length=50)
    purposes: list[Purpose] = Field(
        min_length=1, max_length=20, description="Permitted purposes (授权用途)"
    )
    forms: list[ProductForm] = Field(
        min_length=1,
        max_length=6,
        description="Permitted output forms (产品形态); never 'dataset' (raw records) of an "
        "item that is not open",
    )
    starts_at: MarketDateTime
    ends_at: MarketDateTime
    revenue_share_bp: Annotated[
        StrictInt,
        Field(
            ge=-MAX_SAFE_INTEGER,
            le=MAX_SAFE_INTEGER,
            description="The departments' share of the operator's proceeds from each sale, in "
            "basis points: 0 to 10000 (0–100%); anything else is refused",
        ),
    ]
    security_duties: Annotated[
        str,
        StringConstraints(min_length=1, max_length=4000),
        Field(description="Security duties (安全责任) the operator takes on"),
    ]
    exclusive: StrictBool = Field(
        default=False, description="Exclusive operation (独家授权) of the items for the term"
    )


class AgreementDecision(RequestModel):
    """The data authority's decision on a proposal (审批); a refusal gives its reason."""

    decision: Literal["approve", "refuse"]
    reason: Note = ""


class AgreementMove(RequestModel):
    """Suspend, resume or terminate an agreement, with the reason (shown on the listings of
    the products derived under it)."""

    reason: Reason


class PurposeRead(ResponseModel):
    """A permitted purpose with its Chinese label."""

    code: Purpose
    label: str


class PurposePage(Page[PurposeRead]):
    """The purposes an agreement may permit."""


class DepartmentRef(ResponseModel):
    """A department as an agreement names it."""

    id: str
    name: str
    division_code: str
    participant_id: str | None


class AgreementItemRead(ResponseModel):
    """An item the agreement covers."""

    item_id: str
    item_code: str
    item_name: str
    opening: str
    fields: list[str]
    department: DepartmentRef


class AgreementRead(ResponseModel):
    """An operating agreement (授权运营协议), with what was derived under it and paid."""

    id: str
    title: str
    operator_id: str
    operator_name: str
    status: AgreementStatus
    status_label: str
    items: list[AgreementItemRead]
    purposes: list[PurposeRead]
    forms: list[ProductForm]
    starts_at: datetime
    ends_at: datetime
    revenue_share_bp: int
    security_duties: str
    exclusive: bool
    proposed_by: str
    proposed_at: datetime
    authority_department_id: str | None
    decided_by: str | None
    decided_at: datetime | None
    reason: str
    updated_at: datetime
    derived_assets: int = Field(description="Assets derived under the agreement")
    revenue_paid_fen: int = Field(description="Revenue shares paid under it, in fen")


class AgreementPage(Page[AgreementRead]):
    """A page of operating agreements."""
