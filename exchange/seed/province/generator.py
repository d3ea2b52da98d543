"""A deterministic, realistic synthetic catalog at province scale (省级目录合成); pure.

Given the seeded divisions (province, 21 prefecture cities, 122 counties), a department
count, an item count and a seed, `plan_catalog` yields departments in publication order
(the province first, then each city followed by its counties) with their items. Sector
departments (人社、医保、公安、市场监管 ...) exist at every level; affiliated units hang
under them; a county bureau's parent is the city bureau of its sector, the city bureau's
parent is the provincial one. Items combine each sector's data themes with qualifiers,
fields come from a pool of standard data elements plus theme fields, and the first item
that uses a data element becomes its authoritative source (the provincial departments
come first, as in the real census). The tables (data elements, sectors and their themes,
qualifiers) are data: tables.json next to this module, read once at import.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

from exchange.catalog.departments.rules import DivisionInfo
from exchange.catalog.vocabulary import (
    UPDATE_FREQUENCY_LABELS,
    DataType,
    FieldRole,
    Level,
    MaskingRule,
    UpdateFrequency,
    UpdateMethod,
    UsageMethod,
)
from exchange.vocabulary import Grade, Opening, Sharing

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ElementSpec:
    """A standard data element of the pool."""

    code: str
    key: str
    name_zh: str
    name_en: str
    data_type: DataType
    masking: MaskingRule = MaskingRule.NONE
    pattern: str | None = None
    max_length: int | None = None
    enum_values: tuple[str, ...] | None = None
    minimum: str | None = None
    maximum: str | None = None
    format: str = ""


@dataclass(frozen=True, slots=True)
class Theme:
    """A kind of data a sector holds: a name, standard elements and theme fields."""

    zh: str
    en: str
    elements: tuple[str, ...]
    extra: tuple[tuple[str, str, str], ...] = ()
    personal: bool = False
    key: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sector:
    """A line of government (条线) present at each level, with its affiliated units."""

    zh: str
    province: str
    city: str
    county: str
    en: str
    system: str
    themes: tuple[Theme, ...]
    units: tuple[tuple[str, str], ...] = ()


def _load_tables() -> dict[str, Any]:
    """The generator's tables (tables.json, package data), read once at import."""
    source = resources.files("exchange.seed.province").joinpath("tables.json")
    tables: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return tables


def _element(row: dict[str, Any]) -> ElementSpec:
    enum_values = row.get("enum_values")
    return ElementSpec(
        code="",
        key=row["key"],
        name_zh=row["name_zh"],
        name_en=row["name_en"],
        data_type=DataType(row["data_type"]),
        masking=MaskingRule(row.get("masking", MaskingRule.NONE)),
        pattern=row.get("pattern"),
        max_length=row.get("max_length"),
        enum_values=tuple(enum_values) if enum_values is not None else None,
        minimum=row.get("minimum"),
        maximum=row.get("maximum"),
        format=row.get("format", ""),
    )


def _theme(row: dict[str, Any]) -> Theme:
    return Theme(
        row["zh"],
        row["en"],
        tuple(row["elements"]),
        tuple((code, zh, en) for code, zh, en in row.get("extra", ())),
        row.get("personal", False),
        tuple(row.get("key", ())),
    )


def _sector(row: dict[str, Any]) -> Sector:
    return Sector(
        row["zh"],
        row["province"],
        row["city"],
        row["county"],
        row["en"],
        row["system"],
        tuple(_theme(t) for t in row["themes"]),
        tuple((zh, en) for zh, en in row["units"]),
    )


_TABLES = _load_tables()
_POOL: tuple[ElementSpec, ...] = tuple(_element(row) for row in _TABLES["elements"])
ELEMENTS: tuple[ElementSpec, ...] = tuple(
    ElementSpec(
        code=f"DE.GD.{i:04d}",
        key=e.key,
        name_zh=e.name_zh,
        name_en=e.name_en,
        data_type=e.data_type,
        masking=e.masking,
        pattern=e.pattern,
        max_length=e.max_length,
        enum_values=e.enum_values,
        minimum=e.minimum,
        maximum=e.maximum,
        format=e.format,
    )
    for i, e in enumerate(_POOL, start=1)
)
ELEMENTS_BY_KEY = {e.key: e for e in ELEMENTS}

SECTORS: tuple[Sector, ...] = tuple(_sector(row) for row in _TABLES["sectors"])
# (中文, English, typical frequency, aggregated: no personal data)
_QUALIFIERS: tuple[tuple[str, str, UpdateFrequency, bool], ...] = tuple(
    (zh, en, UpdateFrequency(frequency), aggregated)
    for zh, en, frequency, aggregated in _TABLES["qualifiers"]
)
_YEARS: tuple[str, ...] = tuple(_TABLES["years"])
_PURPOSES: tuple[str, ...] = tuple(_TABLES["purposes"])


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """A field of a generated item."""

    code: str
    name_zh: str
    name_en: str
    element_code: str | None
    role: FieldRole | None
    required: bool
    masking: MaskingRule


@dataclass(frozen=True, slots=True)
class ItemPlan:
    """A generated catalog item."""

    name_zh: str
    name_en: str
    description: str
    source_system: str
    update_frequency: UpdateFrequency
    update_method: UpdateMethod
    usage_methods: tuple[UsageMethod, ...]
    grade: Grade
    personal_info: bool
    sharing: Sharing
    sharing_conditions: str
    opening: Opening
    opening_conditions: str
    fields: tuple[FieldPlan, ...]
    unique_key: tuple[str, ...]
    completeness_min_pct: int
    timeliness_field: str | None


@dataclass(frozen=True, slots=True)
class DepartmentPlan:
    """A generated department and its items."""

    code: str
    name: str
    name_en: str
    division_code: str
    level: Level
    city_code: str
    parent_code: str | None
    items: tuple[ItemPlan, ...]


@dataclass(frozen=True, slots=True)
class _Slot:
    sector: int
    unit: int | None  # None: the sector's bureau itself; else an affiliated unit


def _slots(level: Level) -> list[_Slot]:
    main = [_Slot(i, None) for i in range(len(SECTORS))]
    units = [
        _Slot(i, u) for u in range(3) for i, sector in enumerate(SECTORS) if u < len(sector.units)
    ]
    return main + units


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder, deterministic)."""
    whole = sum(weights)
    if whole <= 0 or total <= 0:
        return [0] * len(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


_LEVEL_WEIGHT = {Level.PROVINCE: 3.0, Level.CITY: 1.6, Level.COUNTY: 1.0}


def _ordered(divisions: Sequence[DivisionInfo]) -> list[DivisionInfo]:
    province = [d for d in divisions if d.level is Level.PROVINCE]
    cities = sorted((d for d in divisions if d.level is Level.CITY), key=lambda d: d.code)
    out = list(province)
    for city in cities:
        out.append(city)
        out.extend(
            sorted(
                (d for d in divisions if d.parent_code == city.code and d.level is Level.COUNTY),
                key=lambda d: d.code,
            )
        )
    return out


def _department_name(
    sector: Sector, slot: _Slot, division: DivisionInfo, city: DivisionInfo | None, extra: int
) -> tuple[str, str]:
    if division.level is Level.PROVINCE:
        bureau, bureau_en, place_en = sector.province, sector.en, "Guangdong Provincial"
        prefix = ""
    elif division.level is Level.CITY:
        bureau, bureau_en, place_en = sector.city, sector.en, division.name_en
        prefix = division.name
    else:
        bureau, bureau_en, place_en = sector.county, sector.en, division.name_en
        is_district = division.name.endswith("区")
        prefix = (city.name if (city is not None and is_district) else "") + division.name
    name = prefix + bureau
    name_en = f"{place_en} {bureau_en}"
    if slot.unit is not None:
        unit_zh, unit_en = sector.units[slot.unit]
        name = prefix + unit_zh if division.level is not Level.PROVINCE else "广东省" + unit_zh
        name_en = f"{place_en} {unit_en}"
    if extra:
        name += f"第{extra + 1}分中心"
        name_en += f" branch {extra + 1}"
    return name, name_en


def _pick(rng: random.Random, options: Sequence[T], weights: Sequence[int]) -> T:
    """One option drawn with the given integer weights (cheaper than random.choices)."""
    x = rng.random() * sum(weights)
    for option, weight in zip(options, weights, strict=True):
        x -= weight
        if x < 0:
            return option
    return options[-1]


class _Sources:
    """Which data elements already have an authoritative source."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def role(self, element_code: str) -> FieldRole:
        if element_code in self.taken:
            return FieldRole.REFERENCE
        self.taken.add(element_code)
        return FieldRole.SOURCE


def _item(
    rng: random.Random,
    sector: Sector,
    theme: Theme,
    qualifier: tuple[str, str, UpdateFrequency, bool],
    year: str,
    department_name: str,
    place: str,
    sources: _Sources,
) -> ItemPlan:
    q_zh, q_en, frequency, aggregated = qualifier
    personal = theme.personal and not aggregated
    name_zh = f"{year}{place}{theme.zh}{q_zh}"
    name_en = f"{year[:4] + ' ' if year else ''}{theme.en} {q_en}"
    if frequency is UpdateFrequency.DAILY and rng.random() < 0.2:
        frequency = UpdateFrequency.WEEKLY
    if year:
        frequency = UpdateFrequency.IRREGULAR if rng.random() < 0.5 else UpdateFrequency.YEARLY
    fields: list[FieldPlan] = []
    for key in theme.elements:
        if aggregated and ELEMENTS_BY_KEY[key].masking is not MaskingRule.NONE:
            continue
        element = ELEMENTS_BY_KEY[key]
        fields.append(
            FieldPlan(
                code=key,
                name_zh=element.name_zh,
                name_en=element.name_en,
                element_code=element.code,
                role=sources.role(element.code),
                required=key in theme.key or key in {"id_number", "uscc"},
                masking=element.masking,
            )
        )
    for code, zh, en in theme.extra:
        fields.append(FieldPlan(code, zh, en, None, None, code in theme.key, MaskingRule.NONE))
    if aggregated and not any(f.code == "stat_period" for f in fields):
        element = ELEMENTS_BY_KEY["stat_period"]
        fields.append(
            FieldPlan(
                "stat_period",
                element.name_zh,
                element.name_en,
                element.code,
                sources.role(element.code),
                True,
                MaskingRule.NONE,
            )
        )
    timeliness = None
    if rng.random() < 0.7 and not any(f.code == "updated_at" for f in fields):
        element = ELEMENTS_BY_KEY["updated_at"]
        fields.append(
            FieldPlan(
                "updated_at",
                element.name_zh,
                element.name_en,
                element.code,
                sources.role(element.code),
                True,
                MaskingRule.NONE,
            )
        )
    if any(f.code == "updated_at" for f in fields):
        timeliness = "updated_at"
    codes = {f.code for f in fields}
    unique_key = tuple(k for k in theme.key if k in codes) if not aggregated else ()
    if personal:
        grade = _pick(rng, (Grade.GENERAL, Grade.IMPORTANT, Grade.CORE), (62, 33, 5))
    else:
        grade = _pick(rng, (Grade.GENERAL, Grade.IMPORTANT, Grade.CORE), (88, 11, 1))
    if grade is Grade.CORE:
        sharing = rng.choice((Sharing.CONDITIONAL, Sharing.NOT_SHARED))
        opening = Opening.NOT_OPEN
    else:
        sharing = _pick(
            rng, (Sharing.UNCONDITIONAL, Sharing.CONDITIONAL, Sharing.NOT_SHARED), (45, 45, 10)
        )
        if personal or grade is Grade.IMPORTANT:
            opening = _pick(rng, (Opening.CONDITIONAL, Opening.NOT_OPEN), (30, 70))
        else:
            opening = _pick(
                rng, (Opening.UNCONDITIONAL, Opening.CONDITIONAL, Opening.NOT_OPEN), (40, 25, 35)
            )
    usage = [
        m
        for m, p in (
            (UsageMethod.API, 0.6),
            (UsageMethod.FILE, 0.45),
            (UsageMethod.QUERY, 0.3),
            (UsageMethod.PRIVACY_COMPUTING, 0.08),
        )
        if rng.random() < p
    ] or [UsageMethod.API]
    purpose = rng.choice(_PURPOSES)
    shown = "、".join(f.name_zh for f in fields[:3])
    description = (
        f"{theme.zh}{q_zh}，含{shown}等{len(fields)}项，"
        f"{UPDATE_FREQUENCY_LABELS[frequency]}更新，用于{purpose}。"
    )
    return ItemPlan(
        name_zh=name_zh,
        name_en=name_en[:1].upper() + name_en[1:],
        description=description,
        source_system=sector.system,
        update_frequency=frequency,
        update_method=UpdateMethod.FULL
        if aggregated or rng.random() < 0.25
        else UpdateMethod.INCREMENTAL,
        usage_methods=tuple(usage),
        grade=grade,
        personal_info=personal,
        sharing=sharing,
        sharing_conditions=f"仅限{purpose}使用，经数据责任部门审核同意"
        if sharing is Sharing.CONDITIONAL
        else "",
        opening=opening,
        opening_conditions="签订数据使用协议，限于科研与公益用途"
        if opening is Opening.CONDITIONAL
        else "",
        fields=tuple(fields),
        unique_key=unique_key,
        completeness_min_pct=rng.choice((90, 95, 95, 98, 100)),
        timeliness_field=timeliness,
    )


def plan_catalog(
    divisions: Sequence[DivisionInfo],
    *,
    departments: int,
    items: int,
    seed: int,
    sourced: Iterable[str] = (),
) -> Iterator[DepartmentPlan]:
    """Departments with their items, in publication order, the same for the same seed.

    `sourced` names the data elements that already have an authoritative source: the
    generated items only reference them.
    """
    rng = random.Random(seed)
    ordered = _ordered(divisions)
    by_code = {d.code: d for d in ordered}
    per_division = _allocate(departments, [_LEVEL_WEIGHT[d.level] for d in ordered])
    layout: list[tuple[DivisionInfo, _Slot, int, float]] = []
    for division, count in zip(ordered, per_division, strict=True):
        slots = _slots(division.level)
        for k in range(count):
            slot = slots[k % len(slots)]
            weight = _LEVEL_WEIGHT[division.level] * (1.0 if slot.unit is None else 0.6)
            layout.append((division, slot, k // len(slots), weight))
    per_department = _allocate(items, [w for *_, w in layout])
    bureau_codes: dict[tuple[str, int], str] = {}
    sources = _Sources()
    sources.taken.update(sourced)
    serial: dict[str, int] = {}
    for (division, slot, extra, _w), count in zip(layout, per_department, strict=True):
        serial[division.code] = serial.get(division.code, 0) + 1
        code = f"{division.code}-{serial[division.code]:03d}"
        city = by_code.get(division.parent_code or "") if division.level is Level.COUNTY else None
        sector = SECTORS[slot.sector]
        name, name_en = _department_name(sector, slot, division, city, extra)
        if slot.unit is None and extra == 0:
            bureau_codes[(division.code, slot.sector)] = code
            upper = division.parent_code
            parent = None
            while upper is not None and parent is None:
                parent = bureau_codes.get((upper, slot.sector))
                upper = by_code[upper].parent_code if upper in by_code else None
        else:
            parent = bureau_codes.get((division.code, slot.sector))
        city_code = (
            "440000"
            if division.level is Level.PROVINCE
            else division.code
            if division.level is Level.CITY
            else division.parent_code or division.code
        )
        place = "" if division.level is Level.PROVINCE or rng.random() < 0.7 else division.name
        combos = [(t, q, y) for y in _YEARS for t in sector.themes for q in _QUALIFIERS]
        first = len(sector.themes) * len(_QUALIFIERS)
        head = rng.sample(combos[:first], min(count, first))
        tail = rng.sample(combos[first:], min(max(count - first, 0), len(combos) - first))
        picked = head + tail
        while len(picked) < count:
            picked.append(combos[len(picked) % len(combos)])
        plans = tuple(
            _item(rng, sector, theme, qualifier, year, name, place, sources)
            for theme, qualifier, year in picked
        )
        yield DepartmentPlan(
            code=code,
            name=name,
            name_en=name_en,
            division_code=division.code,
            level=division.level,
            city_code=city_code,
            parent_code=parent,
            items=plans,
        )
