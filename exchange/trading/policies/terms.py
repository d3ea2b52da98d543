"""Pure: the terms of a usage policy (使用策略), modelled on ODRL 2.2.

A policy says how a licence may be used, clause by clause, in a form the platform enforces:

- `access`: what the licence grants — a file download (文件下载), metered API calls over
  the registered rows (计量接口调用), or computation only (隐私计算, 可用不可见: aggregates,
  never rows);
- `purposes`: the purposes (使用目的) a caller may declare, from a fixed vocabulary (ODRL
  `purpose` constraint); none listed means any purpose;
- `territories`: the jurisdictions (使用地域) callers may be registered in (ODRL `spatial`);
- `quota`: deliveries or calls per period (使用次数, ODRL `count`);
- `prohibitions`: no resale (禁止转售, ODRL `sell`), no sublicensing (禁止再许可, ODRL
  `grantUse`);
- duties: attribution (署名, ODRL `attribute`) and deletion at expiry (到期删除, `delete`);
- `compute`: for computation only, the dimensions a query may group by, the measures with
  their bounds, the small-cell threshold k and the differential-privacy budget ε;
- `negotiable`: how far a counter-offer may move the policy (协议磋商可调整范围).

Stored as JSON on tiers, negotiations, orders and licences; read back with `UsagePolicy`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StrictBool, StrictFloat, StringConstraints, model_validator

from exchange.schemas import RequestModel, StrictInt
from exchange.vocabulary import Jurisdiction


class Purpose(StrEnum):
    """The purposes a licensee may declare (使用目的), a fixed vocabulary."""

    CREDIT_ASSESSMENT = "credit_assessment"
    RISK_CONTROL = "risk_control"
    RESEARCH = "research"
    MARKETING = "marketing"
    INSURANCE_ACTUARIAL = "insurance_actuarial"
    SUPPLY_CHAIN = "supply_chain"
    URBAN_GOVERNANCE = "urban_governance"
    PRODUCT_DEVELOPMENT = "product_development"
    STATISTICS = "statistics"


PURPOSE_LABELS: dict[Purpose, str] = {
    Purpose.CREDIT_ASSESSMENT: "信贷评估",
    Purpose.RISK_CONTROL: "风险控制",
    Purpose.RESEARCH: "科学研究",
    Purpose.MARKETING: "市场营销",
    Purpose.INSURANCE_ACTUARIAL: "保险精算",
    Purpose.SUPPLY_CHAIN: "供应链管理",
    Purpose.URBAN_GOVERNANCE: "城市治理",
    Purpose.PRODUCT_DEVELOPMENT: "产品研发",
    Purpose.STATISTICS: "统计分析",
}


class Access(StrEnum):
    """What a licence grants (交付方式)."""

    DOWNLOAD = "download"  # 文件下载: the registered package, streamed
    METERED = "metered"  # 计量接口: rows of the registered table, call by call
    COMPUTE = "compute"  # 隐私计算: aggregate queries only; rows never leave


ACCESS_LABELS: dict[Access, str] = {
    Access.DOWNLOAD: "文件下载",
    Access.METERED: "计量接口调用",
    Access.COMPUTE: "隐私计算（可用不可见）",
}


class QuotaPeriod(StrEnum):
    """The period a quota counts over, from the licence's start (market clock)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"  # thirty days
    TERM = "term"  # the whole term of the licence


PERIOD_DAYS: dict[QuotaPeriod, int] = {
    QuotaPeriod.DAY: 1,
    QuotaPeriod.WEEK: 7,
    QuotaPeriod.MONTH: 30,
}
PERIOD_LABELS: dict[QuotaPeriod, str] = {
    QuotaPeriod.DAY: "每日",
    QuotaPeriod.WEEK: "每周",
    QuotaPeriod.MONTH: "每三十日",
    QuotaPeriod.TERM: "许可期内",
}


class Prohibition(StrEnum):
    """What a licensee may never do with the data (禁止性条款)."""

    RESALE = "resale"  # 禁止转售
    SUBLICENSING = "sublicensing"  # 禁止再许可


PROHIBITION_LABELS: dict[Prohibition, str] = {
    Prohibition.RESALE: "禁止转售",
    Prohibition.SUBLICENSING: "禁止再许可",
}

ColumnName = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")
]
Epsilon = Annotated[StrictFloat, Field(gt=0, le=100, allow_inf_nan=False)]
MICRO = 1_000_000  # ε is accounted in millionths, as integers (compare-and-set on the licence)


def micro(epsilon: float) -> int:
    """ε in millionths (what the budget is accounted in)."""
    return round(epsilon * MICRO)


def _unique(values: list[Any], what: str) -> None:
    if len(set(values)) != len(values):
        raise ValueError(f"{what} are listed twice")


class Quota(RequestModel):
    """At most `limit` deliveries or calls in each period (使用次数)."""

    limit: Annotated[StrictInt, Field(ge=1, le=1_000_000_000)]
    period: QuotaPeriod


class MeasureBounds(RequestModel):
    """The range a measure's values are clamped to: it fixes how much one row can move a sum,
    which is what the noise is scaled to."""

    lower: Annotated[StrictFloat, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]
    upper: Annotated[StrictFloat, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]

    @model_validator(mode="after")
    def _ordered(self) -> MeasureBounds:
        if not self.lower < self.upper:
            raise ValueError("lower must be below upper")
        return self

    @property
    def sensitivity(self) -> float:
        """How much one row can move a sum of the clamped measure."""
        return max(abs(self.lower), abs(self.upper))


class ComputeTerms(RequestModel):
    """Computation without disclosure (可用不可见): the safe menu's dimensions and measures,
    the small-cell threshold and the privacy budget."""

    dimensions: list[ColumnName] = Field(default_factory=list, max_length=8)
    measures: dict[ColumnName, MeasureBounds] = Field(default_factory=dict, max_length=8)
    k_threshold: Annotated[StrictInt, Field(ge=2, le=1000)] = 5
    epsilon_per_query: Epsilon = 0.5
    epsilon_budget: Epsilon = 5.0

    @model_validator(mode="after")
    def _consistent(self) -> ComputeTerms:
        _unique(self.dimensions, "dimensions")
        both = set(self.dimensions) & set(self.measures)
        if both:
            raise ValueError(f"{sorted(both)[0]!r} is both a dimension and a measure")
        if self.epsilon_per_query > self.epsilon_budget:
            raise ValueError("epsilon_per_query is above epsilon_budget: no query could run")
        return self

    @property
    def budget_micro(self) -> int:
        return micro(self.epsilon_budget)

    @property
    def per_query_micro(self) -> int:
        return micro(self.epsilon_per_query)


class Allowance(RequestModel):
    """How far a negotiation may move the policy (协议磋商可调整范围): the purposes and
    territories a counter-offer may name, the highest quota and privacy budget it may reach.
    Everything else is fixed by the seller."""

    purposes: list[Purpose] | None = Field(default=None, min_length=1, max_length=20)
    territories: list[Jurisdiction] | None = Field(default=None, min_length=1, max_length=50)
    quota_limit_max: Annotated[StrictInt, Field(ge=1, le=1_000_000_000)] | None = None
    epsilon_budget_max: Epsilon | None = None


class UsagePolicy(RequestModel):
    """A usage policy (使用策略): permissions with constraints, prohibitions and duties."""

    access: Access = Access.DOWNLOAD
    purposes: list[Purpose] | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="Purposes a caller may declare; unset: any purpose",
    )
    territories: list[Jurisdiction] | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="Jurisdictions a caller may be registered in; unset: anywhere",
    )
    quota: Quota | None = None
    prohibitions: list[Prohibition] = Field(default_factory=list, max_length=2)
    attribution: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    delete_at_expiry: StrictBool = False
    compute: ComputeTerms | None = None
    negotiable: Allowance | None = None

    @model_validator(mode="after")
    def _consistent(self) -> UsagePolicy:
        for values, what in (
            (self.purposes or [], "purposes"),
            (self.territories or [], "territories"),
            (self.prohibitions, "prohibitions"),
        ):
            _unique(values, what)
        if (self.access is Access.COMPUTE) != (self.compute is not None):
            raise ValueError("compute terms go with access 'compute', and only with it")
        if self.compute is not None and not (self.compute.dimensions or self.compute.measures):
            raise ValueError("compute terms name at least one dimension or measure")
        return self

    def document(self) -> dict[str, Any]:
        """The policy as stored and as an audit entry records it (no defaults omitted)."""
        return self.model_dump(mode="json")


def read_policy(stored: dict[str, Any] | None) -> UsagePolicy | None:
    """A stored policy, validated again (None: the tier has only its scope text)."""
    return None if stored is None else UsagePolicy.model_validate(stored)


def allowance_misses(allowance: Allowance, policy: UsagePolicy) -> list[str]:
    """What of `policy` lies outside what `allowance` lets a negotiation reach (empty: nothing).

    Purposes and territories may only be chosen from the allowance (or, where the allowance
    is silent, stay as they were); the quota may rise to its maximum, the budget likewise.
    """
    misses = []
    if allowance.purposes is not None:
        wanted = policy.purposes
        if wanted is None or not set(wanted) <= set(allowance.purposes):
            misses.append(
                "purposes must be chosen from " + ", ".join(p.value for p in allowance.purposes)
            )
    if allowance.territories is not None:
        wanted_t = policy.territories
        if wanted_t is None or not set(wanted_t) <= set(allowance.territories):
            misses.append("territories must be chosen from " + ", ".join(allowance.territories))
    if allowance.quota_limit_max is not None and (
        policy.quota is None or policy.quota.limit > allowance.quota_limit_max
    ):
        misses.append(f"the quota may be at most {allowance.quota_limit_max} a period")
    if (
        allowance.epsilon_budget_max is not None
        and policy.compute is not None
        and policy.compute.epsilon_budget > allowance.epsilon_budget_max
    ):
        misses.append(f"the privacy budget may be at most ε={allowance.epsilon_budget_max:g}")
    return misses


def negotiated_misses(base: UsagePolicy, proposed: UsagePolicy) -> list[str]:
    """What a counter-offer's policy changes beyond what the tier's seller allows.

    Without an allowance nothing may change. With one, the purposes, territories, quota
    limit and privacy budget may move within it; every other clause stays the seller's (the
    allowance itself included: a proposal need not repeat it).
    """
    allowance = base.negotiable
    proposed = proposed.model_copy(update={"negotiable": allowance})
    if allowance is None:
        return [] if proposed == base else ["the seller allows no change to this tier's policy"]
    misses = allowance_misses(allowance, proposed)
    fixed = base.model_copy(
        update={
            "purposes": proposed.purposes if allowance.purposes is not None else base.purposes,
            "territories": (
                proposed.territories if allowance.territories is not None else base.territories
            ),
        }
    )
    if allowance.quota_limit_max is not None and base.quota is not None and proposed.quota:
        fixed = fixed.model_copy(
            update={"quota": base.quota.model_copy(update={"limit": proposed.quota.limit})}
        )
    if allowance.epsilon_budget_max is not None and base.compute and proposed.compute:
        fixed = fixed.model_copy(
            update={
                "compute": base.compute.model_copy(
                    update={"epsilon_budget": proposed.compute.epsilon_budget}
                )
            }
        )
    if fixed != proposed:
        changed = [
            name
            for name in UsagePolicy.model_fields
            if getattr(fixed, name) != getattr(proposed, name)
        ]
        misses.append("the seller fixed " + ", ".join(changed) + "; they cannot change")
    return misses


def for_audit(value: Any) -> Any:
    """A policy (or query) as an audit entry records it: audit payloads hold no floats
    (RFC 8785 bytes must not depend on float printing), so each float becomes its shortest
    decimal text, e.g. 0.5 → "0.5"."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {k: for_audit(v) for k, v in value.items()}
    if isinstance(value, list):
        return [for_audit(v) for v in value]
    return value
