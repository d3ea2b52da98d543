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
from exchange.trading.policies.labels import describe
from exchange.trading.policies.rules import quota_window
from exchange.trading.policies.service import deletion_state, licence_policy
from exchange.trading.policies.terms import MICRO, UsagePolicy, read_policy


class LicenceUsage(ResponseModel):
    """How much of a licence's policy is used: the quota's current period and the privacy
    budget (ε); and where the deletion duty stands."""

    period_start: datetime | None
    period_end: datetime | None
    used_in_period: int
    quota_limit: int | None
    epsilon_spent: float
    epsilon_budget: float | None
    deletion: Literal["none", "not_due", "due", "confirmed"]
    deletion_confirmed_at: datetime | None


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
    policy: UsagePolicy | None
    policy_labels: list[str]
    usage: LicenceUsage


class LicencePage(Page[LicenceRead]):
    """A page of licences."""


def licence_read(ctx: Context, licence: Licence) -> LicenceRead:
    policy = licence_policy(licence)
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
        policy=read_policy(licence.policy),
        policy_labels=describe(policy) if licence.policy is not None else [],
        usage=usage_read(ctx, licence, policy),
    )


def usage_read(ctx: Context, licence: Licence, policy: UsagePolicy) -> LicenceUsage:
    now = ctx.clock.now()
    start = end = None
    used = 0
    if policy.quota is not None:
        start, end = quota_window(
            policy.quota.period, starts_at=licence.starts_at, expires_at=licence.expires_at, now=now
        )
        used = licence.usage_count if licence.usage_period_start == start else 0
    return LicenceUsage(
        period_start=start,
        period_end=end,
        used_in_period=used,
        quota_limit=policy.quota.limit if policy.quota is not None else None,
        epsilon_spent=licence.epsilon_spent_micro / MICRO,
        epsilon_budget=policy.compute.epsilon_budget if policy.compute is not None else None,
        deletion=deletion_state(ctx, licence, policy),
        deletion_confirmed_at=licence.deletion_confirmed_at,
    )
