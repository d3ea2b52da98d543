"""The market's shared vocabulary (市场通用词汇): roles, grades, forms, rights, attributes.

Pure: every domain speaks these types; this module imports nothing of the domains.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

Jurisdiction = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{2}$",
        description="CN (mainland), HK, MO, or an ISO 3166-1 alpha-2 country code",
        examples=["CN", "HK", "SG"],
    ),
]
"""Where a participant is established: CN (mainland), HK, MO or an ISO country code."""

MAINLAND = "CN"


class Role(StrEnum):
    """The one role a participant acts in."""

    DEPARTMENT = "department"  # 政府部门
    ENTERPRISE = "enterprise"  # 企业
    INDIVIDUAL = "individual"  # 个人
    BROKER = "broker"  # 数据经纪人
    EXCHANGE_OPERATOR = "exchange_operator"  # 数据交易所运营方
    COMPLIANCE_REVIEWER = "compliance_reviewer"  # 登记合规委员会委员
    REGULATOR = "regulator"  # 监管部门
    LENDER = "lender"  # 金融机构
    INSTRUCTOR = "instructor"  # 课程教师
    ADMIN = "admin"  # 平台管理员


ROLE_LABELS: dict[Role, str] = {
    Role.DEPARTMENT: "政府部门",
    Role.ENTERPRISE: "企业",
    Role.INDIVIDUAL: "个人",
    Role.BROKER: "数据经纪人",
    Role.EXCHANGE_OPERATOR: "数据交易所运营方",
    Role.COMPLIANCE_REVIEWER: "数据资产登记合规委员会",
    Role.REGULATOR: "监管部门",
    Role.LENDER: "金融机构",
    Role.INSTRUCTOR: "课程教师",
    Role.ADMIN: "平台管理员",
}


class ParticipantStatus(StrEnum):
    """Whether a participant may act."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


class ProductForm(StrEnum):
    """The form a data product takes (产品形态)."""

    DATASET = "dataset"  # 数据集
    API = "api"  # 数据接口
    INDICATOR = "indicator"  # 数据指标
    REPORT = "report"  # 数据报告
    MODEL = "model"  # 数据模型
    APPLICATION = "application"  # 数据应用


class DataRight(StrEnum):
    """The three data rights of the "data twenty articles" (数据二十条)."""

    HOLDING = "holding"  # 数据资源持有权
    PROCESSING_USE = "processing_use"  # 数据加工使用权
    PRODUCT_OPERATION = "product_operation"  # 数据产品经营权


class DataGrade(StrEnum):
    """Data grading (数据分级)."""

    GENERAL = "general"  # 一般数据
    IMPORTANT = "important"  # 重要数据
    CORE = "core"  # 核心数据


class TradeMode(StrEnum):
    """The three ways to trade (交易方式)."""

    POSTED = "posted"  # 挂牌交易: buy a tier at its posted price
    NEGOTIATED = "negotiated"  # 协议交易: request ↔ offer → agreement
    AUCTION = "auction"  # 竞价交易: sealed-bid auction of an exclusive licence


class DeliveryKind(StrEnum):
    """How a data product is delivered (交付方式)."""

    FILE = "file"  # 数据文件
    API = "api"  # 数据接口 (the package is the API's description)


class LegalBasis(StrEnum):
    """The legal basis a cross-border buyer declares for data export (数据出境路径)."""

    SECURITY_ASSESSMENT = "security_assessment"  # 数据出境安全评估
    STANDARD_CONTRACT = "standard_contract"  # 个人信息出境标准合同
    CERTIFICATION = "certification"  # 个人信息保护认证


class Grade(StrEnum):
    """Data grade (数据分级)."""

    GENERAL = "general"  # 一般数据
    IMPORTANT = "important"  # 重要数据
    CORE = "core"  # 核心数据


GRADE_LABELS: dict[Grade, str] = {
    Grade.GENERAL: "一般数据",
    Grade.IMPORTANT: "重要数据",
    Grade.CORE: "核心数据",
}


class Sharing(StrEnum):
    """Sharing attribute (共享属性) between government departments."""

    UNCONDITIONAL = "unconditional"  # 无条件共享
    CONDITIONAL = "conditional"  # 有条件共享
    NOT_SHARED = "not_shared"  # 不予共享


SHARING_LABELS: dict[Sharing, str] = {
    Sharing.UNCONDITIONAL: "无条件共享",
    Sharing.CONDITIONAL: "有条件共享",
    Sharing.NOT_SHARED: "不予共享",
}


class Opening(StrEnum):
    """Opening attribute (开放属性) towards the public."""

    UNCONDITIONAL = "unconditional"  # 无条件开放
    CONDITIONAL = "conditional"  # 有条件开放
    NOT_OPEN = "not_open"  # 不予开放


OPENING_LABELS: dict[Opening, str] = {
    Opening.UNCONDITIONAL: "无条件开放",
    Opening.CONDITIONAL: "有条件开放",
    Opening.NOT_OPEN: "不予开放",
}


class AuctionRule(StrEnum):
    """How a sealed-bid auction prices the winning bid."""

    FIRST_PRICE = "first_price"  # 一价密封: the winner pays its bid
    SECOND_PRICE = "second_price"  # 二价密封: the winner pays the next bid (or the reserve)


class CustomsStatus(StrEnum):
    """Where a data-customs case (数据海关) stands."""

    PENDING = "pending"  # 待监管决定
    CLEARED = "cleared"  # 放行
    REFUSED = "refused"  # 不予放行


class MandateAction(StrEnum):
    """What a client may let its broker do (委托事项)."""

    BUY = "buy"  # 挂牌购买
    NEGOTIATE = "negotiate"  # 协议磋商与结算
    BID = "bid"  # 竞价出价


class OrderStatus(StrEnum):
    """Where an order stands."""

    AWAITING_CUSTOMS = "awaiting_customs"  # 待数据海关审查: funds held in escrow
    SETTLED = "settled"  # 已结算
    REFUSED = "refused"  # 未放行: refused by data customs, nothing charged


class VenueStatus(StrEnum):
    """Where a listing stands on one exchange."""

    PENDING_REVIEW = "pending_review"  # 待审核
    ACTIVE = "active"  # 挂牌中
    SUSPENDED = "suspended"  # 暂停
    REJECTED = "rejected"  # 审核不通过
    DELISTED = "delisted"  # 已下架 (final)


class CustomsDecision(StrEnum):
    """How a customs case was decided."""

    AUTO_CLEARED = "auto_cleared"  # 一般数据且不含个人信息: passes
    AUTO_REFUSED = "auto_refused"  # 核心数据: never leaves
    APPROVED = "approved"  # a regulator approved it on the declared legal basis
    REJECTED = "rejected"  # a regulator rejected it


class NegotiationParty(StrEnum):
    """The two sides of a negotiation."""

    CONSUMER = "consumer"  # 需方
    PROVIDER = "provider"  # 供方


class NegotiationState(StrEnum):
    """Contract negotiation states, after the Dataspace Protocol (协议交易)."""

    REQUESTED = "requested"  # the consumer proposed terms
    OFFERED = "offered"  # the provider offered (or counter-offered) terms
    ACCEPTED = "accepted"  # the consumer accepted the provider's offer
    AGREED = "agreed"  # the provider confirmed the agreement; the consumer may settle
    FINALIZED = "finalized"  # settled: a trade and a licence exist
    TERMINATED = "terminated"  # ended by either side (or by data customs)


class AuctionStatus(StrEnum):
    """Where an auction stands."""

    OPEN = "open"  # 竞价中
    CLOSED = "closed"  # 已结束


class MandateStatus(StrEnum):
    """The stored state of a mandate; it ends by the clock, and the due-work runner then
    records it as expired."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class MandateSide(StrEnum):
    """Which side of a trade the broker acts for; that side, the client, pays its commission."""

    BUYER = "buyer"  # 买方委托
    SELLER = "seller"  # 卖方委托


class Restricted(StrEnum):
    """What a supervision measure (监管措施) stops, as the services that enforce it name it.

    A frozen account (冻结账户) is not here: the ledger refuses its payments itself, on the
    account's own row (`participants.ledger`), so a freeze and a purchase never half-cross.
    """

    LISTING = "listing"  # the listing does not trade (暂停挂牌 / 下架)
    ASSET = "asset"  # the asset neither lists nor trades until re-reviewed (合规复审)
    PARTICIPANT = "participant"  # the participant neither buys nor sells (暂停交易)
    BROKER_LICENCE = "broker_licence"  # the broker does not act under this licence (暂停执业)
