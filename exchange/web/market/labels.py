"""The market pages' words for the shared vocabulary, in both languages (中文 / English).

Chinese labels come from the domains' own label tables where they have one, so a page says
what the API's `*_label` fields and the certificates say; English is added here, for people.
"""

from __future__ import annotations

from collections.abc import Callable

from exchange.assets.labels import GRADE_LABELS as ASSET_GRADE_LABELS
from exchange.assets.labels import PRODUCT_FORM_LABELS
from exchange.catalog.vocabulary import (
    LEVEL_LABELS,
    UPDATE_FREQUENCY_LABELS,
    USAGE_LABELS,
    Level,
    UpdateFrequency,
    UpdateMethod,
    UsageMethod,
)
from exchange.vocabulary import (
    OPENING_LABELS,
    ROLE_LABELS,
    SHARING_LABELS,
    AuctionRule,
    AuctionStatus,
    CustomsStatus,
    LegalBasis,
    NegotiationParty,
    NegotiationState,
    Opening,
    OrderStatus,
    ProductForm,
    Role,
    Sharing,
    TradeMode,
    VenueStatus,
)

Pair = tuple[str, str]

_ENGLISH: dict[str, dict[str, str]] = {
    "form": {
        ProductForm.DATASET: "Dataset",
        ProductForm.API: "Data API",
        ProductForm.INDICATOR: "Indicator",
        ProductForm.REPORT: "Report",
        ProductForm.MODEL: "Model",
        ProductForm.APPLICATION: "Application",
    },
    "grade": {"general": "General data", "important": "Important data", "core": "Core data"},
    "role": {
        Role.DEPARTMENT: "government departments",
        Role.ENTERPRISE: "enterprises",
        Role.INDIVIDUAL: "individuals",
        Role.BROKER: "brokers",
        Role.EXCHANGE_OPERATOR: "exchange operators",
        Role.COMPLIANCE_REVIEWER: "compliance reviewers",
        Role.REGULATOR: "regulators",
        Role.LENDER: "lenders",
        Role.INSTRUCTOR: "instructors",
        Role.ADMIN: "admins",
    },
    "level": {Level.PROVINCE: "Province", Level.CITY: "City", Level.COUNTY: "County"},
    "sharing": {
        Sharing.UNCONDITIONAL: "Shared unconditionally",
        Sharing.CONDITIONAL: "Shared on conditions",
        Sharing.NOT_SHARED: "Not shared",
    },
    "opening": {
        Opening.UNCONDITIONAL: "Open unconditionally",
        Opening.CONDITIONAL: "Open on conditions",
        Opening.NOT_OPEN: "Not open",
    },
    "usage": {
        UsageMethod.API: "API calls",
        UsageMethod.FILE: "File download",
        UsageMethod.QUERY: "Online query",
        UsageMethod.PRIVACY_COMPUTING: "Privacy computing",
    },
    "frequency": {
        UpdateFrequency.REAL_TIME: "Real time",
        UpdateFrequency.DAILY: "Daily",
        UpdateFrequency.WEEKLY: "Weekly",
        UpdateFrequency.MONTHLY: "Monthly",
        UpdateFrequency.QUARTERLY: "Quarterly",
        UpdateFrequency.YEARLY: "Yearly",
        UpdateFrequency.IRREGULAR: "Irregular",
    },
}

_PAIRS: dict[str, dict[str, Pair]] = {
    "update_method": {
        UpdateMethod.INCREMENTAL: ("增量", "incremental"),
        UpdateMethod.FULL: ("全量", "full"),
    },
    "venue": {
        VenueStatus.PENDING_REVIEW: ("待审核", "Awaiting review"),
        VenueStatus.ACTIVE: ("挂牌中", "Listed"),
        VenueStatus.SUSPENDED: ("暂停", "Suspended"),
        VenueStatus.REJECTED: ("审核不通过", "Rejected"),
        VenueStatus.DELISTED: ("已下架", "Delisted"),
    },
    "order": {
        OrderStatus.AWAITING_CUSTOMS: ("待数据海关审查", "Awaiting data customs"),
        OrderStatus.SETTLED: ("已结算", "Settled"),
        OrderStatus.REFUSED: ("未放行", "Refused"),
    },
    "customs": {
        CustomsStatus.PENDING: ("待监管决定", "Pending"),
        CustomsStatus.CLEARED: ("放行", "Cleared"),
        CustomsStatus.REFUSED: ("不予放行", "Refused"),
    },
    "mode": {
        TradeMode.POSTED: ("挂牌交易", "Posted price"),
        TradeMode.NEGOTIATED: ("协议交易", "Negotiated"),
        TradeMode.AUCTION: ("竞价交易", "Auction"),
    },
    "negotiation": {
        NegotiationState.REQUESTED: ("需方已请求", "Requested"),
        NegotiationState.OFFERED: ("供方已报价", "Offered"),
        NegotiationState.ACCEPTED: ("需方已接受", "Accepted"),
        NegotiationState.AGREED: ("已达成协议", "Agreed"),
        NegotiationState.FINALIZED: ("已成交", "Settled"),
        NegotiationState.TERMINATED: ("已终止", "Terminated"),
    },
    "party": {
        NegotiationParty.CONSUMER: ("需方", "Consumer"),
        NegotiationParty.PROVIDER: ("供方", "Provider"),
    },
    "auction_rule": {
        AuctionRule.FIRST_PRICE: ("一价密封", "First-price sealed bid"),
        AuctionRule.SECOND_PRICE: ("二价密封", "Second-price sealed bid"),
    },
    "auction": {
        AuctionStatus.OPEN: ("竞价中", "Open"),
        AuctionStatus.CLOSED: ("已结束", "Closed"),
    },
    "licence": {
        "active": ("有效", "Active"),
        "expired": ("已到期", "Expired"),
        "revoked": ("已撤销", "Revoked"),
    },
    "legal_basis": {
        LegalBasis.SECURITY_ASSESSMENT: ("数据出境安全评估", "Security assessment"),
        LegalBasis.STANDARD_CONTRACT: ("个人信息出境标准合同", "Standard contract"),
        LegalBasis.CERTIFICATION: ("个人信息保护认证", "Certification"),
    },
    "certificate": {
        "valid": ("有效", "Valid"),
        "pledged": ("有效，质押中", "Valid, pledged"),
        "expired": ("已过期", "Expired"),
        "revoked": ("已撤销", "Revoked"),
        "bad_signature": ("签名无效", "Bad signature"),
        "bad_revocation_list": ("撤销清单无效", "Bad revocation list"),
        "unknown_certificate": ("登记簿中无此凭证", "Not in the register"),
        "malformed": ("格式错误", "Malformed"),
    },
}

_CHINESE: dict[str, dict[str, str]] = {
    "form": {k.value: v for k, v in PRODUCT_FORM_LABELS.items()},
    "grade": {k.value: v for k, v in ASSET_GRADE_LABELS.items()},
    "level": {k.value: v for k, v in LEVEL_LABELS.items()},
    "sharing": {k.value: v for k, v in SHARING_LABELS.items()},
    "opening": {k.value: v for k, v in OPENING_LABELS.items()},
    "usage": {k.value: v for k, v in USAGE_LABELS.items()},
    "frequency": {k.value: v for k, v in UPDATE_FREQUENCY_LABELS.items()},
    "role": {k.value: v for k, v in ROLE_LABELS.items()},
}
for _kind, _zh in _CHINESE.items():
    _PAIRS[_kind] = {v: (zh, _ENGLISH[_kind].get(v, v)) for v, zh in _zh.items()}


def pair(kind: str, value: object) -> Pair:
    """Both labels of a value (the value itself when it has none)."""
    text = str(getattr(value, "value", value))
    return _PAIRS.get(kind, {}).get(text, (text, text))


def values(kind: str) -> list[str]:
    """Every value of a kind, in the order of its table (for select boxes)."""
    return list(_PAIRS[kind])


def labeller(lang: str) -> Callable[[str, object], str]:
    """`lab(kind, value)`: a value's label in the page's language."""
    index = 0 if lang == "zh" else 1

    def lab(kind: str, value: object) -> str:
        return pair(kind, value)[index]

    return lab
