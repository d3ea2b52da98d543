"""Pure: the catalog's own vocabulary (levels, data types, masking rules, update
frequencies and methods, usage methods and their bits, field roles)."""

from __future__ import annotations

from enum import IntFlag, StrEnum


class Level(StrEnum):
    """Administrative level of a division, department or item (省、市、县)."""

    PROVINCE = "province"  # 省级
    CITY = "city"  # 市级（地级市）
    COUNTY = "county"  # 县级（县、区、县级市）


LEVEL_LABELS: dict[Level, str] = {Level.PROVINCE: "省级", Level.CITY: "市级", Level.COUNTY: "县级"}


class DataType(StrEnum):
    """Value type of a data element."""

    STRING = "string"  # 字符型
    INTEGER = "integer"  # 整数型
    DECIMAL = "decimal"  # 数值型
    DATE = "date"  # 日期型
    DATETIME = "datetime"  # 日期时间型
    BOOLEAN = "boolean"  # 布尔型


class MaskingRule(StrEnum):
    """Desensitization rule (脱敏规则) applied to a field before it leaves the department."""

    NONE = "none"  # 不脱敏
    NAME = "name"  # 姓名：保留姓
    ID_NUMBER = "id_number"  # 证件号码：保留前6后4
    PHONE = "phone"  # 电话号码：保留前3后4
    EMAIL = "email"  # 电子邮箱：保留首字符与域名
    ADDRESS = "address"  # 地址：保留到区县
    BANK_CARD = "bank_card"  # 银行卡号：保留后4位
    DATE_TO_YEAR = "date_to_year"  # 日期：只保留年份
    FULL = "full"  # 全部遮盖


class UpdateFrequency(StrEnum):
    """How often an item is refreshed (更新频率)."""

    REAL_TIME = "real_time"  # 实时
    DAILY = "daily"  # 每日
    WEEKLY = "weekly"  # 每周
    MONTHLY = "monthly"  # 每月
    QUARTERLY = "quarterly"  # 每季度
    YEARLY = "yearly"  # 每年
    IRREGULAR = "irregular"  # 不定期


UPDATE_FREQUENCY_LABELS: dict[UpdateFrequency, str] = {
    UpdateFrequency.REAL_TIME: "实时",
    UpdateFrequency.DAILY: "每日",
    UpdateFrequency.WEEKLY: "每周",
    UpdateFrequency.MONTHLY: "每月",
    UpdateFrequency.QUARTERLY: "每季度",
    UpdateFrequency.YEARLY: "每年",
    UpdateFrequency.IRREGULAR: "不定期",
}


class UpdateMethod(StrEnum):
    """How an item is refreshed (更新方式)."""

    INCREMENTAL = "incremental"  # 增量
    FULL = "full"  # 全量


class UsageMethod(StrEnum):
    """How consumers get the data (使用方法)."""

    API = "api"  # 接口调用
    FILE = "file"  # 文件下载
    QUERY = "query"  # 在线查询核验
    PRIVACY_COMPUTING = "privacy_computing"  # 隐私计算


class UsageFlag(IntFlag):
    """Usage methods as bits, so that one integer column can be filtered and faceted."""

    API = 1
    FILE = 2
    QUERY = 4
    PRIVACY_COMPUTING = 8


USAGE_BITS: dict[UsageMethod, int] = {
    UsageMethod.API: int(UsageFlag.API),
    UsageMethod.FILE: int(UsageFlag.FILE),
    UsageMethod.QUERY: int(UsageFlag.QUERY),
    UsageMethod.PRIVACY_COMPUTING: int(UsageFlag.PRIVACY_COMPUTING),
}


USAGE_LABELS: dict[UsageMethod, str] = {
    UsageMethod.API: "接口调用",
    UsageMethod.FILE: "文件下载",
    UsageMethod.QUERY: "在线查询核验",
    UsageMethod.PRIVACY_COMPUTING: "隐私计算",
}


def usage_mask(methods: list[UsageMethod] | tuple[UsageMethod, ...]) -> int:
    """The bit mask of a list of usage methods."""
    mask = 0
    for method in methods:
        mask |= USAGE_BITS[method]
    return mask


def usage_methods(mask: int) -> list[UsageMethod]:
    """The usage methods of a bit mask, in declaration order."""
    return [method for method, bit in USAGE_BITS.items() if mask & bit]


class FieldRole(StrEnum):
    """How an item's field relates to its data element."""

    SOURCE = "source"  # 权威数据源头
    REFERENCE = "reference"  # 引用（使用方）
