"""Quality checks (数据质量检测) of sample records against an item's standard; pure, no I/O.

The standard of an item is built from its fields' data elements (type, length, pattern,
enumeration, range, required) plus item-level rules (unique key, minimum completeness,
timeliness against the update mechanism). This module checks parsed records (see
uploads.py) and produces a report made of integers, strings and booleans only, so it can
be stored and audited as is.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from exchange.catalog.vocabulary import DataType, MaskingRule, UpdateFrequency

MAX_PATTERN_CHARS = 200


MAX_MATCHED_CHARS = 256


MAX_RECORDS = 10_000


MAX_EXAMPLES = 5


CHINA_TZ = timezone(timedelta(hours=8), "CST")


REQUIRED = "required"


TYPE = "type"


MIN_LENGTH = "min_length"


MAX_LENGTH = "max_length"


PATTERN = "pattern"


ENUM = "enum"


MINIMUM = "minimum"


MAXIMUM = "maximum"


# How old the newest data may be for each update frequency (a day's grace included).
MAX_AGE: dict[UpdateFrequency, timedelta | None] = {
    UpdateFrequency.REAL_TIME: timedelta(days=1),
    UpdateFrequency.DAILY: timedelta(days=2),
    UpdateFrequency.WEEKLY: timedelta(days=8),
    UpdateFrequency.MONTHLY: timedelta(days=32),
    UpdateFrequency.QUARTERLY: timedelta(days=93),
    UpdateFrequency.YEARLY: timedelta(days=367),
    UpdateFrequency.IRREGULAR: None,
}


_TRUE = {"true", "1", "是", "yes", "y", "t"}


_FALSE = {"false", "0", "否", "no", "n", "f"}


_INTEGER = re.compile(r"[+-]?\d{1,30}")


_DECIMAL = re.compile(r"[+-]?(?:\d{1,30}(?:\.\d{0,30})?|\.\d{1,30})(?:[eE][+-]?\d{1,3})?")


class PatternRefused(ValueError):
    """A pattern that is not a valid regular expression, or one too risky to run."""


def _re_internals() -> tuple[Any, Any]:
    # The stdlib's own regex parser and compiler (there is no public API for the tree).
    return importlib.import_module("re._parser"), importlib.import_module("re._compiler")


_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


def _children(op: Any, av: Any) -> list[Any]:
    name = str(op)
    if name in _REPEATS:
        return [av[2]]
    if name == "BRANCH":
        return list(av[1])
    if name == "SUBPATTERN":
        return [av[-1]]
    if name in {"ASSERT", "ASSERT_NOT"}:
        return [av[1]]
    if name == "ATOMIC_GROUP":
        return [av]
    return []


def _ambiguous_parts(body: Any) -> list[tuple[Any, Any]]:
    """Unbounded repeats and alternations anywhere inside a repeated body."""
    parser, _ = _re_internals()
    found: list[tuple[Any, Any]] = []
    for op, av in body:
        name = str(op)
        if (name in _REPEATS and av[1] == parser.MAXREPEAT) or name == "BRANCH":
            found.append((op, av))
        for child in _children(op, av):
            found.extend(_ambiguous_parts(child))
    return found


def _separated(body: Any, parts: list[tuple[Any, Any]]) -> bool:
    """Whether each pass of the repeated body must consume a literal none of the
    ambiguous parts can match (like the dot in (\\.[a-z]+)+), which keeps it linear."""
    parser, compiler = _re_internals()
    while len(body) == 1 and str(body[0][0]) == "SUBPATTERN":
        body = body[0][1][-1]
    literals = [chr(av) for op, av in body if str(op) == "LITERAL"]
    if not literals:
        return False
    matchers = [compiler.compile(parser.SubPattern(body.state, [part])) for part in parts]
    if any(m.fullmatch("") is not None for m in matchers):
        return False  # a part that can match nothing lets one input split in many ways
    return any(all(m.fullmatch(ch) is None for m in matchers) for ch in literals)


def _walk(items: Any) -> None:
    parser, _ = _re_internals()
    for op, av in items:
        name = str(op)
        if name in {"GROUPREF", "GROUPREF_EXISTS"}:
            raise PatternRefused("back-references are not supported in data-element patterns")
        if name in _REPEATS and av[1] == parser.MAXREPEAT:
            body = av[2]
            parts = _ambiguous_parts(body)
            if parts and not _separated(body, parts):
                raise PatternRefused(
                    "unbounded repetition of a part that can itself match in several ways, "
                    "such as (a+)+ or (a|ab)*, can take exponential time; rewrite it (a "
                    "literal separator inside the group, like (\\.[a-z]+)+, is fine)"
                )
        for child in _children(op, av):
            _walk(child)


def check_pattern(pattern: str) -> None:
    """Refuse invalid or catastrophic patterns (PatternRefused says why)."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise PatternRefused(f"patterns are limited to {MAX_PATTERN_CHARS} characters")
    try:
        re.compile(pattern)
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        raise PatternRefused(f"not a valid regular expression: {exc.msg}{where}") from None
    except (OverflowError, RecursionError, ValueError) as exc:
        raise PatternRefused(f"not a valid regular expression: {exc}") from None
    _walk(_re_internals()[0].parse(pattern))


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@dataclass(frozen=True, slots=True)
class Constraints:
    """The value rules of a data element (数据元约束)."""

    data_type: DataType
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    enum_values: tuple[str, ...] | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def rules(self) -> list[str]:
        """The names of the rules these constraints define (the type rule always)."""
        names = [TYPE]
        for name, value in (
            (MIN_LENGTH, self.min_length),
            (MAX_LENGTH, self.max_length),
            (PATTERN, self.pattern),
            (ENUM, self.enum_values),
            (MINIMUM, self.minimum),
            (MAXIMUM, self.maximum),
        ):
            if value is not None:
                names.append(name)
        return names


@dataclass(frozen=True, slots=True)
class FieldStandard:
    """One field of an item as the checks see it."""

    code: str
    name: str
    required: bool
    masking: MaskingRule = MaskingRule.NONE
    constraints: Constraints | None = None

    def rules(self) -> list[str]:
        names = [REQUIRED] if self.required else []
        if self.constraints is not None:
            names.extend(self.constraints.rules())
        return names


@dataclass(frozen=True, slots=True)
class ItemStandard:
    """An item's quality standard (质量标准): its fields plus item-level rules."""

    fields: tuple[FieldStandard, ...]
    unique_key: tuple[str, ...] = ()
    completeness_min_pct: int = 0
    timeliness_field: str | None = None
    frequency: UpdateFrequency = UpdateFrequency.IRREGULAR

    def field(self, code: str) -> FieldStandard:
        return next(f for f in self.fields if f.code == code)


def as_text(value: Any) -> str | None:
    """A scalar's text form; None for missing or blank values."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)[:MAX_MATCHED_CHARS]
    text = str(value).strip()
    return text or None


def _number(value: Any, text: str, integer: bool) -> Decimal | None:
    if isinstance(value, bool | dict | list):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        if integer and not value.is_integer():
            return None
        return Decimal(repr(value))
    if not (_INTEGER if integer else _DECIMAL).fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _type_ok(data_type: DataType, value: Any, text: str) -> tuple[bool, Decimal | None]:
    if isinstance(value, dict | list):
        return False, None
    if data_type is DataType.INTEGER:
        number = _number(value, text, integer=True)
        return number is not None, number
    if data_type is DataType.DECIMAL:
        number = _number(value, text, integer=False)
        return number is not None, number
    if data_type is DataType.DATE:
        return parse_date(text) is not None, None
    if data_type is DataType.DATETIME:
        return parse_datetime(text) is not None, None
    if data_type is DataType.BOOLEAN:
        if isinstance(value, bool):
            return True, None
        return text.lower() in _TRUE | _FALSE, None
    return True, None


def parse_date(text: str) -> date | None:
    """An ISO 8601 date (2024-05-17 or 20240517), or None."""
    if len(text) > 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_datetime(text: str) -> datetime | None:
    """An ISO 8601 date-time as aware UTC (no zone: China Standard Time), or None."""
    if len(text) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=CHINA_TZ)
    return parsed.astimezone(UTC)


def broken_rules(standard: FieldStandard, value: Any) -> list[str]:
    """The rules a value breaks (an empty list when it meets them all)."""
    text = as_text(value)
    if text is None:
        return [REQUIRED] if standard.required else []
    c = standard.constraints
    if c is None:
        return []
    ok, number = _type_ok(c.data_type, value, text)
    if not ok:
        return [TYPE]
    broken: list[str] = []
    if c.min_length is not None and len(text) < c.min_length:
        broken.append(MIN_LENGTH)
    if c.max_length is not None and len(text) > c.max_length:
        broken.append(MAX_LENGTH)
    if c.pattern is not None and (
        len(text) > MAX_MATCHED_CHARS or _compiled(c.pattern).fullmatch(text) is None
    ):
        broken.append(PATTERN)
    if c.enum_values is not None and text not in c.enum_values:
        broken.append(ENUM)
    if number is not None:
        if c.minimum is not None and number < c.minimum:
            broken.append(MINIMUM)
        if c.maximum is not None and number > c.maximum:
            broken.append(MAXIMUM)
    return broken


RULE_DESCRIPTIONS = {
    REQUIRED: "is required but empty",
    TYPE: "has the wrong type",
    MIN_LENGTH: "is shorter than the minimum length",
    MAX_LENGTH: "is longer than the maximum length",
    PATTERN: "does not match the pattern",
    ENUM: "is not one of the allowed values",
    MINIMUM: "is below the minimum",
    MAXIMUM: "is above the maximum",
}


def describe_rule(standard: FieldStandard, rule: str) -> str:
    """A sentence naming what a rule demands (never the offending value)."""
    c = standard.constraints
    detail = ""
    if c is not None:
        if rule == TYPE:
            detail = f" (expected {c.data_type.value})"
        elif rule == MIN_LENGTH:
            detail = f" ({c.min_length})"
        elif rule == MAX_LENGTH:
            detail = f" ({c.max_length})"
        elif rule == PATTERN:
            detail = f" {c.pattern}"
        elif rule == ENUM and c.enum_values is not None:
            shown = ", ".join(c.enum_values[:10])
            detail = f" ({shown}{', ...' if len(c.enum_values) > 10 else ''})"
        elif rule == MINIMUM:
            detail = f" ({c.minimum})"
        elif rule == MAXIMUM:
            detail = f" ({c.maximum})"
    return f"{RULE_DESCRIPTIONS[rule]}{detail}"


@dataclass(frozen=True, slots=True)
class Violation:
    """One rule broken by one value: record number (1-based), field and rule."""

    record: int
    field: str
    rule: str


def record_violations(
    records: Sequence[Mapping[str, Any]], standard: ItemStandard
) -> list[Violation]:
    """Every rule broken in the records, in record then field order."""
    out: list[Violation] = []
    for number, record in enumerate(records, start=1):
        for spec in standard.fields:
            out.extend(
                Violation(number, spec.code, rule)
                for rule in broken_rules(spec, record.get(spec.code))
            )
    return out


@dataclass(slots=True)
class _RuleTally:
    checked: int = 0
    failed: int = 0
    examples: list[int] = field(default_factory=list)


def _timeliness(
    records: Sequence[Mapping[str, Any]], standard: ItemStandard, now: datetime
) -> dict[str, Any]:
    max_age = MAX_AGE[standard.frequency]
    out: dict[str, Any] = {
        "assessed": False,
        "field": standard.timeliness_field,
        "frequency": standard.frequency.value,
        "max_age_days": max_age.days if max_age is not None else None,
        "within": 0,
        "stale": 0,
        "future": 0,
        "unparseable": 0,
        "newest_age_days": None,
    }
    if standard.timeliness_field is None or max_age is None:
        return out
    out["assessed"] = True
    newest: timedelta | None = None
    for record in records:
        text = as_text(record.get(standard.timeliness_field))
        when = parse_datetime(text) if text is not None else None
        if when is None:
            out["unparseable"] += 1
            continue
        age = now - when
        if age < -timedelta(hours=1):
            out["future"] += 1
            continue
        newest = age if newest is None or age < newest else newest
        if age <= max_age:
            out["within"] += 1
        else:
            out["stale"] += 1
    out["newest_age_days"] = max(newest.days, 0) if newest is not None else None
    return out


def _pct(part: int, whole: int) -> int:
    return 100 if whole == 0 else (part * 100) // whole


def quality_report(
    records: Sequence[Mapping[str, Any]], standard: ItemStandard, *, now: datetime
) -> dict[str, Any]:
    """Check records against the standard: completeness, validity, duplicates, timeliness."""
    fields = standard.fields
    filled = dict.fromkeys((f.code for f in fields), 0)
    tallies: dict[tuple[str, str], _RuleTally] = {
        (f.code, rule): _RuleTally() for f in fields for rule in f.rules()
    }
    valid_records = 0
    keys: dict[tuple[str, ...], list[int]] = {}
    key_checked = 0
    for number, record in enumerate(records, start=1):
        record_ok = True
        for spec in fields:
            value = record.get(spec.code)
            present = as_text(value) is not None
            if present:
                filled[spec.code] += 1
            broken = broken_rules(spec, value)
            for rule in spec.rules():
                if rule != REQUIRED and not present:
                    continue
                tally = tallies[(spec.code, rule)]
                tally.checked += 1
                if rule in broken:
                    tally.failed += 1
                    if len(tally.examples) < MAX_EXAMPLES:
                        tally.examples.append(number)
            record_ok = record_ok and not broken
        valid_records += record_ok
        if standard.unique_key:
            key = [as_text(record.get(code)) for code in standard.unique_key]
            if all(p is not None for p in key):
                key_checked += 1
                keys.setdefault(tuple(p for p in key if p is not None), []).append(number)
    groups = [numbers for numbers in keys.values() if len(numbers) > 1]
    total_cells = len(records) * len(fields)
    filled_cells = sum(filled.values())
    duplicate_records = sum(len(g) - 1 for g in groups)
    duplicates = {
        "key": list(standard.unique_key),
        "checked_records": key_checked,
        "duplicate_groups": len(groups),
        "duplicate_records": duplicate_records,
        "examples": [g[:MAX_EXAMPLES] for g in groups[:MAX_EXAMPLES]],
    }
    timeliness = _timeliness(records, standard, now)
    completeness_pct = _pct(filled_cells, total_cells)
    parts: list[int] = [
        completeness_pct,
        _pct(valid_records, len(records)),
        _pct(key_checked - duplicate_records, key_checked),
    ]
    if timeliness["assessed"]:
        parts.append(_pct(timeliness["within"], len(records)))
    passed = (
        completeness_pct >= standard.completeness_min_pct
        and valid_records == len(records)
        and duplicate_records == 0
        and (not timeliness["assessed"] or timeliness["within"] == len(records))
    )
    return {
        "record_count": len(records),
        "field_count": len(fields),
        "completeness": {
            "filled_cells": filled_cells,
            "total_cells": total_cells,
            "min_pct": standard.completeness_min_pct,
            "fields": [
                {
                    "field": f.code,
                    "filled": filled[f.code],
                    "missing": len(records) - filled[f.code],
                }
                for f in fields
            ],
        },
        "validity": {
            "valid_records": valid_records,
            "rules": [
                {
                    "field": code,
                    "rule": rule,
                    "checked": tally.checked,
                    "failed": tally.failed,
                    "examples": tally.examples,
                }
                for (code, rule), tally in tallies.items()
            ],
        },
        "duplicates": duplicates,
        "timeliness": timeliness,
        "score": sum(parts) // len(parts),
        "passed": passed,
    }
