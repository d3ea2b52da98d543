"""Request and response models of supervisory agencies."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel, StrictInt
from exchange.supervision.agencies.service import AgencyView
from exchange.supervision.fields import AgencyId, DivisionCode, Title
from exchange.supervision.rules import REMIT_LABELS, Remit


class RemitRead(ResponseModel):
    """A remit (职责) with its label."""

    code: Remit
    label: str


class AgencyRead(ResponseModel):
    """A supervisory agency (监管机构): remits, level and division, member regulators."""

    id: str
    name: str
    name_en: str
    remits: list[RemitRead]
    level: str
    division_code: str
    members: list[str]
    created_at: datetime


class AgencyPage(Page[AgencyRead]):
    """A page of agencies."""


class AgencyCreate(RequestModel):
    """A new agency (admins)."""

    id: AgencyId
    name: Title
    name_en: Title
    remits: list[Remit] = Field(min_length=1, max_length=4)
    division_code: DivisionCode


class ThresholdsRead(ResponseModel):
    """An agency's surveillance thresholds (its settings over the defaults)."""

    agency_id: str
    values: dict[str, int]


class ThresholdsUpdate(RequestModel):
    """Thresholds to change (others keep their values)."""

    values: dict[str, StrictInt] = Field(min_length=1, max_length=32)


def agency_read(view: AgencyView) -> AgencyRead:
    a = view.agency
    return AgencyRead(
        id=a.id,
        name=a.name,
        name_en=a.name_en,
        remits=[RemitRead(code=r, label=REMIT_LABELS[r]) for r in sorted(view.remits)],
        level=a.level,
        division_code=a.division_code,
        members=list(view.members),
        created_at=a.created_at,
    )
