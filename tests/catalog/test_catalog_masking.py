"""Desensitization rules, one per kind of personal value."""

from __future__ import annotations

from exchange.catalog.quality.masking import mask_record, mask_value
from exchange.catalog.vocabulary import MaskingRule


def test_each_rule_hides_what_it_should() -> None:
    assert mask_value("张三", MaskingRule.NAME) == "张*"
    assert mask_value("欧阳小明", MaskingRule.NAME) == "欧***"
    assert mask_value("Chen Xiaoming", MaskingRule.NAME) == "C*** X*******"
    assert mask_value("440106199001011234", MaskingRule.ID_NUMBER) == "440106********1234"
    assert mask_value("13812345678", MaskingRule.PHONE) == "138****5678"
    assert mask_value("020-83838383", MaskingRule.PHONE) == "020-****8383"
    assert mask_value(13812345678, MaskingRule.PHONE) == "138****5678"
    assert mask_value("zhang.san@example.cn", MaskingRule.EMAIL) == "z********@example.cn"
    assert (
        mask_value("广东省广州市天河区天河路123号", MaskingRule.ADDRESS) == "广东省广州市天河区****"
    )
    assert mask_value("6222 0212 3456 7890", MaskingRule.BANK_CARD) == "**** **** **** 7890"
    assert mask_value("1990-05-17", MaskingRule.DATE_TO_YEAR) == "1990-**-**"
    assert mask_value("19900517", MaskingRule.DATE_TO_YEAR) == "1990****"
    assert mask_value("任何内容", MaskingRule.FULL) == "******"
    assert mask_value("公开内容", MaskingRule.NONE) == "公开内容"


def test_masked_values_never_contain_the_hidden_part() -> None:
    secret_id = "44030519851212002X"
    masked = mask_value(secret_id, MaskingRule.ID_NUMBER)
    assert "19851212" not in masked and len(masked) == len(secret_id)
    assert "0000" not in mask_value("13800001234", MaskingRule.PHONE)


def test_empty_values_stay_empty_and_unknown_fields_are_hidden() -> None:
    assert mask_value(None, MaskingRule.NAME) is None
    assert mask_value("", MaskingRule.PHONE) == ""
    record = {"name": "李四", "note": "内部备注"}
    assert mask_record(record, {"name": MaskingRule.NAME}) == {"name": "李*", "note": "******"}
