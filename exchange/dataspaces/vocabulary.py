"""Pure: the vocabulary of data spaces and consents: record types, purposes, lawful bases.

Codes are English; each has the Chinese label people see (粤省事 / 粤商通 style wording).
"""

from __future__ import annotations

from enum import StrEnum

from exchange.vocabulary import Role

DATA_SUBJECT_ROLES = frozenset({Role.INDIVIDUAL, Role.ENTERPRISE})
"""Who has a data space and grants consents: people (个人) and companies (法人)."""

GRANTEE_ROLES = frozenset(
    {Role.INDIVIDUAL, Role.ENTERPRISE, Role.DEPARTMENT, Role.LENDER, Role.BROKER}
)
"""Who may be granted a consent or ask for one: the participants that process data."""

DATA_SUBJECT_LABELS: dict[Role, str] = {Role.INDIVIDUAL: "个人", Role.ENTERPRISE: "法人"}


class RecordType(StrEnum):
    """The kinds of records a data space holds, each from a catalog source."""

    SOCIAL_INSURANCE = "social_insurance"  # 社会保险
    TAX = "tax"  # 纳税
    BUSINESS_LICENCE = "business_licence"  # 营业执照（企业登记）
    CREDIT = "credit"  # 公共信用


RECORD_TYPE_LABELS: dict[RecordType, str] = {
    RecordType.SOCIAL_INSURANCE: "社会保险记录",
    RecordType.TAX: "纳税记录",
    RecordType.BUSINESS_LICENCE: "营业执照信息",
    RecordType.CREDIT: "公共信用记录",
}


class ConsentPurpose(StrEnum):
    """What a consent lets its grantee use the records for (授权用途); a fixed list."""

    CREDIT_DECISION = "credit_decision"  # 信贷审批（个人信贷、企业信贷）
    INSURANCE_UNDERWRITING = "insurance_underwriting"  # 保险核保（惠民保）
    EMPLOYMENT_VERIFICATION = "employment_verification"  # 就业与背景核验
    PRODUCT_DEVELOPMENT = "product_development"  # 加工为数据产品并登记交易
    CROSS_BORDER_PROVISION = "cross_border_provision"  # 向境外提供（单独同意）
    RESEARCH = "research"  # 统计与科学研究


PURPOSE_LABELS: dict[ConsentPurpose, str] = {
    ConsentPurpose.CREDIT_DECISION: "信贷审批",
    ConsentPurpose.INSURANCE_UNDERWRITING: "保险核保",
    ConsentPurpose.EMPLOYMENT_VERIFICATION: "就业与背景核验",
    ConsentPurpose.PRODUCT_DEVELOPMENT: "加工为数据产品并登记交易",
    ConsentPurpose.CROSS_BORDER_PROVISION: "向境外提供",
    ConsentPurpose.RESEARCH: "统计与科学研究",
}


class LawfulBasis(StrEnum):
    """The lawful basis for processing personal information (个人信息处理的合法性基础), after
    article 13 of the Personal Information Protection Law. Not the export basis a
    cross-border buyer declares at data customs (`exchange.vocabulary.LegalBasis`)."""

    CONSENT = "consent"  # 取得个人的同意（第一项）
    CONTRACT = "contract"  # 订立、履行合同所必需（第二项）
    LEGAL_DUTY = "legal_duty"  # 履行法定职责或者法定义务所必需（第三项）
    EMERGENCY = "emergency"  # 应对突发公共卫生事件或紧急情况（第四项）
    NEWS_REPORTING = "news_reporting"  # 新闻报道、舆论监督（第五项）
    PUBLICLY_DISCLOSED = "publicly_disclosed"  # 处理已合法公开的个人信息（第六项）
    OTHER_LAW = "other_law"  # 法律、行政法规规定的其他情形（第七项）


LAWFUL_BASIS_LABELS: dict[LawfulBasis, str] = {
    LawfulBasis.CONSENT: "个人同意",
    LawfulBasis.CONTRACT: "订立、履行合同所必需",
    LawfulBasis.LEGAL_DUTY: "履行法定职责或者法定义务所必需",
    LawfulBasis.EMERGENCY: "应对突发公共卫生事件或紧急情况所必需",
    LawfulBasis.NEWS_REPORTING: "为公共利益实施新闻报道、舆论监督",
    LawfulBasis.PUBLICLY_DISCLOSED: "在合理范围内处理已合法公开的个人信息",
    LawfulBasis.OTHER_LAW: "法律、行政法规规定的其他情形",
}


class ConsentStatus(StrEnum):
    """A consent's state: stored active or revoked; expired is read from the market clock."""

    ACTIVE = "active"  # 有效
    EXPIRED = "expired"  # 已到期
    REVOKED = "revoked"  # 已撤回


CONSENT_STATUS_LABELS: dict[ConsentStatus, str] = {
    ConsentStatus.ACTIVE: "有效",
    ConsentStatus.EXPIRED: "已到期",
    ConsentStatus.REVOKED: "已撤回",
}


class RequestStatus(StrEnum):
    """Where a consent request stands."""

    PENDING = "pending"  # 待数据主体决定
    ACCEPTED = "accepted"  # 已同意（授权已生成）
    DECLINED = "declined"  # 已拒绝


class ConsentUse(StrEnum):
    """How a consent was relied on besides a read: the products made from the records."""

    ASSET_REGISTRATION = "asset_registration"  # 登记数据资产
    ASSET_CHANGE = "asset_change"  # 变更登记
    LISTING = "listing"  # 挂牌
    EXPORT = "export"  # 数据海关放行出境
