"""Pure: the vocabulary of authorized operation (授权运营): permitted purposes, the forms
outputs may take, and where an agreement stands."""

from __future__ import annotations

from enum import StrEnum

from exchange.vocabulary import ProductForm


class Purpose(StrEnum):
    """A permitted purpose (授权用途) of an operating agreement, and of a product derived
    under one."""

    ENTERPRISE_CREDIT = "enterprise_credit"  # 企业信贷
    PERSONAL_CREDIT = "personal_credit"  # 个人信贷
    INCLUSIVE_INSURANCE = "inclusive_insurance"  # 惠民保险
    HEALTHCARE = "healthcare"  # 医疗健康
    EMPLOYMENT_SERVICES = "employment_services"  # 就业服务
    TRANSPORT = "transport"  # 交通出行
    URBAN_GOVERNANCE = "urban_governance"  # 城市治理
    INDUSTRY_ANALYSIS = "industry_analysis"  # 产业分析
    SCIENTIFIC_RESEARCH = "scientific_research"  # 科学研究
    PUBLIC_SERVICES = "public_services"  # 公共服务


PURPOSE_LABELS: dict[Purpose, str] = {
    Purpose.ENTERPRISE_CREDIT: "企业信贷",
    Purpose.PERSONAL_CREDIT: "个人信贷",
    Purpose.INCLUSIVE_INSURANCE: "惠民保险",
    Purpose.HEALTHCARE: "医疗健康",
    Purpose.EMPLOYMENT_SERVICES: "就业服务",
    Purpose.TRANSPORT: "交通出行",
    Purpose.URBAN_GOVERNANCE: "城市治理",
    Purpose.INDUSTRY_ANALYSIS: "产业分析",
    Purpose.SCIENTIFIC_RESEARCH: "科学研究",
    Purpose.PUBLIC_SERVICES: "公共服务",
}

RAW_RECORDS = ProductForm.DATASET
"""The output form that hands over the records themselves (原始数据): never permitted where an
item is not open (不予开放)."""


class AgreementStatus(StrEnum):
    """Where an operating agreement stands."""

    PROPOSED = "proposed"  # 已申请: the operator proposed it
    APPROVED = "approved"  # 已批准: the data authority approved it; its term has not begun
    ACTIVE = "active"  # 运营中: approved and within its term
    SUSPENDED = "suspended"  # 已暂停: by the data authority
    EXPIRED = "expired"  # 已到期: its term ended
    TERMINATED = "terminated"  # 已终止: ended early by the data authority or the operator
    REFUSED = "refused"  # 未获批准: the data authority refused the proposal


AGREEMENT_STATUS_LABELS: dict[AgreementStatus, str] = {
    AgreementStatus.PROPOSED: "已申请",
    AgreementStatus.APPROVED: "已批准",
    AgreementStatus.ACTIVE: "运营中",
    AgreementStatus.SUSPENDED: "已暂停",
    AgreementStatus.EXPIRED: "已到期",
    AgreementStatus.TERMINATED: "已终止",
    AgreementStatus.REFUSED: "未获批准",
}

HELD_STATUSES = frozenset(
    {AgreementStatus.APPROVED, AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED}
)
"""Approved and not ended: such an agreement holds its items against an exclusive one."""
ENDED_STATUSES = frozenset(
    {AgreementStatus.EXPIRED, AgreementStatus.TERMINATED, AgreementStatus.REFUSED}
)


class GrantKind(StrEnum):
    """What gave a holder the right to derive a product from a catalog item."""

    AGREEMENT = "agreement"  # 授权运营协议
    SHARING = "sharing"  # 已同意的共享申请 (a department's own use)
