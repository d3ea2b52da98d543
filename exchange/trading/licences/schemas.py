"""Request and response models of licences (许可) and the delivery (交付) they grant, and
the builders of the responses."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from exchange.context import Context
from exchange.kit.paging import Page
from exchange.schemas import ResponseModel
from exchange.trading.licences import service
from exchange.trading.licences.models import Licence


class LicenceRead(ResponseModel):
    """A licence; `state` is active, expired or revoked by the clock."""

    id: str
    trade_id: str
    listing_id: str
    tier_id: str
    licensee_id: str
    licensor_id: str
    scope: str
    exclusive: bool
    starts_at: datetime
    expires_at: datetime
    state: Literal["active", "expired", "revoked"]
    revoked_at: datetime | None
    revocation_reason: str | None


class LicencePage(Page[LicenceRead]):
    """A page of licences."""


def licence_read(ctx: Context, licence: Licence) -> LicenceRead:
    return LicenceRead(
        id=licence.id,
        trade_id=licence.trade_id,
        listing_id=licence.listing_id,
        tier_id=licence.tier_id,
        licensee_id=licence.licensee_id,
        licensor_id=licence.licensor_id,
        scope=licence.scope,
        exclusive=licence.exclusive,
        starts_at=licence.starts_at,
        expires_at=licence.expires_at,
        state=service.licence_state(ctx, licence),
        revoked_at=licence.revoked_at,
        revocation_reason=licence.revocation_reason,
    )
