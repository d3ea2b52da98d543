"""Pure: the supervision vocabulary (监管协同) — remits, divisions, powers, alerts — and
which remit each act needs.

Several authorities share the supervision of data circulation (数据交易跨部门协同监管): each
agency (监管机构) holds one or more remits (职责) and acts only within them; every agency may
read. An act a remit does not cover is refused with 403, naming the remit it needs.
"""

from __future__ import annotations

from enum import StrEnum

from exchange.vocabulary import Restricted


class Remit(StrEnum):
    """What an agency is responsible for (职责范围)."""

    CROSS_BORDER = "cross_border"  # 数据出境与个人信息保护 (网信)
    TRADING_CONDUCT = "trading_conduct"  # 交易行为与价格 (市场监管)
    PUBLIC_DATA = "public_data"  # 公共数据与授权运营 (数据局)
    FINANCE = "finance"  # 数据资产金融 (金融监管)


REMIT_LABELS: dict[Remit, str] = {
    Remit.CROSS_BORDER: "数据出境与个人信息保护 export and personal information",
    Remit.TRADING_CONDUCT: "交易行为与价格 trading conduct and pricing",
    Remit.PUBLIC_DATA: "公共数据与授权运营 public data and authorized operation",
    Remit.FINANCE: "数据资产金融 finance (pledges, credit, funds)",
}


PROVINCE_CODE = "440000"  # 广东省
# Where each venue of the market sits: a trade belongs to the city of its service base, or
# of its exchange (the seeded venues, exchange.trading.rulebooks).
VENUE_DIVISIONS: dict[str, str] = {
    "gzde": "440100",  # 广州
    "szdex": "440300",  # 深圳
    "gzde-foshan": "440600",  # 佛山 service base of Guangzhou
}


def division_of_trade(exchange_id: str, base_id: str | None) -> str | None:
    """The city a trade belongs to (None if its venue is unknown)."""
    if base_id is not None and base_id in VENUE_DIVISIONS:
        return VENUE_DIVISIONS[base_id]
    return VENUE_DIVISIONS.get(exchange_id)


class SubjectType(StrEnum):
    """What a supervision case is about (案件对象)."""

    PARTICIPANT = "participant"
    LISTING = "listing"
    TRADE = "trade"
    AGREEMENT = "agreement"  # a negotiated agreement (协议)


class MeasureKind(StrEnum):
    """The powers (监管措施), each a decision on a case, reversible by a later decision."""

    SUSPEND_LISTING = "suspend_listing"  # 暂停挂牌
    DELIST_LISTING = "delist_listing"  # 责令下架
    SUSPEND_TRADING = "suspend_trading"  # 暂停参与者交易
    SUSPEND_BROKER_LICENCE = "suspend_broker_licence"  # 暂停经纪人执业
    FREEZE_ACCOUNT = "freeze_account"  # 冻结账户 (receives, does not pay)
    ORDER_REFUND = "order_refund"  # 责令退款 (a reversing journal)
    REQUIRE_REREVIEW = "require_rereview"  # 责令合规复审


MEASURE_LABELS: dict[MeasureKind, str] = {
    MeasureKind.SUSPEND_LISTING: "暂停挂牌 listing suspended",
    MeasureKind.DELIST_LISTING: "责令下架 listing delisted",
    MeasureKind.SUSPEND_TRADING: "暂停交易 trading suspended",
    MeasureKind.SUSPEND_BROKER_LICENCE: "暂停执业 broker licence suspended",
    MeasureKind.FREEZE_ACCOUNT: "冻结账户 account frozen",
    MeasureKind.ORDER_REFUND: "责令退款 refund ordered",
    MeasureKind.REQUIRE_REREVIEW: "责令合规复审 compliance re-review required",
}

# The remits under which an agency may take each measure.
POWER_REMITS: dict[MeasureKind, frozenset[Remit]] = {
    MeasureKind.SUSPEND_LISTING: frozenset({Remit.TRADING_CONDUCT}),
    MeasureKind.DELIST_LISTING: frozenset({Remit.TRADING_CONDUCT}),
    MeasureKind.SUSPEND_TRADING: frozenset({Remit.TRADING_CONDUCT, Remit.FINANCE}),
    MeasureKind.SUSPEND_BROKER_LICENCE: frozenset({Remit.TRADING_CONDUCT}),
    MeasureKind.FREEZE_ACCOUNT: frozenset({Remit.TRADING_CONDUCT, Remit.FINANCE}),
    MeasureKind.ORDER_REFUND: frozenset({Remit.TRADING_CONDUCT}),
    MeasureKind.REQUIRE_REREVIEW: frozenset({Remit.CROSS_BORDER, Remit.PUBLIC_DATA}),
}

# What each measure's subject is (an id of this kind), and what it stops in the services.
MEASURE_SUBJECTS: dict[MeasureKind, str] = {
    MeasureKind.SUSPEND_LISTING: "listing",
    MeasureKind.DELIST_LISTING: "listing",
    MeasureKind.SUSPEND_TRADING: "participant",
    MeasureKind.SUSPEND_BROKER_LICENCE: "broker_licence",
    MeasureKind.FREEZE_ACCOUNT: "participant",
    MeasureKind.ORDER_REFUND: "trade",
    MeasureKind.REQUIRE_REREVIEW: "asset",
}
RESTRICTS: dict[MeasureKind, Restricted] = {
    MeasureKind.SUSPEND_LISTING: Restricted.LISTING,
    MeasureKind.DELIST_LISTING: Restricted.LISTING,
    MeasureKind.SUSPEND_TRADING: Restricted.PARTICIPANT,
    MeasureKind.SUSPEND_BROKER_LICENCE: Restricted.BROKER_LICENCE,
    MeasureKind.REQUIRE_REREVIEW: Restricted.ASSET,
}


def remits_for(kind: MeasureKind) -> frozenset[Remit]:
    """The remits that empower a measure."""
    return POWER_REMITS[kind]


def covers(held: frozenset[Remit], needed: frozenset[Remit]) -> bool:
    """Whether an agency holding `held` may act where `needed` remits empower the act."""
    return bool(held & needed)


def remit_names(remits: frozenset[Remit] | set[Remit]) -> str:
    """Remits as the refusals name them."""
    return " or ".join(f"{r.value} ({REMIT_LABELS[r]})" for r in sorted(remits))


class CaseState(StrEnum):
    """Where a supervision case stands (案件状态)."""

    OPEN = "open"  # 办理中
    CLOSED = "closed"  # 已结案


class Outcome(StrEnum):
    """How a case ends (处理结果)."""

    NO_VIOLATION = "no_violation"  # 未发现违规
    CORRECTED = "corrected"  # 责令整改，已整改
    SANCTIONED = "sanctioned"  # 已采取监管措施
    TRANSFERRED = "transferred"  # 移送司法或其他机关


class DecisionKind(StrEnum):
    """What a decision on a case does."""

    IMPOSE = "impose"  # 采取措施
    LIFT = "lift"  # 解除措施
    CLOSE = "close"  # 结案


class DecisionState(StrEnum):
    """A joint decision waits for its partners' concurrence (会签) before it takes effect."""

    PROPOSED = "proposed"  # 待会签
    EFFECTIVE = "effective"  # 已生效


class MeasureState(StrEnum):
    """Whether a measure binds."""

    PROPOSED = "proposed"  # part of a joint decision not yet concurred
    IN_FORCE = "in_force"  # 执行中
    LIFTED = "lifted"  # 已解除


class AlertKind(StrEnum):
    """What market surveillance (交易监测) looks for."""

    WASH_TRADE = "wash_trade"  # 对敲 / 虚假交易
    PRICE_DEVIATION = "price_deviation"  # 价格异常
    CANCEL_BURST = "cancel_burst"  # 频繁撤单 (negotiations opened and dropped)
    BID_COLLUSION = "bid_collusion"  # 串通竞价 (identical bids, rotating winners)
    BROKER_MANDATE = "broker_mandate"  # 经纪人超委托
    OVERDUE_SHARING = "overdue_sharing"  # 共享申请超时
    UNANSWERED_CUSTOMS = "unanswered_customs"  # 数据海关久拖未决


ALERT_LABELS: dict[AlertKind, str] = {
    AlertKind.WASH_TRADE: "对敲交易 wash trades",
    AlertKind.PRICE_DEVIATION: "价格偏离指数 price far from the index",
    AlertKind.CANCEL_BURST: "频繁撤单 bursts of dropped negotiations",
    AlertKind.BID_COLLUSION: "串通竞价 sealed-bid collusion",
    AlertKind.BROKER_MANDATE: "经纪人超委托 broker pressing its mandates",
    AlertKind.OVERDUE_SHARING: "共享申请超时 overdue sharing requests",
    AlertKind.UNANSWERED_CUSTOMS: "数据海关未决 unanswered customs cases",
}

ALERT_REMITS: dict[AlertKind, Remit] = {
    AlertKind.WASH_TRADE: Remit.TRADING_CONDUCT,
    AlertKind.PRICE_DEVIATION: Remit.TRADING_CONDUCT,
    AlertKind.CANCEL_BURST: Remit.TRADING_CONDUCT,
    AlertKind.BID_COLLUSION: Remit.TRADING_CONDUCT,
    AlertKind.BROKER_MANDATE: Remit.TRADING_CONDUCT,
    AlertKind.OVERDUE_SHARING: Remit.PUBLIC_DATA,
    AlertKind.UNANSWERED_CUSTOMS: Remit.CROSS_BORDER,
}


class AlertState(StrEnum):
    """Where an alert stands."""

    NEW = "new"  # 新预警
    UNDER_REVIEW = "under_review"  # 核查中
    CASE_OPENED = "case_opened"  # 已立案
    DISMISSED = "dismissed"  # 已排除 (with a reason)


class Severity(StrEnum):
    """How serious an alert is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


# Surveillance thresholds (监测阈值): each agency's own values override these defaults.
DEFAULT_THRESHOLDS: dict[str, int] = {
    "wash_min_round_trips": 2,  # mutual trades each way between two parties in the window
    "wash_net_flow_bp": 2_500,  # and money flowing back: net flow at most this share of gross
    "wash_related_min_trades": 2,  # trades between parties who also paid each other directly
    "price_deviation_bp": 5_000,  # a trade this far from its form and grade's average
    "price_min_sample": 3,  # trades of the form and grade needed for an average
    "cancel_burst_count": 5,  # negotiations one buyer dropped in the window
    "collusion_identical_bids": 2,  # identical sealed bids in one auction
    "collusion_rotation_auctions": 3,  # auctions a group of bidders shared, winners rotating
    "broker_mandate_use_bp": 9_000,  # a broker's purchases against one mandate's limit
    "sharing_overdue_count": 1,  # overdue sharing requests of one department
    "customs_pending_working_days": 3,  # a pending customs case this old (working days)
}
THRESHOLD_LIMITS: dict[str, tuple[int, int]] = {
    "wash_min_round_trips": (1, 1_000),
    "wash_net_flow_bp": (0, 10_000),
    "wash_related_min_trades": (1, 1_000),
    "price_deviation_bp": (1, 1_000_000),
    "price_min_sample": (2, 100_000),
    "cancel_burst_count": (2, 100_000),
    "collusion_identical_bids": (2, 1_000),
    "collusion_rotation_auctions": (2, 1_000),
    "broker_mandate_use_bp": (1, 10_000),
    "sharing_overdue_count": (1, 100_000),
    "customs_pending_working_days": (1, 365),
}
THRESHOLD_REMITS: dict[str, Remit] = {
    "wash_min_round_trips": Remit.TRADING_CONDUCT,
    "wash_net_flow_bp": Remit.TRADING_CONDUCT,
    "wash_related_min_trades": Remit.TRADING_CONDUCT,
    "price_deviation_bp": Remit.TRADING_CONDUCT,
    "price_min_sample": Remit.TRADING_CONDUCT,
    "cancel_burst_count": Remit.TRADING_CONDUCT,
    "collusion_identical_bids": Remit.TRADING_CONDUCT,
    "collusion_rotation_auctions": Remit.TRADING_CONDUCT,
    "broker_mandate_use_bp": Remit.TRADING_CONDUCT,
    "sharing_overdue_count": Remit.PUBLIC_DATA,
    "customs_pending_working_days": Remit.CROSS_BORDER,
}

RESPONSE_WORKING_DAYS = 5  # the subject answers a case within this many working days
