"""Response models of who used my data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from exchange.audit.log.service import LoggedEntry
from exchange.dataspaces.usage.service import ACTION_LABELS
from exchange.kit.paging import Page
from exchange.schemas import ResponseModel


class UsageEntryRead(ResponseModel):
    """An audit entry about the caller's data: prove it with its index."""

    index: int = Field(description="Its index in the audit log (GET /v1/audit/proof/inclusion)")
    logged_at: datetime
    actor: str = Field(description="Who acted (a participant id, or system)")
    action: str
    action_label: str
    subject_type: str
    subject_id: str
    payload: dict[str, Any]


class UsagePage(Page[UsageEntryRead]):
    """A page of entries, newest first."""


def usage_read(entry: LoggedEntry) -> UsageEntryRead:
    return UsageEntryRead(
        index=entry.index,
        logged_at=datetime.fromisoformat(entry.logged_at),
        actor=entry.actor,
        action=entry.action,
        action_label=ACTION_LABELS.get(entry.action, entry.action),
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        payload=entry.payload,
    )
