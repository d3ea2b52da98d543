"""Pure: synthetic data-space records (合成数字空间记录): what the social-insurance, tax,
market-regulation and credit sources hold about a person or a company.

Deterministic: the same kind, name, month and seed give the same records, whatever database
they land in (the demo's 陈小明 has the same contributions everywhere). Amounts are fen.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from exchange.dataspaces.vocabulary import RecordType
from exchange.vocabulary import Role

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_EMPLOYERS = ("广州数联科技有限公司", "深圳前海云图数据有限公司", "佛山顺德美居电器有限公司")
_SCOPES = ("数据处理和存储支持服务；软件开发；信息技术咨询服务", "家用电器制造；货物进出口")
MONTHS = 6
YEARS = 2


@dataclass(frozen=True, slots=True)
class Source:
    """The catalog item (and its department) a kind of record comes from."""

    item_id: str
    department_id: str
    item_name: str


@dataclass(frozen=True, slots=True)
class SyntheticRecord:
    """One synthetic record, from its source."""

    record_type: RecordType
    source: Source
    title: str
    period: str
    fields: dict[str, Any]


def id_number(rng: random.Random, *, born: int) -> str:
    """A synthetic 18-digit resident identity number (Guangzhou Tianhe) with a valid check."""
    body = (
        f"440106{born:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    )
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]


def uscc(rng: random.Random) -> str:
    """A synthetic unified social credit code (统一社会信用代码) with a valid check character."""
    body = "91440101" + "".join(rng.choice(_USCC_CHARS) for _ in range(9))
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_CHARS[(31 - total % 31) % 31]


def _months_back(as_of: datetime, count: int) -> list[str]:
    """The `count` months before `as_of`'s, newest first, as YYYY-MM."""
    year, month = as_of.year, as_of.month
    found = []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        found.append(f"{year:04d}-{month:02d}")
    return found


def chinese_name(name: str) -> str:
    """The Chinese part of a bilingual participant name (its first word)."""
    return name.split(" ", 1)[0]


def plan_records(
    *,
    kind: Role,
    name: str,
    as_of: datetime,
    sources: Mapping[RecordType, Source],
    seed: int = 0,
) -> list[SyntheticRecord]:
    """The records the sources hold about a person (社保、纳税、信用) or a company (营业执照、
    纳税、社保、信用), for the months and years before `as_of`; types without a source are
    left out."""
    rng = random.Random(f"gd-dataspace/{seed}/{kind.value}/{name}")
    plain = chinese_name(name)
    records: list[SyntheticRecord] = []

    def add(kind_: RecordType, title: str, period: str, fields: dict[str, Any]) -> None:
        source = sources.get(kind_)
        if source is not None:
            records.append(SyntheticRecord(kind_, source, title, period, fields))

    months = _months_back(as_of, MONTHS)
    years = [str(as_of.year - n) for n in range(1, YEARS + 1)]
    if kind is Role.INDIVIDUAL:
        person = {"person_name": plain, "id_number": id_number(rng, born=rng.randint(1975, 2000))}
        employer = rng.choice(_EMPLOYERS)
        base = rng.randrange(600_000, 2_500_000, 10_000)
        for period in months:
            add(
                RecordType.SOCIAL_INSURANCE,
                f"{period} 社保缴费记录",
                period,
                {
                    **person,
                    "insurance_type": "企业职工基本养老保险",
                    "employer": employer,
                    "contribution_base_fen": base,
                    "paid_fen": base * 8 // 100,
                    "insured_status": "正常参保",
                },
            )
        for year in years:
            income = base * 12 + rng.randrange(0, 3_000_000, 1_000)
            add(
                RecordType.TAX,
                f"{year}年度个人所得税纳税记录",
                year,
                {
                    **person,
                    "tax_year": year,
                    "income_fen": income,
                    "tax_paid_fen": max(0, (income - 6_000_000) * 10 // 100),
                    "withholding_agent": employer,
                },
            )
        add(
            RecordType.CREDIT,
            "个人公共信用信息",
            months[0],
            {**person, "rating": "守信", "dishonest_records": 0, "updated_on": f"{months[0]}-28"},
        )
        return records
    org = {"uscc": uscc(rng), "org_name": plain}
    established = as_of.year - rng.randint(3, 15)
    add(
        RecordType.BUSINESS_LICENCE,
        "营业执照（企业登记注册信息）",
        str(established),
        {
            **org,
            "legal_representative": rng.choice(("李华", "王芳", "张伟", "刘洋")),
            "registered_capital_fen": rng.randrange(1_000_000_000, 50_000_000_000, 100_000_000),
            "established_on": f"{established}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "business_scope": rng.choice(_SCOPES),
            "registration_authority": "广州市市场监督管理局",
            "status": "存续",
        },
    )
    revenue = rng.randrange(500_000_000, 20_000_000_000, 1_000_000)
    for n, year in enumerate(years):
        this_year = revenue * (100 - 8 * n) // 100
        add(
            RecordType.TAX,
            f"{year}年度企业纳税记录",
            year,
            {
                **org,
                "tax_year": year,
                "revenue_fen": this_year,
                "tax_paid_fen": this_year * 6 // 100,
                "tax_credit_grade": rng.choice(("A", "A", "B")),
            },
        )
    headcount = rng.randint(20, 400)
    for period in months:
        add(
            RecordType.SOCIAL_INSURANCE,
            f"{period} 单位社保缴费记录",
            period,
            {
                **org,
                "insured_headcount": headcount,
                "paid_fen": headcount * rng.randrange(150_000, 250_000, 1_000),
                "arrears_fen": 0,
            },
        )
    add(
        RecordType.CREDIT,
        "企业公共信用信息",
        months[0],
        {
            **org,
            "rating": "良好",
            "administrative_penalties": 0,
            "abnormal_operation": False,
            "updated_on": f"{months[0]}-28",
        },
    )
    return records
