"""Desensitization (数据脱敏) of sample values, one rule per field; pure functions.

A masked value keeps only what a consumer needs to recognize the kind of value (the
surname, the region and birth-date part of an ID number's first six digits, the last four
digits of a phone or card number) and never reveals the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from exchange.catalog.vocabulary import MaskingRule

STAR = "*"
_ADDRESS_UNITS = "省市区县旗镇乡街道"


def _keep(text: str, head: int, tail: int) -> str:
    if len(text) <= head + tail:
        return STAR * len(text)
    return (
        text[:head] + STAR * (len(text) - head - tail) + (text[len(text) - tail :] if tail else "")
    )


def mask_name(text: str) -> str:
    """张三 → 张*; 欧阳小明 → 欧***; Chen Xiaoming → C*** X*******."""
    if " " in text.strip():
        return " ".join(word[:1] + STAR * (len(word) - 1) for word in text.split())
    if len(text) <= 1:
        return STAR * len(text)
    return text[0] + STAR * (len(text) - 1)


def mask_id_number(text: str) -> str:
    """Keep the first six (region) and last four characters of an 18-digit ID number."""
    if len(text) >= 15:
        return _keep(text, 6, 4)
    if len(text) >= 8:
        return _keep(text, 2, 2)
    return STAR * len(text)


def mask_phone(text: str) -> str:
    """Mobile 13812345678 → 138****5678; other numbers keep their last four digits."""
    positions = [i for i, ch in enumerate(text) if ch.isdigit()]
    if len(positions) >= 11:
        keep = set(positions[:3]) | set(positions[-4:])
    elif len(positions) > 4:
        keep = set(positions[-4:])
    else:
        keep = set()
    return "".join(ch if (i in keep or not ch.isdigit()) else STAR for i, ch in enumerate(text))


def mask_email(text: str) -> str:
    """zhang.san@example.cn → z********@example.cn."""
    local, at, domain = text.partition("@")
    if not at:
        return STAR * len(text)
    return (local[:1] + STAR * max(len(local) - 1, 1)) + "@" + domain


def mask_address(text: str) -> str:
    """Keep the address up to its district or county (广东省广州市天河区****)."""
    cut = 0
    for i, ch in enumerate(text[:12]):
        if ch in _ADDRESS_UNITS:
            cut = i + 1
    if cut == 0:
        cut = min(len(text) // 3, 6)
    return text[:cut] + STAR * 4


def mask_bank_card(text: str) -> str:
    """Keep the last four digits of a card or account number."""
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    keep = set(digits[-4:]) if len(digits) > 4 else set()
    return "".join(ch if (i in keep or not ch.isalnum()) else STAR for i, ch in enumerate(text))


_YEAR = re.compile(r"^(\d{4})(\D?)")


def mask_date_to_year(text: str) -> str:
    """1990-05-17 → 1990-**-**; 19900517 → 1990****."""
    match = _YEAR.match(text)
    if match is None:
        return STAR * len(text)
    head = match.group(0)
    return head + "".join(STAR if ch.isdigit() else ch for ch in text[len(head) :])


def mask_full(text: str) -> str:
    """Hide the value and its length."""
    return STAR * 6 if text else ""


_MASKERS: dict[MaskingRule, Callable[[str], str]] = {
    MaskingRule.NAME: mask_name,
    MaskingRule.ID_NUMBER: mask_id_number,
    MaskingRule.PHONE: mask_phone,
    MaskingRule.EMAIL: mask_email,
    MaskingRule.ADDRESS: mask_address,
    MaskingRule.BANK_CARD: mask_bank_card,
    MaskingRule.DATE_TO_YEAR: mask_date_to_year,
    MaskingRule.FULL: mask_full,
}


def mask_value(value: Any, rule: MaskingRule) -> Any:
    """The value as it may leave the department under `rule` (None and '' stay as they are)."""
    if rule is MaskingRule.NONE or value is None or value == "":
        return value
    if isinstance(value, dict | list):
        return mask_full("x")
    text = value if isinstance(value, str) else str(value)
    return _MASKERS[rule](text)


def mask_record(record: Mapping[str, Any], rules: Mapping[str, MaskingRule]) -> dict[str, Any]:
    """A record with each field masked by its rule (fields without a rule are hidden)."""
    return {
        key: mask_value(value, rules.get(key, MaskingRule.FULL)) for key, value in record.items()
    }
