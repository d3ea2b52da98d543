"""The market pages' words for the shared vocabulary, in both languages (中文 / English).

The kinds the "mine" pages already name (role, grade, form, venue_status, order_status,
certificate_status, …) come from `exchange.web.mine.labels`, so both areas say the same; this
module adds the catalog's and trading's own. Chinese labels come from the domains' label
tables where they have one, so a page says what the API's `*_label` fields say.
"""

from __future__ import annotations

from collections.abc import Callable

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
    SHARING_LABELS,
    AuctionRule,
    AuctionStatus,
    CustomsStatus,
    LegalBasis,
    NegotiationParty,
    NegotiationState,
    Opening,
    Sharing,
    TradeMode,
)
from exchange.web.mine.labels import LABELS as MINE_LABELS
from exchange.web.mine.labels import Pair

_ENGLISH: dict[str, dict[str, str]] = {
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
_CHINESE: dict[str, dict[str, str]] = {
    "level": {k.value: v for k, v in LEVEL_LABELS.items()},
    "sharing": {k.value: v for k, v in SHARING_LABELS.items()},
    "opening": {k.value: v for k, v in OPENING_LABELS.items()},
    "usage": {k.value: v for k, v in USAGE_LABELS.items()},
    "frequency": {k.value: v for k, v in UPDATE_FREQUENCY_LABELS.items()},
}

MARKET_LABELS: dict[str, dict[str, Pair]] = {
    kind: {value: (zh, _ENGLISH[kind].get(value, value)) for value, zh in table.items()}
    for kind, table in _CHINESE.items()
}
MARKET_LABELS.update(
    {
        "update_method": {
            UpdateMethod.INCREMENTAL: ("增量", "Incremental"),
            UpdateMethod.FULL: ("全量", "Full"),
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
        "licence_state": {
            "active": ("有效", "Active"),
            "expired": ("已到期", "Expired"),
            "revoked": ("已撤销", "Revoked"),
        },
        "legal_basis": {
            LegalBasis.SECURITY_ASSESSMENT: ("数据出境安全评估", "Security assessment"),
            LegalBasis.STANDARD_CONTRACT: ("个人信息出境标准合同", "Standard contract"),
            LegalBasis.CERTIFICATION: ("个人信息保护认证", "Certification"),
        },
    }
)
assert not set(MARKET_LABELS) & set(MINE_LABELS), "a kind is named in one place only"
LABELS: dict[str, dict[str, Pair]] = {**MINE_LABELS, **MARKET_LABELS}


def pair(kind: str, value: object) -> Pair:
    """Both labels of a value (the value itself when it has none)."""
    text = str(getattr(value, "value", value))
    return LABELS.get(kind, {}).get(text, (text, text))


def values(kind: str) -> list[str]:
    """Every value of a kind, in the order of its table (for select boxes)."""
    return list(LABELS[kind])


def labeller(lang: str) -> Callable[[str, object], str]:
    """`lab(kind, value)`: a value's label in the page's language."""
    index = 0 if lang == "zh" else 1

    def lab(kind: str, value: object) -> str:
        return pair(kind, value)[index]

    return lab
