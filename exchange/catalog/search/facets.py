"""Facet keys: an item's facet values packed into one integer stored on each posting; pure.

Counting facets for a text query then reads only the postings' own B-tree (no item rows):
`(key >> shift) & mask` extracts one facet, in SQL on SQLite and PostgreSQL alike.

    bit 0       the term occurs in the item's name (ranks name matches first)
    bits 1-2    level          bits 3-4   grade        bits 5-6   sharing
    bits 7-8    opening        bits 9-12  usage methods (UsageFlag bits)
    bits 13-17  prefecture city (index into CITY_CODES; 31 for any other code)
    bits 18-    the department's integer key (seq)
"""

from __future__ import annotations

from dataclasses import dataclass

from exchange.catalog.vocabulary import Level
from exchange.vocabulary import Grade, Opening, Sharing

LEVELS: tuple[str, ...] = (Level.PROVINCE, Level.CITY, Level.COUNTY)
GRADES: tuple[str, ...] = (Grade.GENERAL, Grade.IMPORTANT, Grade.CORE)
SHARINGS: tuple[str, ...] = (Sharing.UNCONDITIONAL, Sharing.CONDITIONAL, Sharing.NOT_SHARED)
OPENINGS: tuple[str, ...] = (Opening.UNCONDITIONAL, Opening.CONDITIONAL, Opening.NOT_OPEN)
# Guangdong (省直) and its 21 prefecture cities, GB/T 2260; the order is part of the keys.
CITY_CODES: tuple[str, ...] = (
    "440000",
    "440100",
    "440200",
    "440300",
    "440400",
    "440500",
    "440600",
    "440700",
    "440800",
    "440900",
    "441200",
    "441300",
    "441400",
    "441500",
    "441600",
    "441700",
    "441800",
    "441900",
    "442000",
    "445100",
    "445200",
    "445300",
)
OTHER_CITY = 31


@dataclass(frozen=True, slots=True)
class Field:
    """Where one facet sits in the key."""

    shift: int
    mask: int


IN_NAME = Field(0, 0b1)
LEVEL = Field(1, 0b11)
GRADE = Field(3, 0b11)
SHARING = Field(5, 0b11)
OPENING = Field(7, 0b11)
USAGE = Field(9, 0b1111)
CITY = Field(13, 0b11111)
DEPARTMENT_SHIFT = 18
TERM_KEY_MASK = (1 << DEPARTMENT_SHIFT) - 1  # a posting key without its department
# Two groupings answer every small facet: bits 1-8 and bits 9-17.
ATTRIBUTES = Field(1, 0xFF)
PLACE_AND_USAGE = Field(9, 0x1FF)


def city_index(code: str) -> int:
    """The city's index in the key (OTHER_CITY for codes outside Guangdong's cities)."""
    try:
        return CITY_CODES.index(code)
    except ValueError:
        return OTHER_CITY


def base_key(
    *, level: str, grade: str, sharing: str, opening: str, usage_mask: int, city_code: str
) -> int:
    """The key of an item without its department and name flag."""
    return (
        (LEVELS.index(level) << LEVEL.shift)
        | (GRADES.index(grade) << GRADE.shift)
        | (SHARINGS.index(sharing) << SHARING.shift)
        | (OPENINGS.index(opening) << OPENING.shift)
        | ((usage_mask & USAGE.mask) << USAGE.shift)
        | (city_index(city_code) << CITY.shift)
    )


def posting_key(base: int, *, department_seq: int, in_name: bool) -> int:
    """The full key of one posting."""
    return base | (department_seq << DEPARTMENT_SHIFT) | int(in_name)


def decode_attributes(value: int) -> tuple[str, str, str, str]:
    """(level, grade, sharing, opening) of an ATTRIBUTES group value."""
    return (
        LEVELS[(value >> (LEVEL.shift - 1)) & LEVEL.mask],
        GRADES[(value >> (GRADE.shift - 1)) & GRADE.mask],
        SHARINGS[(value >> (SHARING.shift - 1)) & SHARING.mask],
        OPENINGS[(value >> (OPENING.shift - 1)) & OPENING.mask],
    )


def decode_place_and_usage(value: int) -> tuple[str | None, int]:
    """(city code or None, usage mask) of a PLACE_AND_USAGE group value."""
    city = (value >> (CITY.shift - USAGE.shift)) & CITY.mask
    return (CITY_CODES[city] if city < len(CITY_CODES) else None), value & USAGE.mask
