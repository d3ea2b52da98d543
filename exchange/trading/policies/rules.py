"""Pure: a usage policy checked at the moment of use, clause by clause.

`check_use` is what every delivery, call and computation passes first (the term, the
declared purpose, the caller's territory, the kind of access); `quota_window` says which
period a use counts in. Each refusal is an error naming its clause (errors.py); the
quota and the privacy budget are spent by compare-and-set on the licence (service.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from exchange.clock import rfc3339
from exchange.trading.policies.errors import (
    AccessNotGranted,
    PurposeNotAllowed,
    PurposeNotDeclared,
    QuotaExhausted,
    TerritoryNotAllowed,
    UsageTermEnded,
)
from exchange.trading.policies.terms import (
    ACCESS_LABELS,
    PERIOD_DAYS,
    PURPOSE_LABELS,
    Access,
    Purpose,
    QuotaPeriod,
    UsagePolicy,
)

CLAUSE_LABELS: dict[str, str] = {
    "term": "许可期限 term",
    "purpose": "使用目的 purpose",
    "territory": "使用地域 territory",
    "quota": "使用次数 quota",
    "access": "交付方式 access",
    "transfer": "传输过程 transfer process",
    "menu": "计算菜单 computation menu",
    "dimension": "可用维度 allowed dimensions",
    "budget": "隐私预算 privacy budget",
    "resale": "禁止转售 no resale",
}


def check_term(*, starts_at: datetime, expires_at: datetime, live: bool, now: datetime) -> None:
    """The licence is in force now (not revoked, within its term)."""
    if not live or not starts_at <= now < expires_at:
        raise UsageTermEnded(
            f"Refused under the clause {CLAUSE_LABELS['term']}: the licence runs "
            f"{rfc3339(starts_at)} .. {rfc3339(expires_at)} and is not in force now "
            f"({rfc3339(now)}).",
            clause="term",
            expires_at=rfc3339(expires_at),
        )


def check_purpose(policy: UsagePolicy, declared: Purpose | None) -> None:
    """A purpose-restricted licence is used only for a declared, permitted purpose."""
    if policy.purposes is None:
        return
    allowed = ", ".join(f"{p.value} ({PURPOSE_LABELS[p]})" for p in policy.purposes)
    if declared is None:
        raise PurposeNotDeclared(
            f"Refused under the clause {CLAUSE_LABELS['purpose']}: this licence is for "
            f"{allowed}; declare the purpose of this use.",
            clause="purpose",
            allowed=[p.value for p in policy.purposes],
        )
    if declared not in policy.purposes:
        raise PurposeNotAllowed(
            f"Refused under the clause {CLAUSE_LABELS['purpose']}: {declared.value} "
            f"({PURPOSE_LABELS[declared]}) is not permitted; this licence is for {allowed}.",
            clause="purpose",
            declared=declared.value,
            allowed=[p.value for p in policy.purposes],
        )


def check_territory(policy: UsagePolicy, jurisdiction: str) -> None:
    """The caller is registered in a jurisdiction the policy allows."""
    if policy.territories is not None and jurisdiction not in policy.territories:
        raise TerritoryNotAllowed(
            f"Refused under the clause {CLAUSE_LABELS['territory']}: the caller is registered "
            f"in {jurisdiction}; this licence is used only in {', '.join(policy.territories)}.",
            clause="territory",
            jurisdiction=jurisdiction,
            allowed=list(policy.territories),
        )


def check_access(policy: UsagePolicy, wanted: Access) -> None:
    """The licence grants this kind of delivery (a compute-only licence never hands out rows)."""
    if policy.access is not wanted:
        raise AccessNotGranted(
            f"Refused under the clause {CLAUSE_LABELS['access']}: this licence grants "
            f"{policy.access.value} ({ACCESS_LABELS[policy.access]}), not {wanted.value}.",
            clause="access",
            granted=policy.access.value,
        )


def check_use(
    policy: UsagePolicy,
    *,
    starts_at: datetime,
    expires_at: datetime,
    live: bool,
    now: datetime,
    purpose: Purpose | None,
    jurisdiction: str,
    access: Access,
) -> None:
    """Every clause a use is checked against before anything is counted or delivered."""
    check_term(starts_at=starts_at, expires_at=expires_at, live=live, now=now)
    check_access(policy, access)
    check_purpose(policy, purpose)
    check_territory(policy, jurisdiction)


def quota_window(
    period: QuotaPeriod, *, starts_at: datetime, expires_at: datetime, now: datetime
) -> tuple[datetime, datetime]:
    """The period `now` falls in, counted from the licence's start: [start, end)."""
    if period is QuotaPeriod.TERM:
        return starts_at, expires_at
    length = timedelta(days=PERIOD_DAYS[period])
    index = max(0, (now - starts_at) // length)
    start = starts_at + index * length
    return start, min(start + length, expires_at)


def quota_refusal(policy: UsagePolicy, *, used: int, window_end: datetime) -> QuotaExhausted:
    """The refusal of a use past the quota (raised by the service when the counter is full)."""
    assert policy.quota is not None
    return QuotaExhausted(
        f"Refused under the clause {CLAUSE_LABELS['quota']}: {used} of "
        f"{policy.quota.limit} uses this period are spent; the next period begins "
        f"{rfc3339(window_end)}.",
        clause="quota",
        limit=policy.quota.limit,
        period=policy.quota.period.value,
        next_period_at=rfc3339(window_end),
    )
