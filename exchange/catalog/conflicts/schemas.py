"""Request and response models of source conflicts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints

from exchange.catalog.conflicts.models import ConflictOutcome, ConflictStatus
from exchange.catalog.elements.schemas import SourcePointer
from exchange.catalog.fields import Id
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel


class ConflictRead(ResponseModel):
    """A refused second source of a data element (and its escalation, if any)."""

    id: str
    status: ConflictStatus
    element_id: str
    element_code: str
    existing_source: SourcePointer
    claimant_department_id: str
    claimant_participant_id: str
    claimant_item_id: str | None
    proposed_item_name: str
    escalation_reason: str
    outcome: ConflictOutcome | None
    decision_note: str
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ConflictPage(Page[ConflictRead]):
    """A page of source conflicts."""


class ConflictEscalate(RequestModel):
    """Ask for a decision on a refused source (申诉): name the item that should be the source."""

    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    claimant_item_id: Id | None = None


class ConflictResolve(RequestModel):
    """Decide an escalated conflict (admin): keep the existing source or transfer it."""

    outcome: ConflictOutcome
    note: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
