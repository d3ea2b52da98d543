"""Quality checks as pure functions: patterns, parsing uploads, and the report."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from exchange.catalog.quality.checks import (
    Constraints,
    FieldStandard,
    ItemStandard,
    PatternRefused,
    broken_rules,
    check_pattern,
    quality_report,
    record_violations,
)
from exchange.catalog.quality.uploads import SampleProblem, parse_csv, parse_json
from exchange.catalog.vocabulary import DataType, MaskingRule, UpdateFrequency

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ID = FieldStandard(
    "id_number",
    "公民身份号码",
    required=True,
    masking=MaskingRule.ID_NUMBER,
    constraints=Constraints(DataType.STRING, pattern=r"^\d{17}[\dX]$"),
)
NAME = FieldStandard(
    "person_name", "姓名", required=True, constraints=Constraints(DataType.STRING, max_length=4)
)
KIND = FieldStandard(
    "insurance_type",
    "险种类型",
    required=False,
    constraints=Constraints(DataType.STRING, enum_values=("养老", "医疗")),
)
AMOUNT = FieldStandard(
    "amount", "金额", required=False, constraints=Constraints(DataType.DECIMAL, minimum=Decimal(0))
)
UPDATED = FieldStandard(
    "updated_at", "更新时间", required=False, constraints=Constraints(DataType.DATETIME)
)
STANDARD = ItemStandard(
    fields=(ID, NAME, KIND, AMOUNT, UPDATED),
    unique_key=("id_number",),
    completeness_min_pct=90,
    timeliness_field="updated_at",
    frequency=UpdateFrequency.DAILY,
)


@pytest.mark.parametrize(
    "pattern",
    [r"^\d{17}[\dX]$", r"^1[3-9]\d{9}$", r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"],
)
def test_ordinary_patterns_are_accepted(pattern: str) -> None:
    check_pattern(pattern)


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("[0-9", "not a valid regular expression"),
        ("a{2,1}", "not a valid regular expression"),
        (r"^(a+)+$", "exponential"),
        (r"(\w+\s?)*$", "exponential"),
        (r"(x|x)*y", "exponential"),
        (r"(a)\1", "back-references"),
        ("a" * 201, "limited to 200"),
    ],
)
def test_invalid_or_catastrophic_patterns_are_refused(pattern: str, reason: str) -> None:
    with pytest.raises(PatternRefused, match=reason):
        check_pattern(pattern)


def test_value_rules() -> None:
    assert broken_rules(ID, "440106199001011234") == []
    assert broken_rules(ID, "4401061990") == ["pattern"]
    assert broken_rules(ID, None) == ["required"]
    assert broken_rules(ID, "  ") == ["required"]
    assert broken_rules(NAME, "欧阳小明明") == ["max_length"]
    assert broken_rules(KIND, "工伤") == ["enum"]
    assert broken_rules(KIND, None) == []  # optional and empty: nothing else is checked
    assert broken_rules(AMOUNT, "-1") == ["minimum"]
    assert broken_rules(AMOUNT, "12.50") == []
    assert broken_rules(AMOUNT, "十二") == ["type"]
    assert broken_rules(AMOUNT, True) == ["type"]
    assert broken_rules(UPDATED, "2026-11-22T10:00:00+08:00") == []
    assert broken_rules(UPDATED, "yesterday") == ["type"]
    assert broken_rules(ID, "1" * 5000) == ["pattern"]  # over-long values never reach the regex


def test_csv_with_chinese_headers_and_a_bom_is_read() -> None:
    data = (
        "\ufeff公民身份号码,姓名,insurance_type,amount,updated_at\n"
        "440106199001011234,张三,养老,10,2026-11-23T08:00:00+08:00\n"
    ).encode()
    assert parse_csv(data, STANDARD) == [
        {
            "id_number": "440106199001011234",
            "person_name": "张三",
            "insurance_type": "养老",
            "amount": "10",
            "updated_at": "2026-11-23T08:00:00+08:00",
        }
    ]


def test_bad_uploads_are_named() -> None:
    gbk = "公民身份号码,姓名,insurance_type,amount,updated_at\n".encode("gbk")
    with pytest.raises(SampleProblem) as encoding:
        parse_csv(gbk, STANDARD)
    assert encoding.value.kind == "encoding"
    assert "GBK" in encoding.value.detail and "offset 0" in encoding.value.detail
    with pytest.raises(SampleProblem) as columns:
        parse_csv(b"id_number,nickname\n1,2\n", STANDARD)
    assert columns.value.kind == "columns"
    assert "'nickname'" in columns.value.detail and "person_name" in columns.value.detail
    with pytest.raises(SampleProblem) as ragged:
        parse_csv(b"id_number,person_name,insurance_type,amount,updated_at\n1,2\n", STANDARD)
    assert "row 2 has 2 cells" in ragged.value.detail
    with pytest.raises(SampleProblem) as not_json:
        parse_json(b'[{"id_number": ', STANDARD)
    assert not_json.value.kind == "format"
    with pytest.raises(SampleProblem) as not_objects:
        parse_json(b"[1, 2]", STANDARD)
    assert "Record 1 is not a JSON object" in not_objects.value.detail
    with pytest.raises(SampleProblem) as unknown:
        parse_json(b'[{"id_number": "1", "salary": 5}]', STANDARD)
    assert "'salary'" in unknown.value.detail


def test_report_counts_completeness_validity_duplicates_and_timeliness() -> None:
    records = [
        {
            "id_number": "440106199001011234",
            "person_name": "张三",
            "insurance_type": "养老",
            "amount": 10,
            "updated_at": "2026-11-23T08:00:00+08:00",
        },
        {
            "id_number": "440106199001011234",
            "person_name": "李四",
            "insurance_type": "医疗",
            "amount": "5",
            "updated_at": "2026-11-01T08:00:00+08:00",
        },
        {
            "id_number": "bad",
            "person_name": None,
            "insurance_type": "工伤",
            "amount": -3,
            "updated_at": "not a time",
        },
    ]
    report = quality_report(records, STANDARD, now=NOW)
    assert report["record_count"] == 3
    assert report["completeness"]["filled_cells"] == 14
    assert report["completeness"]["total_cells"] == 15
    rules = {(r["field"], r["rule"]): r for r in report["validity"]["rules"]}
    assert rules[("id_number", "pattern")]["failed"] == 1
    assert rules[("id_number", "pattern")]["examples"] == [3]
    assert rules[("person_name", "required")]["failed"] == 1
    assert rules[("insurance_type", "enum")]["failed"] == 1
    assert rules[("amount", "minimum")]["failed"] == 1
    assert rules[("updated_at", "type")]["failed"] == 1
    assert report["validity"]["valid_records"] == 2
    assert report["duplicates"]["duplicate_groups"] == 1
    assert report["duplicates"]["examples"] == [[1, 2]]
    timeliness = report["timeliness"]
    assert timeliness["assessed"] and timeliness["max_age_days"] == 2
    assert (timeliness["within"], timeliness["stale"], timeliness["unparseable"]) == (1, 1, 1)
    assert report["passed"] is False
    assert 0 <= report["score"] < 100
    assert record_violations(records[:1], STANDARD) == []
    assert [(v.record, v.field, v.rule) for v in record_violations(records[2:], STANDARD)][:2] == [
        (1, "id_number", "pattern"),
        (1, "person_name", "required"),
    ]


def test_a_clean_sample_passes() -> None:
    records = [
        {"id_number": f"44010619900101{i:03d}X", "person_name": "王五", "updated_at": "2026-11-23"}
        for i in range(10)
    ]
    report = quality_report(records, STANDARD, now=NOW)
    assert report["duplicates"]["duplicate_records"] == 0
    assert report["validity"]["valid_records"] == 10
    assert report["completeness"]["filled_cells"] == 30  # two optional fields left empty
