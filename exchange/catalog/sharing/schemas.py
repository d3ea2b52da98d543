"""Request and response models of sharing requests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from exchange.catalog.departments.schemas import DepartmentBrief
from exchange.catalog.fields import FieldCode, Id
from exchange.catalog.sharing.models import ShareStatus
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel


class ShareRequestCreate(RequestModel):
    """Ask another department for a conditionally shared item (共享申请)."""

    item_id: Id
    purpose: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    fields: Annotated[list[FieldCode], Field(max_length=200)] = Field(default_factory=list)


class ShareDecision(RequestModel):
    """The owning department's answer; a refusal needs a reason."""

    decision: Literal["approve", "refuse"]
    reason: Annotated[str, StringConstraints(max_length=2000)] = ""


class ItemBrief(ResponseModel):
    """An item as a sharing request shows it."""

    id: str
    code: str
    name_zh: str


class ShareRequestRead(ResponseModel):
    """A sharing request with its working-day age (工作日)."""

    id: str
    item: ItemBrief
    item_version: int
    requester_department: DepartmentBrief
    owner_department: DepartmentBrief
    requested_by: str
    purpose: str
    fields: list[str]
    status: ShareStatus
    reason: str
    submitted_at: datetime
    submitted_on: date
    due_on: date
    answered_at: datetime | None
    answered_by: str | None
    age_working_days: int
    overdue: bool
    overdue_flagged_at: datetime | None = None


class ShareRequestPage(Page[ShareRequestRead]):
    """A page of sharing requests."""


class ShareStats(ResponseModel):
    """Response times against the target of 3 working days on average."""

    department_id: str | None
    target_working_days: int
    answered: int
    average_response_working_days: float | None
    meets_target: bool | None
    open: int
    overdue_count: int
    overdue: list[ShareRequestRead]
