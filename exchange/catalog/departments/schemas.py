"""Request and response models of divisions and departments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from exchange.catalog.fields import DepartmentCode, DivisionCode, Id, NameZh
from exchange.catalog.vocabulary import Level
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel, StrictBool


class DivisionRead(ResponseModel):
    """An administrative division (行政区划)."""

    code: str
    name: str
    name_en: str
    level: Level
    parent_code: str | None


class DepartmentCreate(RequestModel):
    """Register a department (admin)."""

    code: DepartmentCode
    name: NameZh
    name_en: Annotated[str, StringConstraints(max_length=300)] = ""
    division_code: DivisionCode
    parent_id: Id | None = None
    participant_id: Id | None = None


class DepartmentUpdate(RequestModel):
    """Rename, move in the hierarchy, bind a participant (null detaches), or designate the
    data authority (数据主管部门) of its division (admin)."""

    name: NameZh | None = None
    name_en: Annotated[str, StringConstraints(max_length=300)] | None = None
    parent_id: Id | None = None
    participant_id: Id | None = None
    data_authority: StrictBool | None = Field(
        default=None,
        description="Designate (true) or withdraw (false) the department as the data "
        "authority (数据主管部门) of its division: it approves operating agreements",
    )


class DepartmentBrief(ResponseModel):
    """A department as other objects show it."""

    id: str
    code: str
    name: str
    division_code: str
    division_name: str


class DepartmentRead(ResponseModel):
    """A responsible department (数据责任部门)."""

    id: str
    code: str
    name: str
    name_en: str
    division_code: str
    division_name: str
    level: Level
    level_label: str
    city_code: str
    city_name: str
    parent_id: str | None
    participant_id: str | None
    data_authority: bool
    item_count: int
    created_at: datetime
    updated_at: datetime


class DepartmentPage(Page[DepartmentRead]):
    """A page of departments."""


class DivisionPage(Page[DivisionRead]):
    """A page of administrative divisions."""
